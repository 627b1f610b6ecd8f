import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import {
  type CsvBatch,
  CsvBatchReader,
  CsvFormatError,
  CsvOutputFormatter,
  cascadeItemOf,
  formatRejects,
  rejectsPathFor,
  resolveColumns,
  sniffDelimiter,
} from '../../functions/core/csv.ts';
import { loadTaxonomy, parseTaxonomy } from '../../functions/core/taxonomy.ts';
import type { Decision } from '../../functions/core/types.ts';

const taxonomy = loadTaxonomy();

/** Reads CSV text (fed in small chunks, so records straddle chunk boundaries) and merges the batches. */
async function read(text: string | Buffer, opts: { batchSize?: number; skipRecords?: number; chunk?: number } = {}) {
  const buf = Buffer.isBuffer(text) ? text : Buffer.from(text);
  const size = opts.chunk ?? 7;
  const chunks: Buffer[] = [];
  for (let i = 0; i < buf.length; i += size) chunks.push(buf.subarray(i, i + size));
  const reader = new CsvBatchReader(Readable.from(chunks), opts);
  const batches: CsvBatch[] = [];
  for await (const b of reader.batches()) batches.push(b);
  return {
    reader,
    batches,
    rows: batches.flatMap((b) => b.rows),
    rowNumbers: batches.flatMap((b) => b.rowNumbers),
    rejects: batches.flatMap((b) => b.rejects),
    recordsRead: batches.at(-1)!.recordsRead,
  };
}

