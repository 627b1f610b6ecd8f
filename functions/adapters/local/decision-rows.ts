/**
 * Decisions as rows of the local store's `decisions` table, in the CSV text its bulk COPY reads. Pure (no
 * DuckDB import), so classify workers encode the rows they decide and the main thread only appends them.
 */
import { escapeCsv } from '../../core/csv.ts';
import type { Decision, TierName } from '../../core/types.ts';
import type { ItemRecord } from '../../ports.ts';
import { ByteBuffer } from './byte-buffer.ts';

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

/** Encoded rows as UTF-8, and the byte where each starts (a quoted field may hold a newline, so lines are not rows). */
export interface EncodedDecisions {
  bytes: Uint8Array;
  starts: number[];
}

/**
 * Encodes decisions as CSV rows in DECISION_COLUMNS order (NULL as \N), straight into bytes: a row's text dies
 * young. Kept as strings until a slice was sent, the rows (~1.4 KB each with the trace) were promoted to the old
 * generation and swelled each worker's heap, then copied again to the main thread (docs/benchmarks.md).
 */
export class DecisionEncoder {
  private readonly out: ByteBuffer;
  private readonly starts: number[] = [];
  private readonly line: string[] = new Array(DECISION_COLUMNS.length);

  constructor(capacity = 1 << 16) {
    this.out = new ByteBuffer(capacity);
  }

  add(records: ItemRecord[]): void {
    const { line } = this;
    for (let i = 0; i < records.length; i++) {
      const cells = decisionCells(records[i]);
      this.starts.push(this.out.length);
      line[0] = cellText(cells[ROW_NO]);
      for (let c = 0, j = 1; c < cells.length; c++) if (c !== ROW_NO) line[j++] = cellText(cells[c]);
      this.out.write(`${line.join(',')}\n`);
    }
  }

  /** The rows added so far. */
  take(): EncodedDecisions {
    return { bytes: this.out.bytes(), starts: this.starts };
  }
}

export function encodeDecisions(records: ItemRecord[]): EncodedDecisions {
  const encoder = new DecisionEncoder();
  encoder.add(records);
  return encoder.take();
}

/** Room for a row number to grow by the offset added to it. */
const MAX_NUMBER_GROWTH = 16;

/**
 * The rows with `offset` added to each row number: a worker numbers its slice's rows from 1; the main thread,
 * which knows where the slice starts, renumbers them without decoding anything else.
 */
export function offsetRows(rows: EncodedDecisions, offset: number): Uint8Array {
  const { starts } = rows;
  if (offset === 0) return rows.bytes;
  const src = Buffer.from(rows.bytes.buffer, rows.bytes.byteOffset, rows.bytes.byteLength);
  const out = Buffer.allocUnsafe(src.length + starts.length * MAX_NUMBER_GROWTH);
  let at = 0;
  for (let i = 0; i < starts.length; i++) {
    const comma = src.indexOf(44, starts[i]);
    const row = src.toString('latin1', starts[i], comma);
    at += out.write(row === NULL ? row : String(Number(row) + offset), at, 'latin1');
    at += src.copy(out, at, comma, i + 1 < starts.length ? starts[i + 1] : src.length);
  }
  return out.subarray(0, at);
}
