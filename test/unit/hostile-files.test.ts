/**
 * Files as a foreign or careless retailer sends them (issue 20, audited): each case is one that broke — data read
 * wrong without a word, a run that could not end, a character lost in the output — and now holds. The files are
 * written here from text, never committed.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { openParquet } from '../../functions/adapters/local/parquet-input.ts';
import { openRangedParquet } from '../../functions/core/input/parquet.ts';
import { openXlsx } from '../../functions/core/input/xlsx.ts';
import { readAll } from '../support/read-table.ts';

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

  it.each(['utf-16le', 'utf-16be'] as const)('rejects the last row of a %s file cut inside a character (the odd byte was dropped)', async (enc) => {
    const bom = enc === 'utf-16le' ? [0xff, 0xfe] : [0xfe, 0xff];
    const whole = Buffer.concat([Buffer.from(bom), iconv.encode('name\r\nMilk\r\nBread', enc)]);
    for (const size of [1, 2, 5]) {
      const r = await readAll(whole.subarray(0, whole.length - 1), {}, size);
      expect(r.rows.flat()).toEqual(['Milk']);
      expect(r.rejects).toEqual([
        { line: 3, reason: expect.stringMatching(/^undecodable text: bytes \\x(64|00) not valid utf-16/), raw: expect.stringMatching(/^Brea\\x/) },
      ]);
    }
  });

  it.each([
    ['windows-1252', 'name\nCafé “Premium” 5 €\nCrème fraîche\n', 'WINDOWS-1252'],
    ['gb18030', '产品名称,价格\n绿茶 500毫升,100\n方便面 酱油味,200\n纯牛奶 1升,150\n', 'GB18030'],
    ['koi8-r', 'наименование;цена\nМолоко 3,2% 1 л;100\nКефир жирный;200\nХлеб бородинский;50\n', 'KOI8-R'],
    ['shift_jis', '商品名,価格\n緑茶 500ml,100\nカップ麺 しょうゆ,200\n牛乳 1L,150\n', 'SHIFT_JIS'],
  ])('detects %s and keeps every character', async (enc, text, name) => {
    const r = await readAll(iconv.encode(text, enc));
    expect(r.readAs).toBe(`CSV, ${name} (detected)`);
    expect([r.header, ...r.rows].map((row) => row.join(r.delimiter)).join('\n')).toBe(text.trimEnd());
  });

  it('still reads a Windows-1252 file whose one line happens to hold a valid UTF-8 pair as Windows-1252', async () => {
    // `É”` (C9 94) is a valid UTF-8 sequence by chance; every other accented line is not UTF-8.
    const text = 'name\nCAFÉ” moulu\nCrème fraîche\nJalapeño chips\nMüsli\n';
    const r = await readAll(iconv.encode(text, 'windows-1252'));
    expect(r.readAs).toBe('CSV, WINDOWS-1252 (detected)');
    expect(r.rows.flat()).toEqual(['CAFÉ” moulu', 'Crème fraîche', 'Jalapeño chips', 'Müsli']);
  });
});

describe('hostile CSV', () => {
  it.each([
    ['sep=;\nname;price\nMilk;1,5\n', ['Milk', '1,5']],
    ['sep=,\r\n"name","price"\r\n"Milk, whole",1.5\r\n', ['Milk, whole', '1.5']],
    ['sep=\t\nname\tprice\nMilk\t1\n', ['Milk', '1']],
  ])("takes Excel's delimiter line (%j) for what it is, not the header", async (text, row) => {
    for (const size of [1, 4, 64]) {
      const r = await readAll(Buffer.from(text), {}, size);
      expect(r.header).toEqual(['name', 'price']);
      expect(r.rows).toEqual([row]);
    }
  });

  it('keeps a quote inside an unquoted field as text (inch marks, TSV exports that never quote)', async () => {
    const csv = 'sku,name\n1,Pizza 12" pepperoni\n2,"Milk, whole"\n3,TV 55" 4K "Smart"\n';
    const tsv = 'sku\tname\n1\tPaper Towels "Ultra" 6 ct\n2\tMilk\n';
    for (const size of [1, 6, 64]) {
      expect((await readAll(Buffer.from(csv), {}, size)).rows.map((r) => r[1])).toEqual(['Pizza 12" pepperoni', 'Milk, whole', 'TV 55" 4K "Smart"']);
      expect((await readAll(Buffer.from(tsv), {}, size)).rows.map((r) => r[1])).toEqual(['Paper Towels "Ultra" 6 ct', 'Milk']);
    }
  });

  it.each([
    ['CRLF, then LF (files joined)', 'sku,name\r\n1,Milk\n2,\n3,Eggs\r\n4,"Quoted\nname"\n5,\r\n', [3, 7]],
    ['CR CR LF (a CRLF file converted again)', 'sku,name\r\r\n1,Milk\r\r\n2,\r\r\n3,Eggs\r\r\n4,"Quoted\nname"\r\r\n', [5]],
    ['LF, then CR', 'sku,name\n1,Milk\r2,\r3,Eggs\n4,"Quoted\nname"\n', [3]],
  ])('reads mixed line ends as line ends (%s): no rows merged, rejects on their lines (a CR is one)', async (_, text, lines) => {
    for (const size of [1, 3, 64]) {
      const r = await readAll(Buffer.from(text), {}, size);
      expect(r.rows).toEqual([
        ['1', 'Milk'],
        ['3', 'Eggs'],
        ['4', 'Quoted\nname'],
      ]);
      expect(r.rejects.map((j) => [j.line, j.reason])).toEqual(lines.map((l) => [l, 'empty product name']));
    }
  });

  it('reads a pipe-delimited export (SAP and mainframe extracts), commas in its names kept', async () => {
    const r = await readAll(Buffer.from('Material|Product Name|Price\n100|Milk, whole 1 l|1,09\n101|"Bread | rye"|2\n'));
    expect(r.header).toEqual(['Material', 'Product Name', 'Price']);
    expect(r.rows).toEqual([
      ['100', 'Milk, whole 1 l', '1,09'],
      ['101', 'Bread | rye', '2'],
    ]);
  });

  it('rejects the header repeated further on (files joined), a BOM in front or not, with its line', async () => {
    const text = 'sku,name\n1,Milk\n\uFEFFsku,name\n2,Bread\nsku,name\n"3","Eggs"\n';
    for (const size of [1, 5, 64]) {
      const r = await readAll(Buffer.from(text), {}, size);
      expect(r.rows).toEqual([
        ['1', 'Milk'],
        ['2', 'Bread'],
        ['3', 'Eggs'],
      ]);
      expect(r.rejects.map((j) => [j.line, j.reason])).toEqual([
        [3, 'the header line again (files joined one after another?): not a product'],
        [5, 'the header line again (files joined one after another?): not a product'],
      ]);
    }
  });
});

describe('hostile workbooks', () => {
  it('passes over one-cell title rows above the header, the rows keeping their sheet row numbers', async () => {
    const book = new ExcelJS.Workbook();
    book.addWorksheet('Products').addRows([['Price list, spring 2026'], [], ['Prices in EUR'], ['sku', 'Product Name'], [1, 'Milk'], [2, '']]);
    const r = await readAll(Buffer.from(await book.xlsx.writeBuffer()), { xlsx: openXlsx });
    expect(r.header).toEqual(['sku', 'Product Name']);
    expect(r.rows).toEqual([['1', 'Milk']]);
    expect(r.rejects.map((j) => [j.line, j.reason])).toEqual([[6, 'empty product name']]);
  });

  it('says which sheet it read, and the others, when the first sheet has no name column', async () => {
    const book = new ExcelJS.Workbook();
    book.addWorksheet('Cover').addRows([['Price list, 2026'], ['Confidential']]);
    book.addWorksheet('Products').addRows([['Product Name'], ['Milk']]);
    const bytes = Buffer.from(await book.xlsx.writeBuffer());
    await expect(readAll(bytes, { xlsx: openXlsx })).rejects.toThrow(
      /found columns: "Price list, 2026".*in the workbook's first sheet, "Cover"; its sheets: "Cover", "Products": name another with --sheet/,
    );
    expect((await readAll(bytes, { xlsx: openXlsx, sheet: 'Products' })).rows).toEqual([['Milk']]);
  });

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

describe('hostile JSON', () => {
  const products = [
    { title: 'Milk', variants: [{ size: '1 l' }], tags: ['dairy'] },
    { title: 'Bread', variants: [], tags: [] },
  ];

  it.each([
    ['pretty-printed', JSON.stringify({ products }, null, 2), 'products.json'],
    ['on one line, after metadata and an empty array', JSON.stringify({ count: 2, errors: [], meta: { page: [1] }, products, next: null }), 'export'],
  ])('reads the records of a top-level object (%s): its first non-empty array', async (_, text, name) => {
    for (const size of [1, 7, 100]) {
      const r = await readAll(Buffer.from(text), { name }, size);
      expect(r.header).toEqual(['title', 'variants', 'tags']);
      expect(r.rows).toEqual([
        ['Milk', '[{"size":"1 l"}]', '["dairy"]'],
        ['Bread', '[]', '[]'],
      ]);
    }
  });

  it('still reads JSON lines (named .json, or one record) whose records hold arrays of objects as JSON lines', async () => {
    const lines = products.map((p) => JSON.stringify(p)).join('\n');
    expect((await readAll(Buffer.from(lines), { name: 'products.json' })).rows.map((r) => r[0])).toEqual(['Milk', 'Bread']);
    expect((await readAll(Buffer.from(JSON.stringify(products[0])), { name: 'one.json' })).rows.map((r) => r[0])).toEqual(['Milk']);
  });

  it('refuses an object without an array of records, saying so', async () => {
    await expect(readAll(Buffer.from(JSON.stringify({ products: { a: 1 }, n: 2 }, null, 1)), { name: 'x.json' })).rejects.toThrow(
      /a JSON object without an array of records/,
    );
  });

  it('rejects a record with a lone surrogate escape (it could only be written as U+FFFD)', async () => {
    const r = await readAll(Buffer.from('{"name":"Milk \\ud800 x"}\n{"name":"Bread \\ud83c\\udf5e"}\n'), { name: 'x.jsonl' });
    expect(r.rows.flat()).toEqual(['Bread 🍞']);
    expect(r.rejects).toEqual([{ line: 1, reason: expect.stringContaining('lone UTF-16 surrogate'), raw: '{"name":"Milk \\ud800 x"}' }]);
  });

  it('rejects a record holding a value nested too deeply to write as text, and reads on', async () => {
    const deep = `${'['.repeat(200_000)}${']'.repeat(200_000)}`;
    const r = await readAll(Buffer.from(`{"name":"Milk","brand":${deep}}\n{"name":"Bread","brand":"b"}\n`), { name: 'x.jsonl' }, 64 * 1024);
    expect(r.rows).toEqual([['Bread', 'b']]);
    expect(r.rejects).toEqual([{ line: 1, reason: expect.stringMatching(/^a value nested too deeply/), raw: expect.any(String) }]);
  });
});

describe('hostile Parquet', () => {
  it('gives list, struct and map columns as the same JSON on the CLI (DuckDB) and the S3 path (hyparquet)', { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aisle-hostile-parquet-'));
    try {
      const path = join(dir, 'nested.parquet');
      const db = await DuckDBInstance.create(':memory:');
      const c = await db.connect();
      await c.run(`COPY (SELECT * FROM (VALUES
          ('Milk', ['a', 'b, c', 'it''s'], [1::BIGINT, 2], [1.0::DOUBLE, 2.5], {'a': 1, 'b': 'x', 'd': DATE '2024-01-31'}, MAP {'k': 1}, [NULL, 'z']),
          ('Bread', NULL, [], [], NULL, NULL, [{'q': 1}::JSON::VARCHAR]))
        t(name, tags, ids, sizes, attrs, extra, notes)) TO '${path}' (FORMAT parquet)`);
      c.closeSync();
      db.closeSync();
      const bytes = readFileSync(path);
      const local = await readAll(bytes, { path, parquet: openParquet });
      const s3 = await readAll(bytes, {
        parquet: (_, read) => openRangedParquet({ byteLength: bytes.length, read: async (start, end) => bytes.subarray(start, end) }, read),
      });
      expect(local.rows).toEqual([
        ['Milk', '["a","b, c","it\'s"]', '[1,2]', '[1.0,2.5]', '{"a":1,"b":"x","d":"2024-01-31"}', '{"k":1}', '[null,"z"]'],
        ['Bread', '', '[]', '[]', '', '', '["{\\"q\\":1}"]'],
      ]);
      expect(s3.rows).toEqual(local.rows);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  it('says a damaged Parquet file cannot be read, in words, without the SQL DuckDB quotes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aisle-hostile-parquet-'));
    try {
      const path = join(dir, 'damaged.parquet');
      writeFileSync(path, 'PAR1 not a parquet file PAR1');
      const read = readAll(readFileSync(path), { path, parquet: openParquet });
      await expect(read).rejects.toThrow(/^the Parquet file cannot be read: .*damaged\.parquet'?$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
