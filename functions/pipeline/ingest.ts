/**
 * Ingest, the first step of a queued job: streams the input file (CSV, JSON, gzip, xlsx... input/open.ts; Parquet
 * by ranged reads) from its bucket, read as the object's metadata says (input/read-options.ts: columns, encoding,
 * sheet, output delimiter and BOM), validates rows, writes rejects to outbox/<jobId>/rejects.csv, sends valid rows
 * in chunks to the classify queue, and records the job with its total. A redelivered notification maps to the
 * same job (id from bucket/key/etag); chunk ids are positions in the file, so re-sent chunks count once.
 */
import { PassThrough } from 'node:stream';
import { type ColumnChoice, CsvFormatError, escapeCsv, formatRejects, REJECT_COLUMNS } from '../core/csv.ts';
import { openTable } from '../core/input/open.ts';
import { openRangedParquet } from '../core/input/parquet.ts';
import { choicesOf, type OutputChoice, readOptionsOfMetadata } from '../core/input/read-options.ts';
import { openXlsx } from '../core/input/xlsx.ts';
import type { JobHeader } from '../core/output/job-output.ts';
import type { BlobStore } from '../ports.ts';
import type { ClassifyMessage } from './messages.ts';
import { finalizeIfReconciled, forTenant, jobOfObject, outboxKeys, type QueuedJobDeps } from './queued.ts';

/** Rows per classify message, and the bytes one message may hold (SQS allows 256 KiB per message and batch). */
export const ROWS_PER_MESSAGE = 200;
export const MAX_MESSAGE_BYTES = 200 * 1024;
/** Messages buffered before a send: bounds memory whatever the file size. */
const SEND_EVERY = 50;

/** Splits valid rows into classify messages of at most ROWS_PER_MESSAGE rows and MAX_MESSAGE_BYTES. */
export class Chunker {
  private rows: string[][] = [];
  private rowNumbers: number[] = [];
  private bytes = 0;
  chunks = 0;
  readonly ready: ClassifyMessage[] = [];
  private readonly headerBytes: number;

  constructor(
    private readonly tenant: string,
    private readonly jobId: string,
    private readonly header: string[],
    private readonly rowsPerChunk = ROWS_PER_MESSAGE,
    private readonly columns?: ColumnChoice,
  ) {
    this.headerBytes = Buffer.byteLength(JSON.stringify({ tenant, jobId, chunk: 0, header, columns, rows: [], rowNumbers: [] })) + 32;
  }

  /** Adds the row; a row that cannot fit in one message is not added, and why is returned (it goes to rejects). */
  add(row: string[], rowNumber: number): string | undefined {
    const size = Buffer.byteLength(JSON.stringify(row)) + String(rowNumber).length + 2;
    if (this.headerBytes + size > MAX_MESSAGE_BYTES)
      return (
        `the row is ${size} bytes: a queued job's row must fit in one classify message ` +
        `(${MAX_MESSAGE_BYTES.toLocaleString('en-US')} bytes with the header); shorten its long columns, or classify the file with aisle classify`
      );
    if (this.rows.length === this.rowsPerChunk || this.headerBytes + this.bytes + size > MAX_MESSAGE_BYTES) this.cut();
    this.rows.push(row);
    this.rowNumbers.push(rowNumber);
    this.bytes += size;
    return undefined;
  }

  cut(): void {
    if (!this.rows.length) return;
    this.ready.push({
      tenant: this.tenant,
      jobId: this.jobId,
      chunk: this.chunks++,
      header: this.header,
      ...(this.columns ? { columns: this.columns } : {}),
      rows: this.rows,
      rowNumbers: this.rowNumbers,
    });
    this.rows = [];
    this.rowNumbers = [];
    this.bytes = 0;
  }

  take(): ClassifyMessage[] {
    return this.ready.splice(0, this.ready.length);
  }
}

