/**
 * The local state in one DuckDB file ($AISLE_HOME/aisle.duckdb): decisions (results and their history),
 * human labels (gold), the inference cache (its store: duckdb-cache.ts) and jobs. Bulk writes go through COPY from a temporary CSV file
 * (DuckDB parses it on its own threads); statements on the one connection run one at a time.
 */
import { closeSync, mkdirSync, openSync, rmSync, truncateSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type DuckDBConnection, DuckDBInstance, type DuckDBValue } from '@duckdb/node-api';
import { DEFAULT_TENANT } from '../../core/api-keys.ts';
import { InvalidCursorError, UserError } from '../../core/errors.ts';
import { humanLabel } from '../../core/labels.ts';
import type { Decision, DecisionStatus, ProductInput, TierName } from '../../core/types.ts';
import { type ItemRecord, type JobPatch, type JobRecord, type JobStore, newJob, type Page, type ResultStore } from '../../ports.ts';
import { type Cell, DECISION_COLUMNS, encodeDecisions, NULL, traceOfStored } from './decision-rows.ts';
import { appendRows } from './duckdb-append.ts';
import { rekeyItems } from './rekey.ts';

/** The decision columns of the `decisions` table and their types (decision-rows.ts encodes rows in DECISION_COLUMNS order). */
const DECISION_TYPES: Record<string, string> = {
  key: 'VARCHAR NOT NULL',
  job_id: 'VARCHAR',
  row_no: 'BIGINT',
  decided_at: 'TIMESTAMP NOT NULL',
  name: 'VARCHAR NOT NULL',
  brand: 'VARCHAR',
  search_term: 'VARCHAR',
  description: 'VARCHAR',
  text: 'VARCHAR NOT NULL',
  class_id: 'VARCHAR',
  confidence: 'DOUBLE NOT NULL',
  tier: 'VARCHAR NOT NULL',
  status: 'VARCHAR NOT NULL',
  rule_id: 'VARCHAR',
  model_version: 'VARCHAR',
  reason: 'VARCHAR',
  taxonomy_version: 'VARCHAR NOT NULL',
  trace: 'VARCHAR',
};

/** Every table holds tenant data (ports.ts TenantScoped): the tenant is the last column, and part of each primary key. */
const TENANT_COLUMN = `tenant VARCHAR NOT NULL DEFAULT '${DEFAULT_TENANT}'`;

const TABLES: Record<string, string> = {
  decisions: `${Object.entries(DECISION_TYPES)
    .map(([c, t]) => `${c} ${t}`)
    .join(', ')}, ${TENANT_COLUMN}`,
  labels: `key VARCHAR NOT NULL, class_id VARCHAR NOT NULL, labelled_by VARCHAR NOT NULL, labelled_at TIMESTAMP NOT NULL,
  taxonomy_version VARCHAR NOT NULL, ${TENANT_COLUMN}, PRIMARY KEY (tenant, key)`,
  cache: `key VARCHAR NOT NULL, taxonomy_version VARCHAR NOT NULL, class_id VARCHAR, confidence DOUBLE NOT NULL,
  tier VARCHAR NOT NULL, status VARCHAR NOT NULL, rule_id VARCHAR, model_version VARCHAR, reason VARCHAR,
  cached_at TIMESTAMP NOT NULL, expires_at TIMESTAMP, ${TENANT_COLUMN}, PRIMARY KEY (tenant, key, taxonomy_version)`,
  jobs: `id VARCHAR NOT NULL, created_at VARCHAR NOT NULL, updated_at VARCHAR NOT NULL, doc VARCHAR NOT NULL, ${TENANT_COLUMN},
  PRIMARY KEY (tenant, id)`,
};

/**
 * Creates the tables, and moves a database made before tenants existed to them: each table without a tenant
 * column is rebuilt with it (its primary key changes) and its rows go to the default tenant.
 */
async function migrate(c: DuckDBConnection): Promise<void> {
  for (const [table, columns] of Object.entries(TABLES)) {
    const existing = (await c.runAndReadAll(`SELECT column_name FROM information_schema.columns WHERE table_name = '${table}'`)).getRows();
    if (!existing.length) {
      await c.run(`CREATE TABLE ${table} (${columns})`);
    } else if (!existing.some(([name]) => name === 'tenant')) {
      await c.run('BEGIN TRANSACTION');
      try {
        await c.run(`ALTER TABLE ${table} RENAME TO ${table}_before_tenants`);
        await c.run(`CREATE TABLE ${table} (${columns})`);
        await c.run(`INSERT INTO ${table} SELECT *, '${DEFAULT_TENANT}' FROM ${table}_before_tenants`);
        await c.run(`DROP TABLE ${table}_before_tenants`);
        await c.run('COMMIT');
      } catch (err) {
        await c.run('ROLLBACK').catch(() => undefined);
        throw err;
      }
    }
  }
}

