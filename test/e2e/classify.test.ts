import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeCatalog } from '../../bench/catalog-generator.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const CLI = join(ROOT, 'bin/aisle.mjs');
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'aisle-e2e-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function aisle(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [CLI, 'classify', ...args], {
    cwd: dir,
    env: { ...process.env, AISLE_HOME: join(dir, '.aisle'), ...env },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Minimal CSV reader for assertions (the files here have no quoted newlines in output rows we check). */
function csvLines(path: string): string[] {
  return readFileSync(path, 'utf8').split('\n').filter(Boolean);
}

describe('aisle classify (real CLI)', { timeout: 180_000 }, () => {
  it('classifies the shipped sample with no arguments and says where the output went', () => {
    const r = aisle([]);
    expect(r.stderr).not.toMatch(/at .*\.ts:\d+/);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/100 rows in = 96 classified \+ 4 rejected/);
    expect(r.stdout).toMatch(/output: +sample\.out\.csv/);
    expect(r.stdout).toMatch(/lake: +written when insights are next asked for/);
    const out = readFileSync(join(dir, 'sample.out.csv'), 'utf8');
    expect(out.split('\n')[0]).toBe(
      'id,product_name,brand,description,level1,level2,confidence,tier,status,rule_id,model_version,level1_category,predicted_level2_category,item_key',
    );
    expect(out).toMatch(/rules,ok,/);
    const rejects = csvLines(join(dir, 'sample.out.rejects.csv'));
    expect(rejects[0]).toBe('line,reason,raw');
    expect(rejects).toHaveLength(5);
  });

  it('passes columns through, reconciles counts on a file full of oddities, and writes rejects next to the output', () => {
    const input = join(dir, 'odd.csv');
    writeFileSync(
      input,
      '\uFEFFSKU;Title;Brand;Extra\r\n' +
        'a1;Whole Milk 1 gal;Daily;keep me\r\n' +
        'a2;"Chips; Sea Salt";Crunch;x\r\n' +
        'a3;;Nobody;empty name\r\n' +
        'a4;Too;Many;Fields;Here\r\n' +
        'a5;"Multi\r\nline name";B;y\r\n',
    );
    const r = aisle([input, '--out', join(dir, 'odd-result.csv'), '--tiers', 'cache,rules']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/5 rows in = 3 classified \+ 2 rejected/);
    // The output keeps the input's delimiter (docs/csv.md).
    const out = csvLines(join(dir, 'odd-result.csv'));
    expect(out[0]).toBe(
      'SKU;Title;Brand;Extra;level1;level2;confidence;tier;status;rule_id;model_version;level1_category;predicted_level2_category;item_key',
    );
    expect(out[1]).toMatch(/^a1;Whole Milk 1 gal;Daily;keep me;Food;Dairy & Eggs;[\d.]+;rules;ok;[^;]+;rules@[^;]+;Food;Dairy & Eggs;[0-9a-f]{16}$/);
    expect(out[2]).toMatch(/^a2;"Chips; Sea Salt";Crunch;x;/);
    expect(out[3]).toMatch(/^a5;"Multi\r$/);
    const rejects = csvLines(join(dir, 'odd-result.rejects.csv'));
    expect(rejects.slice(1).map((l) => l.split(',')[0])).toEqual(['4', '5']);
  });

  it('uses a taxonomy file given with --taxonomy, and refuses a malformed one clearly', () => {
    const taxonomy = {
      name: 'three',
      version: 't3',
      classes: [
        {
          id: 'goods',
          name: 'Goods',
          description: 'everything',
          children: [
            { id: 'goods.food', name: 'Food', description: 'food', children: [{ id: 'goods.food.milk', name: 'Milk', description: 'milk' }] },
          ],
        },
      ],
    };
    const tfile = join(dir, 'three.json');
    writeFileSync(tfile, JSON.stringify(taxonomy));
    const input = join(dir, 'tiny.csv');
    writeFileSync(input, 'name\nWhole Milk\n');
    const r = aisle([input, '--taxonomy', tfile, '--tiers', 'cache']);
    expect(r.code).toBe(0);
    expect(csvLines(join(dir, 'tiny.out.csv'))[0]).toBe(
      'name,level1,level2,level3,confidence,tier,status,rule_id,model_version,level1_category,predicted_level2_category,item_key',
    );

    writeFileSync(tfile, JSON.stringify({ name: 'bad', version: '1', classes: [{ id: 'Bad Id', name: 'x', description: 'x' }] }));
    const bad = aisle([input, '--taxonomy', tfile]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/is not a valid taxonomy: classes\.0\.id: ids are lower-case slugs/);
    expect(bad.stderr).not.toMatch(/\n\s+at /);
  });

  it('gives clear errors without stack traces', () => {
    const missing = aisle([join(dir, 'nope.csv')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/cannot read input .*nope\.csv: no such file/);
    expect(missing.stderr).not.toMatch(/\n\s+at /);

    const noName = join(dir, 'noname.csv');
    writeFileSync(noName, 'sku,label\n1,x\n');
    const r = aisle([noName]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no product name column.*found columns: "sku", "label"/);

    const tiers = aisle([noName, '--tiers', 'cache,magic']);
    expect(tiers.stderr).toMatch(/unknown tier "magic": known tiers are cache, rules/);

    const lake = aisle([noName, '--lake', '--no-lake']);
    expect(lake.code).toBe(1);
    expect(lake.stderr).toMatch(/--lake and --no-lake contradict each other/);

    // A job id names files under $AISLE_HOME: one with a path in it is refused before any is written.
    const jobId = aisle([noName, '--job-id', '../../escape']);
    expect(jobId.code).toBe(1);
    expect(jobId.stderr).toMatch(/--job-id must be 1 to 100 letters, digits.*got "\.\.\/\.\.\/escape"/);
    expect(jobId.stderr).not.toMatch(/\n\s+at /);

    const help = aisle(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--tiers LIST/);
    expect(help.stdout).toMatch(/--job-id ID/);
  });

  it('refuses --sheet on a file that is not an .xlsx workbook, before writing anything (it was ignored)', () => {
    const csv = join(dir, 'sheetless.csv');
    writeFileSync(csv, 'name\nWhole Milk\n');
    const r = aisle([csv, '--sheet', 'Products', '--tiers', 'cache']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`aisle: --sheet names a sheet of an .xlsx workbook, and ${csv} is not one (no ZIP header): leave --sheet out`);
    expect(existsSync(join(dir, 'sheetless.out.csv'))).toBe(false);
  });

  // A defect of c9cc7da: a file over the 4 MB worker threshold with --tiers cache,rules failed in the chunk
  // hand-back ("Cannot read properties of undefined (reading 'indexOf')") once slices held only stored review rows.
  it('classifies a file over the worker threshold with the cheap tiers, repeats and unknown names included', () => {
    const input = join(dir, 'repeats.csv');
    const words = ['organic', 'milk', 'shampoo', 'hammer', 'apple', 'dog food', 'socks', 'chips', 'rice', 'soap', 'widget', 'zorblax'];
    const lines = ['id,product_name'];
    for (let i = 0; i < 250_000; i++) lines.push(`${i},${words[(i * 7) % 12]} ${words[(i * 5 + 3) % 11]} ${i % 977}`);
    writeFileSync(input, `${lines.join('\n')}\n`);
    expect(statSync(input).size).toBeGreaterThan(4 << 20);
    const output = join(dir, 'repeats.out.csv');
    const r = aisle([input, '--out', output, '--tiers', 'cache,rules', '--threads', '2']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/250,000 rows in = 250,000 classified \+ 0 rejected/);
    expect(csvLines(output).length).toBe(250_001);
  });

  // One thread reads and classifies; worker threads take slices of the file and hand results back in order.
  // A gzip is decompressed here and cut into slices as a plain file is; its checkpoints count decompressed bytes.
  it.each([
    ['on one thread', '1', ''],
    ['on worker threads', '2', ''],
    ['on worker threads, from a gzip', '2', '.gz'],
  ])(
    'resumes after being killed mid-run %s: no duplicates, nothing missing, checkpointed rows not redone',
    async (_, threads, gz) => {
      const plain = join(dir, 'big.csv');
      const rows = 150_000;
      if (!existsSync(plain)) await writeCatalog(plain, rows, 3);
      const input = `${plain}${gz}`;
      if (gz && !existsSync(input)) writeFileSync(input, gzipSync(readFileSync(plain)));
      const output = join(dir, `big-${threads}${gz}.out.csv`);
      const args = [CLI, 'classify', input, '--out', output, '--tiers', 'cache,rules', '--checkpoint-every', '2000', '--threads', threads, '-q'];
      const env = { ...process.env, AISLE_HOME: join(dir, `.aisle-resume-${threads}${gz}`) };
      const child = spawn(process.execPath, args, { cwd: dir, env, stdio: 'ignore' });
      const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
      const inputSize = statSync(plain).size;
      // Kill once a good part of the output is written (the output is ~3× the input; several checkpoints have
      // passed by then, workers write a slice of ~0.5 MB input at a time).
      let killed = false;
      while (!killed) {
        await new Promise((r) => setTimeout(r, 10));
        if (child.exitCode !== null) break;
        if (existsSync(output) && statSync(output).size > inputSize * 1.5) {
          child.kill('SIGKILL');
          killed = true;
        }
      }
      await exited;
      expect(killed, 'the first run finished before it could be killed: make the file bigger').toBe(true);

      const second = spawnSync(
        process.execPath,
        args.filter((a) => a !== '-q'),
        { cwd: dir, env, encoding: 'utf8', timeout: 300_000 },
      );
      expect(second.status, second.stderr).toBe(0);
      const m = /resumed after row ([\d,]+); ([\d,]+) rows decided now/.exec(second.stdout);
      expect(m, second.stdout).not.toBeNull();
      const resumedFrom = Number(m![1].replace(/,/g, ''));
      const decidedNow = Number(m![2].replace(/,/g, ''));
      expect(resumedFrom).toBeGreaterThan(0);
      expect(decidedNow).toBe(rows - resumedFrom);
      expect(second.stdout).toMatch(
        new RegExp(`${rows.toLocaleString('en-US')} rows in = ${rows.toLocaleString('en-US')} classified \\+ 0 rejected`),
      );

      const lines = csvLines(output);
      expect(lines[0].startsWith('id,product_name,brand,level1')).toBe(true);
      const ids = lines.slice(1).map((l) => Number(l.slice(0, l.indexOf(','))));
      expect(ids.length).toBe(rows);
      expect(ids.every((id, i) => id === i + 1)).toBe(true);
    },
    300_000,
  );
});
