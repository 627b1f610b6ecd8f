/**
 * The shopper insights (issue 17 item 4): named queries (functions/core/shoppers/insights/*.sql) over the tables
 * `aisle shoppers` writes, run here by DuckDB over the Parquet files of its output folder. The SQL is the engines'
 * common dialect (functions/core/shoppers/insights/README.md); the calendar parts of an event's time are the one
 * thing spelled per engine, and live in EVENT_CALENDAR.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { UserError } from '../core/errors.ts';
import { loadNamedQueries, type NamedQuery, UnknownQueryError } from '../core/insights.ts';

export const SHOPPER_INSIGHTS_DIR = fileURLToPath(new URL('../core/shoppers/insights/', import.meta.url));
export const SHOPPER_TABLES = ['events', 'sessions', 'searches', 'search_links', 'product_categories'] as const;

export interface ShopperInsightParams {
  /** Share of purchase sessions (0..1) a category set must reach to be frequent (frequent_category_sets). */
  minSupport: number;
  /** Rows kept by the ranked queries (per category where they rank within one). */
  topN: number;
}

export const DEFAULT_SHOPPER_INSIGHT_PARAMS: ShopperInsightParams = { minSupport: 0.01, topN: 10 };

/**
 * The calendar columns the queries read on `events`, from `ts_ms` (epoch milliseconds, UTC), in DuckDB's spelling:
 * event_month "2025-09", event_week (ISO) "2025-W37", event_hour 0..23. Athena's view spells them
 * date_format(from_unixtime(ts_ms / 1000e0), '%Y-%m'), date_format(…, '%x-W%v') and hour(from_unixtime(…)).
 */
const EVENT_CALENDAR =
  "strftime(epoch_ms(ts_ms), '%Y-%m') AS event_month, strftime(epoch_ms(ts_ms), '%G-W%V') AS event_week, " +
  'CAST(hour(epoch_ms(ts_ms)) AS INTEGER) AS event_hour';

/** DuckDB values as JSON-friendly ones: BIGINT as a number when it is safe, else as text. */
const plain = (value: unknown): unknown =>
  typeof value === 'bigint' ? (Number.isSafeInteger(Number(value)) ? Number(value) : value.toString()) : value;

export class ShopperInsights {
  private readonly queries: NamedQuery[] = loadNamedQueries(SHOPPER_INSIGHTS_DIR);

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly c: DuckDBConnection,
  ) {}

  /** Opens the output folder of `aisle shoppers`: a view per table over its Parquet file. */
  static async open(dir: string): Promise<ShopperInsights> {
    const missing = SHOPPER_TABLES.filter((t) => !existsSync(join(dir, `${t}.parquet`)));
    if (missing.length)
      throw new UserError(`${dir}: no ${missing.map((t) => `${t}.parquet`).join(', ')}; run \`aisle shoppers LOGS.csv --out ${dir}\` first`);
    const instance = await DuckDBInstance.create(':memory:');
    const c = await instance.connect();
    for (const table of SHOPPER_TABLES) {
      const file = `read_parquet('${join(dir, `${table}.parquet`).replaceAll("'", "''")}')`;
      const columns = table === 'events' ? `*, ${EVENT_CALENDAR}` : '*';
      await c.run(`CREATE VIEW ${table} AS SELECT ${columns} FROM ${file}`);
    }
    return new ShopperInsights(instance, c);
  }

  list(): { name: string; description: string }[] {
    return this.queries.map(({ name, description }) => ({ name, description }));
  }

  /** Runs a named query with its two parameters, bound in this order: min_support, top_n. */
  async run(name: string, params: Partial<ShopperInsightParams> = {}): Promise<Record<string, unknown>[]> {
    const query = this.queries.find((q) => q.name === name);
    if (!query)
      throw new UnknownQueryError(
        name,
        this.queries.map((q) => q.name),
      );
    const { minSupport, topN } = { ...DEFAULT_SHOPPER_INSIGHT_PARAMS, ...params };
    const reader = await this.c.runAndReadAll(query.sql, [minSupport, topN]);
    const columns = reader.columnNames();
    return reader.getRowsJS().map((row) => Object.fromEntries(row.map((v, i) => [columns[i], plain(v)])));
  }

  close(): void {
    this.c.closeSync();
    this.instance.closeSync();
  }
}
