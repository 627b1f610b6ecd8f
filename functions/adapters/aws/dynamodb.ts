/**
 * DynamoDB adapters: results, cache and jobs in one table (keys fixed in lib/table.ts: pk/sk, TTL attribute
 * expiresAt on cache items, GSI gsi1 = gsi1pk/gsi1sk). Layout:
 *
 *   pk              sk                      what                                   gsi1pk / gsi1sk
 *   ITEM#<key>      CURRENT                 current ItemRecord                     REVIEW | LABELLED#human | LABELLED#llm / <at>#<key>
 *   ITEM#<key>      HIST#<job>#<row>#<sig>  every saved ItemRecord (the newest by its `at` is the current one), one
 *                                           per decision (decisionSignature) of a job row or of calls outside jobs
 *   ITEM#<key>      CACHE#<taxonomyVer>     cached decision: a machine one with expiresAt (TTL), or a
 *                                           human label (human = true, no expiresAt) that machine writes never replace
 *   JOB#<id>        JOB                     JobRecord (without chunk counts)       JOBS / <createdAt>#<id>
 *   JOB#<id>        COUNT#<shard>           counts of up to 1000 chunks + the set of chunk ids already counted
 *
 * gsi1 is sparse: only CURRENT items awaiting review or carrying a label, and jobs, have gsi1pk. Its
 * projection is ALL (records are read straight from the index).
 *
 * Tenants (ports.ts TenantScoped): every pk and gsi1pk above is the default tenant's; another tenant's start
 * with `T#<tenant>#` (`T#acme#ITEM#<key>`, `T#acme#REVIEW`, `T#acme#JOBS`), so a tenant's reads never reach
 * another's partitions, and a table made before tenants existed is the default tenant's as it is.
 *
 * Chunk counts use one conditional UpdateItem on a shard item (`NOT contains(chunks, :id)` + ADD), not a
 * transaction: atomic, repeat-safe, and cheap whatever the table's size. A job's counts are its JOB item
 * plus the sum of its COUNT# shards (one Query).
 */