/**
 * Group commit: while one write runs, later calls queue up and go together in the next write, each caller
 * resolved once its own records are in. Concurrent API requests then share one COPY instead of each paying one.
 */
export class GroupCommit<T> {
  private queued: T[] = [];
  /** The last write started (settled quietly); null once it ended with nothing waiting. */
  private running: Promise<void> | null = null;
  /** The write that takes what is queued once the running one ends, or null. */
  private next: Promise<void> | null = null;

  constructor(private readonly write: (items: T[]) => Promise<void>) {}

  add(items: T[]): Promise<void> {
    for (const item of items) this.queued.push(item);
    if (!this.running) return this.flush();
    this.next ??= this.running.then(() => this.flush());
    return this.next;
  }

  private flush(): Promise<void> {
    const items = this.queued;
    this.queued = [];
    this.next = null;
    const written = this.write(items);
    const running: Promise<void> = written
      .catch(() => undefined)
      .then(() => {
        if (this.running === running && !this.next) this.running = null;
      });
    this.running = running;
    return written;
  }
}

export class LocalDbError extends UserError {}

/**
 * The cache answers read most recently (human labels and cached decisions), by cacheScope (tenant and taxonomy version) and key, at
 * most `capacity` of them. DuckDB lets one process hold the file, so every write to the cache or the labels
 * passes through this process and forgets its keys here. `keep` and `forget` run inside the connection's
 * exclusive section, after the read or write they belong to: a read never keeps what a later write changed.
 * A cached decision's expiry is checked on each hit.
 */
export class RecentHits {
  private readonly entries = new Map<string, { decision: Decision; expiresAt: number }>();

  constructor(private readonly capacity: number) {}

  get(scope: string, key: string, nowMs: number): Decision | undefined {
    const id = scope + '\u0000' + key;
    const entry = this.entries.get(id);
    if (!entry) return undefined;
    this.entries.delete(id);
    if (entry.expiresAt <= nowMs) return undefined;
    this.entries.set(id, entry); // now the most recently used
    return entry.decision;
  }

  keep(scope: string, entry: { decision: Decision; expiresAt: number }): void {
    if (this.entries.size >= this.capacity) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(scope + '\u0000' + entry.decision.key, entry);
  }

  forget(scope: string, key: string): void {
    this.entries.delete(scope + '\u0000' + key);
  }
}

/** DuckDB's memory limit for the local store (LocalDb.open). */
const STORE_MEMORY_LIMIT = '128MB';

/** What DuckDB's allocator may hold on to after a task (LocalDb.open). */
const STORE_ALLOCATOR_KEEPS = '8MiB';

/**
 * Rows per row group of the store's tables (DuckDB's default: 122,880). A classify run appends its decisions
 * at every checkpoint, and DuckDB's checkpoints of a table whose last row group is filling cost memory and CPU
 * that grow with that row group: replaying a 1,000,000-row run's 166,000 decisions (236 MB of rows, ~1 KB of
 * trace each) peaked at ~420 MB RSS and 7.4 CPU s with the default, ~280 MB and 5.6 CPU s with 16,384
 * (docs/benchmarks.md, "The full cascade: where the memory goes").
 */
export const STORE_ROW_GROUP_ROWS = 16_384;

