/**
 * Where shopper logs and their tables live on AWS (docs/aws.md#shopper-logs-on-aws), shared by the shoppers
 * handler and lib/shoppers.ts (its notification prefix, grants and Glue tables). No imports: CDK reads it too.
 * - inbox `shoppers/tenant=T/logs/*.csv`: a log dropped there starts a run for tenant T;
 *   `shoppers/tenant=T/demographics/*.csv`: the tenant's demographics, the last by name read by each run.
 * - lake `shoppers/tables/TABLE/tenant=T/dt=D/run=R/`: a run's Parquet output (the Glue tables `shopper_TABLE`,
 *   partitioned by tenant and dt with projection; a run's folder is read as part of its day);
 *   `shoppers/rejects/tenant=T/dt=D/run=R/`: the rejected rows with their reasons (CSV text, no header);
 *   `shoppers/runs/tenant=T/run=R.json`: the run's summary (counts that reconcile), written last;
 *   `shoppers/work/R/`: the run's staged rows and intermediate tables (Athena CTAS), expired by a lifecycle rule;
 *   `shoppers/bought-together/tenant=T/`: the tenant's pairs bought together, over all its runs, that the API
 *   recommends from (functions/adapters/aws/s3-co-purchases.ts).
 */

export const SHOPPER_INBOX_PREFIX = 'shoppers/';

export const SHOPPER_LAKE_PREFIXES = {
  tables: 'shoppers/tables/',
  rejects: 'shoppers/rejects/',
  runs: 'shoppers/runs/',
  work: 'shoppers/work/',
  boughtTogether: 'shoppers/bought-together/',
} as const;

/** The Glue database each run makes for its intermediate tables (dropped at its end): this prefix and the run id. */
export const SHOPPER_RUN_DATABASE_PREFIX = 'shoppers_run_';

/** The tables a run writes (SHOPPER_TABLES of functions/shoppers/registry.ts) with their Glue column types. */
export const SHOPPER_TABLE_COLUMNS = {
  events: [
    ['event_id', 'bigint'],
    ['user_id', 'string'],
    ['session_id', 'string'],
    ['ts_ms', 'bigint'],
    ['event', 'string'],
    ['search_term', 'string'],
    ['product_key', 'string'],
    ['product_id', 'string'],
    ['product_name', 'string'],
    ['price', 'double'],
    ['quantity', 'double'],
    ['category', 'string'],
    ['class_id', 'string'],
    ['age_band', 'string'],
    ['gender', 'string'],
    ['income_band', 'string'],
    ['region', 'string'],
  ],
  sessions: [
    ['session_id', 'string'],
    ['user_id', 'string'],
    ['start_ms', 'bigint'],
    ['end_ms', 'bigint'],
    ['duration_s', 'double'],
    ['events', 'bigint'],
    ['searches', 'double'],
    ['views', 'double'],
    ['carts', 'double'],
    ['purchases', 'double'],
    ['age_band', 'string'],
    ['gender', 'string'],
    ['income_band', 'string'],
    ['region', 'string'],
  ],
  searches: [
    ['search_id', 'bigint'],
    ['session_id', 'string'],
    ['user_id', 'string'],
    ['ts_ms', 'bigint'],
    ['search_term', 'string'],
    ['age_band', 'string'],
    ['gender', 'string'],
    ['income_band', 'string'],
    ['region', 'string'],
    ['linked_products', 'bigint'],
    ['top_product_key', 'string'],
    ['top_category', 'string'],
    ['led_to_purchase', 'boolean'],
  ],
  search_links: [
    ['search_id', 'bigint'],
    ['session_id', 'string'],
    ['user_id', 'string'],
    ['ts_ms', 'bigint'],
    ['search_term', 'string'],
    ['link_rank', 'bigint'],
    ['product_key', 'string'],
    ['product_name', 'string'],
    ['category', 'string'],
    ['similarity', 'double'],
    ['after_ms', 'bigint'],
    ['score', 'double'],
    ['purchased', 'int'],
  ],
  product_categories: [
    ['product_key', 'string'],
    ['product_name', 'string'],
    ['class_id', 'string'],
    ['category', 'string'],
    ['tier', 'string'],
    ['confidence', 'double'],
  ],
  session_categories: [
    ['session_id', 'string'],
    ['category', 'string'],
    ['gender', 'string'],
    ['views', 'bigint'],
    ['browsing_s', 'double'],
  ],
  calendar_activity: [
    ['event_month', 'string'],
    ['event_week', 'string'],
    ['event_hour', 'int'],
    ['events', 'bigint'],
    ['purchases', 'bigint'],
    ['month_sessions', 'bigint'],
    ['week_sessions', 'bigint'],
  ],
} as const satisfies Record<string, readonly (readonly [string, 'bigint' | 'int' | 'double' | 'string' | 'boolean'])[]>;

export type ShopperTable = keyof typeof SHOPPER_TABLE_COLUMNS;

/** What a shopper upload is, from its inbox key (the tenant as written: the run checks it); undefined outside the layout. */
export function shopperUploadOf(key: string): { tenant: string; kind: 'logs' | 'demographics'; file: string } | undefined {
  const m = /^shoppers\/tenant=([^/]+)\/(logs|demographics)\/([^/]+\.csv)$/.exec(key);
  return m ? { tenant: m[1], kind: m[2] as 'logs' | 'demographics', file: m[3] } : undefined;
}

/** A run's folders in the lake (see the module comment). */
export function shopperRunFolders(tenant: string, dt: string, runId: string) {
  const partition = `tenant=${tenant}/dt=${dt}/run=${runId}/`;
  return {
    table: (table: string) => `${SHOPPER_LAKE_PREFIXES.tables}${table}/${partition}`,
    rejects: `${SHOPPER_LAKE_PREFIXES.rejects}${partition}`,
    summary: `${SHOPPER_LAKE_PREFIXES.runs}tenant=${tenant}/run=${runId}.json`,
    work: `${SHOPPER_LAKE_PREFIXES.work}${runId}/`,
  };
}
