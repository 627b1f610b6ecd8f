/**
 * Classify Lambda: SQS batch of row chunks → the classify step (functions/pipeline/classify-message.ts) for
 * each. A failing message is reported in batchItemFailures: only it is retried, and after maxReceiveCount it
 * lands in the DLQ, where the dead-letter step (dead-letters.ts) counts its chunk as failed with the error noted
 * here.
 */
import { classifyMessage } from '../pipeline/classify-message.ts';
import { type ClassifyMessage, classifyMessageSchema, parseMessage } from '../pipeline/messages.ts';
import { cascadeFactory, chunkId, type QueuedJobDeps } from '../pipeline/queued.ts';
import { awsClassifyingDeps } from './deps.ts';
import { observed } from './observability.ts';
import { type PipelineDeps, sqsHandler } from './pipeline.ts';

/**
 * `parallel` (default true) classifies a batch's chunks concurrently, as Lambda should: DynamoDB applies each
 * chunk's counter update atomically. moto_server does not (it applies concurrent updates to one item without a
 * lock), so the moto end-to-end test turns it off.
 */
export function makeHandler(deps: PipelineDeps | (() => PipelineDeps), opts: { parallel?: boolean } = {}) {
  let cascade: ReturnType<typeof cascadeFactory> | undefined;
  return sqsHandler(
    deps,
    async (d, body, messageId) => {
      cascade ??= cascadeFactory(d);
      let msg: ClassifyMessage | undefined;
      try {
        msg = parseMessage(classifyMessageSchema, body);
        await classifyMessage(d, cascade, msg);
      } catch (err) {
        d.logger.error('chunk failed', { messageId, jobId: msg?.jobId, chunk: msg?.chunk, error: (err as Error).message });
        if (msg) await noteError(d, msg, err as Error);
        throw err;
      }
    },
    { parallel: opts.parallel ?? true },
  );
}

/** Keeps the chunk's error for its failure record; a failure to note it must not hide the error itself. */
async function noteError(d: QueuedJobDeps, msg: ClassifyMessage, err: Error): Promise<void> {
  try {
    await d.jobs.forTenant(msg.tenant).noteError(msg.jobId, chunkId(msg.chunk), err.message);
  } catch (noteErr) {
    d.logger.warn('could not note the chunk error', { jobId: msg.jobId, chunk: msg.chunk, error: (noteErr as Error).message });
  }
}

export const handler = observed(
  'classify',
  makeHandler(() => awsClassifyingDeps('classify')),
);
