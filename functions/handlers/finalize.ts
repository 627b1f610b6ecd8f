/** Finalize Lambda: SQS batch of {jobId} of reconciled jobs → the finalize step (functions/pipeline/finalize.ts). */
import { finalizeJob } from '../pipeline/finalize.ts';
import { finalizeMessageSchema, parseMessage } from '../pipeline/messages.ts';
import { observed } from './observability.ts';
import { type PipelineDeps, sqsHandler } from './pipeline.ts';
import { awsDeps } from './step-deps.ts';

export function makeHandler(deps: PipelineDeps | (() => PipelineDeps)) {
  return sqsHandler(deps, (d, body) => {
    const { tenant, jobId } = parseMessage(finalizeMessageSchema, body);
    return finalizeJob(d, tenant, jobId);
  });
}

export const handler = observed(
  'finalize',
  makeHandler(() => awsDeps('finalize')),
);
