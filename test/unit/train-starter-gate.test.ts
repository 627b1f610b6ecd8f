import { existsSync } from 'node:fs';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalizeText } from '../../functions/core/normalize.ts';
import { loadTaxonomy } from '../../functions/core/taxonomy.ts';
import { OnnxEncoder } from '../../functions/model/encoder.ts';
import { classAtLevel } from '../../functions/model/metrics.ts';
import { STARTER_GATE_COSINES } from '../../functions/model/starter-gate.ts';
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

describe("the gate's cosine, chosen on the user's validation slice", () => {
  let dir: string;
  // Four food classes labelled as goods: the starter reads those names as Food, so where the gate mixes it in heavily
  // the user's validation rows turn wrong.
  const goods = ['non-food.household', 'non-food.personal-care-health', 'non-food.pet-supplies', 'non-food.baby-care'];
  const relabel: Record<string, string> = {
    'food.beverages': goods[0],
    'food.snacks-sweets': goods[1],
    'food.breakfast': goods[2],
    'food.pantry-staples': goods[3],
  };
  const foods = groceryRows(12).filter((r) => r.classId.startsWith('food.'));
  const contradicting = foods.map((r) => ({ ...r, classId: relabel[r.classId] ?? r.classId }));
  const starterRows = groceryRows(12, 3).filter((r) => !r.classId.startsWith('food.'));
  // A heavy starter weight: a gated row that the starter reads otherwise takes the starter's answer.
  const WEIGHT = 0.9;
  const train = (name: string, weight: number) =>
    trainEncoder(contradicting, {
      taxonomy,
      outDir: join(dir, name),
      seed: SEED,
      bag: SMALL,
      neighbours: true,
      starterRows,
      starterGate: { dir: STARTER_DIR, weight },
    });
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'aisle-gate-cosine-'));
    await train('contradicting', WEIGHT);
    await train('light', 0.01);
  }, 300_000);
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const gateOf = async (name: string) => JSON.parse(await readFile(join(dir, name, 'metrics.json'), 'utf8')).starterGate;

  it('takes the largest cosine where the starter, weighing little, turns no validation row wrong', async () => {
    const gate = await gateOf('light');
    expect(gate.cosine).toBe(STARTER_GATE_COSINES.at(-1));
    expect(gate.validation.flipped.every((n: number) => n === 0)).toBe(true);
  });

  it('takes a lower cosine where a higher one would turn validation rows wrong, as the served model confirms', async () => {
    const gate = await gateOf('contradicting');
    const next = STARTER_GATE_COSINES[STARTER_GATE_COSINES.indexOf(gate.cosine) + 1];
    expect(next).toBeDefined();
    // The same model served three ways: no gate, the chosen cosine, the next cosine of the grid.
    for (const [name, starterGate] of [
      ['plain', undefined],
      ['higher', { ...gate, cosine: next }],
    ] as const) {
      await cp(join(dir, 'contradicting'), join(dir, name), { recursive: true });
      const metrics = JSON.parse(await readFile(join(dir, name, 'metrics.json'), 'utf8'));
      await writeFile(join(dir, name, 'metrics.json'), JSON.stringify({ ...metrics, starterGate }));
    }
    const encoders = await Promise.all(['plain', 'contradicting', 'higher'].map((d) => OnnxEncoder.load(join(dir, d), { taxonomy, threads: 1 })));
    try {
      const examples = [...contradicting, ...starterRows].map((r) => ({ text: normalizeText(r.text), classId: r.classId }));
      const isValidation = validationSlice(examples, SEED, 0.1);
      const valid = contradicting.filter((_, i) => isValidation[i]);
      const [plain, chosen, higher] = await Promise.all(
        encoders.map((e) =>
          e.predict(
            valid.map((r) => r.text),
            1,
          ),
        ),
      );
      // Rows right under no gate (level 1 or 2) that the gate turns wrong.
      const right = (answer: { classId: string }[], i: number, level: number) =>
        classAtLevel(taxonomy, answer[0].classId, level) === classAtLevel(taxonomy, valid[i].classId, level);
      const turnedWrong = (gated: typeof plain) => valid.filter((_, i) => [0, 1].some((l) => right(plain[i], i, l) && !right(gated[i], i, l))).length;
      expect(turnedWrong(chosen)).toBe(0);
      expect(turnedWrong(higher)).toBeGreaterThan(0);
      expect(turnedWrong(higher)).toBe(gate.validation.flipped[gate.validation.cosines.indexOf(next)]);
    } finally {
      await Promise.all(encoders.map((e) => e.close()));
    }
  });
});
