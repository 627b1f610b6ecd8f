/**
 * Classifies a CSV file on this machine: stream in batches → cascade → output CSV + rejects + DuckDB, with a
 * checkpoint per batch so a killed run resumes where it stopped. Used by `aisle classify` and `aisle serve`.
 */
import { createHash } from 'node:crypto';
import { closeSync, createReadStream, ftruncateSync, openSync, statSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  CsvBatchReader, CsvOutputFormatter, cascadeItemOf, formatRejects, REJECT_COLUMNS, rejectsPathFor, type CsvBatch,
} from '../../core/csv.ts';
import { UserError } from '../../core/errors.ts';
import type { CascadeItem, Decision } from '../../core/types.ts';
import type { ItemRecord, JobCheckpoint, JobRecord } from '../../ports.ts';
import { exportJobToLake } from './lake-export.ts';
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
   * Keep every decision in the results store. By default the store gets what needs a look or cost money
   * (review, encoder, LLM); rules and cache decisions are in the output file and cost nothing to redo.
   */
  storeAll?: boolean;
  /** Write the finished job to the results lake ($AISLE_HOME/lake) for insights; default true. */
  lake?: boolean;
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

  write(text: string): void {
    if (!text) return;
    const buf = Buffer.from(text);
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

const CHEAP_TIERS = new Set(['rules', 'cache']);

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
  const reader = new CsvBatchReader(createReadStream(opts.input, { highWaterMark: 1 << 14 }), {
    batchSize: opts.batchSize ?? 256,
    skipRecords: resumeFrom?.records ?? 0,
  });
  let formatter: CsvOutputFormatter | undefined;
  let records = resumeFrom?.records ?? 0;
  let checkpointing: Promise<void> = Promise.resolve();
  let checkpointed = records;
  const staging = rt.store.openStaging();
  const checkpointEvery = Math.max(1, opts.checkpointEvery ?? 50_000);
  const window: { batch: CsvBatch; items: CascadeItem[]; decisions: Promise<Decision[]> }[] = [];
  const concurrency = Math.max(1, opts.concurrency ?? 1);
  const storeAll = opts.storeAll ?? false;

  const finish = async (entry: (typeof window)[number]) => {
    const { batch, items } = entry;
    const decisions = await entry.decisions;
    out.write(formatter!.format(batch.rows, decisions));
    rej.write(formatRejects(batch.rejects));
    const at = new Date().toISOString();
    const toStore: ItemRecord[] = [];
    for (let i = 0; i < items.length; i++) {
      const d = decisions[i];
      tierCounts[d.tier] = (tierCounts[d.tier] ?? 0) + 1;
      if (d.status === 'needs_review') needsReview++;
      if (storeAll || !CHEAP_TIERS.has(d.tier)) {
        toStore.push({ decision: d, input: items[i], text: items[i].text, jobId, row: batch.rowNumbers[i], at });
      }
    }
    staging.add(toStore);
    classified += items.length;
    rejected += batch.rejects.length;
    records = batch.recordsRead;
    opts.onProgress?.(batch.bytesRead, records);
    if (records - checkpointed >= checkpointEvery) await checkpoint();
  };

  const checkpoint = async () => {
    checkpointed = records;
    const cp: JobCheckpoint = { records, outputBytes: out.position, rejectsBytes: rej.position };
    const patch: Partial<JobRecord> = { rowsIn: records, classified, rejected, needsReview, tierCounts: { ...tierCounts }, checkpoint: cp };
    // The store write and the checkpoint run while the next batches are classified; one at a time, in order.
    await checkpointing;
    checkpointing = staging.flush().then(async () => {
      await rt.jobs.update(jobId, patch);
      opts.onCheckpoint?.(cp);
    });
  };

  try {
    for await (const batch of reader.batches()) {
      if (!formatter) {
        formatter = new CsvOutputFormatter(reader.columns!.header, rt.taxonomy);
        if (!resumeFrom) {
          out.write(formatter.headerLine());
          rej.write(REJECT_COLUMNS.join(',') + '\n');
        }
      }
      const columns = reader.columns!;
      const items: CascadeItem[] = new Array(batch.rows.length);
      for (let i = 0; i < batch.rows.length; i++) items[i] = cascadeItemOf(batch.rows[i], columns);
      const decisions = rt.cascade.classify(items);
      decisions.catch(() => undefined); // awaited in order by finish(); this only keeps it from being "unhandled"
      window.push({ batch, items, decisions });
      if (window.length >= concurrency) await finish(window.shift()!);
    }
    while (window.length) await finish(window.shift()!);
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

  // Every record read is either in the output or in the rejects: the counts must reconcile.
  if (records !== classified + rejected) {
    throw new Error(`internal error: ${records} rows in but ${classified} classified + ${rejected} rejected`);
  }
  await rt.jobs.update(jobId, {
    status: 'done', rowsIn: records, totalKnown: true, classified, rejected, needsReview, tierCounts,
    checkpoint: { records, outputBytes: out.position, rejectsBytes: rej.position },
  });
  if (opts.lake !== false && formatter) {
    await exportJobToLake(rt.db, {
      jobId, outputCsv: output, inputHeader: reader.columns!.header, lakeRoot: join(rt.home, 'lake'), taxonomy: rt.taxonomy, at: new Date(),
    });
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
  };
}
