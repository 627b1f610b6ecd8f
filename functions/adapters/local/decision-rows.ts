/**
 * Decisions as rows of the local store's `decisions` table, in the CSV text its bulk COPY reads. Pure (no
 * DuckDB import), so classify workers encode the rows they decide and the main thread only appends them.
 */
import { escapeCsv } from '../../core/csv.ts';
import type { Decision, TierName } from '../../core/types.ts';
import type { ItemRecord } from '../../ports.ts';

/** How the staging text writes NULL (DuckDB's NULLSTR). */
export const NULL = '\\N';

/** Column order of the encoded rows: row_no first, so a slice's rows are renumbered without parsing them. */
export const DECISION_COLUMNS = [
  'row_no', 'key', 'job_id', 'decided_at', 'name', 'brand', 'search_term', 'description', 'text', 'class_id', 'confidence',
  'tier', 'status', 'rule_id', 'model_version', 'reason', 'taxonomy_version', 'trace',
];

/** Tiers whose traces are worth keeping per item; cheap decisions (cache, rules) keep their reason only. */
const TRACED = new Set<TierName>(['encoder', 'llm', 'human']);
const keepsTrace = (d: Decision) => TRACED.has(d.tier) || (d.tier === 'review' && d.trace!.topK.length > 0);
const cell = (v: string | null | undefined) => (v === null || v === undefined ? NULL : escapeCsv(v));

/** Encoded rows, and where each starts in the text (a quoted field may hold a newline, so lines are not rows). */
export interface EncodedDecisions {
  text: string;
  starts: number[];
}

export function emptyEncoded(): EncodedDecisions {
  return { text: '', starts: [] };
}

/** Appends decisions as CSV rows in DECISION_COLUMNS order (NULL as \N), built without per-row arrays. */
export function encodeDecisions(records: ItemRecord[], into: EncodedDecisions = emptyEncoded()): EncodedDecisions {
  let text = into.text;
  for (let i = 0; i < records.length; i++) {
    const { decision: d, input, text: itemText, jobId, at, row } = records[i];
    into.starts.push(text.length);
    text +=
      (row ?? NULL) + ',' + d.key + ',' + cell(jobId) + ',' + at + ',' + escapeCsv(input.name) + ',' + cell(input.brand) + ',' +
      cell(input.searchTerm) + ',' + cell(input.description) + ',' + escapeCsv(itemText) + ',' + cell(d.classId) + ',' +
      d.confidence + ',' + d.tier + ',' + d.status + ',' + cell(d.ruleId) + ',' + cell(d.modelVersion) + ',' + cell(d.reason) + ',' +
      escapeCsv(d.taxonomyVersion) + ',' + (d.trace && keepsTrace(d) ? escapeCsv(JSON.stringify(d.trace)) : NULL) + '\n';
  }
  into.text = text;
  return into;
}

/**
 * The rows' text with `offset` added to each row number: a worker numbers its slice's rows from 1; the main
 * thread, which knows where the slice starts, renumbers them without decoding anything else.
 */
export function offsetRows(rows: EncodedDecisions, offset: number): string {
  const { text, starts } = rows;
  if (offset === 0) return text;
  let out = '';
  for (let i = 0; i < starts.length; i++) {
    const start = starts[i];
    const comma = text.indexOf(',', start);
    const row = text.slice(start, comma);
    out += (row === NULL ? row : String(Number(row) + offset)) + text.slice(comma, i + 1 < starts.length ? starts[i + 1] : text.length);
  }
  return out;
}
