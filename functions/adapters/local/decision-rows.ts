/**
 * Decisions as rows of the local store's `decisions` table, in the CSV text its bulk COPY reads. Pure (no
 * DuckDB import), so classify workers encode the rows they decide and the main thread only appends them.
 */
import { escapeCsv } from '../../core/csv.ts';
import type { Candidate, Decision, TierName, Trace, TraceStep } from '../../core/types.ts';
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
    d.trace && keepsTrace(d) ? storedTrace(d.trace, d) : null,
  ];
}

/** A step's outcome as the stored trace writes it: its index here. */
const OUTCOMES: TraceStep['outcome'][] = ['decided', 'deferred', 'skipped', 'error'];

/** The fields of its row a stored step points to (a 0) rather than repeats. */
type RowFields = Pick<Decision, 'reason' | 'modelVersion' | 'ruleId'>;

/** A time kept to 3 significant digits: a step's ms is a batch's time shared among its items, not a measure of one. */
function roughMs(ms: number): number {
  // toPrecision is slow, and the items of a batch share their steps' times: the last answer mostly serves.
  if (ms !== lastMs) {
    lastMs = ms;
    lastRough = Number(ms.toPrecision(3));
  }
  return lastRough;
}
let lastMs = 0;
let lastRough = 0;

/**
 * A trace as the store keeps it (its `trace` column): ~75 % of a stored decision's bytes as plain JSON, most of
 * it names and repeats, and what the store's inserts and checkpoints cost grows with them (docs/benchmarks.md).
 * `{"costUnits":C,"s":[step…],"k":topK}`, each step an array `[tier, outcome index, reason, ms, costUnits,
 * modelVersion, ruleId, candidates as [classId, score, …]]` with trailing absent fields cut and inner ones null;
 * a reason, model version or rule id equal to its row's is 0; `k` only where topK is not the last step's
 * candidates, `t` only where totalMs is not the sum of the steps' ms. Times keep 3 significant digits (roughMs);
 * everything else reads back as it was (traceOfStored). costUnits stays a named key: the lake reads it in SQL.
 */
export function storedTrace(trace: Trace, row: RowFields): string {
  let last: Candidate[] = [];
  let sum = 0;
  let text = `{"costUnits":${JSON.stringify(trace.costUnits)},"s":[`;
  for (let i = 0; i < trace.steps.length; i++) {
    const s = trace.steps[i];
    if (s.candidates) last = s.candidates;
    sum += s.ms ?? 0;
    text += (i ? ',' : '') + storedStep(s, row);
  }
  text += ']';
  if (!sameCandidates(trace.topK, last)) text += `,"k":${JSON.stringify(flatCandidates(trace.topK))}`;
  if (trace.totalMs !== sum) text += `,"t":${roughMs(trace.totalMs)}`;
  return `${text}}`;
}

/**
 * Steps stored before, by step: most steps are shared by many items' traces (cascade.ts TraceSteps), and they
 * store the same way for rows that agree on the fields a step points to.
 */
const storedSteps = new WeakMap<TraceStep, RowFields & { text: string }>();

function storedStep(s: TraceStep, row: RowFields): string {
  const before = storedSteps.get(s);
  if (before && before.reason === row.reason && before.modelVersion === row.modelVersion && before.ruleId === row.ruleId) return before.text;
  const cells: unknown[] = [
    s.tier,
    OUTCOMES.indexOf(s.outcome),
    pointer(s.reason, row.reason),
    s.ms === undefined ? null : roughMs(s.ms),
    s.costUnits ?? null,
    pointer(s.modelVersion, row.modelVersion),
    pointer(s.ruleId, row.ruleId),
    s.candidates ? flatCandidates(s.candidates) : null,
  ];
  let n = cells.length;
  while (n > 2 && cells[n - 1] === null) n--;
  cells.length = n;
  const text = JSON.stringify(cells);
  // A step with candidates is an item's own: kept, it would only hold memory.
  if (!s.candidates) storedSteps.set(s, { reason: row.reason, modelVersion: row.modelVersion, ruleId: row.ruleId, text });
  return text;
}

/** A stored trace (storedTrace, or the plain JSON rows written before it) as the trace it was, its times rounded. */
export function traceOfStored(text: string, row: RowFields): Trace {
  const stored = JSON.parse(text);
  if (stored.steps) return stored as Trace;
  let topK: Candidate[] = [];
  let totalMs = 0;
  const steps = (stored.s as unknown[][]).map(([tier, outcome, reason, ms, costUnits, modelVersion, ruleId, candidates]) => {
    const step: TraceStep = { tier: tier as string, outcome: OUTCOMES[outcome as number] };
    if (reason != null) step.reason = pointed(reason as string | 0, row.reason);
    if (ms != null) totalMs += step.ms = ms as number;
    if (costUnits != null) step.costUnits = costUnits as number;
    if (modelVersion != null) step.modelVersion = pointed(modelVersion as string | 0, row.modelVersion);
    if (ruleId != null) step.ruleId = pointed(ruleId as string | 0, row.ruleId);
    if (candidates != null) topK = step.candidates = candidatesOf(candidates as (string | number)[]);
    return step;
  });
  if (stored.k) topK = candidatesOf(stored.k);
  return { steps, topK, totalMs: stored.t ?? totalMs, costUnits: stored.costUnits };
}

// Never to an empty field: the store may read it back as NULL.
const pointer = (value: string | undefined, ofRow: string | undefined) => (value === undefined ? null : value === ofRow && value !== '' ? 0 : value);
const pointed = (value: string | 0, ofRow: string | undefined) => (value === 0 ? ofRow! : value);

function flatCandidates(cs: Candidate[]): (string | number)[] {
  const flat: (string | number)[] = new Array(cs.length * 2);
  for (let i = 0; i < cs.length; i++) {
    flat[2 * i] = cs[i].classId;
    flat[2 * i + 1] = cs[i].score;
  }
  return flat;
}

function candidatesOf(flat: (string | number)[]): Candidate[] {
  const cs: Candidate[] = new Array(flat.length / 2);
  for (let i = 0; i < cs.length; i++) cs[i] = { classId: flat[2 * i] as string, score: flat[2 * i + 1] as number };
  return cs;
}

function sameCandidates(a: Candidate[], b: Candidate[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i].classId !== b[i].classId || a[i].score !== b[i].score) return false;
  return true;
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
