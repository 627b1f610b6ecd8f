/**
 * Classifies a CSV file on this machine: stream in batches → cascade → output CSV + rejects + DuckDB, with a
 * checkpoint every so many records so a killed run resumes where it stopped. Used by `aisle classify` and
 * `aisle serve`. Runs of the cheap tiers on big files use worker threads (classify-parallel.ts); the output is
 * the same either way.
 */
import { createHash } from 'node:crypto';
import { closeSync, createReadStream, ftruncateSync, openSync, statSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CsvBatchReader, CsvOutputFormatter, cascadeItemOf, formatRejects, REJECT_COLUMNS, rejectsPathFor, type CsvBatch, type CsvColumns,
} from '../../core/csv.ts';
import { UserError } from '../../core/errors.ts';
import { DEFAULT_RULES_PATH } from '../../core/rules.ts';
import { DEFAULT_TAXONOMY_PATH } from '../../core/taxonomy.ts';
import type { CascadeItem, Decision } from '../../core/types.ts';
import type { JobCheckpoint, JobRecord } from '../../ports.ts';
import { emptyTally, tallyDecisions, type ChunkResult, type DecisionTally } from './classify-chunk.ts';
import { classifyInParallel, readHeader, runsInWorkers } from './classify-parallel.ts';
import { offsetRows } from './decision-rows.ts';
import { fillLake, queueForLake } from './lake-export.ts';
import type { LocalRuntime } from './runtime.ts';

export interface ClassifyFileOptions {
  input: string;
  output: string;
  /** Default: derived from the input (path, size, mtime) and the run's options, so a rerun resumes. */
  jobId?: string;
  /** Extra text that makes the derived job id differ (tiers, taxonomy and rules paths...). */
  fingerprint?: string;
  /** Start over even when an unfinished run of the same job exists. */
  fresh?: boolean;
  /** Rows per cascade batch (small batches die young: less GC). */
  batchSize?: number;
  /** Records between checkpoints (each one writes the store and the job record). */
  checkpointEvery?: number;
  /** Batches in the cascade at once (helps slow tiers: encoder, LLM). */
  concurrency?: number;
  /**
   * Worker threads that parse and classify, for runs whose tiers are all cheap (cache, rules) on files of at
   * least parallelMinBytes; 1 (the default) does everything on this thread. Workers build the rules tier again
   * from taxonomyPath and rulesPath (default: the shipped ones), which must be the files the runtime loaded.
   */
  threads?: number;
  /** Smallest input that is worth starting workers for (default 4 MiB). */
  parallelMinBytes?: number;
  /** Input bytes per slice a worker takes (default 512 KiB: small enough that workers finish together). */
  sliceBytes?: number;
  taxonomyPath?: string;
  rulesPath?: string;
  /**
   * Keep every decision in the results store. By default the store gets what needs a look or cost money
   * (review, encoder, LLM); rules and cache decisions are in the output file and cost nothing to redo.
   */
  storeAll?: boolean;
  /**
   * The finished job in the results lake ($AISLE_HOME/lake) for insights: 'deferred' (the default) marks it and
   * the export runs when the lake is next read; 'now' exports before returning; 'off' leaves it out.
   */
  lake?: 'deferred' | 'now' | 'off';
  onProgress?: (bytesRead: number, records: number) => void;
  /** Called once per checkpoint written (tests and progress). */
  onCheckpoint?: (checkpoint: JobCheckpoint) => void;
}

export interface ClassifySummary {
  jobId: string;
  input: string;
  output: string;
  rejects: string;
  /** Data records in the input: classified + rejected. */
  rowsIn: number;
  classified: number;
  rejected: number;
  needsReview: number;
  tierCounts: Record<string, number>;
  /** Records taken over from an earlier, interrupted run (0 for a fresh run). */
  resumedFrom: number;
  /** Records this process read and decided. */
  processedNow: number;
  seconds: number;
  /** Where the job stands with the results lake: exported (its part's key), waiting for the next read, or left out. */
  lake: { key: string } | 'deferred' | 'off';
}

