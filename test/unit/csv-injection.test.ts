/**
 * CSV formula injection (OWASP; issue 15 item 7): the cells of every CSV Aisle writes for people are neutralised
 * (a leading ' before what a spreadsheet would run), plain numbers are not formulas, and the raw mode and
 * restoreCell give the text back exactly.
 */
import { Readable } from 'node:stream';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { CsvOutputFormatter, csvCell, formatRejects, neutraliseCell, restoreCell } from '../../functions/core/csv.ts';
import { restoredCsv } from '../../functions/core/output/restored-csv.ts';
import { loadTaxonomy } from '../../functions/core/taxonomy.ts';
import type { Decision } from '../../functions/core/types.ts';

/** What spreadsheets run: each starts with =, +, -, @, tab or CR. */
const FORMULAS = ['=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", '-2+3', '@SUM(1,1)', '\t=1', '\r=1', '=cmd, with "quotes", and commas'];
/** Plain numbers, and text that only looks close: left as they are. */
const NOT_FORMULAS = ['-5', '+3.2', '-1e3', '.5', 'Whole Milk', "O'Brien", "'quoted", '', '1=1', ' =1'];

const taxonomy = loadTaxonomy();

describe('neutraliseCell', () => {
  it.each(FORMULAS)('puts a quote before the formula %j', (value) => {
    expect(neutraliseCell(value)).toBe(`'${value}`);
    expect(restoreCell(neutraliseCell(value))).toBe(value);
  });

  it.each(NOT_FORMULAS)('leaves %j as it is', (value) => {
    expect(neutraliseCell(value)).toBe(value);
    expect(restoreCell(value)).toBe(value);
  });

  it('gives a value that already looks neutralised one more quote, so restoring is exact', () => {
    for (const value of ["'=1", "''+x", "'-2+3"]) {
      expect(neutraliseCell(value)).toBe(`'${value}`);
      expect(restoreCell(neutraliseCell(value))).toBe(value);
    }
    // A quote before a plain number is text, not a neutralised formula.
    expect(neutraliseCell("'-5")).toBe("'-5");
  });

  it('quotes the neutralised cell as CSV requires, and writes it raw when asked', () => {
    expect(csvCell('=HYPERLINK("http://x","y")')).toBe(`"'=HYPERLINK(""http://x"",""y"")"`);
    expect(csvCell('\r=1')).toBe(`"'\r=1"`);
    expect(csvCell('@SUM(1,1)')).toBe(`"'@SUM(1,1)"`);
    expect(csvCell('-5')).toBe('-5');
    expect(csvCell('=1', { raw: true })).toBe('=1');
  });
});

const decision = (classId: string): Decision => ({
  key: 'k',
  classId,
  confidence: 1,
  tier: 'rules',
  status: 'ok',
  ruleId: 'r',
  modelVersion: 'rules@1',
  taxonomyVersion: taxonomy.version,
});

describe('the output and rejects writers', () => {
  const header = ['id', 'product_name', '=header'];
  const rows = [...FORMULAS, ...NOT_FORMULAS].map((name, i) => [String(i), name, '@brand']);

  it('neutralise every formula cell of the output, header included, and keep numbers', () => {
    const f = new CsvOutputFormatter(header, taxonomy);
    const text =
      f.headerLine() +
      f.format(
        rows,
        rows.map(() => decision('food.dairy-eggs')),
      );
    const cells = parse(text) as string[][];
    expect(cells[0].slice(0, 3)).toEqual(['id', 'product_name', "'=header"]);
    for (const [i, row] of rows.entries()) {
      const out = cells[i + 1];
      expect(out[1]).toBe(FORMULAS.includes(row[1]) ? `'${row[1]}` : row[1]);
      expect(out[2]).toBe("'@brand");
      expect(out.slice(3, 6)).toEqual(['Food', 'Dairy & Eggs', '1']);
    }
  });

  it('write the cells exactly in raw mode', () => {
    const f = new CsvOutputFormatter(header, taxonomy, { raw: true });
    const cells = parse(
      f.headerLine() +
        f.format(
          rows,
          rows.map(() => decision('food.dairy-eggs')),
        ),
    ) as string[][];
    expect(cells[0][2]).toBe('=header');
    expect(cells.slice(1).map((r) => r.slice(0, 3))).toEqual(rows);
  });

  it("neutralise a reject's raw text: the whole row is one cell", () => {
    const rejects = [
      { line: 2, reason: 'wrong column count: 4 fields, the header has 3', raw: '=1+1,x,y,z' },
      { line: 3, reason: 'empty product name', raw: '-3,,@b' },
    ];
    expect(formatRejects(rejects)).toBe(`2,"wrong column count: 4 fields, the header has 3","'=1+1,x,y,z"\n3,empty product name,"'-3,,@b"\n`);
    expect(formatRejects(rejects, { raw: true })).toBe(
      `2,"wrong column count: 4 fields, the header has 3","=1+1,x,y,z"\n3,empty product name,"-3,,@b"\n`,
    );
  });

  it('restoredCsv turns a neutralised file into the bytes the raw writer writes', async () => {
    const decisions = rows.map(() => decision('food.dairy-eggs'));
    const safe = new CsvOutputFormatter(header, taxonomy);
    const raw = new CsvOutputFormatter(header, taxonomy, { raw: true });
    const neutralised = safe.headerLine() + safe.format(rows, decisions);
    // Fed in small pieces: records straddle chunk boundaries.
    const pieces = neutralised.match(/[\s\S]{1,5}/g)!;
    let restored = '';
    for await (const text of restoredCsv(Readable.from(pieces))) restored += text;
    expect(restored).toBe(raw.headerLine() + raw.format(rows, decisions));
  });
});
