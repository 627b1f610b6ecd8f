/**
 * JSON inputs: JSON lines (one object a line, `.jsonl`/`.ndjson`) and a JSON array of objects, alone or as the first
 * non-empty array of a top-level object (`{"products": [...]}`, as shop platforms export), both streamed record by
 * record (an array is cut at its top-level commas, so it never sits in memory whole). The columns are
 * the keys of the first records, in order of appearance; each value becomes the cell text (a string as it is,
 * null as empty, a number or boolean as JSON writes it, an object or array as its JSON).
 */
import { StringDecoder } from 'node:string_decoder';
import { DEFAULT_MAX_RECORD_BYTES, nameProblem, oversizedReason, REJECT_PREFIX_CHARS } from '../limits.ts';
import { type ColumnChoice, resolveColumns } from './columns.ts';
import { BatchBuilder, type CsvBatch, CsvFormatError, type TableReader } from './table.ts';
import { printable, UNDECODABLE, undecodableProblem } from './utf8.ts';

/** Records read before the columns are fixed: keys first seen later send their record to rejects. */
export const HEADER_SAMPLE = 1000;

export interface JsonReadOptions {
  batchSize?: number;
  skipRecords?: number;
  columns?: ColumnChoice;
  encoding?: string;
  /** Longest record read (CsvReadOptions.maxRecordBytes). */
  maxRecordBytes?: number;
}

/** One record's text and the line it starts on (1-based); `oversized`: over the cap, `text` is its start only. */
interface JsonText {
  text: string;
  line: number;
  oversized?: boolean;
}

export class JsonRecordsReader implements TableReader {
  columns?: TableReader['columns'];
  readonly delimiter = ',' as const;

  constructor(
    private readonly source: AsyncIterable<Buffer>,
    private readonly shape: 'jsonl' | 'json',
    private readonly opts: JsonReadOptions = {},
  ) {}

  async *batches(): AsyncGenerator<CsvBatch> {
    const batchSize = this.opts.batchSize ?? 8192;
    const skip = this.opts.skipRecords ?? 0;
    const encoding = this.opts.encoding ?? 'utf-8';
    const counter = { bytes: 0 };
    const cap = this.opts.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES;
    const texts = this.shape === 'jsonl' ? jsonLines(this.source, counter, cap) : arrayElements(this.source, counter, cap);
    // The first records, parsed, until the header is known.
    const sample: { t: JsonText; value: unknown }[] = [];
    const keys = new Map<string, number>();
    let it = await texts.next();
    while (!it.done && sample.length < HEADER_SAMPLE) {
      const value = it.value.oversized ? undefined : parsed(it.value.text);
      if (isObject(value)) for (const k of Object.keys(value)) if (!keys.has(k)) keys.set(k, keys.size);
      sample.push({ t: it.value, value });
      it = await texts.next();
    }
    if (!keys.size) {
      throw new CsvFormatError(
        counter.bytes ? 'no JSON object with keys among the first records: the columns of a JSON input are its objects’ keys' : 'the file is empty',
      );
    }
    const header = [...keys.keys()];
    this.columns = resolveColumns(header, this.opts.columns);
    const nameIdx = this.columns.name;

    const batch = new BatchBuilder(batchSize);
    let recordsRead = 0;
    const add = (t: JsonText, value: unknown) => {
      recordsRead++;
      if (recordsRead <= skip) return;
      const reject = (reason: string) => batch.reject({ line: t.line, reason, raw: printable(t.text.trim()) });
      if (t.oversized) return reject(oversizedReason(cap));
      if (t.text.includes(UNDECODABLE)) return reject(undecodableProblem([t.text], encoding)!);
      if (value instanceof Error) return reject(`not valid JSON: ${value.message}`);
      if (!isObject(value)) return reject('not a JSON object: each record must be an object of column → value');
      const extra = Object.keys(value).filter((k) => !keys.has(k));
      if (extra.length) return reject(`keys that the first ${HEADER_SAMPLE} records do not have: ${extra.map((k) => `"${k}"`).join(', ')}`);
      let row: string[];
      try {
        row = header.map((k) => cellOf(value[k]));
      } catch (err) {
        // JSON.parse takes any depth, JSON.stringify recurses: a value nested some 10,000 deep overflows its stack.
        if (!(err instanceof RangeError)) throw err;
        return reject(`a value nested too deeply to write as a cell's text (${err.message})`);
      }
      // A `\uD800` escape without its pair is half a character, which UTF-8 output can only write as U+FFFD.
      if (t.text.includes('\\u') && row.some((cell) => LONE_SURROGATE.test(cell)))
        return reject('a lone UTF-16 surrogate (a \\uD800-\\uDFFF escape without its pair): not a character');
      const problem = nameProblem(row[nameIdx]);
      if (problem !== undefined) return reject(problem);
      batch.keep(row, recordsRead);
    };
    for (const s of sample) add(s.t, s.value);
    sample.length = 0;
    for (; !it.done; it = await texts.next()) {
      add(it.value, parsed(it.value.text));
      if (batch.full) yield batch.take(recordsRead, counter.bytes);
    }
    yield batch.take(recordsRead, counter.bytes);
  }
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function parsed(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    return err as Error;
  }
}

