/**
 * --out-format jsonl|parquet|xlsx (issue 20 item 5): the same columns and cells as the CSV output written raw,
 * read back from each format; the rejects file is the CSV one, neutralised as always; an xlsx cell that starts like
 * a formula is a string cell, never a formula.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyFile } from '../../functions/adapters/local/classify-file.ts';
import { createLocalRuntime, type LocalRuntime } from '../../functions/adapters/local/runtime.ts';
import { FILE_FORMATS } from '../../functions/core/output/formats.ts';
import { readOutput } from '../fixtures/files/read-output.ts';

const INPUT = [
  'product_name;price;note;level1',
  'Milk 1L;1.20;=1+1;theirs',
  '"=HYPERLINK(""http://x"",""y"") Bananas";-5;@SUM(A1);',
  ';4;an empty name;',
  'Crème fraîche 200 g;2;"two\nlines";x',
  "+cmd|' /C calc'!A0 Shampoo;0;\ttab;",
  '  Jalapeño chips  ;1; spaces ;',
].join('\n');

describe('--out-format jsonl, parquet, xlsx', { timeout: 120_000 }, () => {
  let dir: string;
  let rt: LocalRuntime;
  let input: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'aisle-outfmt-'));
    rt = await createLocalRuntime({ home: join(dir, 'home'), tiers: ['rules'], warn: () => undefined });
    input = join(dir, 'in.csv');
    writeFileSync(input, `${INPUT}\n`);
  });
  afterAll(async () => {
    await rt?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes every format with the raw CSV output’s header and cells; the rejects stay the neutralised CSV', async () => {
    const raw = await classifyFile(rt, { input, output: join(dir, 'raw.csv'), lake: 'off', csvRaw: true });
    const expected = await readOutput('csv', raw.output, ';');
    await classifyFile(rt, { input, output: join(dir, 'plain.csv'), lake: 'off' });
    const neutralisedRejects = readFileSync(join(dir, 'plain.rejects.csv'), 'utf8');
    expect(expected.header.slice(0, 5)).toEqual(['product_name', 'price', 'note', 'input_level1', 'level1']);
    expect(expected.rows.map((r) => r[0])).toContain('=HYPERLINK("http://x","y") Bananas');

    for (const format of FILE_FORMATS) {
      const output = join(dir, `out.${format}`);
      const s = await classifyFile(rt, { input, output, lake: 'off', outFormat: format });
      expect(s.classified + s.rejected, format).toBe(s.rowsIn);
      expect(s.rejected, format).toBe(1);
      const back = await readOutput(format, output);
      expect(back.header, format).toEqual(expected.header);
      expect(back.rows, format).toEqual(expected.rows);
      expect(back.rows.length, format).toBe(s.classified);
      expect(readFileSync(join(dir, 'out.rejects.csv'), 'utf8'), format).toBe(neutralisedRejects);
      expect(existsSync(`${output}.csv.part`), format).toBe(false);
      if (format === 'xlsx') expect(back.formulas).toEqual([]);
    }
  });

  it('writes an output without rows as its header alone', async () => {
    const empty = join(dir, 'empty.csv');
    writeFileSync(empty, 'name,brand\n,x\n');
    for (const format of FILE_FORMATS) {
      const output = join(dir, `empty.${format}`);
      const s = await classifyFile(rt, { input: empty, output, lake: 'off', outFormat: format });
      expect(s.rejected).toBe(1);
      const back = await readOutput(format, output);
      expect(back.rows, format).toEqual([]);
      if (format !== 'jsonl') expect(back.header.slice(0, 3), format).toEqual(['name', 'brand', 'level1']);
    }
  });

  it('names an unnamed input column column_N (N its position), so it reads back by that name; a repeated name gets _2', async () => {
    const unnamed = join(dir, 'unnamed.csv');
    writeFileSync(unnamed, 'name,,brand,,brand\nWhole Milk 1 gal,a,Acme,b,c\n');
    for (const format of FILE_FORMATS) {
      const output = join(dir, `unnamed.${format}`);
      await classifyFile(rt, { input: unnamed, output, lake: 'off', outFormat: format });
      const back = await readOutput(format, output);
      expect(back.header.slice(0, 6), format).toEqual(['name', 'column_2', 'brand', 'column_4', 'brand_2', 'level1']);
      expect(back.rows[0].slice(0, 5), format).toEqual(['Whole Milk 1 gal', 'a', 'Acme', 'b', 'c']);
    }
  });

  it('puts a lake part from the run before its CSV goes', async () => {
    const s = await classifyFile(rt, { input, output: join(dir, 'lake.parquet'), lake: 'deferred', outFormat: 'parquet' });
    expect(s.lake).toHaveProperty('key');
  });

  it('takes the format from the CLI, or from the --out file name; --bom only for CSV', () => {
    const cli = (args: string[]) =>
      spawnSync(
        process.execPath,
        [resolve(import.meta.dirname, '../../bin/aisle.mjs'), 'classify', 'in.csv', '--tiers', 'rules', '--no-lake', ...args],
        {
          cwd: dir,
          env: { ...process.env, AISLE_HOME: join(dir, 'cli-home') },
          encoding: 'utf8',
          timeout: 120_000,
        },
      );
    const byName = cli(['-o', 'named.parquet']);
    expect(byName.stdout).toMatch(/output: +named\.parquet\n +rejects: +named\.rejects\.csv/);
    expect(readFileSync(join(dir, 'named.parquet')).subarray(0, 4).toString()).toBe('PAR1');
    expect(cli(['-o', 'named.tsv']).status).toBe(0);
    expect(readFileSync(join(dir, 'named.tsv'), 'utf8').split('\n')[0]).toMatch(/^[^,]+\t[^,]+\tlevel1\t/);
    expect(cli(['--out-format', 'xlsx']).stdout).toMatch(/output: +in\.out\.xlsx/);
    expect(existsSync(join(dir, 'in.out.xlsx'))).toBe(true);
    expect(cli(['--out-format', 'jsonl', '--bom']).stderr).toMatch(/--bom is for CSV and TSV outputs, not jsonl/);
    expect(cli(['--out-format', 'pdf']).stderr).toMatch(/--out-format must be csv, tsv, jsonl, parquet or xlsx, got "pdf"/);
  });
});
