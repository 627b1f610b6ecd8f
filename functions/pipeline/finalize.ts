/**
 * Finalize, the last step of a queued job: a reconciled job → the output CSV (input columns + the classifier's
 * columns, the core CSV formatter) at outbox/<jobId>/result.csv, the results in the lake as Parquet
 * (results/tenant=<tenant>/dt=YYYY-MM-DD/job=<jobId>/part-N.parquet), the job marked done, or partial when chunks
 * failed for good (their rows are in no output; `aisle aws redrive` sends them again).
 *
 * No step reads more than one count shard's rows (docs/aws-scale.md). Three kinds of message on the finalize queue:
 * - the job's (sent once when its counts reconcile): plans a segment per count shard (finalize-plan.ts), writes the
 *   header and sends the segment messages;
 * - a segment's: writes its slice of the CSV and its lake parts (finalize-segment.ts); the last sends compose;
 * - compose: result.csv = the header and the segments one after the other, composed by the blob store (on S3 a
 *   multipart copy inside S3), then the job ends.
 * Each is repeatable: a redelivery rewrites the same objects; a job that ended is left alone.
 */
import { jobOutput } from '../core/output/job-output.ts';
import { endStatus } from './accounting.ts';
import { currentPlan, finalizeKeys, jobHeader } from './finalize-plan.ts';
import { writeSegment } from './finalize-segment.ts';
import type { ComposeMessage, FinalizeMessage } from './messages.ts';
import { forTenant, outboxKeys, type QueuedJobDeps } from './queued.ts';

export async function finalizeStep(shared: QueuedJobDeps, msg: FinalizeMessage): Promise<void> {
  if (msg.kind === 'segment') return writeSegment(shared, msg);
  if (msg.kind === 'compose') return composeResult(shared, msg);
  return planFinalize(shared, msg.tenant, msg.jobId);
}

async function planFinalize(shared: QueuedJobDeps, tenant: string, jobId: string): Promise<void> {
  const deps = forTenant(shared, tenant);
  const job = await deps.jobs.get(jobId);
  if (!job) throw new Error(`job ${jobId} not found`);
  if (job.status === 'done' || job.status === 'partial') {
    deps.logger.info('job already finalized', { jobId, status: job.status });
    return;
  }
  if (job.status !== 'finalizing') throw new Error(`job ${jobId} is ${job.status}, not finalizing: its counts have not reconciled`);
  const dt = (deps.now?.() ?? new Date()).toISOString().slice(0, 10);
  const current = await currentPlan(deps, jobId, dt);
  if (!current) return; // moved on since the read above
  const { plan, segments } = current;
  // The BOM when asked, then the header line, in the output's delimiter.
  const { start } = jobOutput(await jobHeader(deps, jobId), deps.taxonomy);
  await deps.lake.put(finalizeKeys(jobId, plan).header, start, 'text/csv');
  deps.logger.info('finalize planned', { jobId, plan, segments: segments.length, rows: job.classified });
  // No classified row (every row rejected or failed): the result is the header alone.
  if (!segments.length) return composeResult(shared, { kind: 'compose', tenant, jobId, plan, dt, segments: 0 });
  await deps.finalizeQueue.send(
    segments.map((s, segment) => ({ kind: 'segment' as const, tenant, jobId, plan, dt, segment, segments: segments.length, ...s })),
  );
}

async function composeResult(shared: QueuedJobDeps, msg: ComposeMessage): Promise<void> {
  const deps = forTenant(shared, msg.tenant);
  const { jobId, plan } = msg;
  const current = await currentPlan(deps, jobId, msg.dt);
  if (current?.plan !== plan) {
    deps.logger.info('compose of a plan no longer current: skipped', { jobId, plan });
    return;
  }
  const keys = finalizeKeys(jobId, plan);
  const done = (await deps.lake.list(keys.donePrefix)).length;
  if (done !== msg.segments) throw new Error(`job ${jobId}: ${done} of ${msg.segments} segments written`);
  const segments = Array.from({ length: msg.segments }, (_, n) => keys.segment(n));
  const out = outboxKeys(jobId);
  await deps.lake.compose(out.result, [keys.header, ...segments], 'text/csv');
  const { job } = current;
  const status = endStatus(job);
  if (!(await deps.jobs.transition(jobId, 'finalizing', status, { output: out.result, rejects: out.rejects }))) return;
  deps.logger.info(`job ${status}`, { jobId, rows: job.classified, rejected: job.rejected, failed: job.failed ?? 0, segments: msg.segments });
  deps.metrics.addMetric(status === 'done' ? 'JobsDone' : 'JobsPartial', 'Count', 1);
  deps.metrics.addMetric('RowsOutput', 'Count', job.classified);
}
