/**
 * Input files (functions/core/input/): encodings, containers, JSON, columns. Each test feeds bytes in chunks of
 * every small size, so chunk boundaries fall inside multi-byte sequences, BOMs and JSON strings.
 */
import { gzipSync } from 'node:zlib';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { cascadeItemOf } from '../../functions/core/csv.ts';
import { resolveColumns } from '../../functions/core/input/columns.ts';
import { detectEncoding } from '../../functions/core/input/encoding.ts';
import { restoredCsv } from '../../functions/core/output/restored-csv.ts';
import { chunksOf, readAll } from '../support/read-table.ts';

const NAMES = ['Crème fraîche 200 g', 'Jalapeño chips', 'Молоко 1 л', '牛乳 1L', '🥛 Milk'];

describe('encodings', () => {
  it('keeps every character whatever the chunk boundaries (UTF-8 sequences cut in two)', async () => {
    const bytes = Buffer.from(`name\n${NAMES.join('\n')}\n`);
    for (const size of [1, 2, 3, 5, 64]) expect((await readAll(bytes, {}, size)).rows.flat()).toEqual(NAMES);
  });

  it('reads Windows-1252 as Windows-1252, and says so', async () => {
    const { rows, readAs } = await readAll(iconv.encode('Product Name\nCrème fraîche 200 g\nJalapeño chips\n', 'windows-1252'));
    expect(rows.flat()).toEqual(['Crème fraîche 200 g', 'Jalapeño chips']);
    expect(readAs).toBe('CSV, WINDOWS-1252 (detected)');
  });

  it.each(['utf-16le', 'utf-16be'] as const)("reads Excel's Unicode text (%s with BOM, tab-separated)", async (enc) => {
    const bom = enc === 'utf-16le' ? [0xff, 0xfe] : [0xfe, 0xff];
    const bytes = Buffer.concat([Buffer.from(bom), iconv.encode(`sku\tProduct Name\r\n1\t${NAMES[0]}\r\n2\t${NAMES[3]}\r\n`, enc)]);
    for (const size of [1, 3, 8]) {
      const r = await readAll(bytes, {}, size);
      expect(r.header).toEqual(['sku', 'Product Name']);
      expect(r.rows).toEqual([
        ['1', NAMES[0]],
        ['2', NAMES[3]],
      ]);
      expect(r.delimiter).toBe('\t');
    }
  });

  it('rejects a row with a byte that is not UTF-8, naming the byte, and never writes U+FFFD', async () => {
    const bytes = Buffer.concat([Buffer.from('name,brand\nCrème,A\n'), Buffer.from([0x43, 0x72, 0xe8, 0x6d, 0x65]), Buffer.from(',B\nOk,C\n')]);
    for (const size of [1, 2, 4, 100]) {
      const { rows, rejects } = await readAll(bytes, {}, size);
      expect(rows).toEqual([
        ['Crème', 'A'],
        ['Ok', 'C'],
      ]);
      expect(rejects).toEqual([{ line: 3, reason: expect.stringContaining('bytes \\xE8 not valid utf-8'), raw: 'Cr\\xE8me,B' }]);
    }
  });

  it('rejects a byte Windows-1252 leaves undefined (0x81) with --encoding given', async () => {
    const bytes = Buffer.concat([iconv.encode('name\nCafé\n', 'windows-1252'), Buffer.from([0x41, 0x81, 0x0a])]);
    const { rows, rejects, readAs } = await readAll(bytes, { encoding: 'cp1252' });
    expect(readAs).toBe('CSV, WINDOWS-1252 (given)');
    expect(rows.flat()).toEqual(['Café']);
    expect(rejects[0].reason).toMatch(/^undecodable text/);
    expect(rejects[0].raw).not.toContain('\uFFFD');
  });

  it('takes a file of UTF-8 rows with a few stray Latin-1 bytes as UTF-8 (only those rows rejected)', () => {
    const head = Buffer.concat([Buffer.from('name\nCrème\nJalapeño\n'), Buffer.from([0xe8, 0x0a])]);
    expect(detectEncoding(head)).toMatchObject({ name: 'utf-8', how: 'mostly UTF-8' });
  });

  it('refuses an unknown --encoding by name', async () => {
    await expect(readAll(Buffer.from('name\nx\n'), { encoding: 'klingon-8' })).rejects.toThrow(/unknown encoding "klingon-8"/);
  });
});