export function deriveJobId(input: string, fingerprint: string): string {
  const st = statSync(input);
  const h = createHash('sha256').update(`${resolve(input)}\n${st.size}\n${st.mtimeMs}\n${fingerprint}`).digest('hex');
  return `job-${h.slice(0, 16)}`;
}

/** An output file written at explicit offsets, so a resume can cut it back to a checkpoint. */
class OffsetFile {
  private readonly fd: number;
  position: number;

  constructor(path: string, truncateTo: number | null) {
    try {
      this.fd = openSync(path, truncateTo === null ? 'w' : 'r+');
    } catch (err) {
      throw new UserError(`cannot write ${path}: ${(err as Error).message}`);
    }
    this.position = truncateTo ?? 0;
    if (truncateTo !== null) ftruncateSync(this.fd, truncateTo);
  }

  write(text: string | Uint8Array): void {
    if (!text.length) return;
    const buf = typeof text === 'string' ? Buffer.from(text) : text;
    let done = 0;
    while (done < buf.length) done += writeSync(this.fd, buf, done, buf.length - done, this.position + done);
    this.position += buf.length;
  }

  close(): void {
    closeSync(this.fd);
  }
}

function sizeOr(path: string, fallback: number): number {
  try {
    return statSync(path).size;
  } catch {
    return fallback;
  }
}