function cellOf(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === null || v === undefined) return '';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** The non-blank lines of a JSON-lines stream; one longer than `cap` is given as its start, marked oversized. */
async function* jsonLines(source: AsyncIterable<Buffer>, counter: { bytes: number }, cap: number): AsyncGenerator<JsonText> {
  const decoder = new StringDecoder('utf8');
  let carry = '';
  // The start of the line being read past (over the cap), or undefined.
  let oversized: string | undefined;
  let line = 0;
  const isLong = (l: string) => l.length > cap / 3 && Buffer.byteLength(l) > cap;
  for await (const chunk of source) {
    counter.bytes += chunk.length;
    const text = carry + decoder.write(chunk);
    let at = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', at)) {
      line++;
      const l = text.slice(at, nl);
      if (oversized !== undefined) yield { text: oversized, line, oversized: true };
      else if (isLong(l)) yield { text: l.slice(0, REJECT_PREFIX_CHARS), line, oversized: true };
      else if (l.trim()) yield { text: l, line };
      oversized = undefined;
      at = nl + 1;
    }
    carry = text.slice(at);
    // A line with no end in sight is not gathered past the cap: its start is kept, the rest read past.
    if (oversized === undefined && isLong(carry)) oversized = carry.slice(0, REJECT_PREFIX_CHARS);
    if (oversized !== undefined) carry = '';
  }
  carry += decoder.end();
  if (oversized !== undefined) yield { text: oversized, line: line + 1, oversized: true };
  else if (isLong(carry)) yield { text: carry.slice(0, REJECT_PREFIX_CHARS), line: line + 1, oversized: true };
  else if (carry.trim()) yield { text: carry, line: line + 1 };
}

/**
 * Whether text starting with `{` (the first 64 KiB of a file not named .jsonl/.ndjson; `whole` when that is all of
 * it) is JSON lines or one object holding the records' array. JSON lines never break an object over lines, and
 * have a second record; a lone object is a wrapper when an array of objects is among its values and no name column
 * among its keys. A first line longer than `head` is taken for a wrapper written on one line.
 */
export function jsonShapeOf(head: string, whole: boolean): 'jsonl' | 'json' {
  let depth = 0;
  let inString = false;
  let escaped = false;
  const start = head.indexOf('{');
  for (let i = start; i < head.length; i++) {
    const c = head.charCodeAt(i);
    if (inString) {
      if (escaped) escaped = false;
      else if (c === 92) escaped = true;
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 10) return 'json';
    else if (c === 123 || c === 91) depth++;
    else if ((c === 125 || c === 93) && --depth === 0) {
      if (head.slice(i + 1).trim() || !whole) return 'jsonl';
      return isWrapper(parsed(head.slice(start, i + 1))) ? 'json' : 'jsonl';
    }
  }
  return 'json';
}

function isWrapper(value: unknown): boolean {
  if (!isObject(value)) return false;
  try {
    resolveColumns(Object.keys(value));
    return false;
  } catch {
    return Object.values(value).some((v) => Array.isArray(v) && isObject(v[0]));
  }
}

/**
 * The elements of a JSON array, as text, cut at the array's own commas (outside strings and nested values). In a
 * top-level object, the first non-empty array among its values is read, and what follows it is passed over.
 */
