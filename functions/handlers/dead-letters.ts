/**
 * Dead-letter Lambda: an SQS batch from any of the pipeline's dead-letter queues (ingest, classify, LLM,
 * finalize) → the dead-letter step (functions/pipeline/dead-letters.ts) for each: the job the message belongs
 * to is told, so that every job ends (done, partial or failed).
 */
import { recordDeadLetter } from '../pipeline/dead-letters.ts';
import { observed } from './observability.ts';
import { type PipelineDeps, sqsHandler } from './pipeline.ts';
import { awsDeps } from './step-deps.ts';

export function makeHandler(deps: PipelineDeps | (() => PipelineDeps)) {
  return sqsHandler(deps, (d, body, messageId) => recordDeadLetter(d, body, messageId));
}

export const handler = observed(
  'dead-letters',
  makeHandler(() => awsDeps('dead-letters')),
);
