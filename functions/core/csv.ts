/**
 * The CSV contract, shared by `aisle classify` and the AWS ingest/finalize handlers: streaming batches of rows
 * in (delimiter sniffed, BOM and CRLF accepted), validation with rejects, and the output/rejects formats.
 * Rows are plain string arrays in batches of thousands so the hot path allocates nothing per row beyond what
 * the parser gives.
 */
import { type CsvError, Parser } from 'csv-parse';
import type { ColumnChoice, CsvColumns } from './input/columns.ts';
import { resolveColumns } from './input/columns.ts';
import { type CsvBatch, CsvFormatError, type CsvReject, DELIMITERS, type Delimiter } from './input/table.ts';
import { printable, UNDECODABLE_BYTES, undecodableProblem } from './input/utf8.ts';
import { DEFAULT_MAX_RECORD_BYTES, MAX_NAME_LENGTH, nameProblem, oversizedReason, REJECT_PREFIX_CHARS } from './limits.ts';
import { itemKeyOf, itemTextOf } from './normalize.ts';
import type { Taxonomy } from './taxonomy.ts';
import type { CascadeItem, Decision } from './types.ts';

export { type ColumnChoice, type CsvColumns, NAME_COLUMNS, resolveColumns } from './input/columns.ts';
export { type CsvBatch, CsvFormatError, type CsvReject, DELIMITERS, type Delimiter, type TableReader } from './input/table.ts';
export { MAX_NAME_LENGTH };

export interface CsvReadOptions {
  /** Valid rows per batch. */
  batchSize?: number;
  /** Data records to read past without emitting them (resume). */
  skipRecords?: number;
  /** Columns named by the user (--name-column...). */
  columns?: ColumnChoice;
  /** The encoding the bytes were decoded from, for the reason of a record with undecodable bytes (default UTF-8). */
  encoding?: string;
  /** Longest record read, in bytes (default 1 MiB): a longer one is rejected with its start (oversizedReject). */
  maxRecordBytes?: number;
}

/** Picks the delimiter that splits the header line into the most fields (outside quotes); `,` on a tie. */
export function sniffDelimiter(headerLine: string): Delimiter {
  const counts = new Map<string, number>(DELIMITERS.map((d) => [d, 0]));
  let quoted = false;
  for (const ch of headerLine) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && counts.has(ch)) counts.set(ch, counts.get(ch)! + 1);
  }
  let best: Delimiter = ',';
  for (const d of DELIMITERS) if (counts.get(d)! > counts.get(best)!) best = d;
  return best;
}

/**
 * The product a valid row describes, ready for the cascade (one object of one shape per row). The name (with
 * the brand) is its identity, the key; with text columns (--text-columns) the tiers read those joined.
 */
export function cascadeItemOf(row: string[], c: CsvColumns): CascadeItem {
  const name = row[c.name];
  const brand = c.brand >= 0 && row[c.brand] ? row[c.brand] : undefined;
  const identity = itemTextOf(name, brand);
  const key = itemKeyOf(name, brand, identity);
  return {
    name,
    brand,
    searchTerm: c.searchTerm >= 0 && row[c.searchTerm] ? row[c.searchTerm] : undefined,
    description: c.description >= 0 && row[c.description] ? row[c.description] : undefined,
    sourceCategory: c.category >= 0 && row[c.category] ? row[c.category] : undefined,
    text: c.text ? itemTextOf(joinedText(row, c.text), undefined) : identity,
    key,
  };
}

function joinedText(row: string[], columns: number[]): string {
  let text = '';
  for (const i of columns) if (row[i]) text += (text ? ' ' : '') + row[i];
  return text;
}

/**
 * Line ends inside a record's quoted fields as csv-parse counts them in `info.lines`: each CR and each LF, so a
 * CRLF twice (`crlf`: those CRLFs, each one line end in the file). The last character is not counted yet when
 * `uncountedLast` (the parser counts a line end as it reads the character after it: a record the file ends in).
 */
function parserLineEnds(fields: string[], uncountedLast = false): { counted: number; crlf: number } {
  let counted = 0;
  let crlf = 0;
  for (const f of fields) {
    for (let i = 0; i < f.length; i++) {
      const c = f.charCodeAt(i);
      if (c === 13) {
        counted++;
        if (f.charCodeAt(i + 1) === 10) crlf++;
      } else if (c === 10) counted++;
    }
  }
  const last = fields.at(-1)?.at(-1);
  if (uncountedLast && (last === '\n' || last === '\r')) counted--;
  return { counted, crlf };
}