import { BatchGetCommand, BatchWriteCommand, type DynamoDBDocumentClient, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { DEFAULT_TENANT } from '../../core/api-keys.ts';
import { InvalidCursorError } from '../../core/errors.ts';
import { humanLabel } from '../../core/labels.ts';
import { type Decision, decisionSignature, type ProductInput } from '../../core/types.ts';
import type {
  Cache,
  ChunkCounts,
  ItemRecord,
  JobPatch,
  JobProgress,
  JobRecord,
  JobStatus,
  JobStore,
  Page,
  ResultStore,
  TenantScoped,
} from '../../ports.ts';
import { newJob } from '../../ports.ts';
import { backoff, inParallel } from './clients.ts';

type Item = Record<string, unknown>;
type Key = { pk: string; sk: string };

const BATCH_WRITE_MAX = 25;
const BATCH_GET_MAX = 100;
const MAX_ATTEMPTS = 8;

/** What starts a tenant's partition keys: nothing for the default tenant (its layout predates tenants). */
const tenantPrefix = (tenant: string) => (tenant === DEFAULT_TENANT ? '' : `T#${tenant}#`);
const itemPk = (tenant: string, key: string) => `${tenantPrefix(tenant)}ITEM#${key}`;
const jobPk = (tenant: string, id: string) => `${tenantPrefix(tenant)}JOB#${id}`;

/** One view per tenant, made once: `make` builds the view of a tenant not seen yet. */
function viewOf<T>(views: Map<string, T>, tenant: string, make: () => T): T {
  let view = views.get(tenant);
  if (!view) views.set(tenant, (view = make()));
  return view;
}

/** One page of a gsi1 partition; the cursor is the page's LastEvaluatedKey, opaque to the caller. */
async function gsi1Page(
  db: DynamoDBDocumentClient,
  table: string,
  partition: string,
  forward: boolean,
  opts: { limit: number; cursor?: string },
): Promise<Page<Item>> {
  let start: Record<string, unknown> | undefined;
  try {
    start = opts.cursor ? JSON.parse(Buffer.from(opts.cursor, 'base64url').toString('utf8')) : undefined;
    if (start !== undefined && (typeof start !== 'object' || start === null || Array.isArray(start))) throw new InvalidCursorError();
  } catch {
    throw new InvalidCursorError();
  }
  const out = await db.send(
    new QueryCommand({
      TableName: table,
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :p',
      ExpressionAttributeValues: { ':p': partition },
      ScanIndexForward: forward,
      Limit: opts.limit,
      ExclusiveStartKey: start,
    }),
  );
  const next = out.LastEvaluatedKey ? Buffer.from(JSON.stringify(out.LastEvaluatedKey)).toString('base64url') : undefined;
  return { items: out.Items ?? [], next };
}

/**
 * Sends one batch request per `size` requests, resending what DynamoDB leaves unprocessed (throttling) with
 * exponential backoff until none is left or the attempts run out.
 */
async function inBatches<R>(what: [op: string, noun: string], all: R[], size: number, send: (batch: R[]) => Promise<R[] | undefined>): Promise<void> {
  for (let i = 0; i < all.length; i += size) {
    let pending = all.slice(i, i + size);
    for (let attempt = 0; pending.length; attempt++) {
      if (attempt >= MAX_ATTEMPTS) throw new Error(`${what[0]}: ${pending.length} ${what[1]} still unprocessed after ${MAX_ATTEMPTS} attempts`);
      if (attempt) await backoff(attempt);
      pending = (await send(pending)) ?? [];
    }
  }
}

/** Writes items with BatchWriteItem, 25 at a time. Later items with the same key win. */
export async function batchPut(db: DynamoDBDocumentClient, table: string, items: Item[]): Promise<void> {
  const unique = new Map<string, Item>();
  for (const item of items) unique.set(`${item.pk}\u0000${item.sk}`, item);
  const requests = [...unique.values()].map((Item) => ({ PutRequest: { Item } }));
  await inBatches(['BatchWriteItem', 'items'], requests, BATCH_WRITE_MAX, async (batch) => {
    const out = await db.send(new BatchWriteCommand({ RequestItems: { [table]: batch } }));
    return out.UnprocessedItems?.[table] as typeof batch | undefined;
  });
}

/** Reads items by key with BatchGetItem, 100 at a time. */
async function batchGet(db: DynamoDBDocumentClient, table: string, keys: Key[]): Promise<Item[]> {
  const found: Item[] = [];
  await inBatches(['BatchGetItem', 'keys'], keys, BATCH_GET_MAX, async (batch) => {
    const out = await db.send(new BatchGetCommand({ RequestItems: { [table]: { Keys: batch } } }));
    found.push(...(out.Responses?.[table] ?? []));
    return out.UnprocessedKeys?.[table]?.Keys as Key[] | undefined;
  });
  return found;
}

/** A decision as kept in the cache: without its trace (the trace belongs to the item's record). */
function cachedDecision(d: Decision): Decision {
  const { trace: _trace, ...rest } = d;
  return rest;
}

/**
 * The inference cache: machine decisions expire through TTL (expiresAt) after `ttlSeconds` (default 90 days),
 * human labels never do.
 */
export class DynamoCache implements Cache {
  private readonly views: Map<string, DynamoCache>;

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly opts: { ttlSeconds?: number; now?: () => number } = {},
    readonly tenant = DEFAULT_TENANT,
    views?: Map<string, DynamoCache>,
  ) {
    this.views = views ?? new Map([[tenant, this]]);
  }

  forTenant(tenant: string): DynamoCache {
    return viewOf(this.views, tenant, () => new DynamoCache(this.db, this.table, this.opts, tenant, this.views));
  }

  private now(): number {
    return (this.opts.now ?? Date.now)();
  }

  async getMany(keys: string[], taxonomyVersion: string): Promise<Map<string, Decision>> {
    const unique = [...new Set(keys)];
    const items = await batchGet(
      this.db,
      this.table,
      unique.map((key) => ({ pk: itemPk(this.tenant, key), sk: `CACHE#${taxonomyVersion}` })),
    );
    const nowSeconds = Math.floor(this.now() / 1000);
    const out = new Map<string, Decision>();
    // TTL deletes lazily (up to days later): an expired item still in the table is a miss.
    for (const item of items) {
      if (typeof item.expiresAt === 'number' && item.expiresAt <= nowSeconds) continue;
      const decision = JSON.parse(String(item.decision)) as Decision;
      out.set(decision.key, decision);
    }
    return out;
  }

  /**
   * Human labels overwrite whatever is cached and never expire; machine decisions are written only where no
   * human label is (a conditional put each, in parallel), with expiresAt for TTL.
   */
  async putMany(decisions: Decision[]): Promise<void> {
    const expiresAt = Math.floor(this.now() / 1000) + (this.opts.ttlSeconds ?? 90 * 86_400);
    const latest = new Map(decisions.map((d) => [`${d.key}\u0000${d.taxonomyVersion}`, d]));
    const human = [...latest.values()].filter((d) => d.tier === 'human');
    const machine = [...latest.values()].filter((d) => d.tier !== 'human');
    await batchPut(
      this.db,
      this.table,
      human.map((d) => ({
        pk: itemPk(this.tenant, d.key),
        sk: `CACHE#${d.taxonomyVersion}`,
        decision: JSON.stringify(cachedDecision(d)),
        human: true,
      })),
    );
    await inParallel(machine, CACHE_WRITE_CONCURRENCY, async (d) => {
      try {
        await this.db.send(
          new PutCommand({
            TableName: this.table,
            Item: { pk: itemPk(this.tenant, d.key), sk: `CACHE#${d.taxonomyVersion}`, decision: JSON.stringify(cachedDecision(d)), expiresAt },
            ConditionExpression: 'attribute_not_exists(human)',
          }),
        );
      } catch (err) {
        if (!isConditionFailure(err)) throw err;
      }
    });
  }
}

