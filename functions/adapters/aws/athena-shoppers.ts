/**
 * The shopper pipeline and its insights on AWS (issue 17 item 5): the same SQL files as DuckDB runs locally, in
 * Athena's spelling (functions/shoppers/dialect.ts), over the lake bucket.
 * - AthenaShopperEngine is the pipeline's engine in a Lambda: it streams each uploaded CSV once (parsing into rows
 *   numbered by their place in the file: that is the Lambda's part), stages them as JSON lines, and runs every step
 *   as an Athena CTAS in a database of the run's own, so the windows that cut sessions run in Athena over the lake,
 *   never in the Lambda's memory. The outputs are UNLOADed as Parquet under the tables' tenant and date partition.
 * - AthenaShopperInsights runs the named insights of the registry over those tables, for one tenant.
 */
import { Readable } from 'node:stream';
import {
  type AthenaClient,
  type ColumnInfo,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import { parse } from 'csv-parse';
import { DEFAULT_TENANT, TENANT_RE } from '../../core/api-keys.ts';
import { UserError } from '../../core/errors.ts';
import type { BlobStore } from '../../ports.ts';
import { ATHENA_DIALECT } from '../../shoppers/dialect.ts';
import type { ShopperInsightsService, ShopperSqlEngine, SqlValue } from '../../shoppers/ports.ts';
import { listShopperInsights, resolveShopperInsight, SHOPPER_TABLES, type ShopperInsightParams } from '../../shoppers/registry.ts';

export class AthenaQueryFailed extends Error {}

const MAX_POLL_MS = 2_000;
const NUMERIC = new Set(['tinyint', 'smallint', 'integer', 'int', 'bigint', 'double', 'float', 'real', 'decimal']);

/** A value as a SQL literal for ExecutionParameters (Athena binds `?` from literals, not typed values). */
export function sqlLiteral(value: SqlValue): string {
  if (value === null) return 'NULL';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new RangeError(`${value} cannot be a SQL literal`);
    // A whole number stays BIGINT; a fraction is a DOUBLE literal (a bare 0.5 would be DECIMAL in Trino).
    return Number.isInteger(value) ? String(value) : `${value}e0`;
  }
  return `'${value.replaceAll("'", "''")}'`;
}

/** Runs SQL on Athena and reads the answers, page by page. */
export class AthenaSql {
  constructor(private readonly opts: { client: AthenaClient; workGroup: string; database: string; pollMs?: number; timeoutMs?: number }) {}

  withDatabase(database: string): AthenaSql {
    return new AthenaSql({ ...this.opts, database });
  }

  /** Starts a statement and waits until it succeeded; its execution id. */
  async run(sql: string, params: SqlValue[] = []): Promise<string> {
    const { client, workGroup, database } = this.opts;
    const started = await client.send(
      new StartQueryExecutionCommand({
        QueryString: sql,
        WorkGroup: workGroup,
        QueryExecutionContext: { Database: database },
        ExecutionParameters: params.length ? params.map(sqlLiteral) : undefined,
      }),
    );
    const id = started.QueryExecutionId;
    if (!id) throw new AthenaQueryFailed('Athena started a query without an execution id');
    const deadline = Date.now() + (this.opts.timeoutMs ?? 600_000);
    let wait = this.opts.pollMs ?? 200;
    for (;;) {
      const { QueryExecution } = await client.send(new GetQueryExecutionCommand({ QueryExecutionId: id }));
      const state = QueryExecution?.Status?.State;
      if (state === 'SUCCEEDED') return id;
      if (state === 'FAILED' || state === 'CANCELLED')
        throw new AthenaQueryFailed(`Athena query ${state.toLowerCase()}: ${QueryExecution?.Status?.StateChangeReason ?? 'no reason given'}`);
      if (Date.now() > deadline) throw new AthenaQueryFailed(`Athena query still ${state ?? 'pending'} at the deadline (execution ${id})`);
      await new Promise((r) => setTimeout(r, wait));
      wait = Math.min(wait * 2, MAX_POLL_MS);
    }
  }

  /** The rows of a finished query, a page (up to 1,000) at a time, values typed by their columns. */
  async *pages(id: string): AsyncGenerator<Record<string, unknown>[]> {
    let token: string | undefined;
    let columns: ColumnInfo[] | undefined;
    let first = true;
    do {
      const page = await this.opts.client.send(new GetQueryResultsCommand({ QueryExecutionId: id, NextToken: token }));
      columns ??= page.ResultSet?.ResultSetMetadata?.ColumnInfo ?? [];
      let rows = page.ResultSet?.Rows ?? [];
      // A SELECT's first page starts with the header row.
      if (first && rows.length && rows[0].Data?.every((d, i) => d.VarCharValue === columns![i]?.Name)) rows = rows.slice(1);
      first = false;
      const cols = columns;
      yield rows.map((row) => Object.fromEntries(cols.map((c, i) => [c.Name ?? `col${i}`, typed(row.Data?.[i]?.VarCharValue, c)])));
      token = page.NextToken;
    } while (token);
  }