/** The DuckDB file and its one connection; statements are serialized so transactions never interleave. */
export class LocalDb {
  private queue: Promise<unknown> = Promise.resolve();
  /** Keys present in cache or labels, per tenant and taxonomy version (cacheScope): a cold cache answers without a query. */
  readonly cachedKeys = new Map<string, Set<string>>();
  /** Cache answers read recently: a hot key answers without a query. */
  readonly recentHits = new RecentHits(50_000);

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
    readonly tmpDir: string,
  ) {}

  /** Opens (creating when needed) the database at `path`; ':memory:' for a throwaway one. */
  static async open(path: string, tmpDir: string): Promise<LocalDb> {
    const inMemory = path === ':memory:';
    if (!inMemory) mkdirSync(dirname(path), { recursive: true });
    // 128 MB: a classify run's peak RSS is mostly DuckDB's buffers (1,000,000 rows with the encoder: 641 MB
    // against 756 MB at 256 MB, no slower: docs/benchmarks.md); bigger work spills to the temporary directory
    // (where DuckDB puts it for a database file, which is attached below).
    const instance = await DuckDBInstance.create(':memory:', {
      memory_limit: STORE_MEMORY_LIMIT,
      // What DuckDB's allocator keeps once a task is done, freed memory included (default 128 MB, and 512 MB after a
      // bulk free): a classify run's store writes peaked ~45 MB higher with the defaults, for ~6 % less of their CPU.
      allocator_flush_threshold: STORE_ALLOCATOR_KEEPS,
      allocator_bulk_deallocation_flush_threshold: STORE_ALLOCATOR_KEEPS,
      ...(!inMemory && { temp_directory: `${path}.tmp` }),
    });
    const connection = await instance.connect();
    if (!inMemory) {
      try {
        // The file is attached rather than opened, for its row groups' size (STORE_ROW_GROUP_ROWS).
        await connection.run(`ATTACH '${path.replace(/'/g, "''")}' AS store (ROW_GROUP_SIZE ${STORE_ROW_GROUP_ROWS})`);
        await connection.run('USE store');
      } catch (err) {
        connection.closeSync();
        instance.closeSync();
        const msg = (err as Error).message;
        const hint = /lock/i.test(msg) ? ' (is another aisle process, e.g. `aisle serve`, using it?)' : '';
        throw new LocalDbError(`cannot open ${path}${hint}: ${msg}`);
      }
    }
    mkdirSync(tmpDir, { recursive: true });
    const db = new LocalDb(instance, connection, tmpDir);
    await db.exclusive(migrate);
    await db.exclusive((c) => rekeyItems(c, tmpDir));
    return db;
  }

  /** Runs `fn` alone on the connection. */
  exclusive<T>(fn: (c: DuckDBConnection) => Promise<T>): Promise<T> {
    const next = this.queue.then(() => fn(this.connection));
    this.queue = next.catch(() => undefined);
    return next;
  }

  exec(sql: string, params?: Record<string, DuckDBValue>): Promise<void> {
    return this.exclusive(async (c) => {
      await c.run(sql, params);
    });
  }

  /**
   * Appends rows (appendRows) in one commit. A small cache write costs ~1 ms this way, against ~5 ms for a COPY from a staged file or an INSERT OR REPLACE.
   * Nothing is kept if a row breaks a constraint: the error is thrown.
   */
  append(table: string, rows: Cell[][]): Promise<void> {
    return this.exclusive((c) => appendRows(c, table, rows));
  }

  query<T = Record<string, unknown>>(sql: string, params?: Record<string, DuckDBValue>): Promise<T[]> {
    return this.exclusive(async (c) => (await c.runAndReadAll(sql, params)).getRowObjectsJS() as T[]);
  }

  /** Runs `fn` alone on the connection, in one transaction. */
  transaction(fn: (c: DuckDBConnection) => Promise<void>): Promise<void> {
    return this.exclusive(async (c) => {
      await c.run('BEGIN TRANSACTION');
      try {
        await fn(c);
        await c.run('COMMIT');
      } catch (err) {
        await c.run('ROLLBACK').catch(() => undefined);
        throw err;
      }
    });
  }

  /** Loads (once) the keys the cache can answer for a tenant and taxonomy version at `nowMs`. */
  async keysFor(tenant: string, version: string, nowMs = Date.now()): Promise<Set<string>> {
    const scope = cacheScope(tenant, version);
    let keys = this.cachedKeys.get(scope);
    if (!keys) {
      const rows = await this.query<{ key: string }>(
        `SELECT key FROM cache WHERE tenant = $t AND taxonomy_version = $v AND (expires_at IS NULL OR expires_at > $now::TIMESTAMP)
         UNION SELECT key FROM labels WHERE tenant = $t AND taxonomy_version = $v`,
        { t: tenant, v: version, now: new Date(nowMs).toISOString() },
      );
      keys = new Set(rows.map((r) => r.key));
      this.cachedKeys.set(scope, keys);
    }
    return keys;
  }

  async close(): Promise<void> {
    await this.queue;
    this.connection.closeSync();
    this.instance.closeSync();
  }
}