describe('CSV input', () => {
  it('sniffs , ; and tab from the header line, ignoring quoted delimiters', () => {
    expect(sniffDelimiter('id,name,brand')).toBe(',');
    expect(sniffDelimiter('id;name;brand')).toBe(';');
    expect(sniffDelimiter('id\tname\tbrand')).toBe('\t');
    expect(sniffDelimiter('"a;b;c",name')).toBe(',');
    expect(sniffDelimiter('name')).toBe(',');
  });

  it.each([
    ['product_name', 0],
    ['Name', 0],
    ['TITLE', 0],
    ['Product_Title', 0],
  ])('accepts %s as the name column (case-insensitive)', (col, idx) => {
    expect(resolveColumns([col, 'brand']).name).toBe(idx);
  });

  it('finds the optional columns and prefers product_name over name', () => {
    const c = resolveColumns(['SKU', 'name', 'Product_Name', 'Brand', 'search_term', 'description']);
    expect(c).toMatchObject({ id: 0, name: 2, brand: 3, searchTerm: 4, description: 5 });
  });

  it('refuses a header without a name column, naming the columns it found', async () => {
    await expect(read('id,label,brand\n1,x,y\n')).rejects.toThrow(CsvFormatError);
    await expect(read('id,label,brand\n1,x,y\n')).rejects.toThrow(
      /expected one of product_name, name, title, product_title.*found columns: "id", "label", "brand"/,
    );
  });

  it('refuses an empty file', async () => {
    await expect(read('')).rejects.toThrow(/empty/);
  });

  it('reads UTF-8 with a BOM, CRLF line ends and quoted commas, quotes and newlines', async () => {
    const text = '\uFEFFid,product_name,brand\r\n1,"Chips, Sea Salt",Crunch\r\n2,"Tea ""Earl Grey""\r\nloose",Leaf\r\n3,Café Crème,Lait\r\n';
    const { reader, rows, rejects } = await read(text);
    expect(reader.columns!.header).toEqual(['id', 'product_name', 'brand']);
    expect(rows).toEqual([
      ['1', 'Chips, Sea Salt', 'Crunch'],
      ['2', 'Tea "Earl Grey"\r\nloose', 'Leaf'],
      ['3', 'Café Crème', 'Lait'],
    ]);
    expect(rejects).toEqual([]);
  });

  it('reads ; and tab separated files', async () => {
    const semi = await read('id;title;brand\n1;Milk 1,5% 1 l;Daily\n2;"Soap; bar";Clean\n');
    expect(semi.reader.delimiter).toBe(';');
    expect(semi.rows).toEqual([
      ['1', 'Milk 1,5% 1 l', 'Daily'],
      ['2', 'Soap; bar', 'Clean'],
    ]);
    const tab = await read('id\tname\n1\tWhole Milk, 1 gal\n');
    expect(tab.reader.delimiter).toBe('\t');
    expect(tab.rows).toEqual([['1', 'Whole Milk, 1 gal']]);
  });

  it('skips blank lines; splits long files into batches with record numbers', async () => {
    const lines = Array.from({ length: 25 }, (_, i) => `${i + 1},Item ${i + 1}`);
    const { batches, rows, rowNumbers, recordsRead } = await read(`id,name\n\n${lines.join('\n')}\n\n`, { batchSize: 10, chunk: 40 });
    expect(rows).toHaveLength(25);
    expect(rowNumbers).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
    expect(recordsRead).toBe(25);
    expect(batches.length).toBeGreaterThan(1);
  });

  it('sends bad rows to rejects with their line and reason; rows in = rows + rejects', async () => {
    const long = 'x'.repeat(2001);
    const text = [
      'id,name,brand', // line 1
      '1,Good Milk,Daily', // 2
      '2,,Nameless', // 3: empty name
      '3,   ,Blank', // 4: blank name
      `4,${long},Long`, // 5: too long
      '5,Too,Many,Fields', // 6
      '6,Too Few', // 7
      '7,"Multi', // 8..9: a quoted newline, then a good row
      'line",Brand',
      '8,12" pizza "Deluxe",B', // 10: a quote inside an unquoted field is text (inch marks, TSV exports)
      '9,Last Good,Z', // 11
      '10,"Never closed,Z', // 12: a quoted field without its closing quote runs to the end
    ].join('\n');
    const { rows, rejects, recordsRead } = await read(text);
    expect(rows.map((r) => r[0])).toEqual(['1', '7', '8', '9']);
    expect(rows[2][1]).toBe('12" pizza "Deluxe"');
    expect(rejects.map((r) => [r.line, r.reason.split(':')[0]])).toEqual([
      [3, 'empty product name'],
      [4, 'empty product name'],
      [5, 'name longer than 2000 characters (2001)'],
      [6, 'wrong column count'],
      [7, 'wrong column count'],
      [12, 'malformed CSV'],
    ]);
    expect(rejects[3].raw).toBe('5,Too,Many,Fields');
    expect(recordsRead).toBe(rows.length + rejects.length);
  });

  it('counts a file full of bad rows exactly: every record is rejected once', async () => {
    const bad = ['id,name', ...Array.from({ length: 50 }, (_, i) => (i % 3 === 0 ? `${i},` : i % 3 === 1 ? `${i},a,b` : `${i}`))];
    const { rows, rejects, recordsRead } = await read(bad.join('\r\n') + '\r\n');
    expect(rows).toEqual([]);
    expect(rejects).toHaveLength(50);
    expect(recordsRead).toBe(50);
    expect(rejects.map((r) => r.line)).toEqual(Array.from({ length: 50 }, (_, i) => i + 2));
  });

  it("reads plain lines and quoted ones after them alike: line numbers and messages are the file's (CRLF too)", async () => {
    const plain = Array.from({ length: 30 }, (_, i) => `${i + 1},Item ${i + 1}`);
    const text = ['id,name', ...plain, '31,"Quoted, item"', '32,Plain again', '33,2" too', '34,"broken'].join('\r\n');
    const { rows, rejects, recordsRead } = await read(text, { chunk: 64 });
    expect(rows.map((r) => r[1])).toEqual([...plain.map((l) => l.split(',')[1]), 'Quoted, item', 'Plain again', '2" too']);
    expect(rejects).toHaveLength(1);
    expect(rejects[0].line).toBe(35);
    expect(rejects[0].reason).toMatch(/^malformed CSV: Quote Not Closed: the parsing is finished with an opening quote at line 35/);
    expect(recordsRead).toBe(34);
  });

  it('counts a broken quote as one rejected record', async () => {
    const { rows, rejects, recordsRead } = await read('id,name\n1,ok\n2,"broken\n');
    expect(rows).toEqual([['1', 'ok']]);
    expect(rejects).toHaveLength(1);
    expect(rejects[0]).toMatchObject({ line: 3 });
    expect(recordsRead).toBe(2);
  });

  it('gives the line a record starts on after fields holding CRLF or CR, as a reject line says', async () => {
    // Each quoted field holds one line end; the short rows (rejected) are on lines 6 and 9.
    for (const [eol, inside] of [
      ['\r\n', '\r\n'],
      ['\n', '\r\n'],
      ['\r', '\r'],
    ]) {
      const text = ['id,name', `1,"Whole${inside}milk"`, `2,"Oat${inside}drink"`, '3', `4,"Rye${inside}bread"`, '5', ''].join(eol);
      const { rejects } = await read(text);
      expect(rejects.map((r) => r.line)).toEqual([6, 9]);
    }
  });

  it('rejects a quote never closed at the line its record starts on, not where the file ends', async () => {
    for (const eol of ['\n', '\r\n']) {
      const { rows, rejects } = await read(['id,name', '1,ok', '2,"broken', '3,more', '4,lines', ''].join(eol));
      expect(rows).toEqual([['1', 'ok']]);
      expect(rejects).toHaveLength(1);
      expect(rejects[0].line).toBe(3);
    }
  });

  it('skips records already done (resume) without emitting them', async () => {
    const text = 'id,name\n1,a\n2,\n3,c\n4,d\n';
    const { rows, rejects, rowNumbers, recordsRead } = await read(text, { skipRecords: 2 });
    expect(rows).toEqual([
      ['3', 'c'],
      ['4', 'd'],
    ]);
    expect(rowNumbers).toEqual([3, 4]);
    expect(rejects).toEqual([]);
    expect(recordsRead).toBe(4);
  });

  it('builds cascade items from the name, brand and optional columns', () => {
    const c = resolveColumns(['id', 'title', 'brand', 'search_term']);
    const item = cascadeItemOf(['1', 'Greek Yogurt 32 OZ', 'Daily Fresh', 'yogurt'], c);
    expect(item).toMatchObject({ name: 'Greek Yogurt 32 OZ', brand: 'Daily Fresh', searchTerm: 'yogurt', text: 'daily fresh greek yogurt 32oz' });
    expect(item.key).toMatch(/^[0-9a-f]{16}$/);
  });
});

