/**
 * CSV bytes cut into slices at record boundaries for the classify workers (classify-parallel.ts), from a plain
 * file or from the decompressed stream of a gzip/zstd one: either way the main thread only moves bytes and the
 * workers parse them, so no row lives here as JS strings.
 *
 * A newline ends a record when the quotes before it are even (from the start of the data). Broken quoting
 * can make that guess wrong; a slice that ends inside a record shows it, since its last record is then
 * unreadable. From such a slice on, the caller reads the rest with one sequential parser.
 */
import { closeSync, createReadStream, fstatSync, openSync, readSync } from 'node:fs';
import { Parser } from 'csv-parse';
import { sniffDelimiter } from '../../core/csv.ts';
import { type Container, peek, unwrap } from '../../core/input/containers.ts';
import { DEFAULT_MAX_RECORD_BYTES } from '../../core/limits.ts';
import { countByte } from './classify-chunk.ts';
import { parquetAsCsv } from './parquet-input.ts';

/** Bytes in order, from where the slices start. */
interface ByteSource {
  /** Fills buf[at, at + length) as far as the data goes: fewer bytes than asked only at its end. */
  read(buf: Buffer, at: number, length: number): Promise<number>;
  /** Bytes of the file itself read so far (compressed, for a compressed file): the run's progress. */
  readonly fileBytesRead: number;
  close(): void;
}

/** One slice: its own buffer (to be transferred), and where it lies in the (decompressed) data. */
export interface RecordSlice {
  bytes: Uint8Array;
  start: number;
  end: number;
  /** Known to be the data's last slice. */
  last: boolean;
  /** ByteSource.fileBytesRead when it was cut. */
  fileBytesRead: number;
  /**
   * No record ends within MAX_SLICE_GROWTH: not a slice to classify (a record that long is rejected, but
   * gathering it here would hold it whole); the caller reads the rest with one sequential parser, which reads past it.
   */
  cutInRecord?: boolean;
}

/** Bytes a slice may grow past its size looking for a record's end: twice the default record cap (limits.ts). */
const MAX_SLICE_GROWTH = 2 * DEFAULT_MAX_RECORD_BYTES;

/** Cuts a source's bytes into slices of about `size` bytes, each ending after a record-ending newline. */
export class RecordSlices {
  /** Bytes read past the last cut: the start of the next slice. */
  private carry: Buffer = Buffer.alloc(0);
  private ended = false;

  constructor(
    private readonly source: ByteSource,
    private position: number,
    private readonly size: number,
  ) {}

  async next(): Promise<RecordSlice | null> {
    // The carry holds no record end of its own: room for more than it.
    let buf = Buffer.allocUnsafeSlow(Math.max(this.size, this.carry.length * 2));
    let got = this.carry.copy(buf);
    for (;;) {
      if (!this.ended && got < buf.length) {
        const n = await this.source.read(buf, got, buf.length - got);
        got += n;
        if (got < buf.length) this.ended = true;
      }
      if (got === 0) return null;
      const cut = this.ended ? got : recordsEnd(buf.subarray(0, got));
      if (cut > 0) {
        this.carry = Buffer.from(buf.subarray(cut, got));
        const start = this.position;
        this.position += cut;
        const last = this.ended && this.carry.length === 0;
        return { bytes: buf.subarray(0, cut), start, end: this.position, last, fileBytesRead: this.source.fileBytesRead };
      }
      if (buf.length >= this.size + MAX_SLICE_GROWTH) {
        // The last of the slices: nothing after it is cut.
        this.ended = true;
        this.carry = Buffer.alloc(0);
        return {
          bytes: buf.subarray(0, 0),
          start: this.position,
          end: this.position,
          last: false,
          fileBytesRead: this.source.fileBytesRead,
          cutInRecord: true,
        };
      }
      // No record ends in it: a longer slice.
      const longer = Buffer.allocUnsafeSlow(buf.length * 2);
      buf.copy(longer, 0, 0, got);
      buf = longer;
    }
  }

  close(): void {
    this.source.close();
  }
}

/** After the last newline with an even number of quotes before it; 0 when there is none. */
export function recordsEnd(buf: Buffer): number {
  const total = countByte(buf, 34, 0, buf.length);
  let quotesAfter = 0;
  let segmentEnd = buf.length;
  for (let nl = buf.lastIndexOf(10); nl >= 0; nl = nl > 0 ? buf.lastIndexOf(10, nl - 1) : -1) {
    quotesAfter += countByte(buf, 34, nl + 1, segmentEnd);
    segmentEnd = nl + 1;
    if ((total - quotesAfter) % 2 === 0) return nl + 1;
  }
  return 0;
}

/**
 * The line (0-based, counting LF bytes from the slice's start) each record of a slice starts on, by the cut's
 * quote-parity rule: where fields hold newlines, a record's line is not its number.
 */
export function recordStartLines(slice: Uint8Array): number[] {
  const buf = Buffer.from(slice.buffer, slice.byteOffset, slice.length);
  const starts = [0];
  let quotes = 0;
  let line = 0;
  let from = 0;
  for (let nl = buf.indexOf(10); nl >= 0 && nl + 1 < buf.length; nl = buf.indexOf(10, nl + 1)) {
    quotes += countByte(buf, 34, from, nl);
    from = nl;
    line++;
    if (quotes % 2 === 0) starts.push(line);
  }
  return starts;
}

const HEADER_SEARCH_BYTES = 1 << 20;

