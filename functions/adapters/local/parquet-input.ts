/**
 * Parquet inputs, read by DuckDB (an in-memory instance of its own, so the store's connection is never held):
 * every column as text (VARCHAR, as DuckDB writes each type), streamed chunk by chunk. A Parquet file needs
 * seeking: one that comes as a stream (an upload) is written to a temporary file first.
 */
import { execFileSync } from 'node:child_process';
import { constants, createWriteStream, mkdtempSync, openSync, rmSync } from 'node:fs';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DuckDBInstance, type DuckDBVarCharVector, type DuckDBVector } from '@duckdb/node-api';
import { escapeCsv } from '../../core/csv.ts';
import { resolveColumns } from '../../core/input/columns.ts';
import type { ParquetOpener, TableReadOptions } from '../../core/input/open.ts';
import { BatchBuilder, type CsvBatch, CsvFormatError, type TableReader } from '../../core/input/table.ts';
import { nameProblem } from '../../core/limits.ts';

export const openParquet: ParquetOpener = (input, opts) => new ParquetReader(input, opts);

class ParquetReader implements TableReader {
  columns?: TableReader['columns'];
  readonly delimiter = ',' as const;

  constructor(
    private readonly input: { path?: string; bytes: AsyncIterable<Buffer> },
    private readonly opts: TableReadOptions,
  ) {}

  async *batches(): AsyncGenerator<CsvBatch> {
    let tmp: string | undefined;
    let path = this.input.path;
    if (path === undefined) {
      tmp = mkdtempSync(join(tmpdir(), 'aisle-parquet-'));
      path = join(tmp, 'input.parquet');
      await pipeline(Readable.from(this.input.bytes), createWriteStream(path));
    } else {
      // The opener peeked at the stream: it is not read further.
      (this.input.bytes as AsyncGenerator<Buffer>).return?.(undefined);
    }
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    try {
      yield* this.read(connection, path);
    } finally {
      connection.closeSync();
      instance.closeSync();
      if (tmp) rmSync(tmp, { recursive: true, force: true });
    }
  }

  private async *read(connection: Awaited<ReturnType<DuckDBInstance['connect']>>, path: string): AsyncGenerator<CsvBatch> {
    let result: Awaited<ReturnType<typeof connection.stream>>;
    try {
      // Each column as text (as DuckDB writes its type), but one string a row: its fields joined (concat skips a NULL,
      // which reads as '' as before) and each field's length in code points. The Node API decodes every string
      // value on its own (~1 µs each), so one a row instead of one a field is what makes Parquet keep up with CSV.
      result = await connection.stream(`SELECT length(COLUMNS(*))::INTEGER, concat(*COLUMNS(*)) FROM (${await asText(connection, path)})`, [path]);
    } catch (err) {
      throw new CsvFormatError(`the Parquet file cannot be read: ${duckDbReason(err as Error)}`);
    }
    const header = result.columnNames().slice(0, -1);
    this.columns = resolveColumns(header, this.opts.columns);
    const nameIdx = this.columns.name;
    const width = header.length;
    const batchSize = this.opts.batchSize ?? 8192;
    const skip = this.opts.skipRecords ?? 0;
    const batch = new BatchBuilder(batchSize);
    const lengths = new Array<DuckDBVector>(width);
    let recordsRead = 0;
    for (let chunk = await result.fetchChunk(); chunk && chunk.rowCount > 0; chunk = await result.fetchChunk()) {
      for (let f = 0; f < width; f++) lengths[f] = chunk.getColumnVector(f);
      const texts = chunk.getColumnVector(width) as DuckDBVarCharVector;
      // rowCount asks the native side each time: read once.
      const rowCount = chunk.rowCount;
      for (let r = 0; r < rowCount; r++) {
        recordsRead++;
        if (recordsRead <= skip) continue;
        const row = splitFields(texts.getItem(r) ?? '', lengths, r);
        const problem = nameProblem(row[nameIdx]);
        // "line": the record's number plus one, as if the column names were line 1 (a CSV's numbering).
        if (problem !== undefined) batch.reject({ line: recordsRead + 1, reason: problem, raw: row.map((f) => escapeCsv(f)).join(',') });
        else batch.keep(row, recordsRead);
      }
      if (batch.full) yield batch.take(recordsRead);
    }
    yield batch.take(recordsRead);
  }
}

