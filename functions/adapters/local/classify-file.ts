/**
 * Classifies a CSV file on this machine: stream in batches → cascade → output CSV + rejects + DuckDB, with a
 * checkpoint every so many records so a killed run resumes where it stopped. Used by `aisle classify` and
 * `aisle serve`. Runs of the cheap tiers on big files use worker threads (classify-parallel.ts); the output is
 * the same either way.
 */
import { createHash } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Cascade } from '../../core/cascade.ts';
import {
  type CsvBatch,
  CsvBatchReader,
  type CsvColumns,
  CsvOutputFormatter,
  type CsvReject,
  type CsvWriteOptions,
  type Delimiter,
  formatRejects,
  REJECT_COLUMNS,
  rejectsPathFor,
  UTF8_BOM,
} from '../../core/csv.ts';
import { UserError } from '../../core/errors.ts';
import type { ColumnChoice } from '../../core/input/columns.ts';
import { describeInput, type InputKind, openTable } from '../../core/input/open.ts';
import { openXlsx } from '../../core/input/xlsx.ts';
import type { FileFormat } from '../../core/output/formats.ts';
import { DEFAULT_RULES_PATH } from '../../core/rules.ts';
import { DEFAULT_TAXONOMY_PATH } from '../../core/taxonomy.ts';
import { addCounts, assertReconciled, emptyCounts } from '../../pipeline/accounting.ts';
import { type BatchSink, classifyBatches } from '../../pipeline/batch.ts';
import type { ChunkCounts, ItemRecord, JobCheckpoint, JobRecord } from '../../ports.ts';
import { RunCache } from './classify-cache.ts';
import { type ChunkResult, countByte, storeKeeps } from './classify-chunk.ts';
import { classifyInParallel, type ParallelInput, runsInWorkers } from './classify-parallel.ts';
import { encodeDecisions, offsetRows } from './decision-rows.ts';
import { DecisionStaging } from './duckdb.ts';
import { fillLake, queueForLake } from './lake-export.ts';
import { OffsetFile } from './offset-file.ts';
import { workingCsvPath, writeOutputAs } from './output-file.ts';
import { openParquet, PARQUET_AS_CSV } from './parquet-input.ts';
import { openParquetSlices, openRecordSlices, recordStartLines } from './record-slices.ts';
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
  /**
   * false: a failed run is never resumed (a server's job fails for good), so it leaves no staged decisions behind.
   * Default true: the staged decisions up to the last checkpoint stay for the rerun that resumes.
   */
  resumable?: boolean;
  /** Rows per cascade batch (small batches die young: less GC). */
  batchSize?: number;
  /** Records between checkpoints (each one writes the store and the job record). */
  checkpointEvery?: number;
  /** Batches in the cascade at once (helps slow tiers: encoder, LLM). */
  concurrency?: number;
  /**
   * Threads that parse and classify, for runs whose tiers all run in-process (cache, rules, the local encoder)
   * on files of at least parallelMinBytes: worker threads, and with the encoder this thread in place of one of
   * them; 1 (the default) does everything on this thread. Workers build the rules tier again from taxonomyPath
   * and rulesPath (default: the shipped ones), which must be the files the runtime loaded, and the encoder from
   * its model's folder.
   */
  threads?: number;
  /**
   * The worker's script (a bundle of classify-worker.ts; the CLI builds it): asked for only when a run goes to
   * workers, which it cannot without.
   */
  workerScript?: () => Promise<string>;
  /** Smallest input that is worth starting workers for (default 4 MiB). */
  parallelMinBytes?: number;
  /** Input bytes per slice a worker takes (default 512 KiB, 128 KiB with the encoder: small enough that workers finish together). */
  sliceBytes?: number;
  taxonomyPath?: string;
  rulesPath?: string;
  /**
   * Keep every decision in the results store. By default the store gets what needs a look or cost money
   * (review, encoder, LLM); rules and cache decisions are in the output file and cost nothing to redo.
   */
  storeAll?: boolean;
  /** Output and rejects cells exactly as they went in; by default a formula-like cell gets a leading ' (docs/csv.md). */
  csvRaw?: boolean;
  /** Longest input record classified, in bytes (AISLE_MAX_RECORD_BYTES; default 1 MiB): a longer one is rejected. */
  maxRecordBytes?: number;
  /**
   * The finished job in the results lake ($AISLE_HOME/lake) for insights: 'deferred' (the default) marks it and
   * the export runs when the lake is next read; 'now' exports before returning; 'off' leaves it out.
   */
  lake?: 'deferred' | 'now' | 'off';
  /** The output's delimiter (--out-format csv|tsv); default: the input's. */
  outDelimiter?: Delimiter;
  /** Start the output with a UTF-8 BOM (--bom), for Excel. */
  bom?: boolean;
  /** Write the output as JSON lines, Parquet or xlsx instead of CSV (output-file.ts); the rejects stay CSV. */
  outFormat?: FileFormat;
  /** The input's text encoding (--encoding); default: detected. */
  encoding?: string;
  /** The workbook's sheet, for an .xlsx input (--sheet); default: its first. */
  sheet?: string;
  /** Columns named by the user (--name-column, --id-column, --text-columns, --category-column). */
  columns?: ColumnChoice;
  onProgress?: (bytesRead: number, records: number) => void;
  /** Called once per checkpoint written (tests and progress). */
  onCheckpoint?: (checkpoint: JobCheckpoint) => void;
}

