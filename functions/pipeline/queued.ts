/**
 * A job that travels over queues (the AWS drivers: ingest → classify chunks → finalize, and the LLM worker,
 * which completes the chunks it was sent): its ports, where its files live, how a chunk is stored and counted
 * once, and how the one finalize message per job is sent.
 *
 * Lake bucket layout of a job: outbox/<jobId>/result.csv, outbox/<jobId>/rejects.csv,
 * outbox/<jobId>/work/header.json and work/part-<chunk>.jsonl (classified rows, read back by finalize),
 * results/tenant=<tenant>/dt=YYYY-MM-DD/job=<jobId>/part-N.parquet (the lake).
 */
import { createHash } from 'node:crypto';
import { DEFAULT_TENANT } from '../core/api-keys.ts';
import { Cascade } from '../core/cascade.ts';
import { uploadOfKey } from '../core/job-ids.ts';
import type { Taxonomy } from '../core/taxonomy.ts';
import type { Decision, Tier } from '../core/types.ts';
import type { BlobStore, Cache, ChunkCounts, FailedChunks, ItemRecord, JobProgress, JobRecord, JobStore, Queue, ResultStore } from '../ports.ts';
import { countDecision, emptyCounts, reconciled } from './accounting.ts';
import type { ClassifyMessage, FinalizeMessage, LlmMessage } from './messages.ts';

/** Where the steps log (a message and its fields) and count things (CloudWatch metrics on AWS). */
type LogLine = (message: string, ...fields: Record<string, unknown>[]) => void;
export type StepLog = Record<'info' | 'warn' | 'error', LogLine>;
export type StepMetrics = { addMetric(name: string, unit: 'Count', value: number): void };

export interface QueuedJobDeps {
  taxonomy: Taxonomy;
  /** The bucket an S3 event names (the inbox). */
  bucket(name: string): BlobStore;
  /** The lake bucket: outbox/, results/, models/, exports/. */
  lake: BlobStore;
  /** The default tenant's jobs, results and cache; a step works on its job's tenant's (forTenant below). */
  jobs: TenantJobs;
  results: ResultStore;
  cache: Cache;
  /** Tiers after the cache (rules, encoder when configured), built once per container. */
  tiers(): Promise<Tier[]>;
  classifyQueue: Queue<ClassifyMessage>;
  finalizeQueue: Queue<FinalizeMessage>;
  /** Set when LLM_ENABLED=true: rows no cheaper tier was sure of go there instead of review. */
  llmQueue?: Queue<LlmMessage>;
  logger: StepLog;
  metrics: StepMetrics;
  now?: () => Date;
}

/** Jobs with progress counting and failed chunks, scoped to a tenant (ports.ts TenantScoped). */
export type TenantJobs = { forTenant(tenant: string): TenantJobs } & JobStore & JobProgress & FailedChunks;

/** The deps of one tenant's job: its jobs, results and cache, so a step reads and writes nothing of another tenant. */
export function forTenant(deps: QueuedJobDeps, tenant: string): QueuedJobDeps & { tenant: string } {
  return { ...deps, tenant, jobs: deps.jobs.forTenant(tenant), results: deps.results.forTenant(tenant), cache: deps.cache.forTenant(tenant) };
}

export const outboxKeys = (jobId: string) => ({
  result: `outbox/${jobId}/result.csv`,
  rejects: `outbox/${jobId}/rejects.csv`,
  header: `outbox/${jobId}/work/header.json`,
  partsPrefix: `outbox/${jobId}/work/part-`,
  part: (chunkId: string) => `outbox/${jobId}/work/part-${chunkId}.jsonl`,
});

/** Zero-padded so that S3's lexicographic listing returns parts in input order. */
export const chunkId = (chunk: number) => String(chunk).padStart(8, '0');

/**
 * The tenant and job id of an inbox object: an upload through the API carries the tenant and job id the API
 * handed out; a file dropped in the inbox otherwise is the default tenant's.
 */
