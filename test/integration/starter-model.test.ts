import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CHECK_TARGETS, scoreCheckSets } from '../../bench/general-check.ts';
import { LocalModelRegistry } from '../../functions/adapters/local/model-registry.ts';
import { ARTIFACT_FILES } from '../../functions/model/registry.ts';
import { STARTER_DIR, STARTER_VERSION, trainStarter } from '../../models/starter/train-starter.ts';

const committed = {
  metrics: JSON.parse(readFileSync(join(STARTER_DIR, 'metrics.json'), 'utf8')),
  card: JSON.parse(readFileSync(join(STARTER_DIR, 'card.json'), 'utf8')),
};
const tmp = mkdtempSync(join(tmpdir(), 'aisle-starter-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('shipped starter model', () => {
  it('holds the artifact contract within 25 MB', () => {
    let bytes = 0;
    for (const f of ARTIFACT_FILES) bytes += statSync(join(STARTER_DIR, f)).size;
    expect(bytes).toBeLessThanOrEqual(25 * 1024 * 1024);
    expect(committed.card).toMatchObject({ version: STARTER_VERSION, parentVersion: null });
  });

  it('is the champion of an empty registry', async () => {
    const registry = new LocalModelRegistry({ root: join(tmp, 'home', 'models') });
    expect(await registry.champion()).toMatchObject({ version: STARTER_VERSION, location: STARTER_DIR, shipped: true });
  });

  it('scores on the out-of-domain check sets, written apart from the catalog generator', async () => {
    const scores = new Map((await scoreCheckSets(STARTER_DIR, { threads: 1 })).map((s) => [s.name, s]));
    const level1 = (name: 'general' | 'multilingual') => scores.get(name)!.report.levels[0].accuracy;
    expect(scores.get('general')!.report.rows).toBeGreaterThanOrEqual(2000);
    expect(scores.get('multilingual')!.report.rows).toBeGreaterThanOrEqual(300);
    expect(scores.get('indian-grocery')!.report.rows).toBeGreaterThanOrEqual(400);
    expect(level1('general')).toBeGreaterThanOrEqual(CHECK_TARGETS.general);
    expect(level1('multilingual')).toBeGreaterThanOrEqual(CHECK_TARGETS.multilingual);
    // Every script at 0.8 or more (Han and Japanese kana, the weakest, reach 0.87).
    for (const [script, s] of scores.get('multilingual')!.byScript) expect(s.accuracy, script).toBeGreaterThanOrEqual(0.8);
  }, 120_000);

  // Issue 16 asks 0.95 on the held-back retailers' catalogs. The Indian grocery list read 0.924 at its first scoring
  // and is half-blind since (its kinds of miss, not its names, shaped the generator: docs/models.md); the US food
  // database list (0.959) and the web-shop offers (0.980) were scored blind and have shaped nothing.
  it('reaches level-1 accuracy 0.95 on the lists standing for the held-back retailers', async () => {
    const scores = new Map((await scoreCheckSets(STARTER_DIR, { threads: 1 })).map((s) => [s.name, s]));
    for (const name of ['indian-grocery', 'us-food-db', 'web-offers'] as const) {
      expect(scores.get(name)!.report.rows, name).toBeGreaterThanOrEqual(300);
      expect(scores.get(name)!.report.levels[0].accuracy, name).toBeGreaterThanOrEqual(CHECK_TARGETS[name]);
    }
  }, 120_000);

  it('retrains from the catalog to the same metrics and scores well on the held-out split', async () => {
    const { metrics, heldOut } = await trainStarter(join(tmp, STARTER_VERSION), { threads: 1 });
    const card = JSON.parse(readFileSync(join(tmp, STARTER_VERSION, 'card.json'), 'utf8'));
    expect(card.trainingDataHash).toBe(committed.card.trainingDataHash);
    for (const [key, value] of Object.entries(committed.metrics.summary as Record<string, number>)) {
      expect(Math.abs((metrics.summary as Record<string, number>)[key] - value), `summary.${key}`).toBeLessThanOrEqual(0.005);
    }
    expect(Math.abs(metrics.temperature - committed.metrics.temperature)).toBeLessThanOrEqual(0.05);
    // The catalog's validation split never took part in training or calibration.
    expect(heldOut.rows).toBeGreaterThan(2000);
    expect(heldOut.levels[0].accuracy).toBeGreaterThanOrEqual(0.98);
    expect(heldOut.levels[1].macroF1).toBeGreaterThanOrEqual(0.95);
    expect(heldOut.coverage.coverage).toBeGreaterThanOrEqual(0.9);
  }, 300_000);
});
