/**
 * Ingest Lambda: SQS batch of S3 ObjectCreated notifications from the inbox → the ingest step
 * (functions/pipeline/ingest.ts) for each object they name.
 */

import { ingestObject } from '../pipeline/ingest.ts';
import { awsDeps } from './deps.ts';
import { observed } from './observability.ts';
import { type PipelineDeps, sqsHandler } from './pipeline.ts';

interface S3EventRecord {
  eventName?: string;
  s3?: { bucket?: { name?: string }; object?: { key?: string; eTag?: string; size?: number } };
}

/** The objects an SQS message from an S3 notification names; the s3:TestEvent S3 sends on setup names none. */
export function objectsOf(body: string): { bucket: string; key: string; etag: string }[] {
  const parsed = JSON.parse(body) as { Event?: string; Records?: S3EventRecord[] };
  if (parsed.Event === 's3:TestEvent') return [];
  if (!Array.isArray(parsed.Records)) throw new Error('not an S3 event notification: no Records');
  return parsed.Records.filter((r) => r.eventName?.startsWith('ObjectCreated:')).map((r) => {
    const bucket = r.s3?.bucket?.name;
    const rawKey = r.s3?.object?.key;
    if (!bucket || !rawKey) throw new Error('S3 event record without bucket or key');
    // Keys arrive URL-encoded, spaces as "+".
    return { bucket, key: decodeURIComponent(rawKey.replace(/\+/g, ' ')), etag: r.s3?.object?.eTag ?? '' };
  });
}

export function makeHandler(deps: PipelineDeps | (() => PipelineDeps)) {
  return sqsHandler(deps, async (d, body) => {
    for (const obj of objectsOf(body)) await ingestObject(d, obj);
  });
}

export const handler = observed(
  'ingest',
  makeHandler(() => awsDeps('ingest')),
);