export interface ClassifySummary extends ChunkCounts, JobPaths {
  jobId: string;
  /** Data records in the input: classified + rejected. */
  rowsIn: number;
  /** Records taken over from an earlier, interrupted run (0 for a fresh run). */
  resumedFrom: number;
  /** Records this process read and decided. */
  processedNow: number;
  seconds: number;
  /** Where the job stands with the results lake: exported (its part's key), waiting for the next read, or left out. */
  lake: { key: string } | 'deferred' | 'off';
  /** How the input was read: `CSV, gzip, UTF-8 (valid UTF-8)`. */
  readAs: string;
}

export function deriveJobId(input: string, fingerprint: string): string {
  const st = statSync(input);
  const h = createHash('sha256')
    .update(`${resolve(input)}\n${st.size}\n${st.mtimeMs}\n${fingerprint}`)
    .digest('hex');
  return `job-${h.slice(0, 16)}`;
}

export async function classifyFile(rt: LocalRuntime, opts: ClassifyFileOptions): Promise<ClassifySummary> {
  const started = performance.now();
  const paths = checkPaths(opts);
  const jobId = opts.jobId ?? deriveJobId(opts.input, `${paths.output}\n${opts.fingerprint ?? ''}`);
  // Another format is written from the run's CSV, raw, when the run is done.
  const written = opts.outFormat ? { ...paths, output: workingCsvPath(paths.output) } : paths;
  const resumed = await openJob(rt, jobId, written, opts.fresh ?? false);
  const run = new FileRun(rt, opts, jobId, written, resumed);
  await run.classify();
  // The lake reads the CSV: now, before it goes.
  const lakeWhen = opts.outFormat && opts.lake !== 'off' ? 'now' : opts.lake;
  const lake = await addToLake(rt, { lake: lakeWhen, csvRaw: run.outputRaw }, jobId, written.output, run);
  if (opts.outFormat) await writeOutputAs(opts.outFormat, written.output, run.outputDelimiter, paths.output);
  const resumedFrom = resumed?.checkpoint.records ?? 0;
  return {
    jobId,
    ...paths,
    rowsIn: run.records,
    ...run.counts,
    resumedFrom,
    processedNow: run.records - resumedFrom,
    seconds: (performance.now() - started) / 1000,
    lake,
    readAs: run.readAs,
  };
}

interface JobPaths {
  input: string;
  output: string;
  rejects: string;
}

