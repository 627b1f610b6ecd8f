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
import { ByteBuffer } from './byte-buffer.ts';
import { DecisionEncoder, type EncodedDecisions } from './decision-rows.ts';

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
  /** Longest record read (ClassifyFileOptions.maxRecordBytes): the slices' readers reject a longer one as the file's reader does. */
  maxRecordBytes?: number;
}

/** What one slice gave. Row and line numbers count from the slice's start; the main thread offsets them. */
export interface ChunkResult {
  counts: ChunkCounts;
  /** The decisions the store keeps, encoded as its rows (bytes of their own: transferred with output). */
  toStore: EncodedDecisions;
  /** Output lines (UTF-8), in input order. */
  output: Uint8Array;
  rejects: CsvReject[];
  /** Data records in the slice: classified + rejected. */
  records: number;
  /** Line ends in the slice (CR, LF and CR LF, one each, as CsvBatchReader counts lines): this offsets the next slice's lines. */
  lineBreaks: number;
  /**
   * The slice's last record could not be read (a quote still open at its end, or broken quoting): then the
   * slice may not have ended on a record boundary, and what follows it must be read by one sequential parser.
   */
  endsInMalformedRecord: boolean;
}

export async function classifyChunk(ctx: ChunkContext, bytes: Uint8Array): Promise<ChunkResult> {
  // Validated as the sequential reader does (input/utf8.ts): a byte that is not UTF-8 rejects its row.
  const reader = new CsvBatchReader(checkedUtf8(piecesOf(ctx.header, bytes)), { batchSize: ctx.batchSize, maxRecordBytes: ctx.maxRecordBytes });
  const { lastRowNumber, ...result } = await classifyReader(ctx, reader, () => reader.delimiter, bytes.length * 4);
  const lastRejected = result.rejects.at(-1);
  return {
    ...result,
    lineBreaks: countByte(bytes, 10, 0, bytes.length) + countByte(bytes, 13, 0, bytes.length) - countCrLf(bytes),
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
  const toStore = new DecisionEncoder();
  const rejects: CsvReject[] = [];
  const output = new ByteBuffer(outputBytes);
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
      toStore.add(settled.toStore);
      for (const r of batch.rejects) rejects.push(r);
      records = batch.recordsRead;
      if (batch.rowNumbers.length) lastRowNumber = batch.rowNumbers[batch.rowNumbers.length - 1];
    },
  });
  return { counts, toStore: toStore.take(), output: output.bytes(), rejects, records, lastRowNumber };
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
function countCrLf(bytes: Uint8Array): number {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let n = 0;
  for (let i = buf.indexOf(13); i >= 0; i = buf.indexOf(13, i + 1)) if (buf[i + 1] === 10) n++;
  return n;
}

export function countByte(bytes: Uint8Array, byte: number, from: number, to: number): number {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let n = 0;
  for (let i = buf.indexOf(byte, from); i >= 0 && i < to; i = buf.indexOf(byte, i + 1)) n++;
  return n;
}
