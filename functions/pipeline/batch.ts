/**
 * One batch of rows under one header, the step every driver runs: rows → cascade items → decisions → output
 * lines, the job's counts and the records the results store keeps; and the loop that reads an input file (any format, input/open.ts) through it.
 */
import type { Cascade } from '../core/cascade.ts';
import { type CsvBatch, type CsvColumns, type CsvOutputFormatter, cascadeItemOf, type TableReader } from '../core/csv.ts';
import type { CascadeItem, Decision } from '../core/types.ts';
import type { ChunkCounts, ItemRecord } from '../ports.ts';
import { countDecision } from './accounting.ts';

/**
 * Each row as the tiers see it. `width`: when given, a row with another number of fields is an error (rows that
 * came over a queue; a CSV reader has checked its own rows).
 */
export function itemsOf(rows: string[][], columns: CsvColumns, width?: number): CascadeItem[] {
  const items: CascadeItem[] = new Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    if (width !== undefined && rows[i].length !== width) throw new Error(`row of ${rows[i].length} fields under a header of ${width}`);
    items[i] = cascadeItemOf(rows[i], columns);
  }
  return items;
}

/** A decision as the results store keeps it. */
export function recordOf(item: CascadeItem, decision: Decision, jobId: string, row: number | undefined, at: string): ItemRecord {
  const { name, brand, searchTerm, description, text } = item;
  const record: ItemRecord = { decision, input: { name, brand, searchTerm, description }, text, jobId, at };
  if (row !== undefined) record.row = row;
  return record;
}

/** How a decided batch is written: the output's formatter, the job, and which decisions the store keeps. */
export interface BatchSink {
  formatter: CsvOutputFormatter;
  jobId: string;
  keep(decision: Decision): boolean;
}

/** Adds a decided batch to `counts` (its rejects too); returns its output lines and the records to store. */
export function settleBatch(
  sink: BatchSink,
  counts: ChunkCounts,
  batch: Pick<CsvBatch, 'rows' | 'rowNumbers' | 'rejects'>,
  items: CascadeItem[],
  decisions: Decision[],
): { output: string; toStore: ItemRecord[] } {
  const at = new Date().toISOString();
  const toStore: ItemRecord[] = [];
  for (let i = 0; i < items.length; i++) {
    const d = decisions[i];
    countDecision(counts, d);
    if (sink.keep(d)) toStore.push(recordOf(items[i], d, sink.jobId, batch.rowNumbers[i], at));
  }
  counts.rejected += batch.rejects.length;
  return { output: sink.formatter.format(batch.rows, decisions), toStore };
}

/** A decided batch, settled: its output lines and the records the store keeps (its counts are added). */
export type SettledBatch = { batch: CsvBatch } & ReturnType<typeof settleBatch>;

/**
 * Read → cascade → results over one CSV reader: `window` batches in the cascade at once (slow tiers overlap;
 * the cheap ones want 1), each settled in input order into `counts` and handed to `write`. `sink` is asked
 * once, when the header is known.
 */
export async function classifyBatches(
  reader: TableReader,
  cascade: Cascade,
  opts: { window: number; counts: ChunkCounts; sink(columns: CsvColumns): BatchSink; write(settled: SettledBatch): Promise<void> | void },
): Promise<void> {
  let sink: BatchSink | undefined;
  const inFlight: { batch: CsvBatch; items: CascadeItem[]; decisions: Promise<Decision[]> }[] = [];
  const settleNext = async () => {
    const { batch, items, decisions } = inFlight.shift()!;
    await opts.write({ batch, ...settleBatch(sink!, opts.counts, batch, items, await decisions) });
  };
  for await (const batch of reader.batches()) {
    sink ??= opts.sink(reader.columns!);
    const items = itemsOf(batch.rows, reader.columns!);
    const decisions = items.length ? cascade.classify(items) : Promise.resolve([]);
    decisions.catch(() => undefined); // awaited in order by settleNext; this only keeps it from being "unhandled"
    inFlight.push({ batch, items, decisions });
    if (inFlight.length >= opts.window) await settleNext();
  }
  while (inFlight.length) await settleNext();
}
