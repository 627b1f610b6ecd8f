/**
 * Text encodings of input files: the BOM, UTF-8 validation, detection of the rest (chardet) and decoding
 * (iconv-lite), streamed to UTF-8 bytes for the readers. A byte that cannot be decoded is never replaced
 * silently: the readers reject the record that holds one (utf8.ts), so no output ever carries a U+FFFD.
 */
import { isUtf8 } from 'node:buffer';
import chardet from 'chardet';
import iconv from 'iconv-lite';
import { UserError } from '../errors.ts';
import { checkedUtf8, completeUtf8Length, markedByte, validSequenceAt } from './utf8.ts';

export interface TextEncoding {
  /** The encoding's name as iconv-lite knows it (`utf-8`, `utf-16le`, `windows-1252`, `shift_jis`...). */
  name: string;
  /** Bytes of BOM at the start of the input (skipped). */
  bom: number;
  /** How it was chosen, for the line the CLI prints. */
  how: 'BOM' | 'valid UTF-8' | 'mostly UTF-8' | 'detected' | 'given';
}

const BOMS: { bytes: number[]; name: string }[] = [
  { bytes: [0xef, 0xbb, 0xbf], name: 'utf-8' },
  { bytes: [0xff, 0xfe], name: 'utf-16le' },
  { bytes: [0xfe, 0xff], name: 'utf-16be' },
];

const startsWith = (head: Uint8Array, bytes: number[]) => bytes.every((b, i) => head[i] === b);

/** The canonical spelling of an encoding name (`UTF8`, `latin1`, `cp1252` → iconv-lite's), or a UserError. */
export function encodingNamed(given: string): string {
  const name = given.trim().toLowerCase();
  if (!iconv.encodingExists(name)) {
    throw new UserError(`unknown encoding "${given}": use a name such as utf-8, utf-16le, windows-1252, latin1, shift_jis, gbk`);
  }
  const canonical = name.replace(/[^a-z0-9]/g, '');
  if (canonical === 'utf8') return 'utf-8';
  if (canonical === 'utf16le' || canonical === 'ucs2') return 'utf-16le';
  if (canonical === 'utf16be') return 'utf-16be';
  if (canonical === 'cp1252' || canonical === 'windows1252') return 'windows-1252';
  if (canonical === 'latin1' || canonical === 'iso88591') return 'iso-8859-1';
  return name;
}

/**
 * The encoding of a file starting with `head` (its first tens of KiB): a BOM wins, then `given`, then UTF-16
 * told by its zero bytes, then UTF-8 if the head is valid UTF-8, else what chardet finds (ISO-8859-1 read as
 * its superset windows-1252, as spreadsheets write it).
 */
export function detectEncoding(head: Uint8Array, given?: string): TextEncoding {
  const bom = BOMS.find((b) => startsWith(head, b.bytes));
  if (given !== undefined) {
    const name = encodingNamed(given);
    return { name, bom: bom && bom.name === name ? bom.bytes.length : 0, how: 'given' };
  }
  if (bom) return { name: bom.name, bom: bom.bytes.length, how: 'BOM' };
  const utf16 = utf16ByZeros(head);
  if (utf16) return { name: utf16, bom: 0, how: 'detected' };
  const text = head.subarray(0, completeUtf8Length(head));
  if (isUtf8(text)) return { name: 'utf-8', bom: 0, how: 'valid UTF-8' };
  // UTF-8 with a few stray bytes (rows pasted from another system): reading it all as a legacy code page would
  // garble every UTF-8 row silently; as UTF-8 only the stray rows are rejected.
  if (mostlyUtf8(text)) return { name: 'utf-8', bom: 0, how: 'mostly UTF-8' };
  const found = chardet.detect(head)?.toLowerCase();
  const name = !found || found === 'utf-8' || found === 'iso-8859-1' || !iconv.encodingExists(found) ? 'windows-1252' : found;
  return { name, bom: 0, how: 'detected' };
}

/**
 * Whether `buf` has at least as many lines with multi-byte UTF-8 (and nothing invalid) as lines with bytes that are
 * not UTF-8. Counted by lines, not bytes: one damaged row can hold more stray bytes than the file's other rows hold
 * accented letters, while in a legacy code page nearly every line with a non-ASCII letter is invalid UTF-8.
 */
function mostlyUtf8(buf: Uint8Array): boolean {
  let good = 0;
  let bad = 0;
  let multi = false;
  let invalid = false;
  const endLine = () => {
    if (invalid) bad++;
    else if (multi) good++;
    multi = invalid = false;
  };
  for (let i = 0; i < buf.length; ) {
    const c = buf[i];
    if (c < 0x80) {
      if (c === 10) endLine();
      i++;
      continue;
    }
    const len = validSequenceAt(buf, i);
    if (len) multi = true;
    else invalid = true;
    i += len || 1;
  }
  endLine();
  return good > 0 && good >= bad;
}

/** UTF-16 without a BOM: text in Latin scripts has a zero in every other byte. */
function utf16ByZeros(head: Uint8Array): string | undefined {
  const n = Math.min(head.length, 4096) & ~1;
  if (n < 4) return undefined;
  let even = 0;
  let odd = 0;
  for (let i = 0; i < n; i += 2) {
    if (head[i] === 0) even++;
    if (head[i + 1] === 0) odd++;
  }
  const half = n / 2;
  if (odd > half * 0.3 && even < half * 0.05) return 'utf-16le';
  if (even > half * 0.3 && odd < half * 0.05) return 'utf-16be';
  return undefined;
}

/** Streams `source` (starting with its BOM, if any) as UTF-8 bytes, undecodable bytes marked (see the module comment). */
export async function* decodeToUtf8(source: AsyncIterable<Buffer>, encoding: TextEncoding): AsyncGenerator<Buffer> {
  let bomLeft = encoding.bom;
  const skipBom = (buf: Buffer) => {
    if (!bomLeft) return buf;
    const cut = Math.min(bomLeft, buf.length);
    bomLeft -= cut;
    return buf.subarray(cut);
  };
  if (encoding.name === 'utf-8') return yield* checkedUtf8(source, encoding.bom);
  const decoder = iconv.getDecoder(encoding.name, { stripBOM: false });
  const utf16 = encoding.name === 'utf-16le' || encoding.name === 'utf-16be';
  let bytes = 0;
  let last = 0;
  for await (const chunk of source) {
    const buf = skipBom(chunk);
    bytes += buf.length;
    if (buf.length) last = buf[buf.length - 1];
    const text = decoder.write(buf);
    if (text) yield Buffer.from(text);
  }
  const rest = decoder.end();
  if (rest) yield Buffer.from(rest);
  // A UTF-16 file cut inside a character: iconv-lite drops the odd byte without a word; it marks the last record instead.
  if (utf16 && bytes % 2) yield Buffer.from(markedByte(last));
}
