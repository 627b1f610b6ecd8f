/**
 * Classify Lambda: SQS batch of row chunks → the classify step (functions/pipeline/classify-message.ts) for
 * each. A failing message is reported in batchItemFailures: only it is retried, and after maxReceiveCount it
 * lands in the DLQ.
 */
import { classifyMessage } from '../pipeline/classify-message.ts';
import { classifyMessageSchema, parseMessage } from '../pipeline/messages.ts';
import { cascadeFactory } from '../pipeline/queued.ts';
import { awsDeps } from './deps.ts';
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
      try {
        await classifyMessage(d, cascade, parseMessage(classifyMessageSchema, body));
      } catch (err) {
        d.logger.error('chunk failed', { messageId, error: (err as Error).message });
        throw err;
      }
    },
    { parallel: opts.parallel ?? true },
  );
}

export const handler = observed(
  'classify',
  makeHandler(() => awsDeps('classify')),
);
