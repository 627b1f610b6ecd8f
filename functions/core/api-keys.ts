import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * API keys, in one place for every runtime (the local server and the AWS Lambda authorizer both call
 * `verifyApiKey`). A key reads `aisle_<id>_<secret>`: the id (8 hex characters) finds the stored record, the
 * secret is 32 random bytes (base64url). Only the SHA-256 of the whole key is stored; the key itself is shown
 * once, when it is created.
 */
export const API_KEY_PREFIX = 'aisle_';
const KEY_RE = /^aisle_([0-9a-f]{8})_([A-Za-z0-9_-]{43})$/;

/** The tenant of keys made without one, of keys stored before tenants existed, and of local single-user use. */
export const DEFAULT_TENANT = 'default';
/** A tenant name: it goes into storage keys and file names, so lowercase letters, digits, '-' and '_' only. */
export const TENANT_RE = /^[a-z0-9][a-z0-9_-]{0,62}$/;

/** What a key may do: `read` keys classify and read; `write` keys also label, accept, upload jobs and retrain. */
export type ApiKeyRole = 'read' | 'write';

export interface ApiKeyRecord {
  id: string;
  name: string;
  role: ApiKeyRole;
  /** Whose data the key reads and writes: jobs, items, labels, review and insights are the tenant's alone. */
  tenant: string;
  /** Hex SHA-256 of the whole key. */
  hash: string;
  createdAt: string;
  revokedAt?: string;
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** A new key and the record to store for it (the key itself is never stored). */
export function newApiKey(
  name: string,
  role: ApiKeyRole,
  { tenant = DEFAULT_TENANT, now = new Date() }: { tenant?: string; now?: Date } = {},
): { key: string; record: ApiKeyRecord } {
  if (!TENANT_RE.test(tenant)) throw new RangeError(`tenant "${tenant}": lowercase letters, digits, "-" and "_" only (at most 63)`);
  const id = randomBytes(4).toString('hex');
  const key = `${API_KEY_PREFIX}${id}_${randomBytes(32).toString('base64url')}`;
  return { key, record: { id, name, role, tenant, hash: hashApiKey(key), createdAt: now.toISOString() } };
}

/** The id part of a well-formed key, or null when the text is not an Aisle key. */
export function apiKeyId(key: string): string | null {
  return KEY_RE.exec(key)?.[1] ?? null;
}

export type ApiKeyCheck = { ok: true; record: ApiKeyRecord } | { ok: false; reason: 'malformed' | 'unknown' | 'revoked' };

/** Checks a presented key against its stored record (constant-time hash comparison). */
export async function verifyApiKey(key: string, lookup: (id: string) => Promise<ApiKeyRecord | null>): Promise<ApiKeyCheck> {
  const id = apiKeyId(key);
  if (!id) return { ok: false, reason: 'malformed' };
  const record = await lookup(id);
  if (!record) return { ok: false, reason: 'unknown' };
  const presented = Buffer.from(hashApiKey(key), 'hex');
  const stored = Buffer.from(record.hash, 'hex');
  if (presented.length !== stored.length || !timingSafeEqual(presented, stored)) return { ok: false, reason: 'unknown' };
  if (record.revokedAt) return { ok: false, reason: 'revoked' };
  return { ok: true, record };
}

/** The key in an `Authorization: Bearer <key>` header, or null. */
export function bearerToken(header: string | undefined | null): string | null {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return m ? m[1] : null;
}
