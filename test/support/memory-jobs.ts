import { countShard } from '../../functions/adapters/aws/dynamo-jobs.ts';
import { FolderBlobStore } from '../../functions/adapters/local/blob-store.ts';
import type { LocalRuntime } from '../../functions/adapters/local/runtime.ts';
import { addCounts } from '../../functions/pipeline/accounting.ts';
import type { ClassifyMessage, FinalizeMessage } from '../../functions/pipeline/messages.ts';
import type { QueuedJobDeps } from '../../functions/pipeline/queued.ts';
import type { ChunkCounts, JobProgress, JobRecord, JobStore } from '../../functions/ports.ts';
import { defaultTenantOnly, MemoryStore } from './memory-store.ts';

/** Job records in memory, each chunk counted once (what DynamoDB does for the AWS handlers). */
export class MemoryJobs implements JobStore, JobProgress {
  private readonly jobs = new Map<string, JobRecord>();
  /** Classified rows per counted chunk, by job. */
  private readonly counted = new Map<string, Map<string, number>>();

  forTenant(tenant: string) {
    return defaultTenantOnly(this, tenant);
  }

  async create(job: Pick<JobRecord, 'id' | 'input'> & Partial<JobRecord>): Promise<JobRecord> {
    const at = new Date().toISOString();
    const made = {
      status: 'queued' as const,
      rowsIn: 0,
      totalKnown: false,
      classified: 0,
      rejected: 0,
      needsReview: 0,
      tierCounts: {},
      createdAt: at,
      updatedAt: at,
      ...job,
    };
    if (!this.jobs.has(job.id)) this.jobs.set(job.id, made);
    return this.jobs.get(job.id)!;
  }
  async get(id: string) {
    return this.jobs.get(id) ?? null;
  }
  async list() {
    return { items: [...this.jobs.values()] };
  }
  async update(id: string, patch: Partial<JobRecord>) {
    const job = { ...this.jobs.get(id)!, ...patch };
    this.jobs.set(id, job);
    return job;
  }
  async addChunk(jobId: string, chunkId: string, counts: ChunkCounts) {
    const chunks = this.counted.get(jobId) ?? new Map<string, number>();
    this.counted.set(jobId, chunks);
    const applied = !chunks.has(chunkId);
    if (applied) chunks.set(chunkId, counts.classified);
    const job = { ...this.jobs.get(jobId)!, tierCounts: { ...this.jobs.get(jobId)!.tierCounts } };
    if (applied) addCounts(job, counts);
    this.jobs.set(jobId, job);
    return { applied, job };
  }
  /** Shards as DynamoDB's COUNT# items. */
  async shardCounts(jobId: string) {
    const shards = new Map<string, number>();
    for (const [chunkId, classified] of this.counted.get(jobId) ?? []) {
      const shard = countShard(chunkId);
      shards.set(shard, (shards.get(shard) ?? 0) + classified);
    }
    return [...shards].sort(([a], [b]) => a.localeCompare(b)).map(([shard, classified]) => ({ shard, classified }));
  }
  async transition(jobId: string, from: JobRecord['status'], to: JobRecord['status'], patch: Partial<JobRecord> = {}) {
    if (this.jobs.get(jobId)?.status !== from) return false;
    await this.update(jobId, { ...patch, status: to });
    return true;
  }
  // No chunk fails where this store is used: failures are tested on DynamoDB (test/integration/aws-jobs-dynamo.test.ts).
  async noteError(): Promise<void> {}
  async failChunk(): Promise<never> {
    throw new Error('no chunk fails with MemoryJobs');
  }
  async reopenChunks(): Promise<never> {
    throw new Error('no chunk fails with MemoryJobs');
  }
}

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

/**
 * The queued pipeline's dependencies in memory: the inbox and lake as folders, jobs, results and cache in memory,
 * and the two queues as arrays the test drains itself (in any order, as SQS may deliver).
 */
export function memoryQueuedJob(rt: LocalRuntime, inbox: string, lake: string) {
  const classifyQueue: ClassifyMessage[] = [];
  const finalizeQueue: FinalizeMessage[] = [];
  const jobs = new MemoryJobs();
  const deps: QueuedJobDeps = {
    taxonomy: rt.taxonomy,
    bucket: () => new FolderBlobStore(inbox),
    lake: new FolderBlobStore(lake),
    jobs,
    results: new MemoryStore(),
    cache: new MemoryStore(),
    tiers: async () => rt.tiers,
    classifyQueue: { send: async (m) => void classifyQueue.push(...m) },
    finalizeQueue: { send: async (m) => void finalizeQueue.push(...m) },
    logger: quiet,
    metrics: { addMetric: () => undefined },
  };
  return { deps, jobs, classifyQueue, finalizeQueue };
}