async function* arrayElements(source: AsyncIterable<Buffer>, counter: { bytes: number }, cap: number): AsyncGenerator<JsonText> {
  const decoder = new StringDecoder('utf8');
  let state = 'before' as 'before' | 'wrapper' | 'between' | 'in' | 'after' | 'rest';
  let depth = 0;
  let inString = false;
  let escaped = false;
  let element = '';
  // The element being read is over the cap: `element` holds its start only.
  let elementOversized = false;
  /** The element ending with `tail` (the part in the chunk read now). */
  const elementOf = (tail: string): JsonText => {
    const text = elementOversized ? element : element + tail;
    if (elementOversized || (text.length > cap / 3 && Buffer.byteLength(text) > cap))
      return { text: text.slice(0, REJECT_PREFIX_CHARS), line: startLine, oversized: true };
    return { text, line: startLine };
  };
  let line = 1;
  let startLine = 1;
  // In a top-level object: its nesting (1: among its own keys), whether a key's `:` came last, records yielded.
  let wrapped = false;
  let wrapperDepth = 0;
  let afterColon = false;
  let records = 0;
  const arrayEnded = () => (wrapped ? (records ? 'rest' : 'wrapper') : 'after');
  const chunks = async function* () {
    for await (const chunk of source) {
      counter.bytes += chunk.length;
      yield decoder.write(chunk);
    }
    yield decoder.end();
  };
  for await (const text of chunks()) {
    let from = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 10) line++;
      if (state === 'rest') continue;
      if (state === 'wrapper') {
        if (inString) {
          if (escaped) escaped = false;
          else if (c === 92) escaped = true;
          else if (c === 34) inString = false;
          continue;
        }
        if (c === 32 || c === 10 || c === 13 || c === 9) continue;
        if (c === 91 && wrapperDepth === 1 && afterColon) state = 'between';
        else if (c === 123 || c === 91) wrapperDepth++;
        else if ((c === 125 || c === 93) && --wrapperDepth === 0)
          throw new CsvFormatError('a JSON object without an array of records among its values: send an array of objects, or JSON lines');
        else if (c === 34) inString = true;
        afterColon = c === 58 && wrapperDepth === 1;
        continue;
      }
      if (state === 'in') {
        if (inString) {
          if (escaped) escaped = false;
          else if (c === 92) escaped = true;
          else if (c === 34) inString = false;
          continue;
        }
        if (c === 34) inString = true;
        else if (c === 123 || c === 91) depth++;
        else if (c === 125 || c === 93) {
          if (depth === 0) {
            // The array's closing bracket after a bare value.
            records++;
            yield elementOf(text.slice(from, i));
            state = arrayEnded();
            continue;
          }
          depth--;
        } else if (c === 44 && depth === 0) {
          records++;
          yield elementOf(text.slice(from, i));
          element = '';
          elementOversized = false;
          state = 'between';
        }
        continue;
      }
      if (c === 32 || c === 10 || c === 13 || c === 9) continue;
      if (state === 'before') {
        if (c === 123) {
          state = 'wrapper';
          wrapped = true;
          wrapperDepth = 1;
        } else if (c === 91) state = 'between';
        else throw new CsvFormatError(`not JSON: it starts with "${text[i]}"`);
      } else if (state === 'between') {
        if (c === 93) state = arrayEnded();
        else if (c !== 44) {
          state = 'in';
          startLine = line;
          from = i;
          element = '';
          elementOversized = false;
          depth = 0;
          inString = c === 34;
          // An object or array element: its own closing bracket brings depth back to 0.
          if (c === 123 || c === 91) depth = 1;
        }
      } else if (state === 'after') {
        throw new CsvFormatError(`text after the JSON array's end, line ${line}`);
      }
    }
    if (state === 'in' && !elementOversized) {
      element += text.slice(from);
      // Not gathered past the cap: its start is kept, the rest read past (its brackets and strings still followed).
      if (element.length > cap / 3 && Buffer.byteLength(element) > cap) {
        element = element.slice(0, REJECT_PREFIX_CHARS);
        elementOversized = true;
      }
    }
  }
  if (state === 'in' || state === 'between') throw new CsvFormatError('the JSON array is cut off: it has no closing ]');
  if (state === 'wrapper') throw new CsvFormatError('the JSON object is cut off before an array of records');
}