interface ParserApi {
  __onRecord(push: (record: string[]) => void): Error | undefined;
  parse(buf: Buffer | undefined, end: boolean, push: (record: string[]) => void, close: () => void): Error | undefined;
  info: { lines: number; bytes: number };
  /** field: csv-parse's ResizeableBuffer (`buf` holds `length` bytes). */
  state: { record: string[]; field: { toString(encoding: 'utf8'): string; length: number; buf: Buffer; reset(): void }; recordHasError: boolean };
}

/**
 * Reads CSV from a byte stream in batches. The header comes first; `columns` and `delimiter` are set before
 * the first batch is yielded, and at least one batch is always yielded (possibly empty) so a header-only file
 * still reports its columns. Every data record ends up in exactly one batch's `rows` or `rejects`.
 */
export class CsvBatchReader {
  columns?: CsvColumns;
  delimiter: Delimiter = ',';
  private readonly batchSize: number;
  private readonly skipRecords: number;
  private readonly choice: ColumnChoice;
  private readonly encoding: string;
  private readonly maxRecordBytes: number;

  constructor(
    private readonly source: AsyncIterable<Buffer | string>,
    opts: CsvReadOptions = {},
  ) {
    this.batchSize = opts.batchSize ?? 8192;
    this.skipRecords = opts.skipRecords ?? 0;
    this.choice = opts.columns ?? {};
    this.encoding = opts.encoding ?? 'utf-8';
    this.maxRecordBytes = opts.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES;
  }