export async function classifyFile(rt: LocalRuntime, opts: ClassifyFileOptions): Promise<ClassifySummary> {
  const started = performance.now();
  try {
    if (!statSync(opts.input).isFile()) throw new Error('not a file');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message;
    throw new UserError(`cannot read input ${opts.input}: ${reason}`);
  }
  const output = resolve(opts.output);
  const rejectsPath = rejectsPathFor(output);
  if (resolve(opts.input) === output) throw new UserError('the output file must differ from the input file');
  const jobId = opts.jobId ?? deriveJobId(opts.input, `${output}\n${opts.fingerprint ?? ''}`);

  const previous = await rt.jobs.get(jobId);
  const cp = previous?.checkpoint;
  const resumable =
    !opts.fresh && previous && previous.status !== 'done' && cp && cp.records > 0 &&
    sizeOr(output, -1) >= cp.outputBytes && sizeOr(rejectsPath, -1) >= cp.rejectsBytes;
  const resumeFrom = resumable ? cp! : null;

  const tierCounts: Record<string, number> = resumeFrom ? { ...previous!.tierCounts } : {};
  let classified = resumeFrom ? previous!.classified : 0;
  let rejected = resumeFrom ? previous!.rejected : 0;
  let needsReview = resumeFrom ? previous!.needsReview : 0;

  if (resumeFrom) {
    await rt.store.discardJobRowsAfter(jobId, resumeFrom.records);
    await rt.jobs.update(jobId, { status: 'running', error: undefined });
  } else {
    await rt.jobs.create({ id: jobId, input: resolve(opts.input), output, rejects: rejectsPath, status: 'running' });
  }

  const out = new OffsetFile(output, resumeFrom ? resumeFrom.outputBytes : null);
  const rej = new OffsetFile(rejectsPath, resumeFrom ? resumeFrom.rejectsBytes : null);
  let formatter: CsvOutputFormatter | undefined;
  let columns: CsvColumns | undefined;
  let records = resumeFrom?.records ?? 0;
  /** Where the records read so far end in the input, while slices are read by workers (null otherwise). */
  let inputAt: { bytes: number; lineBreaks: number } | null = null;
  let checkpointing: Promise<void> = Promise.resolve();
  let checkpointed = records;
  const staging = rt.store.openStaging();
  const checkpointEvery = Math.max(1, opts.checkpointEvery ?? 50_000);
  const batchSize = opts.batchSize ?? 256;
  const storeAll = opts.storeAll ?? false;

  const startOutput = (header: CsvColumns) => {
    columns = header;
    formatter = new CsvOutputFormatter(header.header, rt.taxonomy);
    if (out.position === 0) {
      out.write(formatter.headerLine());
      rej.write(REJECT_COLUMNS.join(',') + '\n');
    }
  };

  const checkpoint = async () => {
    checkpointed = records;
    const cp: JobCheckpoint = {
      records, outputBytes: out.position, rejectsBytes: rej.position, ...(inputAt && { inputBytes: inputAt.bytes, inputLineBreaks: inputAt.lineBreaks }),
    };
    const patch: Partial<JobRecord> = { rowsIn: records, classified, rejected, needsReview, tierCounts: { ...tierCounts }, checkpoint: cp };
    // The store write and the checkpoint run while the next batches are classified; one at a time, in order.
    await checkpointing;
    checkpointing = staging.flush().then(async () => {
      await rt.jobs.update(jobId, patch);
      opts.onCheckpoint?.(cp);
    });
    // A failure surfaces where checkpointing is next awaited (the next checkpoint or the end of the run); until
    // then it must not count as unhandled while worker slices are still being delivered.
    checkpointing.catch(() => undefined);
  };

  /**
   * Adds decisions made (in a batch or a slice) to the job's counts, and stages those the store keeps;
   * rowOffset: where the tally's row numbers start (a slice counts its rows from its own start).
   */
  const absorb = (tally: DecisionTally, rejects: number, rowOffset: number) => {
    for (const [tier, n] of Object.entries(tally.tierCounts)) tierCounts[tier] = (tierCounts[tier] ?? 0) + n;
    classified += tally.classified;
    needsReview += tally.needsReview;
    rejected += rejects;
    staging.add(offsetRows(tally.toStore, rowOffset));
  };

  /** Writes one worker slice's result: its row and line numbers counted from the slice become the file's. */
  const deliverSlice = async (result: ChunkResult, slice: { end: number }) => {
    if (result.classified + result.rejects.length !== result.records) {
      throw new Error(`internal error: a slice of ${result.records} rows gave ${result.classified} classified + ${result.rejects.length} rejected`);
    }
    out.write(result.output);
    for (const r of result.rejects) r.line += inputAt!.lineBreaks;
    rej.write(formatRejects(result.rejects));
    absorb(result, result.rejects.length, records);
    records += result.records;
    inputAt = { bytes: slice.end, lineBreaks: inputAt!.lineBreaks + result.lineBreaks };
    opts.onProgress?.(slice.end, records);
    if (records - checkpointed >= checkpointEvery) await checkpoint();
  };

  const inputSize = statSync(opts.input).size;
  const threads = Math.max(1, opts.threads ?? 1);
  const header = threads > 1 && inputSize >= (opts.parallelMinBytes ?? 4 << 20) && runsInWorkers(rt) ? readHeader(opts.input) : null;
  // A resumed run goes on in workers only from a checkpoint that says where in the input it is.
  const parallelFrom = !header ? undefined : resumeFrom ? resumeFrom.inputBytes : header.bytes.length;

  try {
    let finished = false;
    if (header && parallelFrom !== undefined) {
      const headerReader = new CsvBatchReader((async function* () {
        yield header.bytes;
      })());
      for await (const _ of headerReader.batches()); // the header alone: its columns (or why it has none)
      startOutput(headerReader.columns!);
      inputAt = { bytes: parallelFrom, lineBreaks: resumeFrom?.inputLineBreaks ?? 0 };
      finished = await classifyInParallel(rt, {
        input: opts.input, fileSize: inputSize, header, from: parallelFrom, workers: threads, sliceBytes: opts.sliceBytes ?? 1 << 19,
        batchSize, storeAll, jobId,
        taxonomyPath: opts.taxonomyPath ?? fileURLToPath(DEFAULT_TAXONOMY_PATH),
        rulesPath: rt.tiers.length ? (opts.rulesPath ?? fileURLToPath(DEFAULT_RULES_PATH)) : null,
        deliver: deliverSlice,
      });
      if (!finished) inputAt = null; // one parser reads on from the start: it knows records, not input offsets
    }
    if (!finished) await classifySequentially();
    await checkpoint();
    await checkpointing;
  } catch (err) {
    await checkpointing.catch(() => undefined);
    staging.discard();
    await rt.jobs.update(jobId, { status: 'failed', error: (err as Error).message }).catch(() => undefined);
    throw err;
  } finally {
    out.close();
    rej.close();
  }

  /** This thread reads the file from the start, past the records already done, and classifies the rest. */
  async function classifySequentially() {
    const reader = new CsvBatchReader(createReadStream(opts.input, { highWaterMark: 1 << 14 }), { batchSize, skipRecords: records });
    const window: { batch: CsvBatch; items: CascadeItem[]; decisions: Promise<Decision[]> }[] = [];
    const concurrency = Math.max(1, opts.concurrency ?? 1);
    const finish = async (entry: (typeof window)[number]) => {
      const { batch, items } = entry;
      const decisions = await entry.decisions;
      out.write(formatter!.format(batch.rows, decisions));
      rej.write(formatRejects(batch.rejects));
      const tally = emptyTally();
      tallyDecisions(tally, items, decisions, batch.rowNumbers, storeAll, jobId);
      absorb(tally, batch.rejects.length, 0);
      records = batch.recordsRead;
      opts.onProgress?.(batch.bytesRead, records);
      if (records - checkpointed >= checkpointEvery) await checkpoint();
    };
    for await (const batch of reader.batches()) {
      if (!formatter) startOutput(reader.columns!);
      const items: CascadeItem[] = new Array(batch.rows.length);
      for (let i = 0; i < batch.rows.length; i++) items[i] = cascadeItemOf(batch.rows[i], columns!);
      const decisions = rt.cascade.classify(items);
      decisions.catch(() => undefined); // awaited in order by finish(); this only keeps it from being "unhandled"
      window.push({ batch, items, decisions });
      if (window.length >= concurrency) await finish(window.shift()!);
    }
    while (window.length) await finish(window.shift()!);
  }

  // Every record read is either in the output or in the rejects: the counts must reconcile.
  if (records !== classified + rejected) {
    throw new Error(`internal error: ${records} rows in but ${classified} classified + ${rejected} rejected`);
  }
  await rt.jobs.update(jobId, {
    status: 'done', rowsIn: records, totalKnown: true, classified, rejected, needsReview, tierCounts,
    checkpoint: { records, outputBytes: out.position, rejectsBytes: rej.position },
  });
  // A file with no header has no columns and no rows for the lake.
  let lake: ClassifySummary['lake'] = columns && opts.lake !== 'off' ? 'deferred' : 'off';
  if (lake === 'deferred') {
    const lakeRoot = join(rt.home, 'lake');
    await queueForLake(rt.db, lakeRoot, { jobId, outputCsv: output, inputHeader: columns!.header, rows: classified, taxonomy: rt.taxonomy, at: new Date() });
    if (opts.lake === 'now') {
      const written = (await fillLake(rt.db, lakeRoot, rt.warn)).find((w) => w.jobId === jobId);
      if (written) lake = { key: written.key };
    }
  }
  return {
    jobId,
    input: resolve(opts.input),
    output,
    rejects: rejectsPath,
    rowsIn: records,
    classified,
    rejected,
    needsReview,
    tierCounts,
    resumedFrom: resumeFrom?.records ?? 0,
    processedNow: records - (resumeFrom?.records ?? 0),
    seconds: (performance.now() - started) / 1000,
    lake,
  };
}
