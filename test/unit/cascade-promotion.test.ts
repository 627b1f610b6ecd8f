/**
 * Issue 15 item 2 end to end on the local runtime: classify a file, promote another model version, classify
 * again. No row of the rerun is served from the cache as decided by the retired model; labels still are.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, describe, expect, it } from 'vitest';
import { classifyWorkerScript } from '../../bin/commands/classify.ts';
import { classifyFile } from '../../functions/adapters/local/classify-file.ts';
import { LocalModelRegistry } from '../../functions/adapters/local/model-registry.ts';
import { createLocalRuntime } from '../../functions/adapters/local/runtime.ts';

const home = mkdtempSync(join(tmpdir(), 'aisle-promotion-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

// Decided by the starter model (encoder), the rules (Sea Salt Chips) and review (Widget A).
const NAMES = ['Pretzel Bites', 'Greek Yogurt Honey', 'Kettle Corn', 'Blueberry Muffins', 'Salsa Verde', 'Sea Salt Chips', 'Widget A'];
const input = join(home, 'catalog.csv');
writeFileSync(input, `name\n${NAMES.join('\n')}\n`);

type Row = { name: string; tier: string; model_version: string; level2: string; item_key: string };

/** Classifies the catalog with cache, rules and the registry's champion; the result rows. */
async function classify(output: string): Promise<Row[]> {
  const rt = await createLocalRuntime({ home, tiers: ['cache', 'rules', 'encoder'], warn: () => undefined });
  try {
    await classifyFile(rt, { input, output: join(home, output), lake: 'off' });
    if (output === 'first.csv') {
      const first = parse(readFileSync(join(home, output)), { columns: true }) as Row[];
      await rt.store.setHumanLabel(first.find((r) => r.name === 'Kettle Corn')!.item_key, 'food.breakfast', 'tester');
    }
  } finally {
    await rt.close();
  }
  return parse(readFileSync(join(home, output)), { columns: true }) as Row[];
}

/** A trained version (here the starter's weights under another name), registered and promoted as `aisle train` does. */
async function promoteCopy(version: string): Promise<void> {
  const dir = join(home, 'models', version);
  cpSync(new URL('../../models/encoder/starter-v1', import.meta.url), dir, { recursive: true });
  const card = JSON.parse(readFileSync(join(dir, 'card.json'), 'utf8'));
  writeFileSync(join(dir, 'card.json'), JSON.stringify({ ...card, version, parentVersion: 'starter-v1' }));
  const registry = LocalModelRegistry.forHome(home);
  await registry.addChallenger(version);
  await registry.promote(version);
}

describe('the cache after a promotion', { timeout: 120_000 }, () => {
  it('serves no decision of the retired model, and labels as before', async () => {
    const first = await classify('first.csv');
    const byStarter = first.filter((r) => r.tier === 'encoder').map((r) => r.name);
    expect(byStarter.length).toBe(5);
    expect(first.every((r) => r.tier !== 'encoder' || r.model_version === 'starter-v1')).toBe(true);

    await promoteCopy('v2');

    const rerun = await classify('rerun.csv');
    expect(rerun.filter((r) => r.model_version === 'starter-v1')).toEqual([]);
    for (const name of byStarter.filter((n) => n !== 'Kettle Corn')) {
      expect(rerun.find((r) => r.name === name)).toMatchObject({ tier: 'encoder', model_version: 'v2' });
    }
    expect(rerun.find((r) => r.name === 'Kettle Corn')).toMatchObject({ tier: 'cache', level2: 'Breakfast' });

    // The champion's decisions were cached anew: the next run is served from them.
    const third = await classify('third.csv');
    for (const name of byStarter) expect(third.find((r) => r.name === name)?.tier).toBe('cache');
    expect(third.filter((r) => r.tier === 'cache' && r.model_version !== '' && r.model_version !== 'v2')).toEqual([]);
  });

  it('a run of the cheap tiers (cache, rules), on this thread or on workers, serves no decision of a retired model either', async () => {
    // Cached: the current champion's decisions (a full run). Then another model is promoted.
    const full = await classify('cheap-before.csv');
    expect(full.filter((r) => r.model_version === 'v2').length).toBeGreaterThan(0);
    await promoteCopy('v4');
    for (const threads of [1, 2]) {
      const rt = await createLocalRuntime({ home, tiers: ['cache', 'rules'], warn: () => undefined });
      try {
        const output = join(home, `cheap-${threads}.csv`);
        await classifyFile(rt, { input, output, lake: 'off', threads, parallelMinBytes: 0, workerScript: classifyWorkerScript });
        const rows = parse(readFileSync(output), { columns: true }) as Row[];
        expect(rows.filter((r) => r.model_version === 'v2')).toEqual([]);
        // The label still stands; what only the retired model decided is left to review.
        expect(rows.find((r) => r.name === 'Kettle Corn')).toMatchObject({ tier: 'cache', level2: 'Breakfast' });
        expect(rows.find((r) => r.name === 'Pretzel Bites')?.tier).toBe('review');
      } finally {
        await rt.close();
      }
    }
  });

  it('a running process (aisle serve) answers with a champion promoted while it runs', async () => {
    const rt = await createLocalRuntime({ home, tiers: ['cache', 'rules', 'encoder'], warn: () => undefined });
    try {
      const run = async (output: string) => {
        await classifyFile(rt, { input, output: join(home, output), lake: 'off' });
        return parse(readFileSync(join(home, output)), { columns: true }) as Row[];
      };
      expect((await run('before.csv')).filter((r) => r.model_version === 'v4').length).toBeGreaterThan(0);
      await promoteCopy('v3');
      // The registry is looked at once a second at most.
      await new Promise((r) => setTimeout(r, 1_100));
      const after = await run('after.csv');
      expect(after.filter((r) => r.model_version === 'v4')).toEqual([]);
      expect(after.filter((r) => r.tier === 'encoder').map((r) => r.model_version)).toEqual(Array(4).fill('v3'));
    } finally {
      await rt.close();
    }
  });
});