  /**
   * Longer than most: the fast line splitter, the hand-over to csv-parse and the batching share counters
   * (records, lines, bytes) that the hot path updates per line; as closures here they cost no calls or objects.
   */
  async *batches(): AsyncGenerator<CsvBatch> {
    let api: ParserApi | undefined;
    let header: string[] | undefined;
    let expected = 0;
    let nameIdx = 0;
    let recordsRead = 0;
    let bytesRead = 0;
    let rows: string[][] = [];
    let rowNumbers: number[] = [];
    let rejects: CsvReject[] = [];
    const skip = this.skipRecords;
    // Set once a chunk had undecodable bytes (marked by the decoder, input/encoding.ts): from then on each record is checked.
    let marked = false;

    const reject = (line: number, reason: string, fields: string[]) => {
      if (recordsRead > skip) rejects.push({ line, reason, raw: this.joinRaw(fields) });
    };
    const cap = this.maxRecordBytes;
    /** Whether a record read whole (within one piece fed to csv-parse) is over the cap; counted in bytes only when it may be. */
    const overCap = (record: string[]) => {
      let chars = 0;
      for (const f of record) chars += f.length;
      return chars > cap / 3 && Buffer.byteLength(record.join(this.delimiter)) > cap;
    };
    /** A record over the cap: read past, rejected with its start only (never copied whole). */
    const oversized = (start: string, line: number) => {
      if (header === undefined) throw new CsvFormatError(`the header is longer than ${cap} bytes: is this a CSV file?`);
      recordsRead++;
      if (recordsRead > skip) rejects.push({ line, reason: oversizedReason(cap), raw: printable(start) });
    };
    /** A record read; `line` is the input line it starts on. */
    const accept = (record: string[], line: number) => {
      if (header === undefined) {
        // Excel's `sep=;` line names the delimiter (which the sniffer found in it); the header follows it.
        if (record.length === 2 && record[1] === '' && record[0].toLowerCase() === 'sep=') return;
        if (marked && undecodableProblem(record, this.encoding)) {
          throw new CsvFormatError(`the header has undecodable bytes (${this.joinRaw(record)}): name the file's encoding with --encoding`);
        }
        header = record;
        this.columns = resolveColumns(record, this.choice);
        expected = record.length;
        nameIdx = this.columns.name;
        return;
      }
      recordsRead++;
      if (recordsRead <= skip) return;
      if (record.length !== expected) {
        reject(line, `wrong column count: ${record.length} fields, the header has ${expected}`, record);
        return;
      }
      // The header again (exports joined one after another): not a product; its name field is compared first, cheaply.
      if (record[nameIdx] === header[nameIdx] && isHeaderAgain(record, header)) {
        reject(line, 'the header line again (files joined one after another?): not a product', record);
        return;
      }
      const problem = (marked && undecodableProblem(record, this.encoding)) || nameProblem(record[nameIdx]);
      if (problem !== undefined) {
        reject(line, problem, record);
      } else {
        rows.push(record);
        rowNumbers.push(recordsRead);
      }
    };

    // Lines without quotes (and without a carriage return other than a CRLF's) are split here, several times
    // faster than the general parser; from the first line that has one, csv-parse reads the rest of the file.
    let fast = true;
    let fastLines = 0;
    let crlf: boolean | undefined;
    let pending: Buffer | undefined;
    let atStart = true;
    let headerEcho = false;
    // CRLFs inside quoted fields so far: csv-parse counted each as two lines, the file has one.
    let crlfInQuotes = 0;
    /** The file's line that a record csv-parse read starts on. */
    const startLine = (parserLine: number, fields: string[], uncountedLast = false) => {
      const ends = parserLineEnds(fields, uncountedLast);
      const line = parserLine - ends.counted - crlfInQuotes;
      crlfInQuotes += ends.crlf;
      return line;
    };
    const push = (record: string[]) => {
      const line = startLine(api!.info.lines, record);
      if (headerEcho) headerEcho = false;
      else if (overCap(record)) oversized(record.join(this.delimiter).slice(0, REJECT_PREFIX_CHARS), line);
      else accept(record, line);
    };
    // The parser may report several errors for one broken record (an invalid closing quote, then more as it
    // reads on): they are one record, rejected once, with the first error as the reason — the later ones
    // depend on where the input's chunks happen to end.
    let inBrokenRecord = false;
    const onSkip = (err: CsvError | undefined): undefined => {
      if (inBrokenRecord) return;
      // A record the parser could not read (broken quoting): it counts as read and goes to rejects.
      inBrokenRecord = true;
      recordsRead++;
      const partial = api ? [...api.state.record, api.state.field.toString('utf8')] : [];
      const line = startLine(Number(err?.lines ?? api?.info.lines ?? 0), partial, err?.code === 'CSV_QUOTE_NOT_CLOSED');
      reject(line, `malformed CSV: ${err?.message ?? 'unreadable record'}`, partial);
    };
    const startParser = () => {
      fast = false;
      api = (
        new Parser({
          // The fast path already dropped a leading BOM: one further on is data.
          bom: false,
          delimiter: this.delimiter,
          // A quote inside an unquoted field is text (`Pizza 12" pepperoni`, TSV exports that never quote): only a
          // field that starts with a quote is a quoted one.
          relax_quotes: true,
          // Any line end ends a record, whatever the first line's was: files joined or edited on two systems mix
          // them (CRLF then LF), and a CRLF file converted once more has CR CR LF (an empty line between records).
          record_delimiter: ['\r\n', '\n', '\r'],
          relax_column_count: true,
          skip_empty_lines: true,
          skip_records_with_error: true,
          on_skip: onSkip,
        }) as unknown as { api: ParserApi }
      ).api;
      // Marks where a broken record ends (the parser drops it there without telling).
      const onRecord = api.__onRecord;
      api.__onRecord = function (this: ParserApi, pushRecord) {
        const broken = this.state.recordHasError;
        const err = onRecord.call(this, pushRecord);
        if (broken) inBrokenRecord = inOversized = false;
        return err;
      };
    };
    // The record csv-parse is in was found over the cap: its text is dropped as it comes, until it ends.
    let inOversized = false;
    /** Checks the record csv-parse is in against the cap; one over it is rejected now and read past without its text. */
    const capRecord = () => {
      const { state } = api!;
      let size = state.field.length;
      for (const f of state.record) size += f.length;
      if (size <= cap) return;
      if (!inOversized && !inBrokenRecord) {
        const line = startLine(api!.info.lines, [...state.record, state.field.toString('utf8')]);
        const start = state.record.join(this.delimiter).slice(0, REJECT_PREFIX_CHARS);
        const rest = REJECT_PREFIX_CHARS - start.length;
        const prefix =
          rest > 0
            ? start +
              (state.record.length ? this.delimiter : '') +
              state.field.buf.toString('utf8', 0, Math.min(state.field.length, rest * 4)).slice(0, rest)
            : start;
        oversized(prefix.slice(0, REJECT_PREFIX_CHARS), line);
        // Dropped at its end like a broken record (the parse errors in it are not reported again).
        state.recordHasError = true;
        inBrokenRecord = true;
        inOversized = true;
      }
      state.record = [];
      state.field.reset();
    };
    const parse = (buf: Buffer | undefined, end: boolean) => {
      // Fed in pieces, so a record grows past the cap by at most one piece before it is caught.
      for (let at = 0; buf && at < buf.length; at += PARSE_PIECE_BYTES) {
        const err = api!.parse(buf.subarray(at, at + PARSE_PIECE_BYTES), false, push, noop);
        if (err) throw new CsvFormatError(`unreadable CSV: ${err.message}`);
        capRecord();
      }
      if (end) {
        const err = api!.parse(undefined, true, push, noop);
        if (err) throw new CsvFormatError(`unreadable CSV: ${err.message}`);
      }
    };
    /** Splits the complete lines of `text` until a line the fast path does not take; returns where that line starts, or -1. */
    const splitLines = (text: string): number => {
      const d = this.delimiter;
      // Where the next carriage return and quote are (searched again only once passed): -1 for none.
      let cr = text.indexOf('\r');
      let quote = text.indexOf('"');
      let at = 0;
      while (at < text.length) {
        let nl = text.indexOf('\n', at);
        if (nl < 0) nl = text.length;
        if (cr >= 0 && cr < at) cr = text.indexOf('\r', at);
        if (quote >= 0 && quote < at) quote = text.indexOf('"', at);
        if (crlf === undefined) crlf = cr >= 0 && cr === nl - 1;
        let end = nl;
        if (crlf) {
          if (cr !== nl - 1) return at;
          end = nl - 1;
        } else if (cr >= 0 && cr < nl) return at;
        if (quote >= 0 && quote < end) return at;
        fastLines++;
        if (end - at > cap / 3 && Buffer.byteLength(text.slice(at, end)) > cap) oversized(text.slice(at, at + REJECT_PREFIX_CHARS), fastLines);
        else if (end > at) accept(splitFields(text, at, end, d), fastLines);
        at = nl + 1;
      }
      return -1;
    };
    /** Hands the rest of the input to csv-parse: `rest` starts at a line the fast path did not take. */
    const handOver = (rest: Buffer, end: boolean) => {
      startParser();
      // The lines read so far, replayed as the header (its echo is dropped) and empty lines (skipped, but
      // counted): the parser then sees the record length, line numbers (in rejects and in its messages) and
      // line end (LF or CRLF) it would have seen reading the file from the start.
      const eol = crlf ? '\r\n' : '\n';
      headerEcho = header !== undefined;
      const replay = Buffer.from((header ? header.join(this.delimiter) : '') + eol.repeat(fastLines));
      parse(Buffer.concat([replay, rest]), false);
      if (end) parse(undefined, true);
    };
    const feed = (buf: Buffer, end: boolean) => {
      if (!marked && buf.includes(UNDECODABLE_BYTES)) marked = true;
      if (!fast) return parse(end ? undefined : buf, end);
      let bytes = pending ? Buffer.concat([pending, buf]) : buf;
      pending = undefined;
      if (atStart) {
        atStart = false;
        if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) bytes = bytes.subarray(3);
      }
      // Complete lines now, the rest with the next chunk (at the end, the last line needs no line end).
      const complete = end ? bytes.length : bytes.lastIndexOf(10) + 1;
      // No line end in sight (CR-only line ends, or one huge record): the parser takes it from here, so the
      // input is never held whole.
      if (complete === 0 && bytes.length > MAX_PENDING_BYTES) return handOver(bytes, end);
      if (complete < bytes.length) pending = bytes.subarray(complete);
      if (complete === 0) return;
      const text = bytes.toString('utf8', 0, complete);
      const stop = splitLines(text);
      if (stop < 0) return;
      const rest = Buffer.from(text.slice(stop));
      const tail = pending;
      pending = undefined;
      handOver(tail ? Buffer.concat([rest, tail]) : rest, end);
    };
    const take = (): CsvBatch => {
      const batch = { rows, rowNumbers, rejects, recordsRead, bytesRead };
      rows = [];
      rowNumbers = [];
      rejects = [];
      return batch;
    };

