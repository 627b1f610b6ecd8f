import { randomBytes } from 'node:crypto';
import { DEFAULT_TENANT } from './api-keys.ts';

/** A sortable, URL-safe job id: j-20261122T031500-3fa9c2. */
export function newJobId(now = new Date()): string {
  return `j-${now.toISOString().replace(/[-:]/g, '').slice(0, 15)}-${randomBytes(3).toString('hex')}`;
}

/**
 * Where an API upload lands in the inbox bucket on AWS: the tenant and the job id are in the key, so the ingest
 * handler gives the job the id the API already handed out (GET /v1/jobs/{id} works before the upload is read)
 * and files it under the tenant whose key asked for the upload (the presigned URL fixes the key).
 */
export const UPLOADS_PREFIX = 'inbox/uploads/';

export function uploadKey(tenant: string, jobId: string, filename: string): string {
  const safe =
    filename
      .split(/[\\/]/)
      .pop()!
      .replace(/[^\w.-]+/g, '_')
      .slice(0, 120) || 'upload.csv';
  return `${UPLOADS_PREFIX}${tenant}/${jobId}/${safe}`;
}

/**
 * The tenant and job id of an API upload's key; undefined for any other key (a file dropped in the inbox). A key
 * handed out before tenants existed (no tenant part) is the default tenant's.
 */
export function uploadOfKey(key: string): { tenant: string; jobId: string } | undefined {
  const m = /^inbox\/uploads\/(?:([a-z0-9][a-z0-9_-]{0,62})\/)?(j-\d{8}T\d{6}-[0-9a-f]{6})\/[^/]+$/.exec(key);
  return m ? { tenant: m[1] ?? DEFAULT_TENANT, jobId: m[2] } : undefined;
}