function checkPaths(opts: ClassifyFileOptions): JobPaths {
  try {
    if (!statSync(opts.input).isFile()) throw new Error('not a file');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message;
    throw new UserError(`cannot read input ${opts.input}: ${reason}`);
  }
  const output = resolve(opts.output);
  const paths = { input: resolve(opts.input), output, rejects: rejectsPathFor(output) };
  // Each file the run writes is truncated first: one that is the input under another name (a link, or the rejects
  // file of `--out cat.csv` for an input `cat.rejects.csv`) would lose the catalog before a row is read.
  const written = [paths.output, paths.rejects, workingCsvPath(paths.output)];
  const clash = written.find((p) => p === paths.input || sameFile(p, paths.input));
  if (clash) throw new UserError(`the output file must differ from the input file: ${clash} is the input; choose another --out`);
  return paths;
}

/** Whether two paths name one file (links followed); false when either does not exist. */
function sameFile(a: string, b: string): boolean {
  const sa = statSync(a, { throwIfNoEntry: false });
  const sb = statSync(b, { throwIfNoEntry: false });
  return !!sa && !!sb && sa.dev === sb.dev && sa.ino === sb.ino;
}

/** Where an interrupted run of the job stopped, with its counts up to there. */
interface Resumed {
  checkpoint: JobCheckpoint;
  counts: ChunkCounts;
}

/** Creates the job, or takes up an unfinished run of it whose files still hold what its checkpoint says. */
async function openJob(rt: LocalRuntime, jobId: string, paths: JobPaths, fresh: boolean): Promise<Resumed | null> {
  const previous = await rt.jobs.get(jobId);
  const cp = previous?.checkpoint;
  const resumable =
    !fresh &&
    previous &&
    previous.status !== 'done' &&
    cp &&
    cp.records > 0 &&
    sizeOr(paths.output, -1) >= cp.outputBytes &&
    sizeOr(paths.rejects, -1) >= cp.rejectsBytes &&
    (!cp.staged?.bytes || sizeOr(stagingFile(rt, jobId), -1) >= cp.staged.bytes);
  if (!resumable) {
    await rt.jobs.create({ id: jobId, input: paths.input, output: paths.output, rejects: paths.rejects, status: 'running' });
    return null;
  }
  await rt.store.discardJobRowsAfter(jobId, cp.staged?.from ?? cp.records);
  await rt.jobs.update(jobId, { status: 'running', error: undefined });
  const counts = emptyCounts();
  // The record's counts run ahead of its checkpoint (progress writes); a checkpoint written before it held counts had none ahead.
  addCounts(counts, cp.counts ?? previous);
  return { checkpoint: cp, counts };
}

/**
 * Where a run stages its job's decisions until it ends (DecisionStaging): inserting them as the run goes put the
 * store's inserts and checkpoints on top of the workers' peak memory (docs/benchmarks.md, "The full cascade").
 */
function stagingFile(rt: LocalRuntime, jobId: string): string {
  const name = createHash('sha256').update(`${rt.tenant}\n${jobId}`).digest('hex').slice(0, 16);
  return join(rt.db.tmpDir, `decisions-${name}.csv`);
}

/** Adds the finished job to the results lake, as asked (ClassifyFileOptions.lake). */
async function addToLake(
  rt: LocalRuntime,
  opts: Pick<ClassifyFileOptions, 'lake' | 'csvRaw'>,
  jobId: string,
  output: string,
  run: FileRun,
): Promise<ClassifySummary['lake']> {
  // A file with no header has no columns and no rows for the lake.
  if (!run.columns || opts.lake === 'off') return 'off';
  const lakeRoot = join(rt.home, 'lake');
  await queueForLake(rt.db, lakeRoot, {
    tenant: rt.tenant,
    jobId,
    outputCsv: output,
    inputHeader: run.columns.header,
    rows: run.counts.classified,
    taxonomy: rt.taxonomy,
    at: new Date(),
    csvRaw: opts.csvRaw ?? false,
  });
  if (opts.lake !== 'now') return 'deferred';
  const written = (await fillLake(rt.db, lakeRoot, rt.warn)).find((w) => w.jobId === jobId);
  return written ? { key: written.key } : 'deferred';
}

/** Least time between two progress writes to a job record. */
const PROGRESS_MS = 400;

function sizeOr(path: string, fallback: number): number {
  try {
    return statSync(path).size;
  } catch {
    return fallback;
  }
}

