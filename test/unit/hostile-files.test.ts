/**
 * Files as a foreign or careless retailer sends them (issue 20, audited): each case is one that broke — data read
 * wrong without a word, a run that could not end, a character lost in the output — and now holds. The files are
 * written here from text, never committed.
 */
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { describeInput, openTable } from '../../functions/core/input/open.ts';
import type { CsvReject } from '../../functions/core/input/table.ts';
import { openXlsx } from '../../functions/core/input/xlsx.ts';

async function* chunksOf(bytes: Buffer, size: number) {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

async function readAll(bytes: Buffer, opts: Parameters<typeof openTable>[1] = {}, size = 7) {
  const { reader, kind } = await openTable(chunksOf(bytes, size), opts);
  const rows: string[][] = [];
  const rejects: CsvReject[] = [];
  for await (const b of reader.batches()) {
    rows.push(...b.rows);
    rejects.push(...b.rejects);
  }
  return { rows, rejects, header: reader.columns!.header, readAs: describeInput(kind) };
}

describe('hostile encodings', () => {
  it('reads a UTF-8 file with one damaged row as UTF-8: that row rejected with its line, the others intact', async () => {
    // More undecodable bytes (one row) than valid multi-byte characters (one row): still UTF-8, judged by rows.
    const bytes = Buffer.concat([Buffer.from('name\nWhole milk\nbad '), Buffer.from([0xff, 0xc3]), Buffer.from(' row\nCrème 1 l\n')]);
    for (const size of [1, 3, 64]) {
      const r = await readAll(bytes, {}, size);
      expect(r.readAs).toBe('CSV, UTF-8 (mostly UTF-8)');
      expect(r.rows.flat()).toEqual(['Whole milk', 'Crème 1 l']);
      expect(r.rejects).toEqual([{ line: 3, reason: expect.stringContaining('bytes \\xFF\\xC3 not valid utf-8'), raw: 'bad \\xFF\\xC3 row' }]);
    }
  });

  it('still reads a Windows-1252 file whose one line happens to hold a valid UTF-8 pair as Windows-1252', async () => {
    // `É”` (C9 94) is a valid UTF-8 sequence by chance; every other accented line is not UTF-8.
    const text = 'name\nCAFÉ” moulu\nCrème fraîche\nJalapeño chips\nMüsli\n';
    const r = await readAll(iconv.encode(text, 'windows-1252'));
    expect(r.readAs).toBe('CSV, WINDOWS-1252 (detected)');
    expect(r.rows.flat()).toEqual(['CAFÉ” moulu', 'Crème fraîche', 'Jalapeño chips', 'Müsli']);
  });
});

describe('hostile workbooks', () => {
  it('decodes the escapes Excel writes for characters XML cannot hold (a CR is `_x000D_`, a literal `_x` is `_x005F_x`)', async () => {
    const book = new ExcelJS.Workbook();
    const sheet = book.addWorksheet('Products');
    // exceljs writes the text as given: these are the bytes Excel writes for `line\r\nbreak` and `a _x0041_ b`.
    sheet.addRows([['Product Name'], ['line_x000D_\nbreak'], ['a _x005F_x0041_ b'], [{ richText: [{ text: 'rich_x000D_' }, { text: ' run' }] }]]);
    const bytes = Buffer.from(await book.xlsx.writeBuffer());
    const r = await readAll(bytes, { xlsx: openXlsx });
    expect(r.rows.flat()).toEqual(['line\r\nbreak', 'a _x0041_ b', 'rich\r run']);
  });
});
