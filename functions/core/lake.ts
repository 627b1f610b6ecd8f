/**
 * The results lake, shared by both runtimes: one row per classified item, Parquet files at
 * `results/tenant=T/dt=YYYY-MM-DD/job=ID/part-N.parquet` (under $AISLE_HOME/lake locally, the lake bucket on AWS).
 *
 * Athena partitions the table by `tenant` (projection `injected`: every query names its tenant, as every named
 * query does, so it reads that tenant's prefix only) and `dt` (projection over dates). A projected `job` key
 * would have to be `injected` too, and would make every query name a job — cross-job queries (drift, model
 * comparison) could not run. So the job is a column (`job_id`) inside the files, and queries filter on it.
 */
import { parquetWriteBuffer } from 'hyparquet-writer';
import type { ItemRecord } from '../ports.ts';
import { TENANT_RE } from './api-keys.ts';
import type { Taxonomy } from './taxonomy.ts';

export type LakeColumnType = 'VARCHAR' | 'BIGINT' | 'DOUBLE';

/** Input columns promoted to typed lake columns, so queries stay portable (no JSON functions needed). */
const PROMOTED = {
  event_date: ['event_date', 'order_date', 'purchase_date', 'date'],
  basket_id: ['basket_id', 'order_id', 'session_id', 'basket'],
  age_band: ['age_band', 'age_group', 'age'],
  income_band: ['income_band', 'income_group', 'income'],
  gender: ['gender', 'sex'],
};
type Promoted = keyof typeof PROMOTED;

/**
 * Where a lake column's value comes from: the one mapping of lake rows. toLakeRow reads it for rows in hand
 * (AWS finalize); the local export (adapters/local/lake-export.ts) turns it into DuckDB SQL over the output CSV.
 * A promoted input column is trimmed, empty as null; with `day`, only its leading YYYY-MM-DD, else null.
 */
export type LakeSource =
  | 'tenant'
  | 'job_id'
  | 'row_no'
  | 'product_name'
  | 'cost_units'
  | 'decided_at'
  | 'input'
  | { decision: 'key' | 'classId' | 'confidence' | 'tier' | 'status' | 'ruleId' | 'modelVersion' }
  | { level: number }
  | { promoted: Promoted; day?: true };

/** Columns of the lake's Parquet files, in order, with their source. Glue (Athena) types follow from LAKE_GLUE_TYPES. */
export const LAKE_COLUMNS = [
  ['job_id', 'VARCHAR', 'the job the item came in', 'job_id'],
  ['tenant', 'VARCHAR', 'the tenant whose job it was: every insight query reads one tenant only', 'tenant'],
  ['row_no', 'BIGINT', "the item's position in the job's output (1 = first classified row; rejected rows are not counted)", 'row_no'],
  ['item_key', 'VARCHAR', 'stable key of the normalized product text', { decision: 'key' }],
  ['product_name', 'VARCHAR', 'the product name as given', 'product_name'],
  ['class_id', 'VARCHAR', 'the decided taxonomy class id (null when unknown)', { decision: 'classId' }],
  ['level1', 'VARCHAR', 'Level 1 name', { level: 0 }],
  ['level2', 'VARCHAR', 'Level 2 name (empty when decided at Level 1)', { level: 1 }],
  ['confidence', 'DOUBLE', 'confidence of the decision, 0..1', { decision: 'confidence' }],
  ['tier', 'VARCHAR', 'the tier that decided: cache, rules, encoder, llm, review, human', { decision: 'tier' }],
  ['status', 'VARCHAR', 'ok or needs_review', { decision: 'status' }],
  ['rule_id', 'VARCHAR', 'the rule that decided, when rules decided', { decision: 'ruleId' }],
  ['model_version', 'VARCHAR', 'the encoder model version consulted', { decision: 'modelVersion' }],
  ['cost_units', 'DOUBLE', 'cost units spent on the item across tiers', 'cost_units'],
  ['decided_at', 'VARCHAR', 'ISO-8601 UTC time of the decision (strings sort in time order on both engines)', 'decided_at'],
  [
    'event_date',
    'VARCHAR',
    'YYYY-MM-DD from an input date column (order_date, purchase_date, date), else null',
    { promoted: 'event_date', day: true },
  ],
  ['basket_id', 'VARCHAR', 'from an input basket column (basket_id, order_id, session_id), else null', { promoted: 'basket_id' }],
  ['age_band', 'VARCHAR', 'from an input age column (age_band, age_group, age), else null', { promoted: 'age_band' }],
  ['income_band', 'VARCHAR', 'from an input income column (income_band, income_group, income), else null', { promoted: 'income_band' }],
  ['gender', 'VARCHAR', 'from an input gender column (gender, sex), else null', { promoted: 'gender' }],
  ['input', 'VARCHAR', "the input row's pass-through columns as a JSON object", 'input'],
] as const satisfies readonly (readonly [string, LakeColumnType, string, LakeSource])[];