/**
 * One run of a job over its file: the output files, the counts, the checkpoints. The records are classified
 * on this thread (classifySequentially) or, for the cheap tiers on a big enough file, by worker threads
 * (classifyInWorkers) whose slices come back here in input order.
 */
class FileRun {
  readonly counts: ChunkCounts;
  records: number;
  columns: CsvColumns | undefined;
  readAs = '';
  /** Output cells as they went in: asked for (--csv-raw), or a CSV that another format is written from. */
  readonly outputRaw: boolean;
  /** The output CSV's delimiter, once its header is written. */
  outputDelimiter: Delimiter = ',';
  private sink: BatchSink | undefined;
  private readonly out: OffsetFile;
  private readonly rej: OffsetFile;
  /** Where the records read so far end in the input, while slices are read by workers (null otherwise). */
  private inputAt: { bytes: number; lineBreaks: number } | null = null;
  /** A Parquet read as CSV slices: the LF bytes in its header (its rejects are numbered by record, as its reader does). */
  private headerLines: number | null = null;
  private checkpointing: Promise<void> = Promise.resolve();
  private checkpointed: number;
  /** When the counts were last written to the job record (performance.now()). */
  private progressAt = performance.now();
  /** Bytes of the input read so far, and its size: the job's progress while its row total is unknown. */
  private bytesRead = 0;
  private readonly inputSize: number;
  /** The decisions of the records after stagedFrom, staged for the store until the run ends. */
  private readonly staging: DecisionStaging;
  private readonly stagedFrom: number;
  private readonly checkpointEvery: number;
  private readonly batchSize: number;
  private readonly csvWrite: CsvWriteOptions;
  /** This run's cascade: the runtime's, over a cache it writes at checkpoints (classify-cache.ts). */
  private readonly cascade: Cascade;
  private runCache: RunCache | undefined;

  constructor(
    private readonly rt: LocalRuntime,
    private readonly opts: ClassifyFileOptions,
    private readonly jobId: string,
    paths: JobPaths,
    private readonly resumed: Resumed | null,
  ) {
    this.counts = resumed?.counts ?? emptyCounts();
    this.records = this.checkpointed = resumed?.checkpoint.records ?? 0;
    this.inputSize = statSync(opts.input).size;
    this.bytesRead = resumed?.checkpoint.inputBytes ?? 0;
    this.out = new OffsetFile(paths.output, resumed ? resumed.checkpoint.outputBytes : null);
    this.rej = new OffsetFile(paths.rejects, resumed ? resumed.checkpoint.rejectsBytes : null);
    const staged = resumed?.checkpoint.staged;
    this.staging = new DecisionStaging(rt.db, rt.tenant, { file: stagingFile(rt, jobId), keep: staged?.bytes ?? 0 });
    this.stagedFrom = staged?.from ?? this.records;
    this.checkpointEvery = Math.max(1, opts.checkpointEvery ?? 50_000);
    this.batchSize = opts.batchSize ?? 256;
    this.csvWrite = { raw: opts.csvRaw ?? false };
    this.outputRaw = (opts.csvRaw ?? false) || opts.outFormat !== undefined;
    this.cascade = rt.cascade.withCache((cache) => (this.runCache = new RunCache(cache)));
  }

  /** Classifies the rest of the file and marks the job done (or failed, and throws). */
  async classify(): Promise<void> {
    try {
      const finished = await this.classifyInWorkers();
      if (!finished) await this.classifySequentially();
      await this.checkpoint(true);
      await this.checkpointing;
    } catch (err) {
      await this.checkpointing.catch(() => undefined);
      this.staging.close({ keep: this.opts.resumable ?? true });
      await this.rt.jobs.update(this.jobId, { status: 'failed', error: (err as Error).message }).catch(() => undefined);
      throw err;
    } finally {
      this.out.close();
      this.rej.close();
    }
    assertReconciled(`job ${this.jobId}`, this.records, this.counts);
    await this.rt.jobs.update(this.jobId, {
      status: 'done',
      rowsIn: this.records,
      totalKnown: true,
      ...this.counts,
      checkpoint: { records: this.records, outputBytes: this.out.position, rejectsBytes: this.rej.position },
    });
  }

