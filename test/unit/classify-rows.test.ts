import { describe, expect, it } from 'vitest';
import { RowPacker, unpackRows } from '../../functions/adapters/local/classify-rows.ts';
import type { CsvBatch } from '../../functions/core/csv.ts';

function batch(rows: string[][], firstRecord: number): CsvBatch {
  return {
    rows,
    rowNumbers: rows.map((_, i) => firstRecord + i),
    rejects: [{ line: firstRecord + 1, reason: 'name is empty', raw: ',x' }],
    recordsRead: firstRecord + rows.length,
    bytesRead: 0,
  };
}

describe('rows packed for a worker', () => {
  it('come back as they went in, chunk after chunk: ASCII, then text that is not (a lone surrogate included)', () => {
    const packer = new RowPacker(0);
    const chunks: CsvBatch[][] = [
      [
        batch(
          [
            ['1', 'Milk', 'Acme'],
            ['2', '', ''],
          ],
          0,
        ),
        batch([['3', 'Bread']], 2),
      ],
      // The second batch is not ASCII: what the chunk holds so far is widened to UTF-16.
      [
        batch([['4', 'Oat drink', 'B']], 3),
        batch(
          [
            ['5', 'Crème fraîche 200 g', 'Président'],
            ['6', 'odd \uD800 half', '日本'],
          ],
          4,
        ),
      ],
      [batch([['7', 'Tea', 'C']], 6)],
    ];
    let base = 0;
    for (const batches of chunks) {
      for (const b of batches) packer.add(b);
      const { packed, transfer } = packer.take(batches.at(-1)!.recordsRead);
      expect(packed.encoding).toBe(batches.some((b) => b.rows.flat().some((f) => Buffer.byteLength(f) !== f.length)) ? 'utf16le' : 'latin1');
      expect(transfer).toEqual([packed.text.buffer, packed.layout.buffer]);
      const back = [...unpackRows(packed)];
      expect(back.map((b) => b.rows)).toEqual(batches.map((b) => b.rows));
      // Numbered from the chunk's start.
      expect(back.map((b) => b.rowNumbers)).toEqual(batches.map((b) => b.rowNumbers.map((n) => n - base)));
      expect(back.map((b) => b.recordsRead)).toEqual(batches.map((b) => b.recordsRead - base));
      expect(back.map((b) => b.rejects)).toEqual(batches.map((b) => b.rejects));
      base = batches.at(-1)!.recordsRead;
    }
  });

  it('grows past its first buffers', () => {
    const packer = new RowPacker(0);
    const rows = Array.from({ length: 5000 }, (_, i) => [String(i), `Item ${'x'.repeat(i % 50)}`, 'Brand']);
    packer.add(batch(rows, 0));
    const { packed } = packer.take(5000);
    expect([...unpackRows(packed)][0].rows).toEqual(rows);
  });
});