export type LakeColumnName = (typeof LAKE_COLUMNS)[number][0];

export const LAKE_GLUE_TYPES: Record<LakeColumnType, string> = { VARCHAR: 'string', BIGINT: 'bigint', DOUBLE: 'double' };

export type LakeRow = {
  [K in (typeof LAKE_COLUMNS)[number] as K[0]]: K[1] extends 'VARCHAR' ? string | null : number | null;
};

/** Finds which input column feeds each promoted lake column, from a CSV header (case-insensitive). */
export function promotedColumns(header: readonly string[]): Partial<Record<Promoted, string>> {
  const byLower = new Map(header.map((h) => [h.trim().toLowerCase(), h]));
  const out: Partial<Record<Promoted, string>> = {};
  for (const [target, aliases] of Object.entries(PROMOTED) as [Promoted, string[]][]) {
    const hit = aliases.find((a) => byLower.has(a));
    if (hit) out[target] = byLower.get(hit)!;
  }
  return out;
}

const ISO_DATE_RE = /^(\d{4})-(\d{2})-(\d{2})/;

/** YYYY-MM-DD from an ISO-like date string, or null. */
export function isoDay(value: string | undefined | null): string | null {
  const m = value ? ISO_DATE_RE.exec(value.trim()) : null;
  return m ? `${m[1]}-${m[2]}-${m[3]}` : null;
}

/** What one lake row is made from. */
interface LakeRowInput {
  tenant: string;
  record: ItemRecord;
  rowNo: number;
  passThrough: Record<string, string>;
  promoted: ReturnType<typeof promotedColumns>;
  levels: string[];
}

/** The sources read straight off the record or the row. */
const DIRECT: Record<Extract<LakeSource, string>, (from: LakeRowInput) => string | number | null> = {
  tenant: ({ tenant }) => tenant,
  job_id: ({ record }) => record.jobId ?? null,
  row_no: ({ rowNo }) => rowNo,
  product_name: ({ record }) => record.input.name,
  cost_units: ({ record }) => record.decision.trace?.costUnits ?? 0,
  decided_at: ({ record }) => record.at,
  input: ({ passThrough }) => JSON.stringify(passThrough),
};

function lakeValue(source: LakeSource, from: LakeRowInput): string | number | null {
  if (typeof source === 'string') return DIRECT[source](from);
  if ('decision' in source) return from.record.decision[source.decision] ?? null;
  if ('level' in source) return from.levels[source.level] ?? '';
  const column = from.promoted[source.promoted];
  const value = (column ? from.passThrough[column]?.trim() : undefined) || null;
  return source.day ? isoDay(value) : value;
}

/** Builds a lake row from a tenant's stored decision and the input row's columns. */
export function toLakeRow(
  tenant: string,
  record: ItemRecord,
  rowNo: number,
  passThrough: Record<string, string>,
  promoted: ReturnType<typeof promotedColumns>,
  taxonomy: Taxonomy,
): LakeRow {
  const from: LakeRowInput = { tenant, record, rowNo, passThrough, promoted, levels: taxonomy.levelsOf(record.decision.classId) };
  const row: Record<string, string | number | null> = {};
  for (const [name, , , source] of LAKE_COLUMNS) row[name] = lakeValue(source, from);
  return row as LakeRow;
}

/** The lake prefix of a tenant's results: its Athena partition (lib/insights.ts) and its S3 prefix. */
export function lakeTenantPrefix(tenant: string): string {
  if (!TENANT_RE.test(tenant)) throw new Error(`tenant "${tenant}" is not a tenant name`);
  return `results/tenant=${tenant}/`;
}

/** The lake key of one part file; `dt` is the UTC day the job ran. */
export function lakePartKey(tenant: string, dt: string, jobId: string, part: number): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(dt)) throw new Error(`dt must be YYYY-MM-DD, got "${dt}"`);
  if (!/^[A-Za-z0-9_.-]+$/.test(jobId)) throw new Error(`job id "${jobId}" has characters a lake path cannot hold`);
  return `${lakeTenantPrefix(tenant)}dt=${dt}/job=${jobId}/part-${part}.parquet`;
}

const PARQUET_TYPES: Record<LakeColumnType, 'STRING' | 'INT64' | 'DOUBLE'> = { VARCHAR: 'STRING', BIGINT: 'INT64', DOUBLE: 'DOUBLE' };

/** Encodes lake rows as one Parquet file (pure: the caller puts the bytes in a BlobStore). */
export function encodeLakeParquet(rows: readonly LakeRow[]): Uint8Array {
  const columnData = LAKE_COLUMNS.map(([name, type]) => ({
    name,
    type: PARQUET_TYPES[type],
    data: type === 'BIGINT' ? rows.map((r) => (r[name] === null ? null : BigInt(r[name] as number))) : rows.map((r) => r[name]),
  }));
  return new Uint8Array(parquetWriteBuffer({ columnData, statistics: false, rowGroupSize: 100_000 }));
}
