/**
 * Finalize's plan: one segment per count shard, numbered in chunk order, each with its first row number (the
 * earlier shards' classified rows, read from the job's counts: no segment reads another's rows). The plan's id is
 * a digest of what it covers, so a redelivered finalize message plans the same segments under the same id, and a
 * redriven job (more rows classified) gets a new id: no object of an earlier plan is composed into its result.
 */
import { createHash } from 'node:crypto';
import { text } from 'node:stream/consumers';
import { parseJobHeader, type ReadJobHeader } from '../core/output/job-output.ts';
import type { JobRecord } from '../ports.ts';
import { outboxKeys, type QueuedJobDeps } from './queued.ts';

export interface PlannedSegment {
  shard: string;
  rowsBefore: number;
  rows: number;
}

export interface FinalizePlan {
  plan: string;
  segments: PlannedSegment[];
}

/** Where a plan's objects live, under the job's work folder. */
export function finalizeKeys(jobId: string, plan: string) {
  const dir = `outbox/${jobId}/work/finalize-${plan}/`;
  const n = (segment: number) => String(segment).padStart(5, '0');
  return {
    header: `${dir}header.csv`,
    segment: (segment: number) => `${dir}segment-${n(segment)}.csv`,
    done: (segment: number) => `${dir}done-${n(segment)}.json`,
    donePrefix: `${dir}done-`,
  };
}

/** The segments for the job's count shards (in any order), and the plan's id. */
export function planSegments(jobId: string, dt: string, shards: { shard: string; classified: number }[], failedChunks: string[]): FinalizePlan {
  let rowsBefore = 0;
  const segments = [...shards]
    .sort((a, b) => a.shard.localeCompare(b.shard))
    .map(({ shard, classified }) => {
      const segment = { shard, rowsBefore, rows: classified };
      rowsBefore += classified;
      return segment;
    });
  const covered = JSON.stringify([jobId, dt, segments, [...failedChunks].sort()]);
  return { plan: createHash('sha256').update(covered).digest('hex').slice(0, 16), segments };
}

/**
 * The job's plan as of now, with the job: null when the job is no longer finalizing (it ended, or a redrive sent
 * chunks again), so that a late message of an earlier finalize writes nothing. Throws when the shards' counts do
 * not add up to the job's classified rows.
 */
export async function currentPlan(deps: QueuedJobDeps, jobId: string, dt: string): Promise<(FinalizePlan & { job: JobRecord }) | null> {
  const job = await deps.jobs.get(jobId);
  if (!job) throw new Error(`job ${jobId} not found`);
  if (job.status !== 'finalizing') return null;
  const plan = planSegments(
    jobId,
    dt,
    await deps.jobs.shardCounts(jobId),
    (job.failedChunks ?? []).map((f) => f.chunkId),
  );
  const counted = plan.segments.reduce((sum, s) => sum + s.rows, 0);
  if (counted !== job.classified)
    throw new Error(`job ${jobId}: its count shards hold ${counted} classified rows, the job counted ${job.classified}`);
  return { ...plan, job };
}

/** The input's header, columns and output options, as ingest kept them for finalize. */
export async function jobHeader(deps: QueuedJobDeps, jobId: string): Promise<ReadJobHeader> {
  const key = outboxKeys(jobId).header;
  const body = await deps.lake.get(key);
  if (!body) throw new Error(`job ${jobId} has no ${key}`);
  return parseJobHeader(await text(body));
}