describe('containers and formats', () => {
  it('reads a gzip file, whatever its name; "the file is empty" only for a file with no bytes', async () => {
    const r = await readAll(gzipSync(Buffer.from('title\nMilk\n')), { name: 'upload.bin' });
    expect(r.rows).toEqual([['Milk']]);
    expect(r.readAs).toBe('CSV, gzip, UTF-8 (valid UTF-8)');
    await expect(readAll(Buffer.alloc(0))).rejects.toThrow(/the file is empty/);
    await expect(readAll(Buffer.from('\n\n'))).rejects.toThrow(/no header row could be read/);
    await expect(readAll(gzipSync(Buffer.alloc(0)))).rejects.toThrow(/the file is empty/);
  });

  it('refuses bzip2 and ZIP with what to do instead, and a damaged gzip as damaged', async () => {
    await expect(readAll(Buffer.from('BZh91AY&SY...'))).rejects.toThrow(/bzip2 files are not read: decompress it first/);
    await expect(readAll(Buffer.from('PK\u0003\u0004....'))).rejects.toThrow(/xlsx/);
    const gz = gzipSync(Buffer.from('name\nMilk\n'.repeat(100)));
    await expect(readAll(gz.subarray(0, 20))).rejects.toThrow(/gzip file is damaged|unexpected end/);
  });

  it('reads JSON lines: keys of the first records are the columns; bad lines rejected with a reason', async () => {
    const text = '{"name":"Milk","price":1.5}\n\n{"name":"Tea","tags":["a"],"price":null}\nnot json\n[1]\n{"name":""}\n';
    const r = await readAll(Buffer.from(text), { name: 'x.jsonl' });
    expect(r.header).toEqual(['name', 'price', 'tags']);
    expect(r.rows).toEqual([
      ['Milk', '1.5', ''],
      ['Tea', '', '["a"]'],
    ]);
    expect(r.rejects.map((j) => [j.line, j.reason.split(':')[0]])).toEqual([
      [4, 'not valid JSON'],
      [5, 'not a JSON object'],
      [6, 'empty product name'],
    ]);
  });

  it('reads a JSON array streamed, with brackets, commas and quotes inside strings', async () => {
    const items = [{ title: 'Tea "green", 20 ] bags {x}', n: { a: [1, 2] } }, { title: 'Milk \\ 1 L' }, { title: 'Ok' }];
    const bytes = Buffer.from(JSON.stringify(items, null, 2));
    for (const size of [1, 5, 1000]) {
      const r = await readAll(bytes, {}, size);
      expect(r.rows.map((row) => row[0])).toEqual(items.map((i) => i.title));
      expect(r.rows[0][1]).toBe('{"a":[1,2]}');
    }
    await expect(readAll(Buffer.from('[{"title":"a"},'))).rejects.toThrow(/cut off/);
  });
});

describe('columns', () => {
  it.each([
    'Product Name',
    'PRODUCT-NAME',
    'item_name',
    'Item Description',
    'Description',
    'Product',
    'Artikelbezeichnung',
    'Produktname',
    'nom du produit',
    'Nombre',
    '商品名',
  ])('finds the name column "%s"', (h) => {
    expect(resolveColumns(['sku', h, 'price']).name).toBe(1);
  });

  it('keeps a description column apart when there is a name column', () => {
    const c = resolveColumns(['Description', 'Product Name', 'Department']);
    expect([c.name, c.description, c.category]).toEqual([1, 0, 2]);
  });

  it('says which columns it found and the option to use when none fits', () => {
    expect(() => resolveColumns(['sku', 'Bezeichnung lang'])).toThrow(/found columns: "sku", "Bezeichnung lang". Name it with --name-column/);
    expect(() => resolveColumns(['sku'], { name: 'Label' })).toThrow(/--name-column "Label": the file has no such column; found columns: "sku"/);
  });

  it('joins --text-columns for the tiers and keeps the name alone as the identity', () => {
    const plain = resolveColumns(['name', 'brand', 'description']);
    const joined = resolveColumns(['name', 'brand', 'description'], { text: ['name', 'Brand', 'description'] });
    const row = ['Greek Yogurt', 'Fage', 'strained, plain 500 g'];
    const a = cascadeItemOf(row, plain);
    const b = cascadeItemOf(row, joined);
    expect(b.text).toBe('greek yogurt fage strained plain 500g');
    expect(b.key).toBe(a.key);
    expect(b.text).not.toBe(a.text);
  });

  it('carries the source category as a hint', () => {
    const c = resolveColumns(['Produktname', 'Warengruppe']);
    expect(cascadeItemOf(['Milch 1 l', 'Molkerei'], c).sourceCategory).toBe('Molkerei');
  });
});

describe('output', () => {
  it('restores a neutralised file in its own delimiter, its BOM kept', async () => {
    const neutralised = Buffer.from("\uFEFFname;note\nMilk;'=1+1\n");
    const out: Buffer[] = [];
    for await (const b of restoredCsv(chunksOf(neutralised, 4))) out.push(b);
    expect(Buffer.concat(out).toString()).toBe('\uFEFFname;note\nMilk;=1+1\n');
  });
});