export function jobOfObject(bucket: string, key: string, etag: string): { tenant: string; jobId: string } {
  return uploadOfKey(key) ?? { tenant: DEFAULT_TENANT, jobId: jobIdFor(bucket, key, etag) };
}

/** A job id from the object's identity: a redelivered notification for the same object version maps to the same job. */
export function jobIdFor(bucket: string, key: string, etag: string): string {
  const uploaded = uploadOfKey(key);
  if (uploaded) return uploaded.jobId;
  const base =
    (key.split('/').pop() ?? 'input')
      .replace(/\.[^.]*$/, '')
      .replace(/[^A-Za-z0-9_-]+/g, '-')
      .slice(0, 40) || 'input';
  const digest = createHash('sha256').update(`${bucket}/${key}#${etag}`).digest('hex').slice(0, 12);
  return `${base}-${digest}`;
}

/** One classified row as kept between classify and finalize (the decision without its trace, which DynamoDB keeps). */
export interface PartLine {
  n: number;
  values: string[];
  text: string;
  at: string;
  decision: Decision;
  costUnits: number;
}

/** Makes the cascade once per container: the tiers (rules file, encoder client) are loaded on first use. Take its tenant's view (forTenant). */
export function cascadeFactory(deps: QueuedJobDeps): () => Promise<Cascade> {
  let made: Promise<Cascade> | undefined;
  return () => (made ??= deps.tiers().then((tiers) => new Cascade({ taxonomy: deps.taxonomy, tiers, cache: deps.cache })));
}

/**
 * Stores a chunk's decisions (DynamoDB records, the work part for finalize), counts them once, and sends the
 * job to finalize when its counts reconcile. Safe to repeat: records and the part are overwritten with the
 * same content, the count is keyed by the chunk id. Returns the chunk's counts.
 */
export async function completeChunk(
  deps: QueuedJobDeps & { tenant: string },
  args: { jobId: string; chunkId: string; rows: { n: number; values: string[]; record: ItemRecord }[] },
): Promise<ChunkCounts> {
  const { jobId, rows } = args;
  await deps.results.saveDecisions(rows.map((r) => r.record));
  const lines = rows.map(({ n, values, record }) => {
    const { trace, ...decision } = record.decision;
    const line: PartLine = { n, values, text: record.text, at: record.at, decision, costUnits: trace?.costUnits ?? 0 };
    return JSON.stringify(line);
  });
  await deps.lake.put(outboxKeys(jobId).part(args.chunkId), lines.join('\n') + '\n', 'application/x-ndjson');
  const counts = emptyCounts();
  for (const { record } of rows) countDecision(counts, record.decision);
  const { applied, job } = await deps.jobs.addChunk(jobId, args.chunkId, counts);
  if (!applied) deps.logger.info('chunk already counted (redelivery)', { jobId, chunkId: args.chunkId });
  await finalizeIfReconciled(deps, job);
  return counts;
}

/**
 * Sends {jobId} to the finalize queue when every row is classified, rejected or failed. The status move
 * running → finalizing succeeds for one caller only, so exactly one message is sent; if sending fails the
 * status is moved back so the retried delivery sends it.
 */
export async function finalizeIfReconciled(deps: QueuedJobDeps & { tenant: string }, job: JobRecord): Promise<boolean> {
  if (!reconciled(job) || job.status !== 'running') return false;
  if (!(await deps.jobs.transition(job.id, 'running', 'finalizing'))) return false;
  try {
    await deps.finalizeQueue.send([{ tenant: deps.tenant, jobId: job.id }]);
  } catch (err) {
    await deps.jobs.transition(job.id, 'finalizing', 'running');
    throw err;
  }
  deps.logger.info('job reconciled, sent to finalize', {
    jobId: job.id,
    rowsIn: job.rowsIn,
    classified: job.classified,
    rejected: job.rejected,
    failed: job.failed ?? 0,
  });
  return true;
}
