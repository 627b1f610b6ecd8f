import { existsSync } from 'node:fs';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalizeText } from '../../functions/core/normalize.ts';
import { loadTaxonomy } from '../../functions/core/taxonomy.ts';
import { OnnxEncoder } from '../../functions/model/encoder.ts';
import { trainEncoder, validationSlice } from '../../functions/model/train.ts';
import { STARTER_DIR } from '../../models/starter/train-starter.ts';
import { groceryRows, OUT_OF_DOMAIN } from '../fixtures/grocery.ts';

const taxonomy = loadTaxonomy();
const SMALL = { ngramBuckets: 20_000, pairBuckets: 5_000, dim: 16, epochs: 10, lr: 0.1 };
const GATE = { cosine: 0.4, weight: 0.7 };
const SEED = 5;

describe("the starter's view kept on names far from the user's (starter gate)", () => {
  let dir: string;
  const user = groceryRows(12).filter((r) => r.classId.startsWith('food.'));
  // A starter row: in the neighbour index, but not a user name, so a name equal to it is still far from the user's.
  const starterRows = [{ text: OUT_OF_DOMAIN[0], classId: 'non-food' }, ...groceryRows(12, 3).filter((r) => !r.classId.startsWith('food.'))];
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'aisle-gate-'));
    await trainEncoder(user, {
      taxonomy,
      outDir: join(dir, 'gated'),
      seed: SEED,
      bag: SMALL,
      neighbours: true,
      starterRows,
      starterGate: { dir: STARTER_DIR, ...GATE },
    });
    // The same model without the gate: metrics.json without starterGate (what a model without the folder is).
    await cp(join(dir, 'gated'), join(dir, 'plain'), { recursive: true });
    const metrics = JSON.parse(await readFile(join(dir, 'plain', 'metrics.json'), 'utf8'));
    delete metrics.starterGate;
    await writeFile(join(dir, 'plain', 'metrics.json'), JSON.stringify(metrics));
    await rm(join(dir, 'plain', 'starter'), { recursive: true });
  }, 300_000);
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('ships the starter in the model folder and records which index documents are the user names', async () => {
    expect(existsSync(join(dir, 'gated', 'starter', 'model.onnx'))).toBe(true);
    const { starterGate } = JSON.parse(await readFile(join(dir, 'gated', 'metrics.json'), 'utf8'));
    expect(starterGate).toMatchObject({ dir: 'starter', ...GATE });
    // About 90 % of the user rows train (the rest is the validation slice); none of the starter's count.
    expect(starterGate.userNames).toBeGreaterThan(0.8 * user.length);
    expect(starterGate.userNames).toBeLessThan(user.length);
  });

  it("mixes the starter's probabilities in on far names only, at the gate's weight", async () => {
    const [gated, plain, starter] = await Promise.all(
      [join(dir, 'gated'), join(dir, 'plain'), STARTER_DIR].map((d) => OnnxEncoder.load(d, { taxonomy, threads: 1 })),
    );
    try {
      const far = OUT_OF_DOMAIN.slice(0, 4);
      // User names that trained (outside the validation slice trainEncoder carves with the same seed): in the index.
      const examples = [...user, ...starterRows].map((r) => ({ text: normalizeText(r.text), classId: r.classId }));
      const isValidation = validationSlice(examples, SEED, 0.1);
      const near = user
        .filter((_, i) => !isValidation[i])
        .slice(0, 4)
        .map((r) => r.text);
      const texts = [...far, ...near];
      const [g, p, s] = await Promise.all([gated, plain, starter].map((e) => e.probabilities(texts)));
      const C = gated.classIds.length;
      const S = starter.classIds.length;
      texts.forEach((_, i) => {
        const isFar = i < far.length;
        gated.classIds.forEach((classId, c) => {
          const fromStarter = s[i * S + starter.classIds.indexOf(classId)];
          const expected = isFar ? (1 - GATE.weight) * p[i * C + c] + GATE.weight * fromStarter : p[i * C + c];
          expect(g[i * C + c]).toBeCloseTo(expected, 5);
        });
      });
      // The gate changed something: the far names' answers are not the plain model's.
      expect([...g.subarray(0, far.length * C)]).not.toEqual([...p.subarray(0, far.length * C)]);
    } finally {
      await Promise.all([gated, plain, starter].map((e) => e.close()));
    }
  });

  it('still loads a model folder without the starter (the gate is optional)', async () => {
    const plain = await OnnxEncoder.load(join(dir, 'plain'), { taxonomy, threads: 1 });
    await plain.close();
  });
});
