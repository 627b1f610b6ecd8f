/** Finalize Lambda: SQS batch of finalize-queue messages (a reconciled job, a segment, a compose) → functions/pipeline/finalize.ts. */
import { finalizeStep } from '../pipeline/finalize.ts';
import { finalizeMessageSchema, parseMessage } from '../pipeline/messages.ts';
import { observed } from './observability.ts';
import { type PipelineDeps, sqsHandler } from './pipeline.ts';
import { awsDeps } from './step-deps.ts';

export function makeHandler(deps: PipelineDeps | (() => PipelineDeps)) {
  return sqsHandler(deps, (d, body) => finalizeStep(d, parseMessage(finalizeMessageSchema, body)));
}

export const handler = observed(
  'finalize',
  makeHandler(() => awsDeps('finalize')),
);
