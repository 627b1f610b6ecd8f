/** What the shopper pipeline asks of its engine and its classifier: DuckDB and the cascade locally, Athena and the Lambda cascade on AWS later. */
import type { ShopperDialect } from './dialect.ts';
import type { ShopperInsightParams } from './registry.ts';

export type SqlValue = string | number | null;

export interface ShopperSqlEngine {
  /** How this engine spells the few things the engines differ on (the SQL files' placeholders). */
  readonly dialect: ShopperDialect;
  /** The header of a CSV file, as written. */
  csvHeader(path: string): Promise<string[]>;
  /**
   * Makes `view` over a CSV file: `row_no` (1 for the first data row) and one VARCHAR column per entry of `columns`,
   * read from the named header (NULL where undefined).
   */
  csvView(view: string, path: string, columns: Record<string, string | undefined>): Promise<void>;
  /** Creates (or replaces) `table` from a SELECT with `?` parameters. */
  createTable(table: string, select: string, params?: SqlValue[]): Promise<void>;
  /** Creates (or replaces) `table` with these VARCHAR/DOUBLE columns and rows. */
  tableOf(table: string, columns: Record<string, 'VARCHAR' | 'DOUBLE'>, rows: SqlValue[][]): Promise<void>;
  /**
   * Drops a table or csvView the pipeline reads no more: an engine holding tables in its memory frees them (on
   * DuckDB the raw log alone is most of a gigabyte at ten million events); one whose run is dropped whole may ignore it.
   */
  dropTable(table: string): Promise<void>;
  /** Appends rows (in the table's column order) to a table made by tableOf. */
  append(table: string, rows: SqlValue[][]): Promise<void>;
  query<T = Record<string, unknown>>(select: string, params?: SqlValue[]): Promise<T[]>;
  /** Streams a SELECT's rows a batch at a time, never holding them all. */
  forEachBatch<T = Record<string, unknown>>(select: string, fn: (rows: T[]) => Promise<void>): Promise<void>;
  /** Writes a SELECT to a file: Parquet for .parquet, CSV with a header for .csv. */
  writeFile(select: string, path: string): Promise<void>;
  close(): Promise<void>;
}

export interface ProductCategory {
  classId: string | null;
  /** The class label ("Food > Beverages"); 'unknown' when the cascade sent the product to review. */
  category: string;
  tier: string;
  confidence: number;
}

/** Classifies product names (one answer per name, in order); the cascade with its cache behind it. */
export type ProductClassifier = (names: string[]) => Promise<ProductCategory[]>;

/** The named shopper insights of one tenant's shopper tables (TenantScoped: `forTenant(t)` reads only t's). */
export interface ShopperInsightsService {
  readonly tenant: string;
  forTenant(tenant: string): ShopperInsightsService;
  list(): Promise<{ name: string; description: string }[]>;
  /** No rows where the tenant has no shopper tables yet; throws UnknownQueryError, or a ZodError for bad parameters. */
  run(name: string, params?: Partial<ShopperInsightParams>): Promise<Record<string, unknown>[]>;
}
