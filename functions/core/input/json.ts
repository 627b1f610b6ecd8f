/**
 * JSON inputs: JSON lines (one object a line, `.jsonl`/`.ndjson`) and a JSON array of objects, both streamed
 * record by record (an array is cut at its top-level commas, so it never sits in memory whole). The columns are
 * the keys of the first records, in order of appearance; each value becomes the cell text (a string as it is,
 * null as empty, a number or boolean as JSON writes it, an object or array as its JSON).
 */
import { StringDecoder } from 'node:string_decoder';
import { nameProblem } from '../limits.ts';
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
}

/** One record's text and the line it starts on (1-based). */
interface JsonText {
  text: string;
  line: number;
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
    const texts = this.shape === 'jsonl' ? jsonLines(this.source, counter) : arrayElements(this.source, counter);
    // The first records, parsed, until the header is known.
    const sample: { t: JsonText; value: unknown }[] = [];
    const keys = new Map<string, number>();
    let it = await texts.next();
    while (!it.done && sample.length < HEADER_SAMPLE) {
      const value = parsed(it.value.text);
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
      if (t.text.includes(UNDECODABLE)) return reject(undecodableProblem([t.text], encoding)!);
      if (value instanceof Error) return reject(`not valid JSON: ${value.message}`);
      if (!isObject(value)) return reject('not a JSON object: each record must be an object of column → value');
      const extra = Object.keys(value).filter((k) => !keys.has(k));
      if (extra.length) return reject(`keys that the first ${HEADER_SAMPLE} records do not have: ${extra.map((k) => `"${k}"`).join(', ')}`);
      const row = header.map((k) => cellOf(value[k]));
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

/** The non-blank lines of a JSON-lines stream. */
async function* jsonLines(source: AsyncIterable<Buffer>, counter: { bytes: number }): AsyncGenerator<JsonText> {
  const decoder = new StringDecoder('utf8');
  let carry = '';
  let line = 0;
  for await (const chunk of source) {
    counter.bytes += chunk.length;
    const text = carry + decoder.write(chunk);
    let at = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', at)) {
      line++;
      const l = text.slice(at, nl);
      if (l.trim()) yield { text: l, line };
      at = nl + 1;
    }
    carry = text.slice(at);
  }
  carry += decoder.end();
  if (carry.trim()) yield { text: carry, line: line + 1 };
}

/** The elements of a JSON array, as text, cut at the array's own commas (outside strings and nested values). */
async function* arrayElements(source: AsyncIterable<Buffer>, counter: { bytes: number }): AsyncGenerator<JsonText> {
  const decoder = new StringDecoder('utf8');
  let state = 'before' as 'before' | 'between' | 'in' | 'after';
  let depth = 0;
  let inString = false;
  let escaped = false;
  let element = '';
  let line = 1;
  let startLine = 1;
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
            yield { text: element + text.slice(from, i), line: startLine };
            state = 'after';
            continue;
          }
          depth--;
        } else if (c === 44 && depth === 0) {
          yield { text: element + text.slice(from, i), line: startLine };
          element = '';
          state = 'between';
        }
        continue;
      }
      if (c === 32 || c === 10 || c === 13 || c === 9) continue;
      if (state === 'before') {
        if (c !== 91)
          throw new CsvFormatError(
            `not a JSON array: it starts with "${text[i]}" (JSON lines are read from .jsonl/.ndjson files or when the text starts with {)`,
          );
        state = 'between';
      } else if (state === 'between') {
        if (c === 93) state = 'after';
        else if (c !== 44) {
          state = 'in';
          startLine = line;
          from = i;
          element = '';
          depth = 0;
          inString = c === 34;
          // An object or array element: its own closing bracket brings depth back to 0.
          if (c === 123 || c === 91) depth = 1;
        }
      } else if (state === 'after') {
        throw new CsvFormatError(`text after the JSON array's end, line ${line}`);
      }
    }
    if (state === 'in') element += text.slice(from);
  }
  if (state === 'in' || state === 'between') throw new CsvFormatError('the JSON array is cut off: it has no closing ]');
}