  private startOutput(columns: CsvColumns, inputDelimiter: Delimiter): BatchSink {
    this.columns = columns;
    this.outputDelimiter = this.opts.outDelimiter ?? inputDelimiter;
    this.sink = {
      formatter: new CsvOutputFormatter(columns.header, this.rt.taxonomy, { raw: this.outputRaw, delimiter: this.outputDelimiter }),
      jobId: this.jobId,
      keep: storeKeeps(this.opts.storeAll ?? false),
    };
    if (this.out.position === 0) {
      this.out.write((this.opts.bom && !this.opts.outFormat ? UTF8_BOM : '') + this.sink.formatter.headerLine());
      this.rej.write(REJECT_COLUMNS.join(',') + '\n');
    }
    return this.sink;
  }

  /** `last`: the run's end, where the staged decisions go to the store. */
  private async checkpoint(last = false): Promise<void> {
    this.checkpointed = this.records;
    const counts = this.countsNow();
    const cp: JobCheckpoint = {
      records: this.records,
      outputBytes: this.out.position,
      rejectsBytes: this.rej.position,
      ...(this.inputAt && { inputBytes: this.inputAt.bytes, inputLineBreaks: this.inputAt.lineBreaks }),
      counts,
      ...(!last && { staged: { from: this.stagedFrom, bytes: this.staging.bytes } }),
    };
    const patch: Partial<JobRecord> = { rowsIn: this.records, ...counts, checkpoint: cp, inputRead: this.inputRead() };
    // The cache write and the checkpoint run while the next batches are classified; one at a time, in order.
    await this.checkpointing;
    this.checkpointing = Promise.all([last && this.staging.flush(), this.runCache?.flush()]).then(async () => {
      await this.rt.jobs.update(this.jobId, patch);
      this.opts.onCheckpoint?.(cp);
    });
    // A failure surfaces where checkpointing is next awaited (the next checkpoint or the end of the run); until
    // then it must not count as unhandled while worker slices are still being delivered.
    this.checkpointing.catch(() => undefined);
  }

  private countsNow(): ChunkCounts {
    return { ...this.counts, tierCounts: { ...this.counts.tierCounts } };
  }

  /**
   * After each batch or slice: a checkpoint when one is due, else at most every PROGRESS_MS the counts so far
   * on the job record, so that a poller sees them move between checkpoints (which come every 50,000 records by
   * default: half a minute on a slow tier). In line behind the checkpoints, so the record's counts never go back.
   */
  private async checkpointIfDue(): Promise<void> {
    if (this.records - this.checkpointed >= this.checkpointEvery) return this.checkpoint();
    const now = performance.now();
    if (now - this.progressAt < PROGRESS_MS) return;
    this.progressAt = now;
    const patch: Partial<JobRecord> = { rowsIn: this.records, ...this.countsNow(), inputRead: this.inputRead() };
    this.checkpointing = this.checkpointing.then(async () => void (await this.rt.jobs.update(this.jobId, patch)));
    this.checkpointing.catch(() => undefined); // as in checkpoint()
  }

  private inputRead(): JobRecord['inputRead'] {
    return { bytes: this.bytesRead, total: this.inputSize };
  }

