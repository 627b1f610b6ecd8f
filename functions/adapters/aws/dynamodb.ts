/**
 * DynamoDB adapters: results and cache in one table with the jobs (dynamo-jobs.ts) and API keys (keys fixed in
 * lib/table.ts: pk/sk, TTL attribute expiresAt, GSI gsi1 = gsi1pk/gsi1sk). Layout:
 *
 *   pk              sk                      what                                   gsi1pk / gsi1sk
 *   ITEM#<key>      CURRENT                 current ItemRecord                     REVIEW#<n> | LABELLED#human | LABELLED#llm / <at>#<key>
 *   ITEM#<key>      HIST#<job>#<row>        the decision of a job row: a redelivered or redriven chunk rewrites it,
 *                                           whatever it decides this time; expiresAt (TTL) after historyTtlSeconds
 *   ITEM#<key>      HIST#-#-#<sig>          a decision saved outside jobs, one per decision (decisionSignature);
 *                                           machine ones expire like job rows, human labels never
 *   ITEM#<key>      CACHE#<taxonomyVer>     cached decision: a machine one with expiresAt (TTL), or a
 *                                           human label (human = true, no expiresAt) that machine writes never replace
 *
 * gsi1 is sparse: only CURRENT items awaiting review or carrying a label, and jobs, have gsi1pk. Its
 * projection is ALL (records are read straight from the index). The review queue is spread over REVIEW_SHARDS
 * partitions (`REVIEW#<n>`, n from the item key) so that a bulk job's review items do not all land on one
 * index partition (about 1,000 writes/s each, and a throttled index throttles the table's writes); the reader
 * merges the shards (and the unsharded `REVIEW` of tables written before) in time order.
 *
 * Tenants (ports.ts TenantScoped): every pk and gsi1pk above is the default tenant's; another tenant's start
 * with `T#<tenant>#` (`T#acme#ITEM#<key>`, `T#acme#REVIEW#3`, `T#acme#JOBS`), so a tenant's reads never reach
 * another's partitions, and a table made before tenants existed is the default tenant's as it is.
 */
