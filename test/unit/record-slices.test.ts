import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { headerOf, openRecordSlices, type RecordSlice, recordsEnd } from '../../functions/adapters/local/record-slices.ts';
import type { Container } from '../../functions/core/input/containers.ts';
import { hasZstd } from '../fixtures/files/corpus.ts';

/** Records with quoted newlines and quotes, one far longer than a slice, and a last one without its newline. */
function data(): string {
  const lines = ['id,name,brand'];
  for (let i = 0; i < 500; i++) {
    if (i % 7 === 3) lines.push(`${i},"two\nlines, ""quoted""",B`);
    else if (i === 250) lines.push(`${i},"${'long '.repeat(400)}\n${'more '.repeat(200)}",B`);
    else lines.push(`${i},Item ${i},Brand ${i % 5}`);
  }
  return `${lines.join('\n')}\n9999,no newline at the end,B`;
}

async function sliceAll(path: string, container: Container | undefined, size: number, from?: number) {
  const opened = await openRecordSlices(path, container, size, from);
  if (!opened) throw new Error('not sliced');
  const slices: RecordSlice[] = [];
  try {
    for (let s = await opened.slices.next(); s; s = await opened.slices.next()) slices.push({ ...s, bytes: Buffer.from(s.bytes) });
  } finally {
    opened.slices.close();
  }
  return { header: opened.header, slices };
}

describe('record slices at a record too long to gather', () => {
  it('stop there (cutInRecord) instead of growing a slice to hold it: one sequential parser reads on', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aisle-slices-long-'));
    try {
      const path = join(dir, 'long.csv');
      const before = Array.from({ length: 200 }, (_, i) => `${i},Item ${i},B`).join('\n');
      writeFileSync(path, `id,name,brand\n${before}\n9000,${'x'.repeat(5 << 20)},B\n9001,After,B\n`);
      const { slices } = await sliceAll(path, undefined, 1024);
      const cut = slices.at(-1)!;
      expect(cut).toMatchObject({ cutInRecord: true, last: false });
      // Every record before the long one was sliced whole; the cut slice starts at the long one and holds nothing.
      expect(cut.bytes.length).toBe(0);
      const text = `id,name,brand\n${before}\n`;
      expect(cut.start).toBe(Buffer.byteLength(text));
      expect(slices.slice(0, -1).every((s) => !s.cutInRecord)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('record slices', () => {
  let dir: string;
  const text = data();
  const files: [string, Container | undefined][] = [];

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'aisle-slices-'));
    writeFileSync(join(dir, 'a.csv'), text);
    writeFileSync(join(dir, 'a.csv.gz'), gzipSync(text));
    files.push([join(dir, 'a.csv'), undefined], [join(dir, 'a.csv.gz'), 'gzip']);
    if (hasZstd()) {
      writeFileSync(join(dir, 'a.csv.zst'), execFileSync('zstd', ['-q', '-c'], { input: text }));
      files.push([join(dir, 'a.csv.zst'), 'zstd']);
    }
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('cuts plain and decompressed data alike: whole records, in order, nothing lost, offsets in the data', async () => {
    const expected = Buffer.from(text);
    const headerLength = expected.indexOf(10) + 1;
    for (const [path, container] of files) {
      const { header, slices } = await sliceAll(path, container, 256);
      expect(header.toString()).toBe('id,name,brand\n');
      expect(Buffer.concat([header, ...slices.map((s) => s.bytes)]).equals(expected), path).toBe(true);
      expect(slices.length).toBeGreaterThan(20);
      let at = headerLength;
      for (const s of slices) {
        expect(s.start).toBe(at);
        expect(s.end - s.start).toBe(s.bytes.length);
        at = s.end;
        // Every slice but the last ends after a record: a newline with even quotes before it in the slice.
        if (s !== slices.at(-1)) expect(recordsEnd(Buffer.from(s.bytes))).toBe(s.bytes.length);
      }
      // The long record made a slice longer than asked.
      expect(Math.max(...slices.map((s) => s.bytes.length))).toBeGreaterThan(2000);
      expect(slices.at(-1)!.last).toBe(true);
      expect(slices.at(-1)!.bytes.toString().endsWith('no newline at the end,B')).toBe(true);
      expect(slices.slice(0, -1).every((s) => !s.last)).toBe(true);
    }
  });

  it('starts from an offset in the (decompressed) data, as a resume does', async () => {
    for (const [path, container] of files) {
      const whole = await sliceAll(path, container, 300);
      const from = whole.slices[5].start;
      const resumed = await sliceAll(path, container, 300, from);
      expect(resumed.slices[0].start).toBe(from);
      expect(Buffer.concat(resumed.slices.map((s) => s.bytes)).toString()).toBe(Buffer.from(text).subarray(from).toString());
    }
  });

  it('counts the file bytes read (compressed ones for a compressed file) for progress', async () => {
    const { slices } = await sliceAll(join(dir, 'a.csv.gz'), 'gzip', 256);
    expect(slices.at(-1)!.fileBytesRead).toBe(gzipSync(text).length);
    const plain = await sliceAll(join(dir, 'a.csv'), undefined, 256);
    expect(plain.slices.map((s) => s.fileBytesRead >= s.end)).not.toContain(false);
  });

  it('refuses data whose records end in CR LF (their line numbers need a parser from the start)', async () => {
    expect(headerOf(Buffer.from('id,name\r\n1,a\r\n'))).toBeNull();
    const path = join(dir, 'crlf.csv.gz');
    writeFileSync(path, gzipSync('id,name\r\n1,a\r\n'));
    expect(await openRecordSlices(path, 'gzip', 256)).toBeNull();
  });
});
