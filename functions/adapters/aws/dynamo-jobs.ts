/**
 * Jobs in the results table (dynamodb.ts has the table's layout):
 *
 *   pk              sk                      what                                   gsi1pk / gsi1sk
 *   JOB#<id>        JOB                     JobRecord (without chunk counts)       JOBS / <createdAt>#<id>
 *   JOB#<id>        COUNT#<shard>           counts of up to 1000 chunks, the set of chunks counted as classified
 *                                           (`chunks`, each by its place in the shard: chunkInShard) and of chunk
 *                                           ids counted as failed (`failedChunks`, their rows in `failed`)
 *   JOB#<id>        CHUNK#<chunkId>         why a chunk failed: the last error noted while it was retried, its rows
 *
 * Chunk counts use one conditional UpdateItem on a shard item (the chunk is in neither set + ADD), not a
 * transaction: atomic, repeat-safe, and cheap whatever the table's size; a chunk counts once, as classified or as
 * failed. A job's counts are its JOB item plus the sum of its COUNT# shards (one Query). A full shard (1,000 chunks
 * and their 1,000 LLM chunks) is ~12 KB: an update costs up to 12 write units, far below the 400 KB item limit
 * (test/integration/count-shard-size.test.ts measures it).
 */
import { DeleteCommand, type DynamoDBDocumentClient, PutCommand, UpdateCommand, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { DEFAULT_TENANT } from '../../core/api-keys.ts';
import type {
  ChunkCounts,
  ChunkFailure,
  FailedChunks,
  JobPatch,
  JobProgress,
  JobRecord,
  JobStatus,
  JobStore,
  Page,
  TenantScoped,
} from '../../ports.ts';
import { newJob } from '../../ports.ts';
import { gsi1Page, type Item, isConditionFailure, jobPk, queryAll, tenantPrefix, viewOf } from './dynamodb.ts';

const CHUNK_PREFIX = 'CHUNK#';
const UNKNOWN_REASON = 'no error was recorded (the function timed out or ran out of memory?)';
/** Error messages are cut here: a reason is for a person, and items stay small. */
const MAX_REASON = 1000;
/**
 * A chunk not yet counted, as classified (by its place in the shard, or by its whole id as shards written before
 * kept it) or as failed. `:at` is chunkInShard(:id).
 */
const NOT_COUNTED =
  '(attribute_not_exists(#chunks) OR (NOT contains(#chunks, :at) AND NOT contains(#chunks, :id))) AND (attribute_not_exists(#failedChunks) OR NOT contains(#failedChunks, :id))';

function toJob(item: Item): JobRecord {
  const { pk: _pk, sk: _sk, gsi1pk: _gsi1pk, gsi1sk: _gsi1sk, ...job } = item;
  return job as unknown as JobRecord;
}

export class JobNotFoundError extends Error {
  constructor(readonly jobId: string) {
    super(`job ${jobId} not found`);
  }
}

/** The shard a chunk is counted in: chunk ids are zero-padded positions, so 1000 consecutive chunks share one. */
export function countShard(chunkId: string): string {
  return chunkId.slice(0, Math.max(1, chunkId.replace(/-.*$/, '').length - 3));
}

/**
 * How a shard's `chunks` set names a chunk: its id after the shard's prefix less one character ('00000123' →
 * '0123', '00000123-llm' → '0123-llm'), never empty and distinct within the shard (id = prefix + the rest). The
 * shard's prefix is not repeated 2,000 times: a full shard is ~12 KB rather than ~20 KB.
 */
export function chunkInShard(chunkId: string): string {
  return chunkId.slice(countShard(chunkId).length - 1);
}

const TIER_PREFIX = 'tier_';

/**
 * A job record with its shards' counts added, and its failed chunks (a shard's `failedChunks` set says which;
 * the chunk's CHUNK# item says why).
 */
function withShards(job: JobRecord, shards: Item[], chunkNotes: Item[]): JobRecord {
  const out: JobRecord = { ...job, tierCounts: { ...job.tierCounts } };
  const notes = new Map(chunkNotes.map((n) => [String(n.sk).slice(CHUNK_PREFIX.length), n]));
  const failures: ChunkFailure[] = [];
  for (const shard of shards) {
    out.classified += Number(shard.classified ?? 0);
    out.rejected += Number(shard.rejected ?? 0);
    out.needsReview += Number(shard.needsReview ?? 0);
    for (const chunkId of (shard.failedChunks as Set<string> | undefined) ?? []) {
      const note = notes.get(chunkId);
      failures.push({
        chunkId,
        rows: Number(note?.rows ?? 0),
        reason: String(note?.reason ?? UNKNOWN_REASON),
        at: String(note?.failedAt ?? note?.at ?? ''),
      });
    }
    for (const [attr, n] of Object.entries(shard)) {
      if (!attr.startsWith(TIER_PREFIX)) continue;
      const tier = attr.slice(TIER_PREFIX.length);
      out.tierCounts[tier] = (out.tierCounts[tier] ?? 0) + Number(n);
    }
  }
  const failed = shards.reduce((sum, s) => sum + Number(s.failed ?? 0), 0);
  if (failed || failures.length) {
    out.failed = failed;
    out.failedChunks = failures.sort((a, b) => a.chunkId.localeCompare(b.chunkId));
  }
  return out;
}

/** Jobs with counters that redelivered chunks cannot inflate (conditional shard updates). */
export class DynamoJobStore implements JobStore, JobProgress, FailedChunks, TenantScoped<DynamoJobStore> {
  private readonly views: Map<string, DynamoJobStore>;

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
    readonly tenant = DEFAULT_TENANT,
    views?: Map<string, DynamoJobStore>,
  ) {
    this.views = views ?? new Map([[tenant, this]]);
  }

  forTenant(tenant: string): DynamoJobStore {
    return viewOf(this.views, tenant, () => new DynamoJobStore(this.db, this.table, tenant, this.views));
  }

  /** Creates the job; when a job with this id exists already (a redelivered event), returns it unchanged. */
  async create(job: Pick<JobRecord, 'id' | 'input'> & Partial<JobRecord>): Promise<JobRecord> {
    const record = newJob(job);
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            pk: jobPk(this.tenant, job.id),
            sk: 'JOB',
            gsi1pk: `${tenantPrefix(this.tenant)}JOBS`,
            gsi1sk: `${record.createdAt}#${job.id}`,
            ...record,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return record;
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
      const existing = await this.get(job.id);
      if (!existing) throw err;
      return existing;
    }
  }

  async get(id: string): Promise<JobRecord | null> {
    const items = await queryAll(this.db, this.table, {
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': jobPk(this.tenant, id) },
      ConsistentRead: true,
    });
    const job = items.find((i) => i.sk === 'JOB');
    if (!job) return null;
    const of = (prefix: string) => items.filter((i) => String(i.sk).startsWith(prefix));
    return withShards(toJob(job), of('COUNT#'), of(CHUNK_PREFIX));
  }

  /** Newest first. */
  async list(opts: { limit: number; cursor?: string }): Promise<Page<JobRecord>> {
    const page = await gsi1Page(this.db, this.table, `${tenantPrefix(this.tenant)}JOBS`, false, opts);
    return { ...page, items: await Promise.all(page.items.map(async (i) => (await this.get(String(i.id))) ?? toJob(i))) };
  }

  async update(id: string, patch: JobPatch): Promise<JobRecord> {
    try {
      await this.setFields(id, patch);
    } catch (err) {
      if (isConditionFailure(err)) throw new JobNotFoundError(id);
      throw err;
    }
    const job = await this.get(id);
    if (!job) throw new JobNotFoundError(id);
    return job;
  }

  /** The conditional update that counts a classified chunk in its shard (exported for the size test). */
  countUpdate(jobId: string, chunkId: string, counts: ChunkCounts): UpdateCommandInput {
    // Tier counts are top-level attributes (tier_<name>) so that one ADD covers them with the totals.
    const names: Record<string, string> = { '#chunks': 'chunks', '#failedChunks': 'failedChunks' };
    const values: Record<string, unknown> = {
      ':c': counts.classified,
      ':r': counts.rejected,
      ':n': counts.needsReview,
      ':id': chunkId,
      ':at': chunkInShard(chunkId),
      ':ats': new Set([chunkInShard(chunkId)]),
    };
    const adds = ['classified :c', 'rejected :r', 'needsReview :n', '#chunks :ats'];
    Object.entries(counts.tierCounts).forEach(([tier, n], i) => {
      names[`#t${i}`] = `${TIER_PREFIX}${tier}`;
      values[`:t${i}`] = n;
      adds.push(`#t${i} :t${i}`);
    });
    return {
      TableName: this.table,
      Key: { pk: jobPk(this.tenant, jobId), sk: `COUNT#${countShard(chunkId)}` },
      UpdateExpression: `ADD ${adds.join(', ')}`,
      ConditionExpression: NOT_COUNTED,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    };
  }

  async addChunk(jobId: string, chunkId: string, counts: ChunkCounts): Promise<{ applied: boolean; job: JobRecord }> {
    let applied = true;
    try {
      await this.db.send(new UpdateCommand(this.countUpdate(jobId, chunkId, counts)));
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
      applied = false;
    }
    const job = await this.get(jobId);
    if (!job) throw new JobNotFoundError(jobId);
    return { applied, job };
  }

  async shardCounts(jobId: string): Promise<{ shard: string; classified: number }[]> {
    const shards = await queryAll(this.db, this.table, {
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :count)',
      ExpressionAttributeValues: { ':pk': jobPk(this.tenant, jobId), ':count': 'COUNT#' },
      ConsistentRead: true,
    });
    // Shards are zero-padded chunk-id prefixes: the sort key's order is the chunks' order.
    return shards.map((s) => ({ shard: String(s.sk).slice('COUNT#'.length), classified: Number(s.classified ?? 0) }));
  }

  async noteError(jobId: string, chunkId: string, reason: string): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { pk: jobPk(this.tenant, jobId), sk: `${CHUNK_PREFIX}${chunkId}` },
        UpdateExpression: 'SET reason = :r, #at = :at ADD errors :one',
        ExpressionAttributeNames: { '#at': 'at' },
        ExpressionAttributeValues: { ':r': reason.slice(0, MAX_REASON), ':at': new Date().toISOString(), ':one': 1 },
      }),
    );
  }

  async failChunk(jobId: string, failure: { chunkId: string; rows: number; reason?: string }): Promise<{ applied: boolean; job: JobRecord }> {
    const pk = jobPk(this.tenant, jobId);
    let applied = true;
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk, sk: `COUNT#${countShard(failure.chunkId)}` },
          UpdateExpression: 'ADD failed :rows, #failedChunks :ids',
          ConditionExpression: NOT_COUNTED,
          ExpressionAttributeNames: { '#chunks': 'chunks', '#failedChunks': 'failedChunks' },
          ExpressionAttributeValues: {
            ':rows': failure.rows,
            ':id': failure.chunkId,
            ':at': chunkInShard(failure.chunkId),
            ':ids': new Set([failure.chunkId]),
          },
        }),
      );
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
      applied = false;
    }
    // Why it failed: the reason given, else the last error noted while it was retried.
    await this.db.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { pk, sk: `${CHUNK_PREFIX}${failure.chunkId}` },
        UpdateExpression: failure.reason
          ? 'SET #rows = :rows, failedAt = :at, reason = :r'
          : 'SET #rows = :rows, failedAt = :at, reason = if_not_exists(reason, :r)',
        ExpressionAttributeNames: { '#rows': 'rows' },
        ExpressionAttributeValues: {
          ':rows': failure.rows,
          ':at': new Date().toISOString(),
          ':r': (failure.reason ?? UNKNOWN_REASON).slice(0, MAX_REASON),
        },
      }),
    );
    const job = await this.get(jobId);
    if (!job) throw new JobNotFoundError(jobId);
    return { applied, job };
  }

  async reopenChunks(jobId: string, chunkIds: string[]): Promise<ChunkFailure[]> {
    const pk = jobPk(this.tenant, jobId);
    const before = new Map(((await this.get(jobId))?.failedChunks ?? []).map((f) => [f.chunkId, f]));
    const reopened: ChunkFailure[] = [];
    for (const chunkId of chunkIds) {
      const failure = before.get(chunkId);
      if (!failure) continue;
      try {
        await this.db.send(
          new UpdateCommand({
            TableName: this.table,
            Key: { pk, sk: `COUNT#${countShard(chunkId)}` },
            UpdateExpression: 'ADD failed :minus DELETE #failedChunks :ids',
            ConditionExpression: 'contains(#failedChunks, :id)',
            ExpressionAttributeNames: { '#failedChunks': 'failedChunks' },
            ExpressionAttributeValues: { ':minus': -failure.rows, ':id': chunkId, ':ids': new Set([chunkId]) },
          }),
        );
      } catch (err) {
        if (isConditionFailure(err)) continue; // reopened by a concurrent redrive
        throw err;
      }
      await this.db.send(new DeleteCommand({ TableName: this.table, Key: { pk, sk: `${CHUNK_PREFIX}${chunkId}` } }));
      reopened.push(failure);
    }
    return reopened;
  }

  async transition(jobId: string, from: JobStatus, to: JobStatus, patch: Omit<JobPatch, 'status'> = {}): Promise<boolean> {
    try {
      await this.setFields(jobId, { ...patch, status: to }, { expression: '#status = :from', values: { ':from': from } });
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw err;
    }
  }

  private async setFields(id: string, patch: JobPatch, condition?: { expression: string; values: Record<string, unknown> }): Promise<void> {
    const fields = { ...patch, updatedAt: new Date().toISOString() } as Record<string, unknown>;
    const names: Record<string, string> = condition ? { '#status': 'status' } : {};
    const values: Record<string, unknown> = { ...condition?.values };
    const sets = Object.entries(fields)
      .filter(([, v]) => v !== undefined)
      .map(([k, v], i) => {
        names[`#f${i}`] = k;
        values[`:f${i}`] = v;
        return `#f${i} = :f${i}`;
      });
    await this.db.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { pk: jobPk(this.tenant, id), sk: 'JOB' },
        UpdateExpression: `SET ${sets.join(', ')}`,
        ConditionExpression: `attribute_exists(pk)${condition ? ` AND ${condition.expression}` : ''}`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    );
  }
}