  async query<T = Record<string, unknown>>(sql: string, params: SqlValue[] = []): Promise<T[]> {
    const out: T[] = [];
    for await (const page of this.pages(await this.run(sql, params))) out.push(...(page as T[]));
    return out;
  }
}

function typed(value: string | undefined, column: ColumnInfo): unknown {
  if (value === undefined) return null;
  const type = (column.Type ?? 'varchar').toLowerCase();
  if (NUMERIC.has(type)) return Number(value);
  if (type === 'boolean') return value === 'true';
  return value;
}

/** `s3://bucket/key` → its parts. */
export function s3Parts(uri: string): { bucket: string; key: string } {
  const m = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri);
  if (!m) throw new UserError(`${uri}: not an s3:// object`);
  return { bucket: m[1], key: m[2] };
}

const ATHENA_TYPES = { VARCHAR: 'string', DOUBLE: 'double' } as const;
const JSON_SERDE = "ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe'";
const name = (table: string) => {
  if (!/^[a-z_][a-z0-9_]*$/.test(table)) throw new Error(`"${table}" is not a table name Athena takes unquoted`);
  return table;
};

export interface AthenaShopperEngineOptions {
  sql: AthenaSql;
  /** The lake bucket: staged rows and the run's tables go under `workPrefix`. */
  lake: BlobStore;
  lakeBucket: string;
  /** A folder of the lake of this run alone (`shoppers/work/RUN/`): Athena's CTAS wants empty locations. */
  workPrefix: string;
  /** The Glue database of this run alone (created, and dropped with its tables on close). */
  runDatabase: string;
  /** Where an output file of the pipeline goes: `events.parquet` → an s3:// folder (the table's tenant and date partition). */
  outputFolder: (file: string) => string;
  /** Reads an s3:// object of the input (the upload). */
  read: (uri: string) => Promise<Readable>;
}

/** The pipeline's engine on Athena (see the module comment). Table names are the SQL files' own, in the run's database. */
export class AthenaShopperEngine implements ShopperSqlEngine {
  readonly dialect = ATHENA_DIALECT;
  private readonly sql: AthenaSql;
  private readonly columnsOf = new Map<string, string[]>();
  private parts = 0;

  private constructor(private readonly opts: AthenaShopperEngineOptions) {
    this.sql = opts.sql.withDatabase(opts.runDatabase);
  }

  static async open(opts: AthenaShopperEngineOptions): Promise<AthenaShopperEngine> {
    await opts.sql.run(`CREATE DATABASE IF NOT EXISTS ${name(opts.runDatabase)}`);
    return new AthenaShopperEngine(opts);
  }

  private location(table: string): string {
    return `s3://${this.opts.lakeBucket}/${this.opts.workPrefix}${table}/`;
  }

  private async rows(uri: string, fromLine: number): Promise<AsyncIterable<string[]>> {
    return (await this.opts.read(uri)).pipe(parse({ from_line: fromLine, relax_column_count: true, bom: true, skip_empty_lines: true }));
  }

  async csvHeader(path: string): Promise<string[]> {
    for await (const header of await this.rows(path, 1)) return header;
    throw new UserError(`${path}: empty file`);
  }

  /** Streams the CSV once: each data row numbered by its place in the file, the named columns staged as JSON lines. */
  async csvView(view: string, path: string, columns: Record<string, string | undefined>): Promise<void> {
    const header = await this.csvHeader(path);
    const picks = Object.entries(columns).map(([col, h]) => [col, h === undefined ? -1 : header.indexOf(h)] as const);
    const rows = await this.rows(path, 2);
    async function* lines() {
      let rowNo = 0;
      for await (const cells of rows) {
        rowNo++;
        yield `${JSON.stringify(Object.fromEntries([['row_no', rowNo], ...picks.map(([col, i]) => [col, i < 0 ? null : (cells[i] ?? null)])]))}\n`;
      }
    }
    await this.opts.lake.put(`${this.opts.workPrefix}${view}/rows.json`, Readable.from(lines()), 'application/json');
    const cols = ['row_no bigint', ...picks.map(([col]) => `${col} string`)].join(', ');
    await this.sql.run(`CREATE EXTERNAL TABLE ${name(view)} (${cols}) ${JSON_SERDE} LOCATION '${this.location(view)}'`);
  }

