import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalModelRegistry } from '../../functions/adapters/local/model-registry.ts';
import { ARTIFACT_FILES, decidePromotion, newVersionName, promotionScores, versionFiles } from '../../functions/model/registry.ts';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A version folder with the contract's files; the registry reads metrics.json and card.json only. */
function writeVersion(parent: string, version: string, macroF1: number): string {
  const dir = join(parent, version);
  mkdirSync(dir, { recursive: true });
  for (const f of ARTIFACT_FILES) writeFileSync(join(dir, f), '{}');
  writeFileSync(join(dir, 'metrics.json'), JSON.stringify({ summary: { level2MacroF1: macroF1 } }));
  writeFileSync(join(dir, 'card.json'), JSON.stringify({ version, createdAt: `2026-11-0${macroF1 > 0.5 ? 2 : 1}T00:00:00.000Z` }));
  return dir;
}

function setup() {
  const base = mkdtempSync(join(tmpdir(), 'aisle-registry-'));
  dirs.push(base);
  const shippedDir = join(base, 'shipped');
  writeVersion(shippedDir, 'starter-1', 0.3);
  writeVersion(shippedDir, 'starter-2', 0.4);
  mkdirSync(join(shippedDir, 'starter-3')); // incomplete: not a version
  return { registry: new LocalModelRegistry({ root: join(base, 'home', 'models'), shippedDir }), shippedDir };
}

describe('promotion rule', () => {
  it('promotes only when Level 2 macro-F1 is higher and Level 1 accuracy is not lower', () => {
    const champ = { level1Accuracy: 0.99, level2MacroF1: 0.85 };
    expect(decidePromotion(champ, { level1Accuracy: 0.99, level2MacroF1: 0.86 }).promote).toBe(true);
    expect(decidePromotion(champ, { level1Accuracy: 0.995, level2MacroF1: 0.86 }).promote).toBe(true);
    expect(decidePromotion(champ, { level1Accuracy: 0.989, level2MacroF1: 0.9 })).toMatchObject({
      promote: false,
      reason: expect.stringContaining('Level 1 accuracy'),
    });
    expect(decidePromotion(champ, { level1Accuracy: 1, level2MacroF1: 0.85 })).toMatchObject({
      promote: false,
      reason: expect.stringContaining('not higher'),
    });
    expect(decidePromotion(null, { level1Accuracy: 0, level2MacroF1: 0 }).promote).toBe(true);
  });

  it('reads the figures from an evaluation report', () => {
    expect(
      promotionScores({
        levels: [
          { accuracy: 0.9, macroF1: 0.8 },
          { accuracy: 0.7, macroF1: 0.6 },
        ],
      }),
    ).toEqual({ level1Accuracy: 0.9, level2MacroF1: 0.6 });
  });

  it('names versions sortably by time', () => {
    expect(newVersionName(new Date('2026-11-22T03:45:12.345Z'))).toBe('v20261122-034512');
  });
});

describe("a version folder's files (what the AWS trainer uploads, the promotion copies, the champion download fetches)", () => {
  it('lists the optional files present and starter/ only when metrics.json names the starter gate', async () => {
    const present = new Set(['neighbours.bin', 'starter/model.onnx']);
    const has = async (f: string) => present.has(f);
    expect(await versionFiles({ starterGate: { dir: 'starter' } }, has)).toEqual([
      ...ARTIFACT_FILES,
      'neighbours.bin',
      ...ARTIFACT_FILES.map((f) => `starter/${f}`),
    ]);
    // A starter/ left by an earlier champion is not the version's: metrics.json decides, not what is there.
    expect(await versionFiles({}, has)).toEqual([...ARTIFACT_FILES, 'neighbours.bin']);
  });
});

describe('LocalModelRegistry', () => {
  it('serves the newest shipped version until a trained one is promoted', async () => {
    const { registry, shippedDir } = setup();
    const champ = await registry.champion();
    expect(champ).toMatchObject({ version: 'starter-2', role: 'champion', shipped: true, location: join(shippedDir, 'starter-2') });
    expect(champ!.metrics).toEqual({ summary: { level2MacroF1: 0.4 } });
    expect((await registry.list()).map((v) => [v.version, v.role])).toEqual([
      ['starter-1', 'retired'],
      ['starter-2', 'champion'],
    ]);
  });

  it('records challengers, promotes, retires the old champion, and keeps it across instances', async () => {
    const { registry, shippedDir } = setup();
    await expect(registry.addChallenger('v1')).rejects.toThrow(/not a complete model version/);
    writeVersion(registry.root, 'v1', 0.6);
    writeVersion(registry.root, 'v2', 0.7);
    await registry.addChallenger('v1');
    await registry.addChallenger('v2');
    await expect(registry.addChallenger('v2')).rejects.toThrow(/already registered/);
    await expect(registry.promote('v9')).rejects.toThrow(/unknown model version/);

    await registry.promote('v1');
    expect((await registry.champion())!.version).toBe('v1');
    await registry.promote('v2');
    const again = new LocalModelRegistry({ root: registry.root, shippedDir });
    expect(await again.champion()).toMatchObject({ version: 'v2', shipped: false, location: join(registry.root, 'v2') });
    expect((await again.list()).map((v) => [v.version, v.role])).toEqual([
      ['starter-1', 'retired'],
      ['starter-2', 'retired'],
      ['v2', 'champion'],
      ['v1', 'retired'],
    ]);
    const state = JSON.parse(readFileSync(registry.statePath, 'utf8'));
    expect(state).toMatchObject({ champion: 'v2', challengers: [], retired: ['v1'] });
    expect(state.history.map((h: { action: string; version: string }) => `${h.action}:${h.version}`)).toEqual([
      'challenger:v1',
      'challenger:v2',
      'promote:v1',
      'promote:v2',
    ]);

    // Rolling back to the shipped model is a promotion too.
    await again.promote('starter-2');
    expect((await again.champion())!.version).toBe('starter-2');
    expect(JSON.parse(readFileSync(registry.statePath, 'utf8')).retired).toEqual(['v1', 'v2']);
  });

  it('retires challengers, refuses bad names and resolves model arguments', async () => {
    const { registry, shippedDir } = setup();
    writeVersion(registry.root, 'v1', 0.6);
    await registry.addChallenger('v1');
    await registry.retire('v1');
    expect((await registry.list()).find((v) => v.version === 'v1')!.role).toBe('retired');
    await expect(registry.retire('v1')).rejects.toThrow(/not a challenger/);
    expect(() => registry.locationFor('../escape')).toThrow(/not a valid model version/);
    expect(registry.resolveModelDir('starter-1')).toBe(join(shippedDir, 'starter-1'));
    expect(registry.resolveModelDir('v1')).toBe(join(registry.root, 'v1'));
    expect(() => registry.resolveModelDir('nope')).toThrow(/no model folder/);
    writeFileSync(registry.statePath, '{"champion": 3}');
    await expect(registry.champion()).rejects.toThrow(/not a registry file/);
  });
});