/** What the cache's in-process indexes (LocalDb.cachedKeys, RecentHits) are keyed by: one tenant's entries for one taxonomy version. */
export const cacheScope = (tenant: string, version: string) => `${tenant}\u0000${version}`;

/** Pages are read by offset (one row more than the page, to know whether another follows); the cursor is the next page's offset, opaque to the caller. */
async function offsetPage<R, T>(
  opts: { limit: number; cursor?: string },
  read: (window: { limit: number; offset: number }) => Promise<R[]>,
  map: (row: R) => T,
): Promise<Page<T>> {
  const offset = opts.cursor === undefined ? 0 : Number(Buffer.from(opts.cursor, 'base64url').toString());
  // Only a cursor this function handed out (a non-negative offset, encoded as it encodes one) is taken.
  if (
    !Number.isSafeInteger(offset) ||
    offset < 0 ||
    (opts.cursor !== undefined && opts.cursor !== Buffer.from(String(offset)).toString('base64url'))
  ) {
    throw new InvalidCursorError();
  }
  const rows = await read({ limit: opts.limit + 1, offset });
  const items = rows.slice(0, opts.limit).map(map);
  return rows.length > opts.limit ? { items, next: Buffer.from(String(offset + opts.limit)).toString('base64url') } : { items };
}

const iso = (v: unknown) => (v instanceof Date ? v.toISOString() : String(v));
const opt = <T>(v: T | null | undefined) => (v === null ? undefined : v);

interface DecisionRow {
  key: string;
  job_id: string | null;
  row_no: bigint | number | null;
  decided_at: unknown;
  name: string;
  brand: string | null;
  search_term: string | null;
  description: string | null;
  text: string;
  class_id: string | null;
  confidence: number;
  tier: string;
  status: string;
  rule_id: string | null;
  model_version: string | null;
  reason: string | null;
  taxonomy_version: string;
  trace: string | null;
}

/** The decision columns shared by the decisions and cache tables. */
export type CacheRow = Pick<
  DecisionRow,
  'key' | 'class_id' | 'confidence' | 'tier' | 'status' | 'rule_id' | 'model_version' | 'reason' | 'taxonomy_version'
>;

/** A row's decision columns back to a Decision. */
export function decisionOf(r: CacheRow): Decision {
  return {
    key: r.key,
    classId: r.class_id,
    confidence: r.confidence,
    tier: r.tier as TierName,
    status: r.status as DecisionStatus,
    ruleId: opt(r.rule_id),
    modelVersion: opt(r.model_version),
    reason: opt(r.reason),
    taxonomyVersion: r.taxonomy_version,
  };
}

function toRecord(r: DecisionRow): ItemRecord {
  const input: ProductInput = { name: r.name };
  if (r.brand) input.brand = r.brand;
  if (r.search_term) input.searchTerm = r.search_term;
  if (r.description) input.description = r.description;
  const decision = decisionOf(r);
  if (r.trace) decision.trace = traceOfStored(r.trace, decision);
  return { decision, input, text: r.text, jobId: opt(r.job_id), at: iso(r.decided_at), row: r.row_no === null ? undefined : Number(r.row_no) };
}

export class DuckDbResultStore implements ResultStore {
  constructor(
    private readonly db: LocalDb,
    readonly tenant = DEFAULT_TENANT,
    private readonly views = new Map<string, DuckDbResultStore>(),
  ) {
    views.set(tenant, this);
  }

  forTenant(tenant: string): DuckDbResultStore {
    return this.views.get(tenant) ?? new DuckDbResultStore(this.db, tenant, this.views);
  }

  /**
   * Not through the appender, though it is cheaper for the cache: appending decisions (wide rows, long traces)
   * under the API bench doubled the server's CPU per request; a staged COPY did not.
   */
  private readonly decisionWrites = new GroupCommit<ItemRecord>((records) => {
    const staging = new DecisionStaging(this.db, this.tenant);
    staging.add(encodeDecisions(records).bytes);
    return staging.flush();
  });

  saveDecisions(records: ItemRecord[]): Promise<void> {
    return records.length ? this.decisionWrites.add(records) : Promise.resolve();
  }

  /** Drops a job's decisions past a row (resume: those rows are decided again). */
  async discardJobRowsAfter(jobId: string, row: number): Promise<void> {
    await this.db.exec('DELETE FROM decisions WHERE tenant = $t AND job_id = $j AND row_no > $r', { t: this.tenant, j: jobId, r: row });
  }