const CACHE_WRITE_CONCURRENCY = 16;

/** The GSI partition a tenant's current record belongs to, if any: its review queue or a labelled set for retraining. */
function indexPartition(tenant: string, record: ItemRecord): string | undefined {
  if (record.decision.status === 'needs_review') return `${tenantPrefix(tenant)}REVIEW`;
  if (record.decision.tier === 'human' || record.decision.tier === 'llm') return `${tenantPrefix(tenant)}LABELLED#${record.decision.tier}`;
  return undefined;
}

/** Records and cached decisions are stored as JSON strings: one attribute, nothing DynamoDB must walk. */
function recordOf(item: Item): ItemRecord {
  return JSON.parse(String(item.record)) as ItemRecord;
}

function currentItem(tenant: string, record: ItemRecord): Item {
  const gsi1pk = indexPartition(tenant, record);
  return {
    pk: itemPk(tenant, record.decision.key),
    sk: 'CURRENT',
    record: JSON.stringify(record),
    ...(gsi1pk ? { gsi1pk, gsi1sk: `${record.at}#${record.decision.key}` } : {}),
  };
}

/** Results: the current decision per key, its history, human labels and the review queue. */
export class DynamoResultStore implements ResultStore {
  private readonly views: Map<string, DynamoResultStore>;

  /** `cache` is this tenant's: a human label is written to it. */
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly cache: Cache = new DynamoCache(db, table),
    readonly tenant = DEFAULT_TENANT,
    views?: Map<string, DynamoResultStore>,
  ) {
    this.views = views ?? new Map([[tenant, this]]);
  }

  forTenant(tenant: string): DynamoResultStore {
    return viewOf(this.views, tenant, () => new DynamoResultStore(this.db, this.table, this.cache.forTenant(tenant), tenant, this.views));
  }

  /**
   * The history item's key names the decision, not the time of the save: the same decision saved again for the
   * same job row (or outside jobs) — concurrent identical calls on two Lambdas, a redelivered chunk — rewrites
   * one item instead of adding one, with no read before the write.
   */
  async saveDecisions(records: ItemRecord[]): Promise<void> {
    const items = records.flatMap((record) => [
      currentItem(this.tenant, record),
      {
        pk: itemPk(this.tenant, record.decision.key),
        sk: `HIST#${record.jobId ?? '-'}#${record.row ?? '-'}#${decisionSignature(record.decision)}`,
        record: JSON.stringify(record),
      },
    ]);
    await batchPut(this.db, this.table, items);
  }

  async getItem(key: string): Promise<{ current: ItemRecord; history: ItemRecord[] } | null> {
    const items = await queryAll(this.db, this.table, {
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': itemPk(this.tenant, key) },
      ConsistentRead: true,
    });
    const current = items.find((i) => i.sk === 'CURRENT');
    if (!current) return null;
    // Every save writes a HIST item too: the newest one is the current record, the rest are earlier ones.
    const history = items
      .filter((i) => String(i.sk).startsWith('HIST#'))
      .map(recordOf)
      .sort((a, b) => b.at.localeCompare(a.at))
      .slice(1);
    return { current: recordOf(current), history };
  }

  async setHumanLabel(key: string, classId: string, labelledBy: string): Promise<ItemRecord | null> {
    const found = await this.getItem(key);
    if (!found) return null;
    const { record, cached } = humanLabel(found.current, classId, labelledBy);
    // The CURRENT item (in gsi1 LABELLED#human) is the gold; the cache keeps the label without expiresAt.
    await this.saveDecisions([record]);
    await this.cache.putMany([cached]);
    return record;
  }

  async listReview(opts: { limit: number; cursor?: string }): Promise<Page<ItemRecord>> {
    const page = await gsi1Page(this.db, this.table, `${tenantPrefix(this.tenant)}REVIEW`, true, opts);
    return { ...page, items: page.items.map(recordOf) };
  }

  async *exportLabelled(opts: { tiers: ('human' | 'llm')[] }): AsyncIterable<{ input: ProductInput; classId: string; tier: string }> {
    for (const tier of opts.tiers) {
      const labelled = {
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :p',
        ExpressionAttributeValues: { ':p': `${tenantPrefix(this.tenant)}LABELLED#${tier}` },
      };
      for await (const item of queryItems(this.db, this.table, labelled)) {
        const record = recordOf(item);
        if (record.decision.classId) yield { input: record.input, classId: record.decision.classId, tier };
      }
    }
  }
}

