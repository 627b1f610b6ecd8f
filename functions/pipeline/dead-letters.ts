/**
 * Jobs always end: a message that reached a dead-letter queue (it failed maxReceiveCount times) is recorded
 * against its job. A classify or LLM chunk is counted as failed, with the last error noted while it was retried,
 * and its message kept in the lake for `aisle aws redrive`; when the job's rows then reconcile it is finalized and
 * ends `partial`. A finalize or ingest message that failed for good fails its job with the reason. A message
 * that names no job is kept and logged. Repeatable: a redelivered dead letter counts once.
 */
import { llmHandoffOf } from './classify-message.ts';
import { type ClassifyMessage, classifyMessageSchema, finalizeMessageSchema, type LlmMessage, llmMessageSchema, objectsOf } from './messages.ts';
import { chunkId, finalizeIfReconciled, forTenant, jobOfObject, type QueuedJobDeps } from './queued.ts';

/** A failed chunk's message as kept for redrive: the queue it goes back to and the message itself. */
export type StoredChunk = { queue: 'classify'; message: ClassifyMessage } | { queue: 'llm'; message: LlmMessage };

export const failedChunkKey = (jobId: string, chunk: string) => `outbox/${jobId}/work/failed-${chunk}.json`;
export const unattributedKey = (messageId: string) => `outbox/dead-letters/${messageId}.json`;

/** Which message a dead letter is, by its shape (one consumer serves every queue's DLQ). */
function classifyDeadLetter(
  body: string,
): StoredChunk | { finalize: { tenant: string; jobId: string } } | { s3: ReturnType<typeof objectsOf> } | null {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return null;
  }
  const classify = classifyMessageSchema.safeParse(json);
  if (classify.success) return { queue: 'classify', message: classify.data };
  const llm = llmMessageSchema.safeParse(json);
  if (llm.success) return { queue: 'llm', message: llm.data };
  // Strict (each kind): a malformed message with a jobId among other fields is not a finalize message.
  const finalize = finalizeMessageSchema.safeParse(json);
  if (finalize.success) return { finalize: finalize.data };
  try {
    const objects = objectsOf(body);
    return objects.length ? { s3: objects } : null;
  } catch {
    return null;
  }
}

export async function recordDeadLetter(shared: QueuedJobDeps, body: string, messageId: string): Promise<void> {
  const letter = classifyDeadLetter(body);
  if (!letter) {
    await shared.lake.put(unattributedKey(messageId), body, 'application/json');
    shared.logger.error('dead letter names no job: kept for a person to read', { messageId, key: unattributedKey(messageId) });
    shared.metrics.addMetric('DeadLettersUnattributed', 'Count', 1);
    return;
  }
  if ('finalize' in letter) {
    const deps = forTenant(shared, letter.finalize.tenant);
    const reason = 'writing the outputs failed on every try (see the finalize function’s logs); the job’s rows are classified and stored';
    if (await deps.jobs.transition(letter.finalize.jobId, 'finalizing', 'failed', { error: reason })) {
      deps.logger.error('job failed in finalize', { jobId: letter.finalize.jobId });
      deps.metrics.addMetric('JobsFailed', 'Count', 1);
    }
    return;
  }
  if ('s3' in letter) {
    for (const obj of letter.s3) {
      const { tenant, jobId } = jobOfObject(obj.bucket, obj.key, obj.etag);
      const deps = forTenant(shared, tenant);
      const reason = `reading s3://${obj.bucket}/${obj.key} failed on every try (see the ingest function’s logs)`;
      for (const from of ['queued', 'running'] as const) {
        if (await deps.jobs.transition(jobId, from, 'failed', { error: reason })) {
          deps.logger.error('job failed in ingest', { jobId });
          deps.metrics.addMetric('JobsFailed', 'Count', 1);
        }
      }
    }
    return;
  }
  await failChunk(shared, letter);
}

async function failChunk(shared: QueuedJobDeps, stored: StoredChunk): Promise<void> {
  const msg = stored.message;
  const deps = forTenant(shared, msg.tenant);
  const id = stored.queue === 'classify' ? chunkId(stored.message.chunk) : stored.message.chunkId;
  // Rows a classify chunk handed to the LLM before it failed count in its LLM chunk, classified or failed there.
  const handedOff = stored.queue === 'classify' ? ((await llmHandoffOf(deps.lake, msg.jobId, stored.message.chunk))?.rows.length ?? 0) : 0;
  const rows = msg.rows.length - handedOff;
  // Kept first, so that a chunk counted as failed can always be redriven.
  await deps.lake.put(failedChunkKey(msg.jobId, id), JSON.stringify(stored), 'application/json');
  const { applied, job } = await deps.jobs.failChunk(msg.jobId, { chunkId: id, rows });
  if (applied) {
    deps.logger.error('chunk failed for good', { jobId: msg.jobId, chunkId: id, rows, handedOff });
    deps.metrics.addMetric('ChunksFailed', 'Count', 1);
    deps.metrics.addMetric('RowsFailed', 'Count', rows);
  } else deps.logger.info('dead letter of a chunk already counted', { jobId: msg.jobId, chunkId: id });
  await finalizeIfReconciled(deps, job);
}
