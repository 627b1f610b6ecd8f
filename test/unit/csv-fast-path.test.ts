/**
 * CsvBatchReader splits plain lines itself and hands the input to csv-parse from the first line with a quote
 * (or a stray CR). These seeded random files check that the hand-over changes nothing: each file is read as
 * written, and again with its header's names quoted — the same header to csv-parse, but no line for the fast
 * path, so csv-parse reads that copy from the start. Rows, row numbers, rejects (line, reason, raw) and
 * counts must be the same, over chunk sizes that cut records, CRLFs and UTF-8 characters anywhere.
 */
import { describe, expect, it } from 'vitest';
import { type CsvBatch, CsvBatchReader } from '../../functions/core/csv.ts';
import { seededRandom } from '../../functions/core/random.ts';

/**
 * The chunks as a bare async iterable (all the reader asks of its source): without a stream's machinery, a file
 * cut into 1-byte chunks reads about twice as fast, which keeps this test well inside its timeout on a busy machine.
 */
function source(chunks: Buffer[]): AsyncIterable<Buffer> {
  return {
    [Symbol.asyncIterator]: () => {
      let i = 0;
      return { next: async () => (i < chunks.length ? { value: chunks[i++], done: false } : { value: undefined, done: true }) };
    },
  };
}

async function read(bytes: Buffer, chunk: number) {
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += chunk) chunks.push(bytes.subarray(i, i + chunk));
  const reader = new CsvBatchReader(source(chunks), { batchSize: 5 });
  const batches: CsvBatch[] = [];
  for await (const b of reader.batches()) batches.push(b);
  return {
    delimiter: reader.delimiter,
    columns: reader.columns,
    rows: batches.flatMap((b) => b.rows),
    rowNumbers: batches.flatMap((b) => b.rowNumbers),
    rejects: batches.flatMap((b) => b.rejects),
    recordsRead: batches.at(-1)!.recordsRead,
  };
}

const WORDS = ['milk', 'Bread', 'café', 'Crème brûlée', '日本茶', 'chips 🍟', 'x', '12 oz', 'a b', 'Ünïcödé'];

/** A random CSV file: mostly plain lines, and at random places the oddities the reader must survive. */
function randomCsv(seed: number): Buffer {
  const rand = seededRandom(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
  const d = pick([',', ';', '\t'] as const);
  const eol = rand() < 0.5 ? '\n' : '\r\n';
  const word = () => pick(WORDS);
  // Quoted oddities start after a run of plain lines (or never), so the hand-over happens mid-file.
  const plainLines = Math.floor(rand() * 40);
  const oddity = rand() < 0.85 ? 0.25 : 0;
  const lines: string[] = [['id', 'name', 'brand'].join(d)];
  const rows = 10 + Math.floor(rand() * 60);
  for (let i = 1; i <= rows; i++) {
    const odd = i > plainLines && rand() < oddity;
    const kind = odd
      ? pick(['quoted', 'quoted-newline', 'doubled', 'broken', 'stray-cr'] as const)
      : pick(['plain', 'plain', 'plain', 'plain', 'empty-line', 'empty-name', 'long-name', 'short', 'long'] as const);
    switch (kind) {
      case 'plain':
        lines.push([i, word(), word()].join(d));
        break;
      case 'empty-line':
        lines.push('');
        break;
      case 'empty-name':
        lines.push([i, '', word()].join(d));
        break;
      case 'long-name':
        lines.push([i, 'n'.repeat(2001), word()].join(d));
        break;
      case 'short':
        lines.push([i, word()].join(d));
        break;
      case 'long':
        lines.push([i, word(), word(), word()].join(d));
        break;
      case 'quoted':
        lines.push([i, `"${word()}${d} ${word()}"`, word()].join(d));
        break;
      case 'quoted-newline':
        lines.push([i, `"${word()}${pick(['\n', '\r\n'])}${word()}"`, word()].join(d));
        break;
      case 'doubled':
        lines.push([i, `"say ""${word()}"""`, word()].join(d));
        break;
      case 'broken':
        lines.push([i, `"${word()}"x`, word()].join(d));
        break;
      case 'stray-cr':
        lines.push([i, `${word()}\r${word()}`, word()].join(d));
        break;
    }
  }
  let text = lines.join(eol) + (rand() < 0.7 ? eol : '');
  if (oddity && rand() < 0.15) text += `${rows + 1}${d}"never closed${eol}`;
  return Buffer.from((rand() < 0.3 ? '\uFEFF' : '') + text);
}

/** The same file with the header's names quoted: csv-parse then reads it from the first line. */
function headerQuoted(bytes: Buffer): Buffer {
  const text = bytes.toString('utf8');
  const bom = text.startsWith('\uFEFF') ? '\uFEFF' : '';
  const body = text.slice(bom.length);
  const end = body.search(/\r?\n/);
  const headerLine = end < 0 ? body : body.slice(0, end);
  const d = [',', ';', '\t'].find((c) => headerLine.includes(c)) ?? ',';
  return Buffer.from(
    bom +
      headerLine
        .split(d)
        .map((h) => `"${h}"`)
        .join(d) +
      (end < 0 ? '' : body.slice(end)),
  );
}

describe('CSV fast path', () => {
  it('reads 300 random files exactly as csv-parse does, whatever the chunk size', async () => {
    let handedOver = 0;
    let plainOnly = 0;
    for (let seed = 1; seed <= 300; seed++) {
      const file = randomCsv(seed);
      const reference = await read(headerQuoted(file), 1 << 14);
      if (file.includes('"')) handedOver++;
      else plainOnly++;
      for (const chunk of [1, 2, 3, 7, 64, 1 << 14]) {
        const got = await read(file, chunk);
        expect(got, `seed ${seed}, chunks of ${chunk} bytes`).toEqual(reference);
      }
    }
    // Both paths were exercised: files handed over mid-way and files read by the fast path alone.
    expect(handedOver).toBeGreaterThan(100);
    expect(plainOnly).toBeGreaterThan(20);
  });

  it('hands a file whose first line never ends (CR line ends) to csv-parse instead of holding it', async () => {
    const rows = Array.from({ length: 40_000 }, (_, i) => `${i + 1},item number ${i + 1}`);
    const file = Buffer.from(['id,name', ...rows].join('\r') + '\r');
    const got = await read(file, 1 << 14);
    expect(got.recordsRead).toBe(40_000);
    expect(got.rows.at(-1)).toEqual(['40000', 'item number 40000']);
    expect(got.rejects).toEqual([]);
  });
});
