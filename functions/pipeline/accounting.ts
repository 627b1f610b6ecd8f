/**
 * Job accounting, the same for every driver: counts grow batch by batch (locally) or chunk by chunk (on AWS),
 * and a job is whole when every row read is either classified or rejected.
 */
import type { Decision } from '../core/types.ts';
import type { ChunkCounts, JobRecord } from '../ports.ts';

export function emptyCounts(): ChunkCounts {
  return { classified: 0, rejected: 0, needsReview: 0, tierCounts: {} };
}

/** Counts one classified row. */
export function countDecision(counts: ChunkCounts, d: Decision): void {
  counts.classified++;
  counts.tierCounts[d.tier] = (counts.tierCounts[d.tier] ?? 0) + 1;
  if (d.status === 'needs_review') counts.needsReview++;
}

export function addCounts(into: ChunkCounts, from: ChunkCounts): void {
  for (const [tier, n] of Object.entries(from.tierCounts)) into.tierCounts[tier] = (into.tierCounts[tier] ?? 0) + n;
  into.classified += from.classified;
  into.rejected += from.rejected;
  into.needsReview += from.needsReview;
}

/** Every row read is in the output or in the rejects: otherwise rows were lost or counted twice. */
export function assertReconciled(what: string, rowsIn: number, counts: ChunkCounts): void {
  if (rowsIn !== counts.classified + counts.rejected) {
    throw new Error(`internal error: ${what} of ${rowsIn} rows gave ${counts.classified} classified + ${counts.rejected} rejected`);
  }
}

/**
 * Whether a job read chunk by chunk has every row counted: classified, rejected, or in a chunk that failed for
 * good (a redelivered chunk counts once, so the sum never passes the total).
 */
export function reconciled(job: JobRecord): boolean {
  return job.totalKnown && job.classified + job.rejected + (job.failed ?? 0) >= job.rowsIn;
}

/** How a reconciled queued job ends: `partial` when chunks failed for good, else `done`. */
export function endStatus(job: JobRecord): 'done' | 'partial' {
  return job.failed ? 'partial' : 'done';
}