import { BatchGetCommand, BatchWriteCommand, type DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { DEFAULT_TENANT } from '../../core/api-keys.ts';
import { InvalidCursorError } from '../../core/errors.ts';
import { humanLabel } from '../../core/labels.ts';
import { type Decision, decisionSignature, type ProductInput } from '../../core/types.ts';
import type { Cache, ItemRecord, Page, ResultStore } from '../../ports.ts';
import { backoff, inParallel } from './clients.ts';

export type Item = Record<string, unknown>;
type Key = { pk: string; sk: string };

const BATCH_WRITE_MAX = 25;
const BATCH_GET_MAX = 100;
const MAX_ATTEMPTS = 8;

/** What starts a tenant's partition keys: nothing for the default tenant (its layout predates tenants). */
export const tenantPrefix = (tenant: string) => (tenant === DEFAULT_TENANT ? '' : `T#${tenant}#`);
const itemPk = (tenant: string, key: string) => `${tenantPrefix(tenant)}ITEM#${key}`;
export const jobPk = (tenant: string, id: string) => `${tenantPrefix(tenant)}JOB#${id}`;

/** One view per tenant, made once: `make` builds the view of a tenant not seen yet. */
export function viewOf<T>(views: Map<string, T>, tenant: string, make: () => T): T {
  let view = views.get(tenant);
  if (!view) views.set(tenant, (view = make()));
  return view;
}

/** One page of a gsi1 partition; the cursor is the page's LastEvaluatedKey, opaque to the caller. */
export async function gsi1Page(
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

/** The tenant's current records of these keys (BatchGetItem of their CURRENT items), in any order; absent keys left out. */
export async function currentRecords(db: DynamoDBDocumentClient, table: string, tenant: string, keys: string[]): Promise<ItemRecord[]> {
  const unique = [...new Set(keys)].map((key) => ({ pk: itemPk(tenant, key), sk: 'CURRENT' }));
  return (await batchGet(db, table, unique)).map(recordOf);
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
/** The model version each tier's cached decisions must be of now, by tier (see DynamoCache's servedVersions). */
export type ServedVersions = Readonly<Record<string, string>>;
const NO_VERSIONS: ServedVersions = {};

export class DynamoCache implements Cache {
  private readonly views: Map<string, DynamoCache>;

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly opts: {
      ttlSeconds?: number;
      now?: () => number;
      /**
       * Read once per lookup, beside the items: a cached decision of a tier named here by another version is a
       * miss. A warm container knows the encoder's version only from its last answer, so after a model swap it
       * would serve the retired model's decisions until a batch asked the endpoint; this closes that gap (on AWS
       * the registry's champion: step-deps.ts).
       */
      servedVersions?: () => Promise<ServedVersions>;
    } = {},
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
    const [items, served] = await Promise.all([
      batchGet(
        this.db,
        this.table,
        unique.map((key) => ({ pk: itemPk(this.tenant, key), sk: `CACHE#${taxonomyVersion}` })),
      ),
      this.opts.servedVersions?.() ?? NO_VERSIONS,
    ]);
    const nowSeconds = Math.floor(this.now() / 1000);
    const out = new Map<string, Decision>();
    // TTL deletes lazily (up to days later): an expired item still in the table is a miss.
    for (const item of items) {
      if (typeof item.expiresAt === 'number' && item.expiresAt <= nowSeconds) continue;
      const decision = JSON.parse(String(item.decision)) as Decision;
      const version = Object.hasOwn(served, decision.tier) ? served[decision.tier] : undefined;
      if (version !== undefined && decision.modelVersion !== version) continue;
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

/** Partitions of the review queue in gsi1 (see the layout above). Changing it strands items in the dropped shards. */
export const REVIEW_SHARDS = 16;

/** The review shard of an item key (FNV-1a of the key: stable, spread evenly). */
export function reviewShard(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return (h >>> 0) % REVIEW_SHARDS;
}

/** The GSI partition a tenant's current record belongs to, if any: its review queue or a labelled set for retraining. */
function indexPartition(tenant: string, record: ItemRecord): string | undefined {
  if (record.decision.status === 'needs_review') return `${tenantPrefix(tenant)}REVIEW#${reviewShard(record.decision.key)}`;
  if (record.decision.tier === 'human' || record.decision.tier === 'llm') return `${tenantPrefix(tenant)}LABELLED#${record.decision.tier}`;
  return undefined;
}

/** How long a machine decision's history item is kept: over a year, so that a yearly catalog run still sees last year's. */
const HISTORY_TTL_SECONDS = 400 * 86_400;

/** The sort key of a record's history item (the layout above). */
function historyKey(record: ItemRecord): string {
  if (record.jobId !== undefined && record.row !== undefined) return `HIST#${record.jobId}#${record.row}`;
  return `HIST#${record.jobId ?? '-'}#${record.row ?? '-'}#${decisionSignature(record.decision)}`;
}

/** The index key a review cursor names; anything else is an invalid cursor. */
function reviewCursor(cursor: string): string {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { after?: unknown };
    if (typeof parsed?.after === 'string') return parsed.after;
  } catch {
    // fall through
  }
  throw new InvalidCursorError();
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

  /**
   * `cache` is this tenant's: a human label is written to it. `historyTtlSeconds` (default 400 days) is how long
   * a machine decision's history item is kept; human labels' are kept for good.
   */
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly cache: Cache = new DynamoCache(db, table),
    readonly tenant = DEFAULT_TENANT,
    views?: Map<string, DynamoResultStore>,
    private readonly opts: { historyTtlSeconds?: number; now?: () => number } = {},
  ) {
    this.views = views ?? new Map([[tenant, this]]);
  }

  forTenant(tenant: string): DynamoResultStore {
    return viewOf(this.views, tenant, () => new DynamoResultStore(this.db, this.table, this.cache.forTenant(tenant), tenant, this.views, this.opts));
  }

  /**
   * Two items per record, written with BatchWriteItem (25 a request, what DynamoDB leaves unprocessed resent
   * with backoff). The history item's key has no time in it: a job row's names the job and the row, so a
   * redelivered chunk rewrites it whatever it decides this time (a cache hit where the first try ran the rules);
   * outside jobs it names the decision, so concurrent identical calls on two Lambdas write one item.
   */
  async saveDecisions(records: ItemRecord[]): Promise<void> {
    const expiresAt = Math.floor((this.opts.now ?? Date.now)() / 1000) + (this.opts.historyTtlSeconds ?? HISTORY_TTL_SECONDS);
    const items = records.flatMap((record) => [
      currentItem(this.tenant, record),
      {
        pk: itemPk(this.tenant, record.decision.key),
        sk: historyKey(record),
        record: JSON.stringify(record),
        ...(record.decision.tier === 'human' ? {} : { expiresAt }),
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
    // Every save writes a HIST item too: the current record's own is left out (TTL may have taken it already).
    const record = recordOf(current);
    const isCurrent = (r: ItemRecord) => r.at === record.at && decisionSignature(r.decision) === decisionSignature(record.decision);
    const history = items
      .filter((i) => String(i.sk).startsWith('HIST#'))
      .map(recordOf)
      .filter((r) => !isCurrent(r))
      .sort((a, b) => b.at.localeCompare(a.at));
    return { current: record, history };
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

  /**
   * Oldest first across the review shards: each shard is read from after the cursor (the last index key
   * answered) and the pages are merged; a page costs REVIEW_SHARDS + 1 small queries.
   */
  async listReview(opts: { limit: number; cursor?: string }): Promise<Page<ItemRecord>> {
    const after = opts.cursor === undefined ? undefined : reviewCursor(opts.cursor);
    const prefix = tenantPrefix(this.tenant);
    const partitions = [`${prefix}REVIEW`, ...Array.from({ length: REVIEW_SHARDS }, (_, n) => `${prefix}REVIEW#${n}`)];
    const pages = await Promise.all(
      partitions.map(async (partition) => {
        const out = await this.db.send(
          new QueryCommand({
            TableName: this.table,
            IndexName: 'gsi1',
            KeyConditionExpression: after === undefined ? 'gsi1pk = :p' : 'gsi1pk = :p AND gsi1sk > :after',
            ExpressionAttributeValues: { ':p': partition, ...(after === undefined ? {} : { ':after': after }) },
            Limit: opts.limit,
          }),
        );
        return { items: out.Items ?? [], more: out.LastEvaluatedKey !== undefined };
      }),
    );
    const merged = pages.flatMap((p) => p.items).sort((a, b) => String(a.gsi1sk).localeCompare(String(b.gsi1sk)));
    const items = merged.slice(0, opts.limit);
    const more = merged.length > opts.limit || pages.some((p) => p.more);
    const last = items.at(-1);
    const next = more && last ? Buffer.from(JSON.stringify({ after: last.gsi1sk })).toString('base64url') : undefined;
    return { items: items.map(recordOf), next };
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

export function isConditionFailure(err: unknown): boolean {
  return (err as Error).name === 'ConditionalCheckFailedException';
}