  async getItem(key: string): Promise<{ current: ItemRecord; history: ItemRecord[] } | null> {
    const rows = await this.db.query<DecisionRow>(
      'SELECT * FROM decisions WHERE tenant = $t AND key = $k ORDER BY decided_at DESC, row_no DESC NULLS FIRST',
      { t: this.tenant, k: key },
    );
    if (!rows.length) return null;
    const [current, ...history] = rows.map(toRecord);
    return { current, history };
  }

  /** Labels are set one at a time, so reading the current decision and writing the label is not interleaved. */
  private labelling: Promise<unknown> = Promise.resolve();

  setHumanLabel(key: string, classId: string, labelledBy: string): Promise<ItemRecord | null> {
    const next = this.labelling.then(() => this.label(key, classId, labelledBy));
    this.labelling = next.catch(() => undefined);
    return next;
  }

  private async label(key: string, classId: string, labelledBy: string): Promise<ItemRecord | null> {
    const latest = await this.getItem(key);
    if (!latest) return null;
    // Already labelled with this class (e.g. the same label sent twice at once): the decision is not written again.
    const { decision } = latest.current;
    if (decision.tier === 'human' && decision.classId === classId) return latest.current;
    const { record, gold } = humanLabel(latest.current, classId, labelledBy);
    await this.saveDecisions([record]);
    // The labels table is both the gold and the cache's override (DuckDbCache reads it first, with no expiry).
    await this.db.exclusive(async (c) => {
      await c.run('INSERT OR REPLACE INTO labels VALUES ($k, $c, $by, $at::TIMESTAMP, $v, $t)', {
        k: gold.key,
        c: gold.classId,
        by: gold.labelledBy,
        at: gold.labelledAt,
        v: gold.taxonomyVersion,
        t: this.tenant,
      });
      this.db.recentHits.forget(cacheScope(this.tenant, gold.taxonomyVersion), key);
    });
    this.db.cachedKeys.get(cacheScope(this.tenant, gold.taxonomyVersion))?.add(key);
    return record;
  }

  async listReview(opts: { limit: number; cursor?: string }): Promise<Page<ItemRecord>> {
    const read = (window: { limit: number; offset: number }) =>
      this.db.query<DecisionRow>(
        `WITH current AS (
           SELECT * FROM decisions WHERE tenant = $t
           QUALIFY row_number() OVER (PARTITION BY key ORDER BY decided_at DESC, row_no DESC NULLS FIRST) = 1
         )
         SELECT * FROM current WHERE status = 'needs_review' ORDER BY decided_at, row_no, key LIMIT $limit OFFSET $offset`,
        { ...window, t: this.tenant },
      );
    return offsetPage(opts, read, toRecord);
  }

  async *exportLabelled(opts: { tiers: ('human' | 'llm')[] }): AsyncIterable<{ input: ProductInput; classId: string; tier: string }> {
    const tiers = opts.tiers.map((t) => `'${t === 'human' ? 'human' : 'llm'}'`).join(', ');
    if (!tiers) return;
    const rows = await this.db.query<DecisionRow>(
      // The label per key, not its current decision: a rerun answers from the cache (tier 'cache') and must not
      // hide the human or LLM label it repeats. A human label beats an LLM one whatever their times.
      `WITH labelled AS (
         SELECT * FROM decisions WHERE tenant = $t AND tier IN ('human', 'llm') AND status = 'ok' AND class_id IS NOT NULL
         QUALIFY row_number() OVER (PARTITION BY key ORDER BY tier = 'human' DESC, decided_at DESC, row_no DESC NULLS FIRST) = 1
       )
       SELECT * FROM labelled WHERE tier IN (${tiers}) ORDER BY decided_at, key`,
      { t: this.tenant },
    );
    for (const r of rows) yield { input: toRecord(r).input, classId: r.class_id!, tier: r.tier };
  }
}

/**
 * A bulk writer of decisions, for long runs: records are encoded and appended to a staging file as they come
 * (nothing stays in memory), and `flush()` inserts what was staged into the store, as `tenant`'s, in one statement.
 * A job's staging file (`job`) is named by the caller and outlives a run that stops, so that a resume keeps the
 * decisions its checkpoint counted (the file's first `keep` bytes).
 */
export class DecisionStaging {
  private static files = 0;
  private fd: number | null = null;
  private file = '';
  /** Bytes staged in the file so far. */
  bytes = 0;