    // The delimiter is sniffed from the whole first line: chunks are gathered until it has ended.
    let head: Buffer | undefined = Buffer.alloc(0);
    for await (const chunk of this.source) {
      let buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      bytesRead += buf.length;
      if (head) {
        head = Buffer.concat([head, buf]);
        if (head.indexOf(10) < 0 && head.length < MAX_PENDING_BYTES) continue;
        this.delimiter = sniffDelimiter(firstLine(head));
        buf = head;
        head = undefined;
      }
      feed(buf, false);
      if (rows.length + rejects.length >= this.batchSize) yield take();
    }
    if (head?.length) this.delimiter = sniffDelimiter(firstLine(head));
    if (!head || head.length) feed(head ?? Buffer.alloc(0), true);
    if (!header)
      throw new CsvFormatError(
        bytesRead
          ? 'no header row could be read: the file has only blank lines, or the first record is broken'
          : 'the file is empty: expected a header row naming the columns',
      );
    yield take();
  }

  private joinRaw(fields: string[]): string {
    return fields.map((f) => escapeCsv(printable(f), this.delimiter)).join(this.delimiter);
  }
}

function noop() {}

/** Whether `record` is `header` once more, a BOM in front allowed (a second file's start). */
function isHeaderAgain(record: string[], header: string[]): boolean {
  return record.every((f, i) => (i === 0 ? f.replace(/^\uFEFF/, '') : f) === header[i]);
}