describe('CSV output', () => {
  const decision = (classId: string | null, extra: Partial<Decision> = {}): Decision => ({
    key: 'k',
    classId,
    confidence: 0.9234,
    tier: 'rules',
    status: 'ok',
    ruleId: 'dairy.milk',
    modelVersion: 'rules@1',
    taxonomyVersion: taxonomy.version,
    ...extra,
  });

  it('passes every input column through and adds the decision and alias columns', () => {
    const f = new CsvOutputFormatter(['id', 'product_name', 'note'], taxonomy);
    expect(f.headerLine()).toBe(
      'id,product_name,note,level1,level2,confidence,tier,status,rule_id,model_version,level1_category,predicted_level2_category,item_key\n',
    );
    const text = f.format(
      [
        ['1', 'Milk, whole', 'say "hi"'],
        ['2', 'Mystery', ''],
      ],
      [
        decision('food.dairy-eggs'),
        decision(null, { tier: 'review', status: 'needs_review', ruleId: undefined, modelVersion: undefined, confidence: 0 }),
      ],
    );
    expect(text).toBe(
      '1,"Milk, whole","say ""hi""",Food,Dairy & Eggs,0.923,rules,ok,dairy.milk,rules@1,Food,Dairy & Eggs,k\n' +
        '2,Mystery,,,,0,review,needs_review,,,,,k\n',
    );
  });

  it('renames input columns that collide with added ones', () => {
    const f = new CsvOutputFormatter(['name', 'Level1', 'tier'], taxonomy);
    expect(f.header.slice(0, 4)).toEqual(['name', 'input_Level1', 'input_tier', 'level1']);
  });

  it('writes one column per level of a deeper taxonomy', () => {
    const deep = parseTaxonomy({
      name: 'deep',
      version: '1',
      classes: [
        {
          id: 'a',
          name: 'A',
          description: 'a',
          children: [{ id: 'a.b', name: 'B', description: 'b', children: [{ id: 'a.b.c', name: 'C', description: 'c' }] }],
        },
      ],
    });
    const f = new CsvOutputFormatter(['name'], deep);
    expect(f.header).toEqual([
      'name',
      'level1',
      'level2',
      'level3',
      'confidence',
      'tier',
      'status',
      'rule_id',
      'model_version',
      'level1_category',
      'predicted_level2_category',
      'item_key',
    ]);
    expect(f.format([['x']], [decision('a.b.c', { taxonomyVersion: '1' })])).toBe('x,A,B,C,0.923,rules,ok,dairy.milk,rules@1,A,B,k\n');
  });

  it('writes rejects as line, reason, raw', () => {
    expect(formatRejects([{ line: 7, reason: 'wrong column count: 3 fields', raw: 'a,b,c' }])).toBe('7,wrong column count: 3 fields,"a,b,c"\n');
    expect(rejectsPathFor('/x/out.csv')).toBe('/x/out.rejects.csv');
    expect(rejectsPathFor('/x/out')).toBe('/x/out.rejects.csv');
  });
});
