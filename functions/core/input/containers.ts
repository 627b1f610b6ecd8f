/**
 * Compressed containers around an input file, told by their magic bytes (whatever the file is called) and
 * unwrapped as streams, so a 5 GB gzip never sits in memory: gzip (node:zlib, multi-member), zstd (fzstd).
 * bzip2 is refused with a reason: no maintained streaming bzip2 decoder for Node exists (unbzip2-stream's last
 * release was 2020).
 */
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { Decompress as ZstdDecompress } from 'fzstd';
import { CsvFormatError } from './table.ts';

export type Container = 'gzip' | 'zstd';

/** The first bytes of a stream and the whole stream again (those bytes first): sniffing without reading twice. */
export async function peek(source: AsyncIterable<Buffer | string>, bytes: number): Promise<{ head: Buffer; all: AsyncIterable<Buffer> }> {
  const it = source[Symbol.asyncIterator]();
  const seen: Buffer[] = [];
  let size = 0;
  let done = false;
  while (size < bytes) {
    const next = await it.next();
    if (next.done) {
      done = true;
      break;
    }
    const buf = typeof next.value === 'string' ? Buffer.from(next.value) : next.value;
    seen.push(buf);
    size += buf.length;
  }
  const head = Buffer.concat(seen);
  async function* all() {
    if (head.length) yield head;
    if (done) return;
    for (let next = await it.next(); !next.done; next = await it.next()) yield typeof next.value === 'string' ? Buffer.from(next.value) : next.value;
  }
  return { head, all: all() };
}

/** The container `head` starts with, if any; refuses bzip2 (module comment). */
export function containerOf(head: Uint8Array): Container | undefined {
  if (head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) return 'zstd';
  if (head[0] === 0x42 && head[1] === 0x5a && head[2] === 0x68 && head[3] >= 0x31 && head[3] <= 0x39) {
    throw new CsvFormatError('bzip2 files are not read: decompress it first (bunzip2), or compress it with gzip or zstd');
  }
  return undefined;
}

/** The decompressed bytes of `source`, a `container` file. A damaged file fails the run with a CsvFormatError. */
export function unwrap(source: AsyncIterable<Buffer>, container: Container): AsyncIterable<Buffer> {
  return container === 'gzip' ? gunzip(source) : unzstd(source);
}

async function* gunzip(source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  const gz = createGunzip();
  const input = Readable.from(source);
  input.on('error', (err) => gz.destroy(err));
  input.pipe(gz);
  try {
    for await (const chunk of gz) yield chunk as Buffer;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code?.startsWith('Z_')) throw new CsvFormatError(`the gzip file is damaged: ${(err as Error).message}`);
    throw err;
  } finally {
    input.destroy();
  }
}

async function* unzstd(source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  let out: Buffer[] = [];
  const d = new ZstdDecompress((chunk) => out.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length)));
  const push = (chunk: Uint8Array, final: boolean) => {
    try {
      d.push(chunk, final);
    } catch (err) {
      throw new CsvFormatError(`the zstd file is damaged: ${(err as Error).message}`);
    }
    const ready = out;
    out = [];
    return ready;
  };
  for await (const chunk of source) yield* push(chunk, false);
  yield* push(new Uint8Array(0), true);
}
