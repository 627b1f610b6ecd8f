import { randomBytes } from 'node:crypto';

/** A sortable, URL-safe job id: j-20261122T031500-3fa9c2. */
export function newJobId(now = new Date()): string {
  return `j-${now.toISOString().replace(/[-:]/g, '').slice(0, 15)}-${randomBytes(3).toString('hex')}`;
}

/**
 * Where an API upload lands in the inbox bucket on AWS: the job id is in the key, so the ingest handler gives
 * the job the id the API already handed out (GET /v1/jobs/{id} works before the upload is read).
 */
export const UPLOADS_PREFIX = 'inbox/uploads/';

export function uploadKey(jobId: string, filename: string): string {
  const safe =
    filename
      .split(/[\\/]/)
      .pop()!
      .replace(/[^\w.-]+/g, '_')
      .slice(0, 120) || 'upload.csv';
  return `${UPLOADS_PREFIX}${jobId}/${safe}`;
}

export function jobIdOfUploadKey(key: string): string | undefined {
  return /^inbox\/uploads\/(j-\d{8}T\d{6}-[0-9a-f]{6})\/[^/]+$/.exec(key)?.[1];
}
