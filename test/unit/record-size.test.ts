/** A record over the size cap is rejected with its line and its start only, and the run reads on (docs/csv.md). */
import { describe, expect, it } from 'vitest';
import { CsvBatchReader } from '../../functions/core/csv.ts';
import { JsonRecordsReader } from '../../functions/core/input/json.ts';
import type { TableReader } from '../../functions/core/input/table.ts';
import { REJECT_PREFIX_CHARS } from '../../functions/core/limits.ts';

/** `text` in chunks of `size` bytes. */
async function* chunks(text: string, size: number) {
  const bytes = Buffer.from(text);
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
}

async function readAll(reader: TableReader) {
  const rows: string[][] = [];
  const rejects: { line: number; reason: string; raw: string }[] = [];
  let recordsRead = 0;
  for await (const b of reader.batches()) {
    rows.push(...b.rows);
    rejects.push(...b.rejects);
    recordsRead = b.recordsRead;
  }
  return { rows, rejects, recordsRead };
}

const CAP = 4096;
const big = 'Gigantic '.repeat(2000); // 18,000 bytes

describe('the record size cap', () => {
  const csvCases = {
    'an unquoted line (the fast path)': `name,brand\nMilk,A\n${big},B\nChips,C\n"Tea",D\n`,
    'a quoted field over several lines (csv-parse)': `name,brand\n"Milk",A\n"${big}\n${big}",B\nChips,C\n"Tea",D\n`,
  };
  for (const [label, text] of Object.entries(csvCases)) {
    for (const chunkSize of [700, 1 << 20]) {
      it(`CSV, ${label}, read in chunks of ${chunkSize} bytes: rejected at its line, its start kept, the rest read`, async () => {
        const got = await readAll(new CsvBatchReader(chunks(text, chunkSize), { maxRecordBytes: CAP }));
        expect(got.rows.map((r) => r[0])).toEqual(['Milk', 'Chips', 'Tea']);
        expect(got.rejects).toHaveLength(1);
        expect(got.rejects[0]).toMatchObject({ line: 3, reason: expect.stringMatching(/^record longer than 4096 bytes/) });
        expect(got.rejects[0].raw.length).toBeLessThanOrEqual(REJECT_PREFIX_CHARS);
        expect(got.rejects[0].raw).toMatch(/^"?Gigantic Gigantic/);
        expect(got.recordsRead).toBe(got.rows.length + got.rejects.length);
      });
    }
  }

  it('CSV: a 64 MiB field is read past, never gathered whole, and the rows after it are read', async () => {
    const piece = Buffer.from('x'.repeat(1 << 16));
    async function* huge() {
      yield Buffer.from('name,brand\nMilk,A\n"');
      for (let i = 0; i < 1024; i++) yield piece;
      yield Buffer.from('",B\nChips,C\n');
    }
    const got = await readAll(new CsvBatchReader(huge()));
    expect(got.rows.map((r) => r[0])).toEqual(['Milk', 'Chips']);
    expect(got.rejects).toEqual([{ line: 3, reason: expect.stringMatching(/^record longer than 1048576 bytes/), raw: expect.any(String) }]);
    expect(got.rejects[0].raw.length).toBeLessThanOrEqual(REJECT_PREFIX_CHARS);
  });

  it('CSV: a record under the cap is read as before', async () => {
    const text = `name,brand\nMilk,"${'Long\n'.repeat(700)}"\n`;
    const got = await readAll(new CsvBatchReader(chunks(text, 500), { maxRecordBytes: CAP }));
    expect(got.rows).toHaveLength(1);
    expect(got.rejects).toEqual([]);
  });

  const jsonCases = {
    jsonl: `{"name":"Milk"}\n{"name":"${big}"}\n{"name":"Chips"}\n`,
    json: `[{"name":"Milk"},\n{"name":"${big}"},\n{"name":"Chips"}]`,
  } as const;
  for (const [shape, text] of Object.entries(jsonCases) as ['jsonl' | 'json', string][]) {
    for (const chunkSize of [700, 1 << 20]) {
      it(`${shape}, read in chunks of ${chunkSize} bytes: the record over the cap is rejected at its line, its start kept`, async () => {
        const got = await readAll(new JsonRecordsReader(chunks(text, chunkSize), shape, { maxRecordBytes: CAP }));
        expect(got.rows.map((r) => r[0])).toEqual(['Milk', 'Chips']);
        expect(got.rejects).toHaveLength(1);
        expect(got.rejects[0]).toMatchObject({ line: 2, reason: expect.stringMatching(/^record longer than 4096 bytes/) });
        expect(got.rejects[0].raw.length).toBeLessThanOrEqual(REJECT_PREFIX_CHARS);
        expect(got.rejects[0].raw).toMatch(/^\{"name":"Gigantic/);
        expect(got.recordsRead).toBe(3);
      });
    }
  }
});
