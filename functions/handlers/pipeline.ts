/**
 * What the queued job's handlers share: their dependencies (the pipeline's ports, with Powertools' logger and
 * metrics) and the SQS batch plumbing around each step (functions/pipeline/).
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { QueuedJobDeps } from '../pipeline/queued.ts';
import { withJobKeys } from './observability.ts';

export interface PipelineDeps extends QueuedJobDeps {
  logger: Logger;
  metrics: Metrics;
}

/**
 * A Lambda handler that runs `step` on each message body of an SQS batch: a failing message is reported in
 * batchItemFailures (only it is retried); the metrics are published after each batch.
 */
export function sqsHandler(
  deps: PipelineDeps | (() => PipelineDeps),
  step: (deps: PipelineDeps, body: string, messageId: string) => Promise<void>,
  opts: { parallel?: boolean } = {},
) {
  const resolve = typeof deps === 'function' ? deps : () => deps;
  return async (event: SQSEvent, context?: Context): Promise<SQSBatchResponse> => {
    const d = resolve();
    const processor = new BatchProcessor(EventType.SQS);
    const record = (r: SQSRecord) => step(withJobKeys(d, r.body), r.body, r.messageId);
    try {
      return await processPartialResponse(event, record, processor, {
        context: context as Context,
        throwOnFullBatchFailure: false,
        // Powertools processes in parallel unless told not to: `parallel: false` must say so explicitly.
        processInParallel: opts.parallel ?? true,
      });
    } finally {
      d.metrics.publishStoredMetrics();
    }
  };
}
