/**
 * Decisions as rows of the local store's `decisions` table, in the CSV text its bulk COPY reads. Pure (no
 * DuckDB import), so classify workers encode the rows they decide and the main thread only appends them.
 */
import { escapeCsv } from '../../core/csv.ts';
import type { Decision, TierName } from '../../core/types.ts';
import type { ItemRecord } from '../../ports.ts';

/** How the staging text writes NULL (DuckDB's NULLSTR). */
export const NULL = '\\N';

/** A cell of a row for the store: null or undefined is NULL. */
export type Cell = string | number | null | undefined;

/** The `decisions` table's columns, in its order. */
const DECISION_TABLE_COLUMNS = [
  'key',
  'job_id',
  'row_no',
  'decided_at',
  'name',
  'brand',
  'search_term',
  'description',
  'text',
  'class_id',
  'confidence',
  'tier',
  'status',
  'rule_id',
  'model_version',
  'reason',
  'taxonomy_version',
  'trace',
];
const ROW_NO = DECISION_TABLE_COLUMNS.indexOf('row_no');
/** Column order of the encoded (staged) rows: row_no first, so a slice's rows are renumbered without parsing them. */
export const DECISION_COLUMNS = ['row_no', ...DECISION_TABLE_COLUMNS.filter((c) => c !== 'row_no')];

/** Tiers whose traces are worth keeping per item; cheap decisions (cache, rules) keep their reason only. */
const TRACED = new Set<TierName>(['encoder', 'llm', 'human']);
const keepsTrace = (d: Decision) => TRACED.has(d.tier) || (d.tier === 'review' && d.trace!.topK.length > 0);

/** A record as a row of the `decisions` table, in DECISION_TABLE_COLUMNS order. */
function decisionCells(record: ItemRecord): Cell[] {
  const { decision: d, input, text, jobId, at, row } = record;
  return [
    d.key,
    jobId,
    row,
    at,
    input.name,
    input.brand,
    input.searchTerm,
    input.description,
    text,
    d.classId,
    d.confidence,
    d.tier,
    d.status,
    d.ruleId,
    d.modelVersion,
    d.reason,
    d.taxonomyVersion,
    d.trace && keepsTrace(d) ? JSON.stringify(d.trace) : null,
  ];
}

/** A cell as staged CSV text. */
const cellText = (v: Cell) => (v === null || v === undefined ? NULL : typeof v === 'number' ? String(v) : escapeCsv(v));

/** Encoded rows, and where each starts in the text (a quoted field may hold a newline, so lines are not rows). */
export interface EncodedDecisions {
  text: string;
  starts: number[];
}

/** Appends decisions as CSV rows in DECISION_COLUMNS order (NULL as \N). */
export function encodeDecisions(records: ItemRecord[], into: EncodedDecisions = { text: '', starts: [] }): EncodedDecisions {
  let text = into.text;
  const line: string[] = new Array(DECISION_COLUMNS.length);
  for (let i = 0; i < records.length; i++) {
    const cells = decisionCells(records[i]);
    into.starts.push(text.length);
    line[0] = cellText(cells[ROW_NO]);
    for (let c = 0, j = 1; c < cells.length; c++) if (c !== ROW_NO) line[j++] = cellText(cells[c]);
    // One flat string per row: appended cell by cell, a slice's text was a tree of ~36 string pieces per row,
    // all alive (and traced by the garbage collector) until the slice was sent.
    text += `${line.join(',')}\n`;
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