/**
 * The data's bytes up to the end of the header record (BOM included), from its first bytes: where the data
 * starts, found with the parser and options CsvBatchReader uses. Null when the records do not end with LF
 * alone: with CR LF the parser counts lines (for reject line numbers) in a way that depends on quoting, which
 * only a parser reading from the start knows; such files are read by one thread.
 */
export function headerOf(head: Buffer): Buffer | null {
  const buf = head.subarray(0, HEADER_SEARCH_BYTES);
  const firstNewline = buf.indexOf(10);
  const delimiter = sniffDelimiter(buf.subarray(0, firstNewline < 0 ? buf.length : firstNewline).toString('utf8'));
  const api = (
    new Parser({ bom: true, delimiter, relax_column_count: true, skip_empty_lines: true, skip_records_with_error: true }) as unknown as {
      api: { parse(b: Buffer, end: boolean, push: () => void, close: () => void): Error | undefined; info: { bytes: number } };
    }
  ).api;
  let end = -1;
  api.parse(
    buf,
    false,
    () => {
      if (end < 0) end = api.info.bytes;
    },
    () => undefined,
  );
  if (end < 1 || buf[end - 1] !== 10 || (end >= 2 && buf[end - 2] === 13)) return null;
  return Buffer.from(buf.subarray(0, end));
}

/**
 * A CSV file's header and its slices from `from` (a record boundary: the end of the header, or a checkpoint's
 * offset in the data), or null when it cannot be cut so (headerOf). A compressed file is decompressed as a
 * stream, its offsets counted in decompressed bytes; a resume decompresses (and skips) what comes before.
 */
export async function openRecordSlices(
  path: string,
  container: Container | undefined,
  sliceBytes: number,
  from?: number,
): Promise<{ header: Buffer; slices: RecordSlices } | null> {
  if (!container) {
    const fd = openSync(path, 'r');
    try {
      const head = Buffer.allocUnsafe(Math.min(HEADER_SEARCH_BYTES, fstatSync(fd).size));
      const header = headerOf(head.subarray(0, readSync(fd, head, 0, head.length, 0)));
      if (!header) {
        closeSync(fd);
        return null;
      }
      const start = from ?? header.length;
      return { header, slices: new RecordSlices(fileSource(fd, start), start, sliceBytes) };
    } catch (err) {
      closeSync(fd);
      throw err;
    }
  }
  const file = createReadStream(path, { highWaterMark: 1 << 16 });
  const counted = { bytes: 0 };
  async function* counting() {
    for await (const chunk of file as AsyncIterable<Buffer>) {
      counted.bytes += chunk.length;
      yield chunk;
    }
  }
  return streamSlices(unwrap(counting(), container), counted, () => file.destroy(), sliceBytes, from);
}

/**
 * A Parquet file's rows written as CSV by DuckDB (parquet-input.ts) and cut into slices as a decompressed CSV
 * is; offsets count bytes of that CSV (deterministic: a resume writes it again and skips them). Progress in
 * file bytes is unknown (0), as with the rows of the Parquet reader.
 */
export async function openParquetSlices(path: string, sliceBytes: number, from?: number): Promise<{ header: Buffer; slices: RecordSlices } | null> {
  const csv = parquetAsCsv(path);
  return streamSlices(csv, { bytes: 0 }, () => void csv.return(undefined), sliceBytes, from);
}

/** Slices of a stream of CSV bytes; `counted`: the file's bytes read so far; `close`: stops the stream. */
async function streamSlices(
  data: AsyncIterable<Buffer>,
  counted: { bytes: number },
  close: () => void,
  sliceBytes: number,
  from: number | undefined,
): Promise<{ header: Buffer; slices: RecordSlices } | null> {
  let opened: Awaited<ReturnType<typeof peek>>;
  try {
    opened = await peek(data, HEADER_SEARCH_BYTES);
  } catch (err) {
    close();
    throw err;
  }
  const header = headerOf(opened.head);
  if (!header) {
    close();
    return null;
  }
  const start = from ?? header.length;
  return { header, slices: new RecordSlices(streamSource(opened.all, start, counted, close), start, sliceBytes) };
}

/** A plain file from `position` on. */
function fileSource(fd: number, position: number): ByteSource {
  const source = {
    fileBytesRead: position,
    async read(buf: Buffer, at: number, length: number) {
      let got = 0;
      while (got < length) {
        const n = readSync(fd, buf, at + got, length - got, source.fileBytesRead);
        if (n === 0) break;
        got += n;
        source.fileBytesRead += n;
      }
      return got;
    },
    close: () => closeSync(fd),
  };
  return source;
}

/** A stream of decompressed pieces, its first `skip` bytes dropped; `counted`: the compressed bytes read so far. */
function streamSource(pieces: AsyncIterable<Buffer>, skip: number, counted: { bytes: number }, close: () => void): ByteSource {
  const it = pieces[Symbol.asyncIterator]();
  let piece: Buffer = Buffer.alloc(0);
  let toSkip = skip;
  return {
    get fileBytesRead() {
      return counted.bytes;
    },
    async read(buf: Buffer, at: number, length: number) {
      let got = 0;
      while (got < length) {
        if (!piece.length) {
          const next = await it.next();
          if (next.done) break;
          piece = next.value;
          const dropped = Math.min(toSkip, piece.length);
          toSkip -= dropped;
          piece = piece.subarray(dropped);
          continue;
        }
        const n = piece.copy(buf, at + got, 0, Math.min(piece.length, length - got));
        piece = piece.subarray(n);
        got += n;
      }
      return got;
    },
    close: () => {
      void it.return?.();
      close();
    },
  };
}
