/**
 * One slice of an input CSV through the cascade, self-contained so a worker thread can run it: the header's
 * bytes and the slice's bytes in, the formatted output and what the main thread needs to assemble it out.
 * Used by classify-parallel.ts on the main thread and in classify-worker.ts; imports nothing that opens the
 * DuckDB file (one writer per file: only the main thread touches it).
 */

import type { Cascade } from '../../core/cascade.ts';
import {
  type CsvBatch,
  CsvBatchReader,
  type CsvColumns,
  CsvOutputFormatter,
  type CsvReject,
  type Delimiter,
  type TableReader,
} from '../../core/csv.ts';
import { checkedUtf8 } from '../../core/input/utf8.ts';
import type { Taxonomy } from '../../core/taxonomy.ts';
import type { Decision } from '../../core/types.ts';
import { emptyCounts } from '../../pipeline/accounting.ts';
import { classifyBatches } from '../../pipeline/batch.ts';
import type { ChunkCounts } from '../../ports.ts';
import { type EncodedDecisions, encodeDecisions } from './decision-rows.ts';

const CHEAP_TIERS = new Set(['rules', 'cache']);

/**
 * Which decisions the local store keeps: what needs a look or cost money (review, encoder, LLM), or everything
 * with storeAll; rules and cache decisions are in the output file and cost nothing to redo.
 */
export function storeKeeps(storeAll: boolean): (d: Decision) => boolean {
  return storeAll ? () => true : (d) => !CHEAP_TIERS.has(d.tier);
}

export interface ChunkContext {
  cascade: Cascade;
  taxonomy: Taxonomy;
  /** The input's bytes up to the end of the header record (BOM included): parsed again before each slice. */
  header: Uint8Array;
  jobId: string;
  batchSize: number;
  storeAll: boolean;
  /** Output cells exactly as they went in, not neutralised (ClassifyFileOptions.csvRaw). */
  csvRaw: boolean;
}

/** What one slice gave. Row and line numbers count from the slice's start; the main thread offsets them. */
export interface ChunkResult {
  counts: ChunkCounts;
  /** The decisions the store keeps, encoded as its rows. */
  toStore: EncodedDecisions;
  /** Output lines (UTF-8), in input order. */
  output: Uint8Array;
  rejects: CsvReject[];
  /** Data records in the slice: classified + rejected. */
  records: number;
  /** CR and LF bytes in the slice: with LF record ends the parser counts a line per each, so this offsets the next slice's lines. */
  lineBreaks: number;
  /**
   * The slice's last record could not be read (a quote still open at its end, or broken quoting): then the
   * slice may not have ended on a record boundary, and what follows it must be read by one sequential parser.
   */
  endsInMalformedRecord: boolean;
}

export async function classifyChunk(ctx: ChunkContext, bytes: Uint8Array): Promise<ChunkResult> {
  // Validated as the sequential reader does (input/utf8.ts): a byte that is not UTF-8 rejects its row.
  const reader = new CsvBatchReader(checkedUtf8(piecesOf(ctx.header, bytes)), { batchSize: ctx.batchSize });
  const { lastRowNumber, ...result } = await classifyReader(ctx, reader, () => reader.delimiter, bytes.length * 4);
  const lastRejected = result.rejects.at(-1);
  return {
    ...result,
    lineBreaks: countByte(bytes, 10, 0, bytes.length) + countByte(bytes, 13, 0, bytes.length),
    endsInMalformedRecord: lastRowNumber < result.records && lastRejected !== undefined && lastRejected.reason.startsWith('malformed CSV'),
  };
}

/** Where rows read on the main thread (classify-rows.ts) come from: their columns, and the output's delimiter. */
export interface RowSource {
  columns: CsvColumns;
  outDelimiter: Delimiter;
}

/**
 * Batches the main thread read (classify-rows.ts), numbered from the chunk's start; their rejects' lines are
 * the file's already (lineBreaks 0), and a record never spans two chunks.
 */
export async function classifyRowChunk(ctx: ChunkContext, source: RowSource, batches: Iterable<CsvBatch>, chars: number): Promise<ChunkResult> {
  const reader: TableReader = {
    columns: source.columns,
    delimiter: source.outDelimiter,
    async *batches() {
      yield* batches;
    },
  };
  const { lastRowNumber: _, ...result } = await classifyReader(ctx, reader, () => source.outDelimiter, chars * 4);
  return { ...result, lineBreaks: 0, endsInMalformedRecord: false };
}

async function classifyReader(ctx: ChunkContext, reader: TableReader, outDelimiter: () => Delimiter, outputBytes: number) {
  const counts = emptyCounts();
  const toStore: EncodedDecisions = { text: '', starts: [] };
  const rejects: CsvReject[] = [];
  const output = new OutputBuffer(outputBytes);
  let records = 0;
  let lastRowNumber = 0;
  await classifyBatches(reader, ctx.cascade, {
    window: 1,
    counts,
    sink: (columns) => ({
      formatter: new CsvOutputFormatter(columns.header, ctx.taxonomy, { raw: ctx.csvRaw, delimiter: outDelimiter() }),
      jobId: ctx.jobId,
      keep: storeKeeps(ctx.storeAll),
    }),
    write: (settled) => {
      const { batch } = settled;
      output.write(settled.output);
      encodeDecisions(settled.toStore, toStore);
      for (const r of batch.rejects) rejects.push(r);
      records = batch.recordsRead;
      if (batch.rowNumbers.length) lastRowNumber = batch.rowNumbers[batch.rowNumbers.length - 1];
    },
  });
  return { counts, toStore, output: output.bytes(), rejects, records, lastRowNumber };
}

/**
 * Output bytes, encoded batch by batch: a batch's text dies young instead of living (and being copied by the
 * garbage collector) until the slice is done. Its own ArrayBuffer, never Node's shared pool: a worker transfers it.
 */
class OutputBuffer {
  private buf: Buffer;
  private length = 0;

  constructor(capacity: number) {
    this.buf = Buffer.allocUnsafeSlow(Math.max(capacity, 1024));
  }

  write(text: string): void {
    // A UTF-16 code unit is at most 3 UTF-8 bytes: with that much room, one pass encodes the text.
    if (this.buf.length - this.length < text.length * 3) {
      const need = this.length + Buffer.byteLength(text);
      if (need > this.buf.length) {
        const grown = Buffer.allocUnsafeSlow(Math.max(need, this.buf.length * 2));
        this.buf.copy(grown, 0, 0, this.length);
        this.buf = grown;
      }
    }
    this.length += this.buf.write(text, this.length);
  }

  bytes(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }
}

/** The header, then the slice in pieces of the size a file stream reads: a batch is cut after a piece, so pieces keep batches small. */
async function* piecesOf(header: Uint8Array, bytes: Uint8Array): AsyncGenerator<Buffer> {
  yield Buffer.from(header.buffer, header.byteOffset, header.byteLength);
  const slice = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let at = 0; at < slice.length; at += PIECE_BYTES) yield slice.subarray(at, at + PIECE_BYTES);
}

/** As createReadStream's highWaterMark in classify-file.ts. */
const PIECE_BYTES = 1 << 14;

/** How often `byte` occurs in bytes[from, to), found by Buffer.indexOf (memchr): a third of the CPU of a loop over the bytes. */
export function countByte(bytes: Uint8Array, byte: number, from: number, to: number): number {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let n = 0;
  for (let i = buf.indexOf(byte, from); i >= 0 && i < to; i = buf.indexOf(byte, i + 1)) n++;
  return n;
}
