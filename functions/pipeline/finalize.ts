/**
 * Finalize, the last step of a queued job: a reconciled job → the output CSV (input columns + the
 * classifier's columns, the core CSV formatter) streamed to outbox/<jobId>/result.csv, the results to the lake
 * as Parquet (results/tenant=<tenant>/dt=YYYY-MM-DD/job=<jobId>/part-N.parquet), the job marked done, or partial
 * when chunks failed for good (their rows are in no output; `aisle aws redrive` sends them again). Repeatable: a
 * redelivery rewrites the same objects; a job that ended is left alone.
 */

import { PassThrough } from 'node:stream';
import { text } from 'node:stream/consumers';
import { type ColumnChoice, cascadeItemOf, resolveColumns } from '../core/csv.ts';
import { encodeLakeParquet, type LakeRow, lakePartKey, promotedColumns, toLakeRow } from '../core/lake.ts';
import { jobOutput, parseJobHeader } from '../core/output/job-output.ts';
import type { Taxonomy } from '../core/taxonomy.ts';
import type { Decision } from '../core/types.ts';
import { endStatus } from './accounting.ts';
import { recordOf } from './batch.ts';
import { forTenant, outboxKeys, type PartLine, type QueuedJobDeps } from './queued.ts';

/** Rows per lake Parquet file: large enough for Athena, small enough for a Lambda's memory. */
export const LAKE_ROWS_PER_FILE = 100_000;

export async function finalizeJob(shared: QueuedJobDeps, tenant: string, jobId: string): Promise<void> {
  const deps = forTenant(shared, tenant);
  const job = await deps.jobs.get(jobId);
  if (!job) throw new Error(`job ${jobId} not found`);
  if (job.status === 'done' || job.status === 'partial') {
    deps.logger.info('job already finalized', { jobId, status: job.status });
    return;
  }
  if (job.status !== 'finalizing') throw new Error(`job ${jobId} is ${job.status}, not finalizing: its counts have not reconciled`);
  const keys = outboxKeys(jobId);
  // A chunk that failed may have left a work part before it failed: its rows are counted as failed, not output.
  const failed = new Set((job.failedChunks ?? []).map((f) => keys.part(f.chunkId)));
  const { rows, lakeParts } = await writeOutputs(deps, tenant, jobId, (key) => !failed.has(key));
  if (rows !== job.classified) throw new Error(`job ${jobId}: ${rows} classified rows in the work parts, the job counted ${job.classified}`);
  const status = endStatus(job);
  await deps.jobs.transition(jobId, 'finalizing', status, { output: keys.result, rejects: keys.rejects });
  deps.logger.info(`job ${status}`, { jobId, rows, rejected: job.rejected, failed: job.failed ?? 0, lakeParts });
  deps.metrics.addMetric(status === 'done' ? 'JobsDone' : 'JobsPartial', 'Count', 1);
  deps.metrics.addMetric('RowsOutput', 'Count', rows);
}

/** Streams the result CSV and writes the lake parts from the job's work parts, in input order. */
async function writeOutputs(
  deps: QueuedJobDeps,
  tenant: string,
  jobId: string,
  wanted: (partKey: string) => boolean,
): Promise<{ rows: number; lakeParts: number }> {
  const keys = outboxKeys(jobId);
  const headerBody = await deps.lake.get(keys.header);
  if (!headerBody) throw new Error(`job ${jobId} has no ${keys.header}`);
  const job = parseJobHeader(await text(headerBody));
  const { header, columns } = job;
  const { formatter, start } = jobOutput(job, deps.taxonomy);
  const dt = (deps.now?.() ?? new Date()).toISOString().slice(0, 10);

  const out = new PassThrough();
  const written = deps.lake.put(keys.result, out, 'text/csv');
  const write = async (chunk: string) => {
    if (!out.write(chunk)) await new Promise((r) => out.once('drain', r));
  };
  let lakeRows: LakeRow[] = [];
  let lakeParts = 0;
  const flushLake = async () => {
    if (!lakeRows.length) return;
    await deps.lake.put(lakePartKey(tenant, dt, jobId, lakeParts++), encodeLakeParquet(lakeRows), 'application/vnd.apache.parquet');
    lakeRows = [];
  };
  let rows = 0;
  try {
    await write(start);
    for await (const body of partsInOrder(deps, (await deps.lake.list(keys.partsPrefix)).filter(wanted).sort())) {
      const part = readPart(body, tenant, jobId, header, columns, deps.taxonomy, rows);
      await write(formatter.format(part.values, part.decisions));
      rows += part.values.length;
      for (const row of part.lakeRows) lakeRows.push(row);
      if (lakeRows.length >= LAKE_ROWS_PER_FILE) await flushLake();
    }
    await flushLake();
    out.end();
    await written;
  } catch (err) {
    out.destroy();
    await written.catch(() => {});
    throw err;
  }
  return { rows, lakeParts };
}

/** Work parts read ahead of the writer: one GET takes tens of ms and a job has a part per 200 rows (50,000 for 10M rows). */
export const PARTS_READ_AHEAD = 16;

/** The parts' text in the order of `keys`, with up to PARTS_READ_AHEAD reads in flight. */
async function* partsInOrder(deps: QueuedJobDeps, keys: string[]): AsyncIterable<string> {
  const read = async (key: string) => {
    const body = await deps.lake.get(key);
    if (!body) throw new Error(`${key} disappeared while finalizing`);
    return text(body);
  };
  const ahead: Promise<string>[] = [];
  let next = 0;
  const readNext = () => {
    const reading = read(keys[next++]);
    reading.catch(() => {}); // awaited in turn below; a read left behind by an earlier failure is not an unhandled rejection
    ahead.push(reading);
  };
  while (next < keys.length && ahead.length < PARTS_READ_AHEAD) readNext();
  while (ahead.length) {
    const part = await ahead.shift()!;
    if (next < keys.length) readNext();
    yield part;
  }
}

/** One work part: its rows' values and decisions, and their lake rows, numbered on from `rowsBefore`. */
function readPart(
  body: string,
  tenant: string,
  jobId: string,
  header: string[],
  choice: ColumnChoice | undefined,
  taxonomy: Taxonomy,
  rowsBefore: number,
) {
  const columns = resolveColumns(header, choice);
  const promoted = promotedColumns(header);
  const values: string[][] = [];
  const decisions: Decision[] = [];
  const lakeRows: LakeRow[] = [];
  for (const line of body.split('\n')) {
    if (!line) continue;
    const p = JSON.parse(line) as PartLine;
    values.push(p.values);
    decisions.push(p.decision);
    const passThrough = Object.fromEntries(header.map((h, i) => [h, p.values[i] ?? '']));
    const decision = { ...p.decision, trace: { steps: [], topK: [], totalMs: 0, costUnits: p.costUnits } };
    const record = recordOf(cascadeItemOf(p.values, columns), decision, jobId, undefined, p.at);
    // row_no is the position in the output (LAKE_COLUMNS), as the local export numbers it, not the input row.
    lakeRows.push(toLakeRow(tenant, record, rowsBefore + values.length, passThrough, promoted, taxonomy));
  }
  return { values, decisions, lakeRows };
}
