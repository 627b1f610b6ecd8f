/**
 * CSV formula injection through the real CLI (issue 15 item 7): `aisle classify` neutralises formula cells in
 * the output and the rejects (on one thread and on workers), `--csv-raw` writes them exactly, and the results
 * lake keeps the text as it went in.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyFile } from '../../functions/adapters/local/classify-file.ts';
import { createLocalRuntime } from '../../functions/adapters/local/runtime.ts';
import { isFormula, PAYLOAD_CSV, PAYLOAD_ROWS } from '../fixtures/csv-payloads.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const CLI = join(ROOT, 'bin/aisle.mjs');

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'aisle-csv-injection-'));
  writeFileSync(join(dir, 'payload.csv'), PAYLOAD_CSV);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function classify(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, 'classify', 'payload.csv', '--tiers', 'rules', '--no-lake', '-q', ...args], {
    cwd: dir,
    env: { ...process.env, AISLE_HOME: join(dir, '.aisle') },
    encoding: 'utf8',
    timeout: 120_000,
  });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  const out = args[args.indexOf('-o') + 1];
  return {
    text: readFileSync(join(dir, out), 'utf8'),
    rows: parse(readFileSync(join(dir, out)), { columns: true }) as Record<string, string>[],
    rejects: parse(readFileSync(join(dir, out.replace(/\.csv$/, '.rejects.csv'))), { columns: true }) as Record<string, string>[],
  };
}

describe('aisle classify and spreadsheet payloads (real CLI)', { timeout: 180_000 }, () => {
  it('neutralises formula cells in the output and the rejects; plain numbers stay as they are', () => {
    const run = classify(['-o', 'safe.csv']);
    expect(run.rows.map((r) => [r.id, r.product_name, r.brand])).toEqual(PAYLOAD_ROWS.map((row) => row.map((v) => (isFormula(v) ? `'${v}` : v))));
    expect(run.rows.find((r) => r.id === '9')!.product_name).toBe('-5');
    expect(run.rejects).toEqual([
      // Lines of the input: the quoted "\r=1" spans two.
      { line: '14', reason: 'wrong column count: 4 fields, the header has 3', raw: "'=1+1,x,y,z" },
      { line: '15', reason: 'empty product name', raw: "'-3,,@b" },
    ]);
    // The same on worker threads.
    expect(classify(['-o', 'safe-workers.csv', '--threads', '2']).text).toBe(run.text);
  });

  it('--csv-raw writes every cell exactly as it went in', () => {
    const run = classify(['-o', 'raw.csv', '--csv-raw']);
    expect(run.rows.map((r) => [r.id, r.product_name, r.brand])).toEqual(PAYLOAD_ROWS);
    expect(run.rejects.map((r) => r.raw)).toEqual(['=1+1,x,y,z', '-3,,@b']);
  });

  it('the results lake keeps the text as it went in; aisle insights --format csv neutralises it again', async () => {
    const home = join(dir, 'lake-home');
    const rt = await createLocalRuntime({ home, tiers: ['rules'], warn: () => undefined });
    try {
      const summary = await classifyFile(rt, { input: join(dir, 'payload.csv'), output: join(dir, 'lake.out.csv'), jobId: 'payload', lake: 'now' });
      expect(summary.lake).toHaveProperty('key');
      const key = (summary.lake as { key: string }).key;
      const rows = await rt.db.query<{ product_name: string; input: string }>(
        `SELECT product_name, input FROM read_parquet('${join(home, 'lake', key)}') ORDER BY row_no`,
      );
      expect(rows.map((r) => r.product_name)).toEqual(PAYLOAD_ROWS.map((r) => r[1]));
      expect(rows.map((r) => JSON.parse(r.input))).toEqual(PAYLOAD_ROWS.map(([id, product_name, brand]) => ({ id, product_name, brand })));
    } finally {
      await rt.close();
    }
    const insights = spawnSync(process.execPath, [CLI, 'insights', 'top_uncertain', '--job', 'payload', '--format', 'csv'], {
      env: { ...process.env, AISLE_HOME: home },
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(insights.status, insights.stderr).toBe(0);
    const names = (parse(insights.stdout, { columns: true }) as Record<string, string>[]).map((r) => r.product_name);
    const inReview = PAYLOAD_ROWS.map((r) => r[1]).filter((n) => n !== 'Whole Milk');
    expect(names.sort()).toEqual(inReview.map((n) => (isFormula(n) ? `'${n}` : n)).sort());
  });
});
