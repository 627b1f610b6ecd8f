/**
 * Parquet inputs read by seeking, in pure JavaScript (hyparquet: MIT, no dependencies, ~100 KB), for the S3 ingest
 * Lambda where DuckDB's native library would not fit: the footer, then one row group at a time through byte-range
 * reads, so a big file is never held whole. Every cell becomes text, as DuckDB's VARCHAR cast gives it locally
 * (adapters/local/parquet-input.ts) for the types catalogs hold: strings, numbers, booleans, dates.
 */
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { decompress as zstdDecompress } from 'fzstd';
import {
  type AsyncBuffer,
  type Compressors,
  type FileMetaData,
  parquetMetadataAsync,
  parquetRead,
  parquetSchema,
  type SchemaElement,
  type SchemaTree,
} from 'hyparquet';
import { escapeCsv } from '../csv.ts';
import { nameProblem } from '../limits.ts';
import { resolveColumns } from './columns.ts';
import type { TableReadOptions } from './open.ts';
import { BatchBuilder, type CsvBatch, CsvFormatError, type TableReader } from './table.ts';
import { printable, undecodableProblem } from './utf8.ts';

/** A file read by ranges: its size, and bytes [start, end) of it (an S3 ranged GET). */
export interface RangedFile {
  byteLength: number;
  read(start: number, end: number): Promise<Uint8Array>;
}

/** Codecs beyond hyparquet's own (snappy, uncompressed): what Spark, pandas and DuckDB write. */
export const PARQUET_COMPRESSORS: Compressors = {
  GZIP: (input) => gunzipSync(input),
  ZSTD: (input) => zstdDecompress(input),
  BROTLI: (input) => brotliDecompressSync(input),
};

export function openRangedParquet(file: RangedFile, opts: TableReadOptions): TableReader {
  return new RangedParquetReader(file, opts);
}

class RangedParquetReader implements TableReader {
  columns?: TableReader['columns'];
  readonly delimiter = ',' as const;

  constructor(
    private readonly file: RangedFile,
    private readonly opts: TableReadOptions,
  ) {}

  async *batches(): AsyncGenerator<CsvBatch> {
    const file: AsyncBuffer = {
      byteLength: this.file.byteLength,
      slice: async (start, end = this.file.byteLength) => {
        const bytes = await this.file.read(start, end);
        return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
      },
    };
    let metadata: FileMetaData;
    try {
      metadata = await parquetMetadataAsync(file);
    } catch (err) {
      throw new CsvFormatError(`the Parquet file cannot be read: ${(err as Error).message}`);
    }
    const fields = parquetSchema(metadata).children;
    const header = fields.map((f) => f.element.name);
    const texts = fields.map(textOfColumn);
    this.columns = resolveColumns(header, this.opts.columns);
    const nameIdx = this.columns.name;
    const skip = this.opts.skipRecords ?? 0;
    const batch = new BatchBuilder(this.opts.batchSize ?? 8192);
    let recordsRead = 0;
    let groupStart = 0;
    for (const group of metadata.row_groups) {
      const groupEnd = groupStart + Number(group.num_rows);
      const rows = await readRows(file, metadata, groupStart, groupEnd);
      groupStart = groupEnd;
      for (const values of rows) {
        recordsRead++;
        if (recordsRead <= skip) continue;
        const row = values.map((v, i) => texts[i](v));
        // A string column's invalid UTF-8 decodes to U+FFFD: its row is rejected, never written with it.
        const problem = undecodableProblem(row, 'UTF-8') ?? nameProblem(row[nameIdx]);
        // "line": the record's number plus one, as if the column names were line 1 (a CSV's numbering).
        if (problem !== undefined) batch.reject({ line: recordsRead + 1, reason: problem, raw: row.map((f) => escapeCsv(printable(f))).join(',') });
        else batch.keep(row, recordsRead);
        if (batch.full) yield batch.take(recordsRead);
      }
    }
    yield batch.take(recordsRead);
  }
}

/** One row group's rows, each an array of the columns' values. */
async function readRows(file: AsyncBuffer, metadata: FileMetaData, rowStart: number, rowEnd: number): Promise<unknown[][]> {
  let rows: unknown[][] = [];
  try {
    await parquetRead({ file, metadata, rowStart, rowEnd, compressors: PARQUET_COMPRESSORS, onComplete: (r) => (rows = r) });
  } catch (err) {
    throw new CsvFormatError(`the Parquet file cannot be read: ${(err as Error).message}`);
  }
  return rows;
}

/** How a column's cells become text: numbers as DuckDB writes them (a DECIMAL with its scale, `3.0` for a whole DOUBLE). */
function textOfColumn(node: SchemaTree): (value: unknown) => string {
  const field = node.element;
  if (node.children.length) return (v) => (v === null || v === undefined ? '' : jsonOf(v, node));
  const scale =
    field.logical_type?.type === 'DECIMAL' ? field.logical_type.scale : field.converted_type === 'DECIMAL' ? (field.scale ?? 0) : undefined;
  if (scale !== undefined) return (v) => (typeof v === 'number' ? v.toFixed(scale) : textOf(v));
  if (isFloat(field)) return (v) => (typeof v === 'number' ? floatText(v) : textOf(v));
  return textOf;
}

const isFloat = (field: SchemaElement) => field.type === 'FLOAT' || field.type === 'DOUBLE';
const floatText = (v: number) => (Number.isInteger(v) && Math.abs(v) < 1e15 ? `${v}.0` : String(v));

/** A cell as text: a date as DuckDB writes it (`2026-03-01`, `2026-03-01 12:30:00`), nested values as JSON (jsonOf). */
function textOf(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (value instanceof Date) {
    const iso = value.toISOString();
    return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso.replace('T', ' ').replace(/(\.000)?Z$/, '');
  }
  if (value instanceof Uint8Array) return Buffer.from(value).toString('utf8');
  if (typeof value === 'object') return jsonOf(value, undefined);
  return String(value);
}

/**
 * A list, struct or map as JSON, as DuckDB's to_json writes it locally: 64-bit integers as numbers, a whole DOUBLE
 * as `1.0` (told by `node`, the value's place in the schema), dates as text.
 */
function jsonOf(value: unknown, node: SchemaTree | undefined): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number') return node && !node.children.length && isFloat(node.element) ? floatText(value) : JSON.stringify(value);
  if (value instanceof Date || value instanceof Uint8Array) return JSON.stringify(textOf(value));
  if (Array.isArray(value)) {
    // A LIST group holds a repeated group whose one child is the element (the Parquet spec's three levels).
    const element = node?.children[0]?.children[0] ?? node?.children[0];
    return `[${value.map((v) => jsonOf(v, element)).join(',')}]`;
  }
  if (typeof value === 'object') {
    const field = (k: string) => node?.children.find((c) => c.element.name === k);
    return `{${Object.entries(value)
      .map(([k, v]) => `${JSON.stringify(k)}:${jsonOf(v, field(k))}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}
