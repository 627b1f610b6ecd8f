/**
 * .xlsx inputs (issue 20 item 2): the first sheet or --sheet, every cell as the text Excel shows for it (a
 * formula's saved result, never the formula run or its text), rejects with the sheet's row numbers, and a
 * workbook refused where no xlsx reader is passed.
 */
import { createReadStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyFile } from '../../functions/adapters/local/classify-file.ts';
import { createLocalRuntime, type LocalRuntime } from '../../functions/adapters/local/runtime.ts';
import { openTable } from '../../functions/core/input/open.ts';
import { readOutput } from '../fixtures/files/read-output.ts';

describe('xlsx input', { timeout: 120_000 }, () => {
  let dir: string;
  let rt: LocalRuntime;
  let book: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'aisle-xlsx-'));
    rt = await createLocalRuntime({ home: join(dir, 'home'), tiers: ['rules'], warn: () => undefined });
    book = join(dir, 'book.xlsx');
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('Notes').addRow(['nothing', 'here']);
    const ws = wb.addWorksheet('Products');
    ws.addRow(['Product Name', 'Price', 'Added', 'Note']);
    ws.addRow(['Crème fraîche 200 g', 2.5, new Date(Date.UTC(2024, 0, 31)), { formula: 'B2*2', result: 5 }]);
    ws.addRow([{ richText: [{ text: 'Jalapeño ' }, { text: 'chips', font: { bold: true } }] }, 1, null, '=HYPERLINK("x")']);
    ws.addRow([]); // a blank row: skipped
    ws.addRow([null, 3]); // no name: rejected, as row 5
    ws.addRow(['Whole milk 1 gal', 4, null, null, 'a cell past the header']); // rejected, as row 6
    ws.addRow(['牛乳 1L', true]);
    await wb.xlsx.writeFile(book);
  });
  afterAll(async () => {
    await rt?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads the sheet asked for: cells as Excel shows them, rejects by row number', async () => {
    const output = join(dir, 'products.csv');
    const s = await classifyFile(rt, { input: book, output, lake: 'off', sheet: 'Products', csvRaw: true });
    expect(s.readAs).toBe('Excel workbook');
    expect([s.rowsIn, s.classified, s.rejected]).toEqual([5, 3, 2]);
    const back = await readOutput('csv', output);
    expect(back.header.slice(0, 4)).toEqual(['Product Name', 'Price', 'Added', 'Note']);
    expect(back.rows.map((r) => r.slice(0, 4))).toEqual([
      ['Crème fraîche 200 g', '2.5', '2024-01-31', '5'],
      ['Jalapeño chips', '1', '', '=HYPERLINK("x")'],
      ['牛乳 1L', 'TRUE', '', ''],
    ]);
    const rejects = readFileSync(join(dir, 'products.rejects.csv'), 'utf8').split('\n');
    expect(rejects[1]).toMatch(/^5,empty product name,/);
    expect(rejects[2]).toMatch(/^6,"wrong column count: 5 fields, the header has 4",/);
  });

  it('reads the first sheet by default, and names the sheets when the one asked for is missing', async () => {
    await expect(classifyFile(rt, { input: book, output: join(dir, 'first.csv'), lake: 'off' })).rejects.toThrow(/found columns: "nothing", "here"/);
    await expect(classifyFile(rt, { input: book, output: join(dir, 'none.csv'), lake: 'off', sheet: 'Nope' })).rejects.toThrow(
      'no sheet "Nope" in the workbook; its sheets: "Notes", "Products"',
    );
  });

  it('goes round from xlsx to xlsx with the names unchanged', async () => {
    const output = join(dir, 'round.xlsx');
    const s = await classifyFile(rt, { input: book, output, lake: 'off', sheet: 'Products', outFormat: 'xlsx' });
    const back = await readOutput('xlsx', output);
    expect(back.rows.map((r) => r[0])).toEqual(['Crème fraîche 200 g', 'Jalapeño chips', '牛乳 1L']);
    expect(back.rows.length).toBe(s.classified);
    expect(back.formulas).toEqual([]);
  });

  it('is refused, with what to do, where no xlsx reader is passed (the S3 path)', async () => {
    await expect(openTable(createReadStream(book), { name: 'book.xlsx' })).rejects.toThrow(/save the sheet as "CSV UTF-8"/);
  });
});