type QueryInput = Omit<ConstructorParameters<typeof QueryCommand>[0], 'TableName' | 'ExclusiveStartKey'>;

/** Every item a query matches, page after page. */
async function* queryItems(db: DynamoDBDocumentClient, table: string, input: QueryInput): AsyncIterable<Item> {
  let start: Record<string, unknown> | undefined;
  do {
    const out = await db.send(new QueryCommand({ ...input, TableName: table, ExclusiveStartKey: start }));
    yield* out.Items ?? [];
    start = out.LastEvaluatedKey;
  } while (start);
}

export async function queryAll(db: DynamoDBDocumentClient, table: string, input: QueryInput): Promise<Item[]> {
  const items: Item[] = [];
  for await (const item of queryItems(db, table, input)) items.push(item);
  return items;
}

function toJob(item: Item): JobRecord {
  const { pk: _pk, sk: _sk, gsi1pk: _gsi1pk, gsi1sk: _gsi1sk, ...job } = item;
  return job as unknown as JobRecord;
}

export class JobNotFoundError extends Error {
  constructor(readonly jobId: string) {
    super(`job ${jobId} not found`);
  }
}

export function isConditionFailure(err: unknown): boolean {
  return (err as Error).name === 'ConditionalCheckFailedException';
}

/** The shard a chunk is counted in: chunk ids are zero-padded positions, so 1000 consecutive chunks share one. */
export function countShard(chunkId: string): string {
  return chunkId.slice(0, Math.max(1, chunkId.replace(/-.*$/, '').length - 3));
}

const TIER_PREFIX = 'tier_';

/** A job record with its shards' counts added. */
function withShards(job: JobRecord, shards: Item[]): JobRecord {
  const out: JobRecord = { ...job, tierCounts: { ...job.tierCounts } };
  for (const shard of shards) {
    out.classified += Number(shard.classified ?? 0);
    out.rejected += Number(shard.rejected ?? 0);
    out.needsReview += Number(shard.needsReview ?? 0);
    for (const [attr, n] of Object.entries(shard)) {
      if (!attr.startsWith(TIER_PREFIX)) continue;
      const tier = attr.slice(TIER_PREFIX.length);
      out.tierCounts[tier] = (out.tierCounts[tier] ?? 0) + Number(n);
    }
  }
  return out;
}

/** Jobs with counters that redelivered chunks cannot inflate (conditional shard updates). */
export class DynamoJobStore implements JobStore, JobProgress, TenantScoped<DynamoJobStore> {
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
    return withShards(
      toJob(job),
      items.filter((i) => String(i.sk).startsWith('COUNT#')),
    );
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

  async addChunk(jobId: string, chunkId: string, counts: ChunkCounts): Promise<{ applied: boolean; job: JobRecord }> {
    // Tier counts are top-level attributes (tier_<name>) so that one ADD covers them with the totals.
    const names: Record<string, string> = { '#chunks': 'chunks' };
    const values: Record<string, unknown> = {
      ':c': counts.classified,
      ':r': counts.rejected,
      ':n': counts.needsReview,
      ':id': chunkId,
      ':ids': new Set([chunkId]),
    };
    const adds = ['classified :c', 'rejected :r', 'needsReview :n', '#chunks :ids'];
    Object.entries(counts.tierCounts).forEach(([tier, n], i) => {
      names[`#t${i}`] = `${TIER_PREFIX}${tier}`;
      values[`:t${i}`] = n;
      adds.push(`#t${i} :t${i}`);
    });
    let applied = true;
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: jobPk(this.tenant, jobId), sk: `COUNT#${countShard(chunkId)}` },
          UpdateExpression: `ADD ${adds.join(', ')}`,
          ConditionExpression: 'attribute_not_exists(#chunks) OR NOT contains(#chunks, :id)',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
      applied = false;
    }
    const job = await this.get(jobId);
    if (!job) throw new JobNotFoundError(jobId);
    return { applied, job };
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