/** `rowsPerChunk`: rows per classify message (ROWS_PER_MESSAGE unless a test sizes its chunks). */
export async function ingestObject(
  shared: QueuedJobDeps,
  obj: { bucket: string; key: string; etag: string },
  opts: { rowsPerChunk?: number } = {},
): Promise<void> {
  const { tenant, jobId } = jobOfObject(obj.bucket, obj.key, obj.etag);
  const deps = forTenant(shared, tenant);
  const keys = outboxKeys(jobId);
  const log = deps.logger;
  let job = await deps.jobs.create({
    id: jobId,
    input: `s3://${obj.bucket}/${obj.key}`,
    status: 'running',
    output: keys.result,
    rejects: keys.rejects,
  });
  if (job.totalKnown || job.status === 'finalizing' || job.status === 'done' || job.status === 'failed') {
    // Already read whole (a redelivery after success): only the reconcile check may still be owed.
    log.info('job already ingested', { jobId, status: job.status });
    await finalizeIfReconciled(deps, job);
    return;
  }
  const bucket = deps.bucket(obj.bucket);
  const head = await bucket.head(obj.key);
  if (!head) throw new Error(`s3://${obj.bucket}/${obj.key} does not exist (deleted before ingest?)`);

  let read: { valid: number; rejected: number; chunks: number };
  try {
    read = await sendRows(deps, jobId, { bucket, key: obj.key, size: head.size, metadata: head.metadata }, opts.rowsPerChunk);
  } catch (err) {
    if (err instanceof CsvFormatError) {
      // The file as a whole cannot be read (no header, no name column, bad options): retrying will not help.
      log.warn('input refused', { jobId, reason: err.message });
      await deps.jobs.update(jobId, { status: 'failed', error: err.message });
      deps.metrics.addMetric('JobsFailed', 'Count', 1);
      return;
    }
    throw err;
  }
  const { valid, rejected } = read;

  job = await deps.jobs.update(jobId, { rowsIn: valid + rejected, totalKnown: true, rejected });
  log.info('input read', { jobId, rows: valid + rejected, valid, rejected, chunks: read.chunks });
  deps.metrics.addMetric('RowsIngested', 'Count', valid + rejected);
  deps.metrics.addMetric('RowsRejected', 'Count', rejected);
  await finalizeIfReconciled(deps, job);
}

/**
 * The read loop: streams the input in batches, writes rejects to the job's rejects file and sends valid rows in
 * chunks to the classify queue. On an error the rejects upload is abandoned and the error rethrown.
 */
async function sendRows(
  deps: QueuedJobDeps & { tenant: string },
  jobId: string,
  input: { bucket: BlobStore; key: string; size: number; metadata: Record<string, string> },
  rowsPerChunk?: number,
): Promise<{ valid: number; rejected: number; chunks: number }> {
  const { read: choice, output } = choicesOf(readOptionsOfMetadata(input.metadata));
  const columns = Object.keys(choice.columns ?? {}).length ? choice.columns : undefined;
  const body = await input.bucket.get(input.key);
  if (!body) throw new Error(`${input.key} disappeared before ingest read it`);
  const keys = outboxKeys(jobId);
  const rejectsOut = new PassThrough();
  const rejectsWritten = deps.lake.put(keys.rejects, rejectsOut, 'text/csv');
  rejectsOut.write(REJECT_COLUMNS.join(',') + '\n');
  let chunker: Chunker | undefined;
  let valid = 0;
  let rejected = 0;
  try {
    // Every format and encoding the local reader takes (input/open.ts); Parquet by ranged reads, not the stream.
    const { reader } = await openTable(body, {
      name: input.key,
      batchSize: 2000,
      encoding: choice.encoding,
      columns: choice.columns,
      sheet: choice.sheet,
      xlsx: openXlsx,
      parquet: (_, read) => {
        body.destroy();
        return openRangedParquet({ byteLength: input.size, read: (start, end) => input.bucket.getRange(input.key, start, end) }, read);
      },
    });
    for await (const batch of reader.batches()) {
      if (!chunker) {
        chunker = new Chunker(deps.tenant, jobId, reader.columns!.header, rowsPerChunk, columns);
        await deps.lake.put(keys.header, JSON.stringify(jobHeaderOf(reader.columns!.header, reader.delimiter, columns, output)), 'application/json');
      }
      const rejects = batch.rejects;
      batch.rows.forEach((row, i) => {
        const tooBig = chunker!.add(row, batch.rowNumbers[i]);
        // "line": the record's number plus one (a batch knows records, not lines): a CSV's line when no field spans lines.
        if (tooBig) rejects.push({ line: batch.rowNumbers[i] + 1, reason: tooBig, raw: row.map((f) => escapeCsv(f)).join(',') });
        else valid++;
      });
      if (rejects.length) {
        rejected += rejects.length;
        if (!rejectsOut.write(formatRejects(rejects))) await new Promise((r) => rejectsOut.once('drain', r));
      }
      if (chunker.ready.length >= SEND_EVERY) await deps.classifyQueue.send(chunker.take());
    }
    chunker!.cut();
    await deps.classifyQueue.send(chunker!.take());
    rejectsOut.end();
    await rejectsWritten;
  } catch (err) {
    body.destroy();
    rejectsOut.destroy();
    await rejectsWritten.catch(() => {});
    throw err;
  }
  return { valid, rejected, chunks: chunker!.chunks };
}

function jobHeaderOf(header: string[], delimiter: JobHeader['delimiter'], columns: ColumnChoice | undefined, output: OutputChoice): JobHeader {
  return { header, delimiter, ...(columns ? { columns } : {}), output };
}