/** Bytes handed to csv-parse at a time, so a record's size is checked at least this often. */
const PARSE_PIECE_BYTES = 64 << 10;

/** Bytes the fast path holds while it waits for a line end; past this csv-parse reads on. */
const MAX_PENDING_BYTES = 1 << 20;

/** The fields of text[start, end) split at the delimiter (no quotes in it: the fast path checked). */
function splitFields(text: string, start: number, end: number, delimiter: string): string[] {
  const fields: string[] = [];
  let at = start;
  for (let i = text.indexOf(delimiter, at); i >= 0 && i < end; i = text.indexOf(delimiter, at)) {
    fields.push(text.slice(at, i));
    at = i + 1;
  }
  fields.push(text.slice(at, end));
  return fields;
}

function firstLine(buf: Buffer): string {
  const end = buf.indexOf(10);
  return buf.subarray(0, end < 0 ? buf.length : end).toString('utf8');
}

const NEEDS_QUOTES_COMMA = /[",\r\n]/;

/**
 * Quotes a field when it needs it (RFC 4180), nothing else: for the files Aisle reads back itself (DuckDB
 * loads, training exports). What people open in a spreadsheet goes through csvCell.
 */
export function escapeCsv(value: string, delimiter = ','): string {
  const needs = delimiter === ',' ? NEEDS_QUOTES_COMMA.test(value) : /["\r\n]/.test(value) || value.includes(delimiter);
  return needs ? `"${value.replace(/"/g, '""')}"` : value;
}

/**
 * How the CSV files people open are written. Neutralised (the default): a cell a spreadsheet would run as a
 * formula gets a leading `'` (OWASP CSV injection). Raw: every cell exactly as it went in (docs/csv.md).
 */
export interface CsvWriteOptions {
  raw?: boolean;
  /** The output's delimiter (default `,`): the input's, or --out-format's. */
  delimiter?: Delimiter;
}

/** `=`, `+`, `-`, `@`, tab, carriage return: what makes Excel, Sheets and LibreOffice read a cell as a formula. */
const FORMULA_START = /^[=+\-@\t\r]/;
const PLAIN_NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const QUOTE = 39; // '

const isFormula = (value: string) => FORMULA_START.test(value) && !PLAIN_NUMBER.test(value);
/** A formula behind one or more `'`: what neutraliseCell made of a formula (or of such a value itself). */
const isNeutralised = (value: string) => value.charCodeAt(0) === QUOTE && isFormula(value.replace(/^'+/, ''));

/**
 * The cell a spreadsheet shows as text: `'` before a formula (a plain number such as -5 or +3.2 is not one).
 * A value that already looks neutralised gets one more `'`, so restoreCell gives every value back exactly.
 */
export function neutraliseCell(value: string): string {
  const c = value.charCodeAt(0);
  // Most cells start with a letter or digit: one comparison each.
  if (!(c === 61 || c === 43 || c === 45 || c === 64 || c === 9 || c === 13 || c === QUOTE)) return value;
  return isFormula(value) || isNeutralised(value) ? `'${value}` : value;
}

/** The value neutraliseCell was given. */
export function restoreCell(cell: string): string {
  return isNeutralised(cell) ? cell.slice(1) : cell;
}

/** One cell of a CSV file people open: neutralised unless raw, quoted as CSV requires. Every such writer uses it. */
export function csvCell(value: string, opts: CsvWriteOptions = {}): string {
  return escapeCsv(opts.raw ? value : neutraliseCell(value), opts.delimiter);
}

/** Columns the classifier adds after the input's own; `item_key` finds the item on the API (GET /v1/items/{key}). */
export function addedColumns(taxonomy: Taxonomy): string[] {
  return [...taxonomy.levels, 'confidence', 'tier', 'status', 'rule_id', 'model_version', 'level1_category', 'predicted_level2_category', 'item_key'];
}

export const REJECT_COLUMNS = ['line', 'reason', 'raw'];

/** What --bom writes at the start of the output: Excel then reads the file as UTF-8. */
export const UTF8_BOM = '\uFEFF';

/**
 * Formats output rows: every input column (renamed `input_<name>` when it collides with an added column),
 * then the decision. UTF-8, LF line ends, separated by opts.delimiter (the input's, by default: classify-file.ts).
 */
export class CsvOutputFormatter {
  readonly header: string[];
  private readonly levelText = new Map<string | null, string>();
  private readonly aliasText = new Map<string | null, string>();
  private readonly d: Delimiter;

  constructor(
    inputHeader: string[],
    private readonly taxonomy: Taxonomy,
    private readonly opts: CsvWriteOptions = {},
  ) {
    this.d = opts.delimiter ?? ',';
    const added = addedColumns(taxonomy);
    const taken = new Set(added.map((a) => a.toLowerCase()));
    this.header = [...inputHeader.map((h) => (taken.has(h.trim().toLowerCase()) ? `input_${h}` : h)), ...added];
  }

  headerLine(): string {
    return this.header.map((h) => csvCell(h, this.opts)).join(this.d) + '\n';
  }

  /** Output lines for rows and their decisions (parallel arrays). */
  format(rows: string[][], decisions: Decision[]): string {
    let out = '';
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i];
      const d = decisions[i];
      let line = '';
      const sep = this.d;
      for (let j = 0; j < row.length; j++) line += (j ? sep : '') + csvCell(row[j], this.opts);
      out +=
        line +
        sep +
        this.levelFields(d.classId, 'levels') +
        sep +
        formatConfidence(d.confidence) +
        sep +
        d.tier +
        sep +
        d.status +
        sep +
        (d.ruleId ? csvCell(d.ruleId, this.opts) : '') +
        sep +
        (d.modelVersion ? csvCell(d.modelVersion, this.opts) : '') +
        sep +
        this.levelFields(d.classId, 'aliases') +
        sep +
        d.key +
        '\n';
    }
    return out;
  }

  private levelFields(classId: string | null, kind: 'levels' | 'aliases'): string {
    const memo = kind === 'levels' ? this.levelText : this.aliasText;
    let s = memo.get(classId);
    if (s === undefined) {
      const names = this.taxonomy.levelsOf(classId);
      s = (kind === 'levels' ? names : [names[0] ?? '', names[1] ?? '']).map((n) => csvCell(n, this.opts)).join(this.d);
      memo.set(classId, s);
    }
    return s;
  }
}

const confidenceText = new Map<number, string>();
function formatConfidence(c: number): string {
  let s = confidenceText.get(c);
  if (s === undefined) {
    s = String(Math.round(c * 1000) / 1000);
    if (confidenceText.size < 10_000) confidenceText.set(c, s);
  }
  return s;
}

/** Rejects lines; a reject's raw text is a cell too (and a hostile row's text starts like one). */
export function formatRejects(rejects: CsvReject[], opts: CsvWriteOptions = {}): string {
  let out = '';
  for (const r of rejects) out += `${r.line},${csvCell(r.reason, opts)},${csvCell(r.raw, opts)}\n`;
  return out;
}

/** `out.csv` → `out.rejects.csv`. */
export function rejectsPathFor(outPath: string): string {
  const ext = /\.(csv|jsonl|parquet|xlsx)$/i;
  return ext.test(outPath) ? outPath.replace(ext, '.rejects.csv') : `${outPath}.rejects.csv`;
}
