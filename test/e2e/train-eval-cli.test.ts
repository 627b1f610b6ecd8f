import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { DuckDbResultStore, LocalDb } from '../../functions/adapters/local/duckdb.ts';
import { loadTaxonomy } from '../../functions/core/taxonomy.ts';
import { spanishCatalog, storeAsReviewed, toCsv } from '../fixtures/spanish-catalog.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const AISLE = join(ROOT, 'bin/aisle.mjs');
const home = mkdtempSync(join(tmpdir(), 'aisle-train-cli-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

async function aisle(...args: string[]): Promise<{ code: number; out: string }> {
  return aisleIn(home, ...args);
}

async function aisleIn(aisleHome: string, ...args: string[]): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [AISLE, ...args], {
      cwd: ROOT,
      env: { ...process.env, AISLE_HOME: aisleHome },
      maxBuffer: 16 << 20,
    });
    return { code: 0, out: stdout + stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: e.stdout + e.stderr };
  }
}

const registry = () => JSON.parse(readFileSync(join(home, 'models', 'registry.json'), 'utf8'));
const rows = spanishCatalog();
const data = join(home, 'es.csv');
writeFileSync(data, toCsv(rows));

describe('aisle train / aisle eval', () => {
  it('trains a challenger on new data plus the starter catalog and promotes it when it wins', async () => {
    const { code, out } = await aisle('train', '--data', data, '--version', 'es-1', '--linear');
    expect(code, out).toBe(0);
    expect(out).toContain(`${rows.length} labelled rows, ${rows.filter((r) => r.split === 'test').length} held out by its split column`);
    expect(out).toMatch(/starter catalog: \d+ rows added/);
    expect(out).toMatch(/epoch 1\/\d+ loss/); // progress while training
    expect(out).toMatch(/neighbours: \d+ names, [\d.]+ MB, k \d+/); // the nearest labelled names, chosen on the validation slice
    expect(existsSync(join(home, 'models', 'es-1', 'neighbours.bin'))).toBe(true);
    expect(out).toMatch(/linear: \d+ labels, [\d.]+ MB, temperature/); // --linear: the TF-IDF linear classifier
    expect(existsSync(join(home, 'models', 'es-1', 'linear.bin'))).toBe(true);
    expect(out).toMatch(/champion starter-v1\s+challenger es-1/);
    expect(out).toMatch(/Level 2 macro-F1\s+[\d.]+%\s+[\d.]+%/);
    expect(out).toContain('promoted es-1 to champion');
    expect(registry()).toMatchObject({ champion: 'es-1', challengers: [], retired: [] });
    const card = JSON.parse(readFileSync(join(home, 'models', 'es-1', 'card.json'), 'utf8'));
    expect(card.parentVersion).toBe('starter-v1');
  }, 300_000);

  it('keeps the champion and retires a challenger that loses on the same held-out rows', async () => {
    // Same held-out rows, but the training labels are shifted to the wrong class.
    const levels = [...new Set(rows.map((r) => `${r.level1}|${r.level2}`))];
    const noisy = rows.map((r) => {
      if (r.split === 'test') return r;
      const [level1, level2] = levels[(levels.indexOf(`${r.level1}|${r.level2}`) + 1) % levels.length].split('|');
      return { ...r, level1, level2 };
    });
    const noisyFile = join(home, 'es-noisy.csv');
    writeFileSync(noisyFile, toCsv(noisy));
    const { code, out } = await aisle('train', '--data', noisyFile, '--no-starter', '--version', 'es-noisy');
    expect(code, out).toBe(0);
    expect(out).not.toContain('starter catalog:');
    expect(out).toMatch(/champion es-1\s+challenger es-noisy/);
    expect(out).toMatch(/kept champion es-1: challenger es-noisy retired, Level 2 macro-F1 [\d.]+ vs [\d.]+: not higher/);
    expect(registry()).toMatchObject({ champion: 'es-1', retired: ['es-noisy'] });
  }, 300_000);

  it('evaluates the champion by default, or any version or folder, and writes the report as JSON', async () => {
    const json = join(home, 'report.json');
    const champ = await aisle('eval', '--data', data, '--json', json);
    expect(champ.code, champ.out).toBe(0);
    expect(champ.out).toContain(`scoring ${rows.filter((r) => r.split === 'test').length} held-out rows (split column)`);
    expect(champ.out).toContain(join(home, 'models', 'es-1'));
    for (const part of [
      'level1: accuracy',
      'level2: accuracy',
      'macro-F1',
      'Food > Dairy & Eggs',
      'at the per-class thresholds: covers',
      'coverage/accuracy curve',
      'confusion matrix',
    ]) {
      expect(champ.out).toContain(part);
    }
    const report = JSON.parse(readFileSync(json, 'utf8'));
    expect(report.modelVersion).toBe('es-1');
    expect(report.rows).toBe(rows.filter((r) => r.split === 'test').length);
    const starter = await aisle('eval', '--data', data, '--model', 'starter-v1', '--all-rows');
    expect(starter.code, starter.out).toBe(0);
    expect(starter.out).toContain(`scoring ${rows.length} rows`);
    expect(starter.out).toContain('model starter-v1');
    const l2 = (out: string) => Number(/level2: accuracy\s+([\d.]+)%/.exec(out)![1]);
    expect(l2(champ.out)).toBeGreaterThan(l2(starter.out));
  }, 120_000);

  it('refuses bad input with a clear message', async () => {
    const empty = await aisle('train', '--version', 'nothing');
    expect(empty.code).toBe(1);
    expect(empty.out).toContain('no held-out rows: label items in the inspector (human labels) or pass --data FILE.csv');
    const bad = join(home, 'bad.csv');
    writeFileSync(bad, 'product_name,level1,level2\nfoo,Food,Candy\nbar,Food,Beverages\n');
    const res = await aisle('train', '--data', bad);
    expect(res.code).toBe(1);
    expect(res.out).toContain('1 row(s) have labels that are not classes of taxonomy');
    expect(res.out).toContain('line 2: Food / Candy');
    const fineAlone = await aisle('train', '--fine-column', 'aisle');
    expect(fineAlone.code).toBe(1);
    expect(fineAlone.out).toContain('--fine-column names a column of --data FILE');
    const noFine = await aisle('train', '--data', data, '--fine-column', 'aisle');
    expect(noFine.code).toBe(1);
    expect(noFine.out).toContain('no column "aisle" for the fine labels');
    const missing = await aisle('eval', '--data', data, '--model', 'no-such-version');
    expect(missing.code).toBe(1);
    expect(missing.out).toContain('no model folder or registered version "no-such-version"');
    expect(existsSync(join(home, 'models', 'no-such-version'))).toBe(false);
  });
});

