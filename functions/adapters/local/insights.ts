import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { DEFAULT_TENANT } from '../../core/api-keys.ts';
import { NamedQueries } from '../../core/insights.ts';
import { LAKE_COLUMNS } from '../../core/lake.ts';
import type { Insights } from '../../ports.ts';
import { fillLake, hasPendingJobs, type SqlRunner } from './lake-export.ts';

/** Turns DuckDB values into JSON-friendly ones (BIGINT → number when safe, else string). */
function plain(value: unknown): unknown {
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (value !== null && typeof value === 'object' && 'toString' in value && !Array.isArray(value)) return String(value);
  return value;
}

/** Whether the lake holds a part file in its layout (tenant=…/dt=…/job=…/part-N.parquet under results/). */
function hasParquet(dir: string): boolean {
  if (!existsSync(dir)) return false;
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).some((f) => f.endsWith('.parquet') && f.split(/[\\/]/).length === 4);
}

/**
 * The named queries on DuckDB over the local lake ($AISLE_HOME/lake/results/tenant=…/dt=…/job=…/part-N.parquet).
 * `results` is a view over the Parquet files; `dt` comes from the path, as Athena's partition does. Jobs
 * finished since the last query are exported to the lake first (lake-export.ts: the export is deferred).
 */
export class DuckDbInsights implements Insights {
  private readonly named = new NamedQueries();

  /** Shared by every tenant's view: one connection, one fill at a time. */
  private readonly lake: LocalLake;
  readonly tenant: string;

  constructor(lakeRoot: string, opts: { say?: (message: string) => void } = {}, view?: { lake: LocalLake; tenant: string }) {
    this.lake = view?.lake ?? new LocalLake(lakeRoot, opts.say ?? ((m) => process.stderr.write(`aisle: ${m}\n`)));
    this.tenant = view?.tenant ?? DEFAULT_TENANT;
  }

  forTenant(tenant: string): DuckDbInsights {
    return new DuckDbInsights('', {}, { lake: this.lake, tenant });
  }

  async list() {
    return this.named.list();
  }

  async run(name: string, params: { jobId?: string } = {}): Promise<Record<string, unknown>[]> {
    const { query, jobId, tenant } = this.named.resolve(name, params, this.tenant);
    const reader = await this.lake.query(query.sql, [jobId ?? null, tenant]);
    const columns = reader.columnNames();
    return reader.getRows().map((row) => Object.fromEntries(row.map((v, i) => [columns[i], plain(v)])));
  }

  /**
   * This tenant's items in the lake, the latest row of each: what `ask` searches beside the store (the store
   * keeps only review, encoder and LLM decisions by default; the lake has every classified row).
   */
  async latestItems(): Promise<{ key: string; name: string; classId: string | null; status: string; decidedAt: string }[]> {
    const reader = await this.lake.query(
      `SELECT item_key, product_name, class_id, status, decided_at FROM results WHERE tenant = ? AND item_key IS NOT NULL
       QUALIFY row_number() OVER (PARTITION BY item_key ORDER BY decided_at DESC, job_id DESC, row_no DESC) = 1`,
      [this.tenant],
    );
    return reader.getRows().map(([key, name, classId, status, decidedAt]) => ({
      key: String(key),
      name: String(name ?? ''),
      classId: classId === null ? null : String(classId),
      status: String(status),
      decidedAt: String(decidedAt ?? ''),
    }));
  }

  /** Changes when this tenant's lake rows do (their count and latest decision time). */
  async lakeVersion(): Promise<string> {
    const reader = await this.lake.query('SELECT COUNT(*), MAX(decided_at) FROM results WHERE tenant = ?', [this.tenant]);
    const [n, last] = reader.getRows()[0] ?? [0, null];
    return `${n}@${last ?? ''}`;
  }

  close(): Promise<void> {
    return this.lake.close();
  }
}

/** The local lake as DuckDB reads it: a view over its Parquet files, on one in-memory connection. */
class LocalLake {
  private connection?: Promise<DuckDBConnection>;
  private filling: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly lakeRoot: string,
    /** Where the lake fill reports: each job it adds, and each it cannot. */
    private readonly say: (message: string) => void,
  ) {}

  async query(sql: string, params: (string | null)[]) {
    const connection = await this.connect();
    await this.fill(connection);
    // The view is made per query so parts written since the last one are seen.
    await connection.run(this.viewSql());
    return connection.runAndReadAll(sql, params);
  }

  async close(): Promise<void> {
    if (this.connection) (await this.connection).closeSync();
    this.connection = undefined;
  }

  /** Exports the jobs waiting for the lake; one fill at a time (concurrent queries wait for it). */
  private fill(connection: DuckDBConnection): Promise<unknown> {
    this.filling = this.filling
      .catch(() => undefined)
      .then(async () => {
        if (!hasPendingJobs(this.lakeRoot)) return;
        const sql: SqlRunner = {
          exec: async (text) => void (await connection.run(text)),
          query: async <T>(text: string) => (await connection.runAndReadAll(text)).getRowObjectsJS() as T[],
        };
        // The export holds a job's rows to number them: bounded, it spills to disk instead of taking ~150 MB per
        // million rows (and spends less CPU). Queries run unbounded, as before.
        const spill = join(this.lakeRoot, 'pending', '.spill').replace(/'/g, "''");
        await connection.run(`SET memory_limit = '256MB'; SET temp_directory = '${spill}'`);
        try {
          await fillLake(sql, this.lakeRoot, this.say);
        } finally {
          await connection.run('RESET memory_limit');
        }
      });
    return this.filling;
  }

  private connect(): Promise<DuckDBConnection> {
    this.connection ??= DuckDBInstance.create(':memory:').then((db) => db.connect());
    return this.connection;
  }

  private viewSql(): string {
    const dir = join(this.lakeRoot, 'results');
    if (!hasParquet(dir)) {
      // An empty lake still answers every query (with no rows) instead of failing on a missing glob.
      const cols = LAKE_COLUMNS.map(([n, t]) => `CAST(NULL AS ${t}) AS ${n}`).join(', ');
      return `CREATE OR REPLACE VIEW results AS SELECT ${cols}, CAST(NULL AS VARCHAR) AS dt WHERE false`;
    }
    const glob = join(dir, '*', '*', '*', '*.parquet').replace(/'/g, "''");
    const cols = LAKE_COLUMNS.map(([n]) => n).join(', ');
    return `CREATE OR REPLACE VIEW results AS SELECT ${cols}, dt FROM read_parquet('${glob}', hive_partitioning = true, hive_types = {'tenant': VARCHAR, 'dt': VARCHAR, 'job': VARCHAR}, union_by_name = true)`;
  }
}
