/**
 * Ingest Lambda: SQS batch of S3 ObjectCreated notifications from the inbox → the ingest step
 * (functions/pipeline/ingest.ts) for each object they name.
 */

import { ingestObject } from '../pipeline/ingest.ts';
import { objectsOf } from '../pipeline/messages.ts';
import { observed } from './observability.ts';
import { type PipelineDeps, sqsHandler } from './pipeline.ts';
import { awsDeps } from './step-deps.ts';

/** `rowsPerChunk` sizes the classify messages (tests; the default is ingest's ROWS_PER_MESSAGE). */
export function makeHandler(deps: PipelineDeps | (() => PipelineDeps), opts: { rowsPerChunk?: number } = {}) {
  return sqsHandler(deps, async (d, body) => {
    for (const obj of objectsOf(body)) await ingestObject(d, obj, opts);
  });
}

export const handler = observed(
  'ingest',
  makeHandler(() => awsDeps('ingest')),
);