  /** Resolves false when the run is not for workers, or they stopped early, and this thread must read (on). */
  private async classifyInWorkers(): Promise<boolean> {
    const { opts } = this;
    const threads = opts.threads ?? 1;
    if (threads <= 1 || !runsInWorkers(this.rt)) return false;
    const kind = await this.inputKind();
    // A compressed file or Parquet holds several times its size in text (gzip ~6×, measured on generated catalogs: count 4).
    const compact = kind.container !== undefined || kind.format === 'parquet' || kind.format === 'xlsx';
    if (this.inputSize * (compact ? 4 : 1) < (opts.parallelMinBytes ?? 4 << 20)) return false;
    const { workerScript } = opts;
    if (!workerScript) throw new Error('classifyFile: threads > 1 needs workerScript');
    // With the encoder a chunk takes several times longer, and what it decides lives until it is sent: smaller ones.
    const chunkBytes = opts.sliceBytes ?? (this.rt.tiers.some((t) => t.name === 'encoder') ? 1 << 17 : 1 << 19);
    const input = (await this.byteSlices(kind, chunkBytes)) ?? (await this.readRows(chunkBytes));
    const finished = await classifyInParallel(this.rt, {
      input,
      workers: threads,
      batchSize: this.batchSize,
      storeAll: opts.storeAll ?? false,
      csvRaw: this.outputRaw,
      maxRecordBytes: opts.maxRecordBytes,
      jobId: this.jobId,
      workerScript,
      taxonomyPath: opts.taxonomyPath ?? fileURLToPath(DEFAULT_TAXONOMY_PATH),
      rulesPath: this.rt.tiers.some((t) => t.name === 'rules') ? (opts.rulesPath ?? fileURLToPath(DEFAULT_RULES_PATH)) : null,
      // Without a cache tier the workers neither ask nor put: the runtime's cache stands in for the type.
      cache: this.runCache ?? this.rt.cache,
      // With the encoder, this thread classifies beside the workers rather than hold a worker's memory more.
      here: this.rt.tiers.some((t) => t.name === 'encoder') ? this.cascade : null,
      deliver: (result, chunk) => this.deliverChunk(result, chunk),
    });
    if (!finished) this.inputAt = null; // one parser reads on from the start: it knows records, not input offsets
    return finished;
  }

  /**
   * Byte slices of the file for the workers to parse, when it can be cut so (record-slices.ts): a UTF-8 CSV,
   * plain or in gzip/zstd, with LF record ends, or a Parquet's rows as CSV (its rejects then numbered by record),
   * its columns found by their names and written in its delimiter, and (on a resume) a checkpoint that says where
   * in the data it is. Else null: this thread reads the rows.
   */
  private async byteSlices(kind: InputKind, sliceBytes: number): Promise<ParallelInput | null> {
    const { opts } = this;
    if (opts.outDelimiter !== undefined || (opts.columns && Object.values(opts.columns).some((v) => v !== undefined))) return null;
    const parquet = kind.format === 'parquet';
    if (parquet && !PARQUET_AS_CSV) return null;
    if (!parquet && (kind.format !== 'csv' || kind.encoding?.name !== 'utf-8')) return null;
    if (this.resumed && this.resumed.checkpoint.inputBytes === undefined) return null;
    const from = this.resumed?.checkpoint.inputBytes;
    const opened = parquet
      ? await openParquetSlices(opts.input, sliceBytes, from)
      : await openRecordSlices(opts.input, kind.container, sliceBytes, from);
    if (!opened) return null;
    const { header, slices } = opened;
    // Excel's `sep=;` line comes before the header: this thread's reader passes over it.
    if (/^(\uFEFF)?sep=/i.test(header.toString('utf8', 0, 8))) {
      slices.close();
      return null;
    }
    const headerReader = new CsvBatchReader(
      (async function* () {
        yield header;
      })(),
    );
    try {
      for await (const _ of headerReader.batches()); // the header alone: its columns (or why it has none)
    } catch (err) {
      slices.close();
      throw err;
    }
    // One column: a NULL would be an empty line, which a CSV parser skips; column names that look like another delimiter.
    if (parquet && (headerReader.columns!.header.length < 2 || headerReader.delimiter !== ',')) {
      slices.close();
      return null;
    }
    this.readAs = describeInput(kind);
    this.startOutput(headerReader.columns!, headerReader.delimiter);
    this.inputAt = { bytes: from ?? header.length, lineBreaks: this.resumed?.checkpoint.inputLineBreaks ?? 0 };
    this.headerLines = parquet ? countByte(header, 10, 0, header.length) : null;
    return { kind: 'slices', header, slices, keepBytes: parquet };
  }

  /** The input's container, format and encoding, from its first bytes. */
  private async inputKind(): Promise<InputKind> {
    const stream = createReadStream(this.opts.input, { highWaterMark: 1 << 14 });
    try {
      return (await openTable(stream, { name: this.opts.input, encoding: this.opts.encoding, parquet: openParquet, xlsx: openXlsx })).kind;
    } finally {
      stream.destroy();
    }
  }

