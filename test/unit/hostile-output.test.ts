/**
 * Output files given the names a hostile catalog holds: every character comes back as it went in from each
 * format Aisle writes (issue 20 item 5), read back by the library a user would read it with.
 */
import { PassThrough } from 'node:stream';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { openTable } from '../../functions/core/input/open.ts';
import { openXlsx } from '../../functions/core/input/xlsx.ts';
import { writeRows } from '../../functions/core/output/formats.ts';

/** Characters XML 1.0 cannot hold or normalises away (NUL, CR, DEL, C0 controls, U+FFFE), and text that looks like OOXML's own escape. */
const HOSTILE = [
  'Mi\u0000lk',
  '\rCR milk',
  'line\r\nbreak',
  'bell\u0007 and DEL\u007F',
  'unit sep \u001F x',
  'a _x000D_ literal, _x0041_ too, _X0041_ lower',
  'non-char \uFFFE',
  '  spaces kept  ',
  '=HYPERLINK("http://x","y")',
  '\u202Eklim\u202C 🍎 e\u0301clair',
];

async function xlsxOf(names: string[]): Promise<Buffer> {
  const out = new PassThrough();
  const bytes: Buffer[] = [];
  out.on('data', (b: Buffer) => bytes.push(b));
  await writeRows(
    'xlsx',
    ['sku', 'name'],
    (async function* () {
      for (const [i, n] of names.entries()) yield [String(i), n];
    })(),
    {
      stream: () => out,
      parquet: () => {
        throw new Error('not Parquet');
      },
    },
  );
  return Buffer.concat(bytes);
}

describe('xlsx output keeps every character', () => {
  it('reads back exactly, by exceljs and by Aisle’s own reader', async () => {
    const bytes = await xlsxOf(HOSTILE);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(bytes as unknown as ArrayBuffer);
    const names: string[] = [];
    book.worksheets[0].eachRow((row, n) => {
      if (n > 1) names.push(row.getCell(2).text);
    });
    expect(names).toEqual(HOSTILE);
    const { reader } = await openTable(
      (async function* () {
        yield bytes;
      })(),
      { xlsx: openXlsx },
    );
    const rows: string[][] = [];
    for await (const b of reader.batches()) rows.push(...b.rows);
    expect(rows.map((r) => r[1])).toEqual(HOSTILE);
  });
});
