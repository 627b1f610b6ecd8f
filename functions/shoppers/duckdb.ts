/**
 * The shopper pipeline's engine on DuckDB: a scratch database file in `tmpDir` (deleted on close) that spills there
 * past its memory limit, so sessionizing 10 million events stays within a gigabyte of memory. A file rather than
 * `:memory:`: its tables are stored compressed and their blocks can leave memory without being written again as
 * spill; in memory the same tables held about 300 MB more at their peak (2M events, bench/shoppers.ts).
 */
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { appendRows } from '../adapters/local/duckdb-append.ts';
import { UserError } from '../core/errors.ts';
import { DUCKDB_DIALECT, type ShopperDialect } from './dialect.ts';
import type { ShopperSqlEngine, SqlValue } from './ports.ts';

const quoteId = (name: string) => `"${name.replaceAll('"', '""')}"`;
const quoteText = (text: string) => `'${text.replaceAll("'", "''")}'`;

/** RFC 4180 quoting, fixed: left to the sniffer, an apostrophe in a search term ("kellogg's") can be taken for the quote. */
const readCsv = (path: string) => `read_csv(${quoteText(path)}, all_varchar = true, header = true, quote = '"', escape = '"'`;

export class DuckDbShopperEngine implements ShopperSqlEngine {
  private constructor(
    readonly dialect: ShopperDialect,
    private readonly instance: DuckDBInstance,
    private readonly c: DuckDBConnection,
    /** Appends while `c` streams a result (forEachBatch). */
    private readonly writer: DuckDBConnection,
    private readonly file: string,
  ) {}

  /** The table under each view made by csvView. */
  private readonly csvTables = new Map<string, string>();

  /**
   * `dialect` other than DuckDB's and `setup` (statements run first, e.g. macros giving another engine's functions)
   * are for the test that runs the Athena text on DuckDB.
   */
  static async open(opts: {
    tmpDir: string;
    memoryLimit?: string;
    threads?: number;
    dialect?: ShopperDialect;
    setup?: string[];
  }): Promise<DuckDbShopperEngine> {
    mkdirSync(opts.tmpDir, { recursive: true });
    const config: Record<string, string> = {
      memory_limit: opts.memoryLimit ?? '384MB',
      temp_directory: opts.tmpDir,
      // Without the ICU extension DuckDB's time zone is UTC: a time without a zone is read as UTC.
      // Row order within a table is not needed (every window orders itself): lets DuckDB stream and spill more.
      preserve_insertion_order: 'false',
      // Hands memory back to the system after each task above this, instead of keeping it for the next one.
      allocator_flush_threshold: '16MB',
    };
    if (opts.threads) config.threads = String(opts.threads);
    const file = join(opts.tmpDir, 'shoppers.duckdb');
    removeDatabase(file); // a run that crashed may have left one
    const instance = await DuckDBInstance.create(file, config);
    const c = await instance.connect();
    for (const statement of opts.setup ?? []) await c.run(statement);
    return new DuckDbShopperEngine(opts.dialect ?? DUCKDB_DIALECT, instance, c, await instance.connect(), file);
  }

  async csvHeader(path: string): Promise<string[]> {
    if (!existsSync(path)) throw new UserError(`${path}: no such file`);
    const reader = await this.c.runAndReadAll(`DESCRIBE SELECT * FROM ${readCsv(path)})`);
    return reader.getRowObjectsJS().map((r) => String(r.column_name));
  }

  async csvView(view: string, path: string, columns: Record<string, string | undefined>): Promise<void> {
    const cols = Object.entries(columns).map(([name, header]) => `${header === undefined ? 'NULL' : quoteId(header)}::VARCHAR AS ${quoteId(name)}`);
    // Loaded in file order (the CSV is still read in parallel) so that a row's rowid is its place in the file: numbering
    // the rows with row_number() OVER () instead holds every wide row in one window, the parse's slowest part.
    await this.c.run('SET preserve_insertion_order = true');
    try {
      await this.c.run(
        `CREATE OR REPLACE TABLE ${quoteId(`${view}_rows`)} AS SELECT ${cols.join(', ')}
         FROM ${readCsv(path)}, strict_mode = false, null_padding = true)`,
      );
    } finally {
      await this.c.run('SET preserve_insertion_order = false');
    }
    await this.c.run(`CREATE OR REPLACE VIEW ${quoteId(view)} AS SELECT rowid + 1 AS row_no, * FROM ${quoteId(`${view}_rows`)}`);
    this.csvTables.set(view, `${view}_rows`);
  }

  async dropTable(table: string): Promise<void> {
    const rows = this.csvTables.get(table);
    if (rows === undefined) {
      await this.c.run(`DROP TABLE IF EXISTS ${quoteId(table)}`);
      return;
    }
    await this.c.run(`DROP VIEW IF EXISTS ${quoteId(table)}`);
    await this.c.run(`DROP TABLE IF EXISTS ${quoteId(rows)}`);
    this.csvTables.delete(table);
  }

  async createTable(table: string, select: string, params: SqlValue[] = []): Promise<void> {
    await this.c.run(`CREATE OR REPLACE TABLE ${quoteId(table)} AS ${select}`, params);
  }

  async tableOf(table: string, columns: Record<string, 'VARCHAR' | 'DOUBLE'>, rows: SqlValue[][]): Promise<void> {
    await this.c.run(
      `CREATE OR REPLACE TABLE ${quoteId(table)} (${Object.entries(columns)
        .map(([n, t]) => `${quoteId(n)} ${t}`)
        .join(', ')})`,
    );
    await this.append(table, rows);
  }

  append(table: string, rows: SqlValue[][]): Promise<void> {
    return appendRows(this.writer, table, rows);
  }

  async forEachBatch<T = Record<string, unknown>>(select: string, fn: (rows: T[]) => Promise<void>): Promise<void> {
    const result = await this.c.stream(select);
    for await (const rows of result.yieldRowObjectJs()) await fn(rows as T[]);
  }

  async query<T = Record<string, unknown>>(select: string, params: SqlValue[] = []): Promise<T[]> {
    return (await this.c.runAndReadAll(select, params)).getRowObjectsJS() as T[];
  }

  async writeFile(select: string, path: string): Promise<void> {
    mkdirSync(dirname(path), { recursive: true });
    const format = path.endsWith('.parquet') ? '(FORMAT parquet)' : '(FORMAT csv, HEADER true)';
    await this.c.run(`COPY (${select}) TO ${quoteText(path)} ${format}`);
  }

  async close(): Promise<void> {
    this.writer.closeSync();
    this.c.closeSync();
    this.instance.closeSync();
    removeDatabase(this.file);
  }
}

function removeDatabase(file: string): void {
  for (const path of [file, `${file}.wal`]) rmSync(path, { force: true });
}