/** A list, struct, map or union: its VARCHAR cast is DuckDB's own notation (`{k=1}`, `[NULL, z]`), its JSON is JSON. */
const NESTED_TYPE = /^(STRUCT|MAP|UNION)\(|\[\d*\]$/;

/**
 * The query giving each column as text: nested columns as JSON (what the S3 path's reader and JSON inputs give),
 * the others as DuckDB writes their type.
 */
async function asText(connection: Awaited<ReturnType<DuckDBInstance['connect']>>, path: string): Promise<string> {
  const columns = (await connection.runAndReadAll('DESCRIBE SELECT * FROM read_parquet($1)', [path])).getRows();
  if (!columns.some(([, type]) => NESTED_TYPE.test(String(type)))) return 'SELECT COLUMNS(*)::VARCHAR FROM read_parquet($1)';
  const quoted = (name: unknown) => `"${String(name).replace(/"/g, '""')}"`;
  const select = columns.map(
    ([name, type]) => `${NESTED_TYPE.test(String(type)) ? `to_json(${quoted(name)})` : quoted(name)}::VARCHAR AS ${quoted(name)}`,
  );
  return `SELECT ${select.join(', ')} FROM read_parquet($1)`;
}

/** A row's fields from their joined text and their lengths in code points (a NULL's length is NULL: ''). */
function splitFields(text: string, lengths: readonly DuckDBVector[], r: number): string[] {
  const row = new Array<string>(lengths.length);
  let at = 0;
  for (let f = 0; f < lengths.length; f++) {
    const length = (lengths[f].getItem(r) as number | null) ?? 0;
    row[f] = text.slice(at, at + length);
    at += length;
  }
  // Code points are UTF-16 units unless a character lies beyond the BMP (two units): then walk the text instead.
  if (at === text.length) return row;
  at = 0;
  for (let f = 0; f < lengths.length; f++) {
    const start = at;
    for (let n = (lengths[f].getItem(r) as number | null) ?? 0; n > 0; n--) {
      const unit = text.charCodeAt(at);
      at += unit >= 0xd800 && unit <= 0xdbff ? 2 : 1;
    }
    row[f] = text.slice(start, at);
  }
  return row;
}

/** Whether parquetAsCsv can run here: it needs a FIFO, which Windows lacks (there a Parquet is read as rows). */
export const PARQUET_AS_CSV = process.platform !== 'win32';

/**
 * A Parquet file's rows as CSV bytes (UTF-8, `,`, LF, the column names first), for the classify workers to parse
 * as byte slices (record-slices.ts) instead of rows held here as strings. Each field is the text the reader above
 * gives: DuckDB casts it to VARCHAR and writes it (a NULL empty, an empty string as `""`, quoted where the
 * value needs it). DuckDB writes into a FIFO off this thread while this thread reads it: a stream with
 * backpressure, nothing on disk. A file DuckDB cannot read fails with the reason, as the reader above does.
 */
export async function* parquetAsCsv(path: string): AsyncGenerator<Buffer> {
  const tmp = mkdtempSync(join(tmpdir(), 'aisle-parquet-csv-'));
  const fifo = join(tmp, 'rows.csv');
  let instance: DuckDBInstance | undefined;
  let connection: Awaited<ReturnType<DuckDBInstance['connect']>> | undefined;
  let pipe: Socket | undefined;
  let copy: Promise<Error | undefined> | undefined;
  let settled = false;
  try {
    execFileSync('mkfifo', [fifo]);
    // Opened first and without blocking: DuckDB's open never waits, and a failure before it writes ends the stream.
    pipe = readEnd(fifo);
    // One thread: the workers are the bottleneck, and a second DuckDB thread only took CPU and memory from them
    // (1M rows, 2 cores: ~25 MB less peak RSS, ~1 CPU s less; docs/benchmarks.md "Input formats").
    instance = await DuckDBInstance.create(':memory:', { threads: '1' });
    connection = await instance.connect();
    const quoted = (s: string) => `'${s.replaceAll("'", "''")}'`;
    copy = connection
      .run(
        `COPY (SELECT COLUMNS(*)::VARCHAR FROM read_parquet(${quoted(path)})) TO ${quoted(fifo)} (FORMAT csv, HEADER, DELIMITER ',', QUOTE '"', ESCAPE '"', NEW_LINE '\n')`,
      )
      .then(
        () => undefined,
        (err: Error) => new CsvFormatError(`the Parquet file cannot be read: ${duckDbReason(err)}`),
      );
    const stream = pipe;
    void copy.then((err) => {
      settled = true;
      if (err) stream.destroy(err);
    });
    for await (const piece of pipe) yield piece as Buffer;
    const err = await copy;
    if (err) throw err;
  } finally {
    pipe?.destroy();
    if (copy && !settled) {
      // Stopped before the end: DuckDB may be about to open or write the FIFO; a reader that drains lets it stop.
      connection?.interrupt();
      const drain = readEnd(fifo);
      drain.on('error', () => undefined).resume();
      await copy;
      drain.destroy();
    }
    connection?.closeSync();
    instance?.closeSync();
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** The FIFO's read end as a stream: a pipe to libuv, which waits for the writer and ends when it closes. */
function readEnd(fifo: string): Socket {
  return new Socket({ fd: openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK), readable: true, writable: false });
}

/** DuckDB's message without the SQL it quotes after it ("LINE 1: DESCRIBE SELECT …"): the user wrote no SQL. */
function duckDbReason(err: Error): string {
  return err.message.split(/\n\s*LINE \d+:/)[0].trim();
}
