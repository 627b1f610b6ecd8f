import { hasIdentity } from './normalize.ts';

/** The longest product name taken, in characters: one limit for CSV imports and the API (docs/api.md, docs/csv.md). */
export const MAX_NAME_LENGTH = 2000;

/** The record size limit when none is set (AISLE_MAX_RECORD_BYTES): a product row is never near it. */
export const DEFAULT_MAX_RECORD_BYTES = 1 << 20;
/** Characters of an oversized record kept in the rejects file: enough to tell which record it was. */
export const REJECT_PREFIX_CHARS = 1024;
/** Why a record over the size limit is rejected. */
export const oversizedReason = (cap: number) =>
  `record longer than ${cap} bytes (AISLE_MAX_RECORD_BYTES): not read; its first ${REJECT_PREFIX_CHARS} characters are kept here`;

/**
 * Why a product name is refused, or undefined when it is taken: the one check of names for CSV imports (a
 * reject) and the API (a 400). A name with no letter or number (only punctuation, symbols, emoji or controls)
 * would have no identity of its own: every such name would share one item key.
 */
export function nameProblem(name: string): string | undefined {
  if (name.length > MAX_NAME_LENGTH) return `name longer than ${MAX_NAME_LENGTH} characters (${name.length})`;
  // Most names start with a Latin letter: they are taken at a glance (this runs on every row).
  const c = name.charCodeAt(0) | 32;
  if ((c >= 97 && c <= 122) || hasIdentity(name)) return undefined;
  return name.trim() === '' ? 'empty product name' : 'no letter or digit in the product name (only punctuation, symbols or emoji)';
}
