/**
 * A segment of finalize: one count shard's work parts (up to 1,000 chunks, ~200,000 rows) → its slice of the
 * result CSV (outbox/<jobId>/work/finalize-<plan>/segment-<n>.csv, no header) and its lake Parquet parts, rows
 * numbered on from the earlier segments' classified rows. Repeatable: a redelivery rewrites the same objects and
 * its `done-<n>` marker; the segment that finds every marker written sends the compose message.
 */
import { PassThrough } from 'node:stream';
import { text } from 'node:stream/consumers';
import { type ColumnChoice, cascadeItemOf, resolveColumns } from '../core/csv.ts';
import { encodeLakeParquet, type LakeRow, lakePartKey, promotedColumns, toLakeRow } from '../core/lake.ts';
import { jobOutput } from '../core/output/job-output.ts';
import type { Taxonomy } from '../core/taxonomy.ts';
import type { Decision } from '../core/types.ts';
import { recordOf } from './batch.ts';
import { currentPlan, finalizeKeys, jobHeader } from './finalize-plan.ts';
import type { SegmentMessage } from './messages.ts';
import { forTenant, outboxKeys, type PartLine, type QueuedJobDeps } from './queued.ts';

/** Rows per lake Parquet file: large enough for Athena, small enough for a Lambda's memory. */
export const LAKE_ROWS_PER_FILE = 100_000;
/** Lake part numbers of segment n start at n × this, so a segment's names stay the same when a redrive adds rows. */
export const LAKE_PARTS_PER_SEGMENT = 1_000;

export async function writeSegment(shared: QueuedJobDeps, msg: SegmentMessage): Promise<void> {
  const deps = forTenant(shared, msg.tenant);
  const { jobId, plan, segment } = msg;
  const current = await currentPlan(deps, jobId, msg.dt);
  if (current?.plan !== plan) {
    deps.logger.info('segment of a plan no longer current: skipped', { jobId, plan, segment });
    return;
  }
  const keys = finalizeKeys(jobId, plan);
  const out = outboxKeys(jobId);
  // A chunk that failed may have left a work part before it failed: its rows are counted as failed, not output.
  const failed = new Set((current.job.failedChunks ?? []).map((f) => out.part(f.chunkId)));
  const parts = (await deps.lake.list(`${out.partsPrefix}${msg.shard}`)).filter((key) => !failed.has(key)).sort();
  const job = await jobHeader(deps, jobId);
  const { header, columns } = job;
  const { formatter } = jobOutput(job, deps.taxonomy);

  const csv = new PassThrough();
  const written = deps.lake.put(keys.segment(segment), csv, 'text/csv');
  const write = async (chunk: string) => {
    if (!csv.write(chunk)) await new Promise((r) => csv.once('drain', r));
  };
  let lakeRows: LakeRow[] = [];
  let lakeParts = 0;
  const flushLake = async () => {
    if (!lakeRows.length) return;
    if (lakeParts >= LAKE_PARTS_PER_SEGMENT) throw new Error(`segment ${segment} of job ${jobId} needs over ${LAKE_PARTS_PER_SEGMENT} lake parts`);
    const key = lakePartKey(deps.tenant, msg.dt, jobId, segment * LAKE_PARTS_PER_SEGMENT + lakeParts++);
    await deps.lake.put(key, encodeLakeParquet(lakeRows), 'application/vnd.apache.parquet');
    lakeRows = [];
  };
  let rows = 0;
  try {
    for await (const body of partsInOrder(deps, parts)) {
      const part = readPart(body, deps.tenant, jobId, header, columns, deps.taxonomy, msg.rowsBefore + rows);
      await write(formatter.format(part.values, part.decisions));
      rows += part.values.length;
      for (const row of part.lakeRows) lakeRows.push(row);
      if (lakeRows.length >= LAKE_ROWS_PER_FILE) await flushLake();
    }
    await flushLake();
    csv.end();
    await written;
  } catch (err) {
    csv.destroy();
    await written.catch(() => {});
    throw err;
  }
  if (rows !== msg.rows)
    throw new Error(`job ${jobId} segment ${segment}: ${rows} classified rows in shard ${msg.shard}'s parts, its count says ${msg.rows}`);
  await deps.lake.put(keys.done(segment), JSON.stringify({ rows, lakeParts }), 'application/json');
  deps.logger.info('segment written', { jobId, plan, segment, rows, lakeParts });
  // The last segment to finish sends compose; two finishing at once may both send it, and compose is repeatable.
  if ((await deps.lake.list(keys.donePrefix)).length === msg.segments) {
    await deps.finalizeQueue.send([{ kind: 'compose', tenant: deps.tenant, jobId, plan, dt: msg.dt, segments: msg.segments }]);
  }
}

/** Work parts read ahead of the writer: one GET takes tens of ms and a segment has a part per 200 rows (1,000 or more). */
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
