/**
 * Redrive: the failed chunks of a job go back to their queue (`aisle aws redrive JOB`), as kept by the
 * dead-letter step. Each is taken out of the failed count first (so its rows count once, when it is classified),
 * a job that ended `partial` runs again, and when the chunks are classified the job reconciles and is finalized
 * once more: the outputs are written again, whole.
 */
import { text } from 'node:stream/consumers';
import type { ChunkFailure } from '../ports.ts';
import { failedChunkKey, type StoredChunk } from './dead-letters.ts';
import { finalizeIfReconciled, forTenant, type QueuedJobDeps } from './queued.ts';

export interface RedriveResult {
  /** Chunks sent again. */
  sent: ChunkFailure[];
  /** Failed chunks that could not be sent, and why. */
  skipped: { chunkId: string; reason: string }[];
}

export class RedriveRefused extends Error {
  readonly userFacing = true;
}

export async function redriveJob(shared: QueuedJobDeps, tenant: string, jobId: string): Promise<RedriveResult> {
  const deps = forTenant(shared, tenant);
  const job = await deps.jobs.get(jobId);
  if (!job) throw new RedriveRefused(`job ${jobId} not found (tenant ${tenant})`);
  if (job.status === 'finalizing') throw new RedriveRefused(`job ${jobId} is being finalized: redrive it once it has ended`);
  const failures = job.failedChunks ?? [];
  const skipped: RedriveResult['skipped'] = [];
  const stored = new Map<string, StoredChunk>();
  for (const f of failures) {
    const body = await deps.lake.get(failedChunkKey(jobId, f.chunkId));
    const chunk = body ? (JSON.parse(await text(body)) as StoredChunk) : undefined;
    if (!chunk) skipped.push({ chunkId: f.chunkId, reason: `its message is not in ${failedChunkKey(jobId, f.chunkId)}` });
    else if (chunk.queue === 'llm' && !deps.llmQueue)
      skipped.push({ chunkId: f.chunkId, reason: 'it goes to the LLM queue, and none is configured' });
    else stored.set(f.chunkId, chunk);
  }
  if (!stored.size) return { sent: [], skipped };

  const reopened = await deps.jobs.reopenChunks(jobId, [...stored.keys()]);
  // A job that ended partial runs again; one still running (other chunks pending) just gets its chunks back.
  if (job.status === 'partial') await deps.jobs.transition(jobId, 'partial', 'running');
  const sent: ChunkFailure[] = [];
  for (const failure of reopened) {
    const chunk = stored.get(failure.chunkId)!;
    try {
      if (chunk.queue === 'classify') await deps.classifyQueue.send([chunk.message]);
      else await deps.llmQueue!.send([chunk.message]);
      sent.push(failure);
    } catch (err) {
      // Counted as failed again, so that the job still ends and a later redrive finds it.
      const reason = `redrive could not send it: ${(err as Error).message}`;
      await deps.jobs.failChunk(jobId, { chunkId: failure.chunkId, rows: failure.rows, reason });
      skipped.push({ chunkId: failure.chunkId, reason });
    }
  }
  // Nothing sent after all (every send failed): the job ends again rather than wait for chunks that never come.
  if (!sent.length) await finalizeIfReconciled(deps, (await deps.jobs.get(jobId))!);
  deps.logger.info('job redriven', { jobId, chunks: sent.length, rows: sent.reduce((n, f) => n + f.rows, 0), skipped: skipped.length });
  return { sent, skipped };
}