  async createTable(table: string, select: string, params: SqlValue[] = []): Promise<void> {
    await this.sql.run(`CREATE TABLE ${name(table)} WITH (format = 'PARQUET', external_location = '${this.location(table)}') AS ${select}`, params);
  }

  async tableOf(table: string, columns: Record<string, 'VARCHAR' | 'DOUBLE'>, rows: SqlValue[][]): Promise<void> {
    const cols = Object.keys(columns);
    this.columnsOf.set(table, cols);
    const ddl = Object.entries(columns).map(([col, type]) => `${col} ${ATHENA_TYPES[type]}`);
    await this.sql.run(`CREATE EXTERNAL TABLE ${name(table)} (${ddl.join(', ')}) ${JSON_SERDE} LOCATION '${this.location(table)}'`);
    await this.append(table, rows);
  }

  /** Nothing to free: the run's tables go with its database at close, and a DROP here would be one more query. */
  async dropTable(_table: string): Promise<void> {}

  async append(table: string, rows: SqlValue[][]): Promise<void> {
    const cols = this.columnsOf.get(table);
    if (!cols) throw new Error(`append to ${table}: not a table made by tableOf`);
    if (!rows.length) return;
    const body = rows.map((r) => JSON.stringify(Object.fromEntries(cols.map((c, i) => [c, r[i]])))).join('\n');
    await this.opts.lake.put(`${this.opts.workPrefix}${table}/part-${++this.parts}.json`, `${body}\n`, 'application/json');
  }

  query<T = Record<string, unknown>>(select: string, params: SqlValue[] = []): Promise<T[]> {
    return this.sql.query<T>(select, params);
  }

  async forEachBatch<T = Record<string, unknown>>(select: string, fn: (rows: T[]) => Promise<void>): Promise<void> {
    for await (const page of this.sql.pages(await this.sql.run(select))) await fn(page as T[]);
  }

  /** UNLOADs a SELECT into the output's folder: Parquet for `.parquet`, CSV text without a header otherwise. */
  async writeFile(select: string, path: string): Promise<void> {
    const file = path.split('/').pop() ?? path;
    const format = file.endsWith('.parquet') ? "format = 'PARQUET'" : "format = 'TEXTFILE', field_delimiter = ','";
    await this.sql.run(`UNLOAD (${select}) TO '${this.opts.outputFolder(file)}' WITH (${format})`);
  }

  async close(): Promise<void> {
    // The run's tables go with its database; their files expire under the work prefix (a lifecycle rule).
    await this.sql.run(`DROP DATABASE IF EXISTS ${name(this.opts.runDatabase)} CASCADE`);
  }
}

/** The Glue table each insight table is on AWS: `shopper_events` …, partitioned by tenant and dt. */
export const athenaShopperTable = (table: (typeof SHOPPER_TABLES)[number]) => `shopper_${table}`;

/**
 * The named shopper insights on Athena for one tenant: the registry's SQL text unchanged, after CTEs that give it
 * its tables as the tenant's rows alone.
 */
export class AthenaShopperInsights implements ShopperInsightsService {
  constructor(
    private readonly sql: AthenaSql,
    readonly tenant = DEFAULT_TENANT,
  ) {
    // The tenant reaches the SQL as a literal: checked when its key is made, and again here.
    if (!TENANT_RE.test(tenant)) throw new RangeError(`tenant "${tenant}" has characters a query cannot hold`);
  }

  forTenant(tenant: string): AthenaShopperInsights {
    return new AthenaShopperInsights(this.sql, tenant);
  }

  async list() {
    return listShopperInsights();
  }

  /** The query as sent: the tenant's tables as CTEs, then the registry's text from its own `WITH` on. */
  textOf(sql: string): string {
    const body = sql.replace(/^(\s*--[^\n]*\n)*\s*WITH\s+/i, '');
    if (body === sql) throw new Error('a shopper insight must start with WITH params AS (…)');
    const ctes = SHOPPER_TABLES.map((table) => `${table} AS (SELECT t.* FROM ${athenaShopperTable(table)} t WHERE t.tenant = '${this.tenant}')`);
    return `WITH ${ctes.join(',\n')},\n${body}`;
  }

  async run(name: string, params: Partial<ShopperInsightParams> = {}): Promise<Record<string, unknown>[]> {
    const { query, values } = resolveShopperInsight(name, params);
    return this.sql.query(this.textOf(query.sql), values);
  }
}
