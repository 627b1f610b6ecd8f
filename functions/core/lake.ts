/**
 * The results lake, shared by both runtimes: one row per classified item, Parquet files at
 * `results/dt=YYYY-MM-DD/job=ID/part-N.parquet` (under $AISLE_HOME/lake locally, the lake bucket on AWS).
 *
 * Athena partitions the table by `dt` only (partition projection over dates): a projected `job` key would
 * have to be `injected`, and injected keys make every query name a job — cross-job queries (drift, model
 * comparison) could not run. So the job is also a column (`job_id`) inside the files, and queries filter on it.
 */
import { parquetWriteBuffer } from 'hyparquet-writer';
import type { ItemRecord } from '../ports.ts';
import type { Taxonomy } from './taxonomy.ts';

export type LakeColumnType = 'VARCHAR' | 'BIGINT' | 'DOUBLE';

/** Columns of the lake's Parquet files, in order. Glue (Athena) types follow from LAKE_GLUE_TYPES. */
export const LAKE_COLUMNS = [
  ['job_id', 'VARCHAR', 'the job the item came in'],
  ['row_no', 'BIGINT', 'the item\'s position in the job\'s output (1 = first classified row; rejected rows are not counted)'],
  ['item_key', 'VARCHAR', 'stable key of the normalized product text'],
  ['product_name', 'VARCHAR', 'the product name as given'],
  ['class_id', 'VARCHAR', 'the decided taxonomy class id (null when unknown)'],
  ['level1', 'VARCHAR', 'Level 1 name'],
  ['level2', 'VARCHAR', 'Level 2 name (empty when decided at Level 1)'],
  ['confidence', 'DOUBLE', 'confidence of the decision, 0..1'],
  ['tier', 'VARCHAR', 'the tier that decided: cache, rules, encoder, llm, review, human'],
  ['status', 'VARCHAR', 'ok or needs_review'],
  ['rule_id', 'VARCHAR', 'the rule that decided, when rules decided'],
  ['model_version', 'VARCHAR', 'the encoder model version consulted'],
  ['cost_units', 'DOUBLE', 'cost units spent on the item across tiers'],
  ['decided_at', 'VARCHAR', 'ISO-8601 UTC time of the decision (strings sort in time order on both engines)'],
  ['event_date', 'VARCHAR', 'YYYY-MM-DD from an input date column (order_date, purchase_date, date), else null'],
  ['basket_id', 'VARCHAR', 'from an input basket column (basket_id, order_id, session_id), else null'],
  ['age_band', 'VARCHAR', 'from an input age column (age_band, age_group, age), else null'],
  ['income_band', 'VARCHAR', 'from an input income column (income_band, income_group, income), else null'],
  ['gender', 'VARCHAR', 'from an input gender column (gender, sex), else null'],
  ['input', 'VARCHAR', "the input row's pass-through columns as a JSON object"],
] as const satisfies readonly (readonly [string, LakeColumnType, string])[];

export type LakeColumnName = (typeof LAKE_COLUMNS)[number][0];

export const LAKE_GLUE_TYPES: Record<LakeColumnType, string> = { VARCHAR: 'string', BIGINT: 'bigint', DOUBLE: 'double' };

export type LakeRow = {
  [K in (typeof LAKE_COLUMNS)[number] as K[0]]: K[1] extends 'VARCHAR' ? string | null : number | null;
};

/** Input columns promoted to typed lake columns, so queries stay portable (no JSON functions needed). */
const PROMOTED: Record<'event_date' | 'basket_id' | 'age_band' | 'income_band' | 'gender', string[]> = {
  event_date: ['event_date', 'order_date', 'purchase_date', 'date'],
  basket_id: ['basket_id', 'order_id', 'session_id', 'basket'],
  age_band: ['age_band', 'age_group', 'age'],
  income_band: ['income_band', 'income_group', 'income'],
  gender: ['gender', 'sex'],
};

/** Finds which input column feeds each promoted lake column, from a CSV header (case-insensitive). */
export function promotedColumns(header: readonly string[]): Partial<Record<keyof typeof PROMOTED, string>> {
  const byLower = new Map(header.map((h) => [h.trim().toLowerCase(), h]));
  const out: Partial<Record<keyof typeof PROMOTED, string>> = {};
  for (const [target, aliases] of Object.entries(PROMOTED) as [keyof typeof PROMOTED, string[]][]) {
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

/** Builds a lake row from a stored decision and the input row's columns. */
export function toLakeRow(
  record: ItemRecord,
  rowNo: number,
  passThrough: Record<string, string>,
  promoted: ReturnType<typeof promotedColumns>,
  taxonomy: Taxonomy,
): LakeRow {
  const d = record.decision;
  const [level1 = '', level2 = ''] = taxonomy.levelsOf(d.classId);
  const pick = (col: keyof typeof PROMOTED) => {
    const source = promoted[col];
    const v = source ? passThrough[source]?.trim() : undefined;
    return v ? v : null;
  };
  return {
    job_id: record.jobId ?? null,
    row_no: rowNo,
    item_key: d.key,
    product_name: record.input.name,
    class_id: d.classId,
    level1,
    level2,
    confidence: d.confidence,
    tier: d.tier,
    status: d.status,
    rule_id: d.ruleId ?? null,
    model_version: d.modelVersion ?? null,
    cost_units: d.trace?.costUnits ?? 0,
    decided_at: record.at,
    event_date: isoDay(pick('event_date')),
    basket_id: pick('basket_id'),
    age_band: pick('age_band'),
    income_band: pick('income_band'),
    gender: pick('gender'),
    input: JSON.stringify(passThrough),
  };
}

/** The lake key of one part file; `dt` is the UTC day the job ran. */
export function lakePartKey(dt: string, jobId: string, part: number): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(dt)) throw new Error(`dt must be YYYY-MM-DD, got "${dt}"`);
  if (!/^[A-Za-z0-9_.-]+$/.test(jobId)) throw new Error(`job id "${jobId}" has characters a lake path cannot hold`);
  return `results/dt=${dt}/job=${jobId}/part-${part}.parquet`;
}

const PARQUET_TYPES: Record<LakeColumnType, 'STRING' | 'INT64' | 'DOUBLE'> = { VARCHAR: 'STRING', BIGINT: 'INT64', DOUBLE: 'DOUBLE' };

/** Encodes lake rows as one Parquet file (pure: the caller puts the bytes in a BlobStore). */
export function encodeLakeParquet(rows: readonly LakeRow[]): Uint8Array {
  const columnData = LAKE_COLUMNS.map(([name, type]) => ({
    name,
    type: PARQUET_TYPES[type],
    data:
      type === 'BIGINT'
        ? rows.map((r) => (r[name] === null ? null : BigInt(r[name] as number)))
        : rows.map((r) => r[name]),
  }));
  return new Uint8Array(parquetWriteBuffer({ columnData, statistics: false, rowGroupSize: 100_000 }));
}