  constructor(
    private readonly db: LocalDb,
    private readonly tenant: string,
    private readonly job?: { file: string; keep: number },
  ) {
    if (!job) return;
    this.file = job.file;
    this.bytes = job.keep;
    if (job.keep > 0) truncateSync(job.file, job.keep);
    this.fd = openSync(job.file, job.keep > 0 ? 'a' : 'w');
  }

  /** Appends rows encoded by DecisionEncoder (decision-rows.ts). */
  add(rows: Uint8Array): void {
    if (!rows.length) return;
    if (this.fd === null) {
      this.file = join(this.db.tmpDir, `stage-${process.pid}-${++DecisionStaging.files}.csv`);
      this.fd = openSync(this.file, 'w');
    }
    let done = 0;
    while (done < rows.length) done += writeSync(this.fd, rows, done, rows.length - done);
    this.bytes += rows.length;
  }

  /** Stores everything staged so far and removes the file; later adds go to a fresh staging file. */
  async flush(): Promise<void> {
    if (this.fd === null) return;
    closeSync(this.fd);
    const { file, bytes } = this;
    this.fd = null;
    this.bytes = 0;
    const columns = DECISION_COLUMNS.map((c) => `'${c}': '${DECISION_TYPES[c].replace(' NOT NULL', '')}'`).join(', ');
    try {
      if (bytes > 0) {
        // Rows end in LF: a CR inside a quoted cell (a multi-line cell from Excel) left to DuckDB's sniffer fails the insert.
        await this.db.exec(
          `INSERT INTO decisions BY NAME SELECT *, $tenant AS tenant FROM read_csv('${file.replace(/'/g, "''")}',
             header = false, nullstr = '${NULL}', quote = '"', escape = '"', delim = ',', new_line = '\\n', columns = {${columns}})`,
          { tenant: this.tenant },
        );
      }
    } catch (err) {
      // A job's file stays: its last checkpoint still counts on it.
      if (!this.job) rmSync(file, { force: true });
      throw err;
    }
    rmSync(file, { force: true });
  }

  /**
   * Closes the file without storing it: a job's file stays for a resume (unless it holds nothing or `keep` is false),
   * any other is removed.
   */
  close({ keep = true } = {}): void {
    if (this.fd === null) return;
    closeSync(this.fd);
    this.fd = null;
    if (!keep || !this.job || this.bytes === 0) rmSync(this.file, { force: true });
  }
}

export class DuckDbJobStore implements JobStore {
  constructor(
    private readonly db: LocalDb,
    readonly tenant = DEFAULT_TENANT,
    private readonly views = new Map<string, DuckDbJobStore>(),
  ) {
    views.set(tenant, this);
  }

  forTenant(tenant: string): DuckDbJobStore {
    return this.views.get(tenant) ?? new DuckDbJobStore(this.db, tenant, this.views);
  }

  create(job: Pick<JobRecord, 'id' | 'input'> & Partial<JobRecord>): Promise<JobRecord> {
    return this.write(newJob(job));
  }

  private async write(job: JobRecord): Promise<JobRecord> {
    await this.db.exec('INSERT OR REPLACE INTO jobs VALUES ($id, $c, $u, $doc, $t)', {
      t: this.tenant,
      id: job.id,
      c: job.createdAt,
      u: job.updatedAt,
      doc: JSON.stringify(job),
    });
    return job;
  }

  async get(id: string): Promise<JobRecord | null> {
    const rows = await this.db.query<{ doc: string }>('SELECT doc FROM jobs WHERE tenant = $t AND id = $id', { t: this.tenant, id });
    return rows.length ? (JSON.parse(rows[0].doc) as JobRecord) : null;
  }

  async list(opts: { limit: number; cursor?: string }): Promise<Page<JobRecord>> {
    const read = (window: { limit: number; offset: number }) =>
      this.db.query<{ doc: string }>('SELECT doc FROM jobs WHERE tenant = $t ORDER BY created_at DESC, id LIMIT $limit OFFSET $offset', {
        ...window,
        t: this.tenant,
      });
    return offsetPage(opts, read, (r) => JSON.parse(r.doc) as JobRecord);
  }

  async update(id: string, patch: JobPatch): Promise<JobRecord> {
    const current = await this.get(id);
    if (!current) throw new Error(`no job ${id}`);
    return this.write({ ...current, ...patch, id, createdAt: current.createdAt, updatedAt: new Date().toISOString() });
  }
}