describe('aisle models', () => {
  it('lists the versions with their roles and rolls back by hand', async () => {
    const list = await aisle('models');
    expect(list.code, list.out).toBe(0);
    expect(list.out).toMatch(/starter-v1\s+retired/);
    expect(list.out).toMatch(/es-1\s+champion/);
    expect(list.out).toMatch(/es-noisy\s+retired/);
    const back = await aisle('models', 'promote', 'starter-v1');
    expect(back.out).toContain('champion: starter-v1 (was es-1)');
    expect(registry()).toMatchObject({ champion: 'starter-v1', retired: ['es-noisy', 'es-1'] });
    const json = JSON.parse((await aisle('models', '--json')).out);
    expect(json.find((v: { version: string }) => v.version === 'starter-v1')).toMatchObject({ role: 'champion', shipped: true });
    const unknown = await aisle('models', 'promote', 'nope');
    expect(unknown.code).toBe(1);
    expect(unknown.out).toContain('unknown model version "nope"');
  });
});

describe('aisle train from the local result store', () => {
  it('trains on human labels and LLM decisions, holding out a slice of the human labels', async () => {
    const storeHome = join(home, 'store-home');
    const storeRows = rows.filter((_, i) => i % 2 === 0);
    const taxonomy = loadTaxonomy();
    const db = await LocalDb.open(join(storeHome, 'aisle.duckdb'), join(storeHome, 'tmp'));
    try {
      await storeAsReviewed(new DuckDbResultStore(db), taxonomy, storeRows);
    } finally {
      await db.close();
    }
    const human = storeRows.length - Math.ceil(storeRows.length / 3);
    const { code, out } = await aisleIn(storeHome, 'train', '--holdout', '0.3', '--no-starter', '--version', 'store-1');
    expect(code, out).toBe(0);
    expect(out).toContain(`local store: ${storeRows.length} labelled items (${human} human labels, ${storeRows.length - human} LLM decisions)`);
    const held = Number(/, (\d+) human labels held out by a stable hash/.exec(out)![1]);
    expect(held).toBeGreaterThan(human * 0.2);
    expect(held).toBeLessThan(human * 0.4);
    expect(out).toContain(`held-out rows: ${held}`);
    expect(out).toContain('promoted store-1 to champion');
  }, 300_000);
});
