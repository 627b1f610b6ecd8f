/**
 * UTF-8 input, checked: bytes pass through as they are when valid (nearly always), and each byte that is not
 * part of a valid sequence becomes UNDECODABLE followed by its hex (`\xE9`); the readers reject the record that
 * holds one (undecodableProblem), so no output ever carries a U+FFFD. Without a codec library, so that the
 * classify workers' bundle needs none (encoding.ts decodes the other encodings).
 */
import { isUtf8 } from 'node:buffer';

/** What a reader sees where the input had bytes it could not decode (the decoders' own replacement character). */
export const UNDECODABLE = '\uFFFD';
/** UNDECODABLE as UTF-8 bytes: a chunk without them needs no record checked. */
export const UNDECODABLE_BYTES = Buffer.from(UNDECODABLE);

/** Length of `buf` without a UTF-8 sequence cut off at its end (which the next chunk completes). */
export function completeUtf8Length(buf: Uint8Array): number {
  const n = buf.length;
  for (let back = 1; back <= Math.min(3, n); back++) {
    const b = buf[n - back];
    if ((b & 0xc0) === 0x80) continue; // a continuation byte: look further back for the lead
    const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return need > back ? n - back : n;
  }
  return n;
}

/** Streams UTF-8 `source` (its first `skip` bytes, a BOM, dropped), undecodable bytes marked. */
export async function* checkedUtf8(source: AsyncIterable<Buffer>, skip = 0): AsyncGenerator<Buffer> {
  let carry: Buffer | undefined;
  let bomLeft = skip;
  for await (const chunk of source) {
    let buf = carry ? Buffer.concat([carry, chunk]) : chunk;
    if (bomLeft) {
      const cut = Math.min(bomLeft, buf.length);
      bomLeft -= cut;
      buf = buf.subarray(cut);
    }
    const whole = completeUtf8Length(buf);
    carry = whole < buf.length ? Buffer.from(buf.subarray(whole)) : undefined;
    if (whole === 0) continue;
    const part = whole < buf.length ? buf.subarray(0, whole) : buf;
    // Nearly every chunk is valid: it passes as it is.
    yield isUtf8(part) ? part : markInvalidUtf8(part);
  }
  if (carry) yield markInvalidUtf8(carry);
}

const HEX = '0123456789ABCDEF';

/** A byte that could not be decoded, as the readers see it: UNDECODABLE + `\xHH`. */
export const markedByte = (byte: number) => `${UNDECODABLE}\\x${HEX[byte >> 4]}${HEX[byte & 15]}`;

/** `buf` with each byte that is not part of a valid UTF-8 sequence written as UNDECODABLE + `\xHH`. */
export function markInvalidUtf8(buf: Uint8Array): Buffer {
  const out: Buffer[] = [];
  let from = 0;
  let i = 0;
  while (i < buf.length) {
    const len = validSequenceAt(buf, i);
    if (len > 0) {
      i += len;
      continue;
    }
    if (i > from) out.push(Buffer.from(buf.subarray(from, i)));
    out.push(Buffer.from(markedByte(buf[i])));
    i++;
    from = i;
  }
  if (from < buf.length) out.push(Buffer.from(buf.subarray(from)));
  return Buffer.concat(out);
}

/** Length of the valid UTF-8 sequence at `i`, 0 when there is none (RFC 3629: no overlongs, no surrogates). */
export function validSequenceAt(b: Uint8Array, i: number): number {
  const c = b[i];
  if (c < 0x80) return 1;
  const cont = (k: number) => i + k < b.length && (b[i + k] & 0xc0) === 0x80;
  if (c >= 0xc2 && c <= 0xdf) return cont(1) ? 2 : 0;
  if (c >= 0xe0 && c <= 0xef) {
    const c1 = b[i + 1];
    if (!cont(1) || !cont(2) || (c === 0xe0 && c1 < 0xa0) || (c === 0xed && c1 > 0x9f)) return 0;
    return 3;
  }
  if (c >= 0xf0 && c <= 0xf4) {
    const c1 = b[i + 1];
    if (!cont(1) || !cont(2) || !cont(3) || (c === 0xf0 && c1 < 0x90) || (c === 0xf4 && c1 > 0x8f)) return 0;
    return 4;
  }
  return 0;
}

const MARKED_BYTE = /\uFFFD(\\x[0-9A-F]{2})/g;

/** Why a record with UNDECODABLE in a field is rejected (undefined for one without). */
export function undecodableProblem(fields: string[], encoding: string): string | undefined {
  let bytes = '';
  let found = false;
  for (const f of fields) {
    if (!f.includes(UNDECODABLE)) continue;
    found = true;
    for (const m of f.matchAll(MARKED_BYTE)) if (bytes.length < 40) bytes += m[1];
  }
  if (!found) return undefined;
  const what = bytes ? `bytes ${bytes}` : 'a character (U+FFFD: lost before this file, or not valid in it)';
  return `undecodable text: ${what} not valid ${encoding}; name the file's encoding with --encoding (see docs/csv.md)`;
}

/** A field of a rejected record as the rejects file shows it: each undecodable byte as `\xHH`, never U+FFFD. */
export function printable(field: string): string {
  return field.includes(UNDECODABLE) ? field.replace(/\uFFFD(?=\\x[0-9A-F]{2})/g, '').replace(/\uFFFD/g, '\\uFFFD') : field;
}