  /** Any other input: this thread decodes and parses it (as classifySequentially), the workers classify its rows. */
  private async readRows(chunkChars: number): Promise<ParallelInput> {
    const { reader } = await this.openInput();
    const batches = reader.batches();
    const first = await batches.next(); // the columns are known from the first batch on
    this.startOutput(reader.columns!, reader.delimiter);
    async function* all() {
      if (!first.done) yield first.value;
      yield* batches;
    }
    return { kind: 'rows', source: { columns: reader.columns!, outDelimiter: this.outputDelimiter }, batches: all(), base: this.records, chunkChars };
  }

  /**
   * Writes one worker chunk's result: its row numbers counted from the chunk become the file's, and so do a byte
   * slice's line numbers (rows read here have the file's already).
   */
  private async deliverChunk(result: ChunkResult, chunk: { end: number; read: number; bytes?: Uint8Array }): Promise<void> {
    assertReconciled('a chunk', result.records, result.counts);
    this.out.write(result.output);
    if (this.headerLines !== null && chunk.bytes) numberByRecord(result.rejects, chunk.bytes, this.headerLines, this.records);
    else if (this.inputAt) for (const r of result.rejects) r.line += this.inputAt.lineBreaks;
    this.rej.write(formatRejects(result.rejects, this.csvWrite));
    addCounts(this.counts, result.counts);
    this.staging.add(offsetRows(result.toStore, this.records));
    this.records += result.records;
    if (this.inputAt) this.inputAt = { bytes: chunk.end, lineBreaks: this.inputAt.lineBreaks + result.lineBreaks };
    this.bytesRead = chunk.read;
    this.opts.onProgress?.(chunk.read, this.records);
    await this.checkpointIfDue();
  }

  /** This thread reads the file from the start, past the records already done, and classifies the rest. */
  private async classifySequentially(): Promise<void> {
    const { reader } = await this.openInput();
    await classifyBatches(reader, this.cascade, {
      window: Math.max(1, this.opts.concurrency ?? 1),
      counts: this.counts,
      sink: (columns) => this.sink ?? this.startOutput(columns, reader.delimiter),
      write: ({ batch, output, toStore }) => this.writeBatch(batch, output, toStore),
    });
  }

  /** The input from the start, past the records already done. */
  private async openInput() {
    const opened = await openTable(createReadStream(this.opts.input, { highWaterMark: 1 << 14 }), {
      name: this.opts.input,
      path: this.opts.input,
      encoding: this.opts.encoding,
      columns: this.opts.columns,
      parquet: openParquet,
      xlsx: openXlsx,
      sheet: this.opts.sheet,
      batchSize: this.batchSize,
      skipRecords: this.records,
      maxRecordBytes: this.opts.maxRecordBytes,
    });
    this.readAs = describeInput(opened.kind);
    return opened;
  }

  private async writeBatch(batch: CsvBatch, output: string, toStore: ItemRecord[]): Promise<void> {
    this.out.write(output);
    this.rej.write(formatRejects(batch.rejects, this.csvWrite));
    this.staging.add(encodeDecisions(toStore).bytes);
    this.records = batch.recordsRead;
    this.bytesRead = batch.bytesRead;
    this.opts.onProgress?.(batch.bytesRead, this.records);
    await this.checkpointIfDue();
  }
}

/**
 * A Parquet slice's rejects numbered as the Parquet reader numbers them: the record's number plus one. A worker
 * numbers them by line from the header's start, which differs where fields hold newlines.
 */
function numberByRecord(rejects: CsvReject[], slice: Uint8Array, headerLines: number, recordsBefore: number): void {
  if (!rejects.length) return;
  const starts = recordStartLines(slice);
  let k = 0;
  for (const r of rejects) {
    const line = r.line - 1 - headerLines;
    while (k + 1 < starts.length && starts[k + 1] <= line) k++;
    r.line = recordsBefore + k + 2;
  }
}
