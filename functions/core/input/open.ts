/**
 * Opens any input file as a TableReader: its container (gzip, zstd), format (CSV/TSV, JSON lines, JSON array,
 * Parquet) and text encoding are told by its content first and its name second, and it is read as a stream.
 * Every driver (aisle classify, the inbox, the API's upload, the S3 ingest) opens its input here.
 */
import { CsvBatchReader } from '../csv.ts';
import type { ColumnChoice } from './columns.ts';
import { type Container, containerOf, peek, unwrap } from './containers.ts';
import { decodeToUtf8, detectEncoding, type TextEncoding } from './encoding.ts';
import { JsonRecordsReader, jsonShapeOf } from './json.ts';
import { CsvFormatError, type InputFormat, type TableReader } from './table.ts';
import { completeUtf8Length } from './utf8.ts';

export interface TableReadOptions {
  /** Valid rows per batch. */
  batchSize?: number;
  /** Data records to read past without emitting them (resume). */
  skipRecords?: number;
  columns?: ColumnChoice;
  /** Longest record of a text format (CSV, JSON) read, in bytes: a longer one is rejected (CsvReadOptions.maxRecordBytes). */
  maxRecordBytes?: number;
}

/** A Parquet reader (an adapter's: DuckDB reads Parquet), given the file's path when it has one, else its bytes. */
export type ParquetOpener = (input: { path?: string; bytes: AsyncIterable<Buffer> }, opts: TableReadOptions) => TableReader;

/** An .xlsx reader (xlsx.ts): the workbook's bytes, and the sheet to read (default: its first). */
export type XlsxOpener = (bytes: AsyncIterable<Buffer>, opts: TableReadOptions & { sheet?: string }) => TableReader;

/** How a user asks for a file to be read (CLI options, the API's upload fields). */
export interface ReadChoice {
  encoding?: string;
  columns?: ColumnChoice;
  /** The workbook's sheet to read (.xlsx); default: its first. */
  sheet?: string;
}

export interface OpenOptions extends TableReadOptions {
  /** The file's name (or path): its extension decides where the content does not. */
  name?: string;
  /** The text encoding, instead of detecting it (--encoding). */
  encoding?: string;
  /** The file's path on this machine, for readers that need to seek (Parquet). */
  path?: string;
  parquet?: ParquetOpener;
  /** The .xlsx reader (xlsx.ts), passed by the drivers that read workbooks; the others refuse them. */
  xlsx?: XlsxOpener;
  /** The workbook's sheet to read; default: its first. */
  sheet?: string;
}

/** What was found out about an input, for the line `aisle classify` prints. */
export interface InputKind {
  format: InputFormat;
  container?: Container;
  /** Absent for Parquet and xlsx (typed cells, no text encoding). */
  encoding?: TextEncoding;
}

export interface OpenedTable {
  reader: TableReader;
  kind: InputKind;
}

/** Bytes looked at to tell the container, the format and the encoding. */
const SNIFF_BYTES = 64 << 10;

export async function openTable(source: AsyncIterable<Buffer | string>, opts: OpenOptions = {}): Promise<OpenedTable> {
  let { head, all } = await peek(source, SNIFF_BYTES);
  const container = containerOf(head);
  if (container) ({ head, all } = await peek(unwrap(all, container), SNIFF_BYTES));
  const name = (opts.name ?? '').toLowerCase().replace(/\.(gz|gzip|zst|zstd)$/, '');
  const read = { batchSize: opts.batchSize, skipRecords: opts.skipRecords, columns: opts.columns, maxRecordBytes: opts.maxRecordBytes };
  if (head.subarray(0, 4).toString('latin1') === 'PAR1' || (!head.length && name.endsWith('.parquet'))) {
    if (!opts.parquet) throw new CsvFormatError('Parquet files are read by aisle classify and aisle serve; on this path send CSV or JSON');
    if (container) throw new CsvFormatError('a compressed Parquet file: Parquet compresses its own columns, send it as it is');
    return { reader: opts.parquet({ path: opts.path, bytes: all }, read), kind: { format: 'parquet' } };
  }
  if (head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04) {
    if (!opts.xlsx)
      throw new CsvFormatError(
        'a ZIP file (an Excel .xlsx workbook?) is read by aisle classify; on this path save the sheet as "CSV UTF-8" or Unicode text',
      );
    if (container) throw new CsvFormatError('a compressed ZIP file: send the .xlsx workbook as it is');
    return { reader: opts.xlsx(all, { ...read, sheet: opts.sheet }), kind: { format: 'xlsx' } };
  }
  const encoding = detectEncoding(head, opts.encoding);
  const decoded = await peek(decodeToUtf8(all, encoding), SNIFF_BYTES);
  const format = formatOf(name, decoded.head, decoded.head.length < SNIFF_BYTES);
  const withEncoding = { ...read, encoding: encoding.name };
  const reader = format === 'csv' ? new CsvBatchReader(decoded.all, withEncoding) : new JsonRecordsReader(decoded.all, format, withEncoding);
  return { reader, kind: { format, container, encoding } };
}

/**
 * JSON by its first character unless the name says CSV/TSV (`[` an array; `{` JSON lines, or one object holding the
 * records' array: jsonShapeOf); JSON lines by name. `whole`: the head is the whole input.
 */
function formatOf(name: string, head: Buffer, whole: boolean): Exclude<InputFormat, 'parquet' | 'xlsx'> {
  if (/\.(jsonl|ndjson)$/.test(name)) return 'jsonl';
  if (/\.(csv|tsv|tab)$/.test(name)) return 'csv';
  const start = head.subarray(0, 256).toString('utf8').trimStart();
  if (start.startsWith('[')) return 'json';
  if (start.startsWith('{')) return jsonShapeOf(head.toString('utf8', 0, completeUtf8Length(head)), whole);
  return 'csv';
}

/** `UTF-8 (valid UTF-8), gzip, JSON lines`: the input as the CLI reports it. */
export function describeInput(kind: InputKind): string {
  const format = { csv: 'CSV', jsonl: 'JSON lines', json: 'JSON array', parquet: 'Parquet', xlsx: 'Excel workbook' }[kind.format];
  const parts = [format];
  if (kind.container) parts.push(kind.container);
  if (kind.encoding) parts.push(`${kind.encoding.name.toUpperCase()} (${kind.encoding.how})`);
  return parts.join(', ');
}
