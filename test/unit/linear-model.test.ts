import { cp, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalizeText } from '../../functions/core/normalize.ts';
import { loadTaxonomy } from '../../functions/core/taxonomy.ts';
import { ModelLoadError, OnnxEncoder } from '../../functions/model/encoder.ts';
import { fitLinear } from '../../functions/model/linear-fit.ts';
import { Featurizer, LINEAR_FILE, LinearModel, trainLinear } from '../../functions/model/linear-model.ts';
import type { ModelMetrics } from '../../functions/model/model-metrics.ts';
import { trainEncoder } from '../../functions/model/train.ts';
import { groceryRows } from '../fixtures/grocery.ts';

// Labels 0, 1: dairy; 2: cleaning. Labels 0 and 1 are finer labels of class 0, label 2 is class 1.
const texts = ['greek yogurt plain', 'vanilla yogurt cup', 'whole milk gallon', 'skim milk', 'dish soap lemon', 'bleach cleaner spray'];
const labels = Int32Array.from([0, 0, 1, 1, 2, 2]);
const groups = Int32Array.from([0, 0, 1]);
const small = { buckets: 1 << 12 };

describe('linear classifier over TF-IDF n-grams', () => {
  it('l2-normalizes each block: words and pairs, then character 2–5-grams', () => {
    const { index, value } = new Featurizer((1 << 16) - 1, null).row('milk');
    // "milk": one word (no pair); padded " milk " has 5 + 4 + 3 + 2 character n-grams.
    expect(index.length).toBe(1 + 14);
    expect(value[0]).toBeCloseTo(1, 6);
    const chars = value.subarray(1).reduce((s, v) => s + v * v, 0);
    expect(chars).toBeCloseTo(1, 6);
  });

  it('separates its training rows and reads an unseen spelling by its character n-grams', () => {
    const model = trainLinear(texts, labels, Int32Array.from([0, 1, 2]), 3, small);
    texts.forEach((text, i) => {
      const v = model.decisionValues(text);
      expect(v.indexOf(Math.max(...v))).toBe(labels[i]);
    });
    const probs = new Float64Array(3);
    model.probabilitiesInto('yoghurts', probs, 0.2);
    expect(probs[0]).toBeGreaterThan(probs[2]);
  });

  it('sums the finer labels into their classes', () => {
    const model = trainLinear(texts, labels, groups, 2, small);
    const probs = new Float64Array(2);
    model.probabilitiesInto('greek yogurt plain', probs, 0.3);
    expect(probs[0] + probs[1]).toBeCloseTo(1, 9);
    expect(probs[0]).toBeGreaterThan(0.5);
  });

  it('round-trips through its file as float16, and refuses a truncated one', () => {
    const model = trainLinear(texts, labels, groups, 2, small);
    model.roundToHalf();
    model.temperature = 0.3;
    const bytes = model.toBuffer();
    const back = LinearModel.fromBuffer(bytes, 0.3);
    expect([...back.decisionValues('skim milk')]).toEqual([...model.decisionValues('skim milk')]);
    expect(() => LinearModel.fromBuffer(bytes.subarray(0, bytes.length - 2), 1)).toThrow(/expected/);
  });

  it('chooses the blend weight on the validation slice and blends the slice in place', () => {
    // A bag that gets every validation row wrong: the linear model's share must win.
    const probs = [Float64Array.from([0.2, 0.8]), Float64Array.from([0.9, 0.1])];
    const fit = fitLinear({ texts, labels, groups }, { texts: ['greek yogurt', 'lemon dish soap'], labels: [0, 1], probs }, 2, small, 42, () => {});
    expect(fit.metrics.validation.bagMacroF1).toBe(0);
    expect(fit.metrics.validation.blendedMacroF1).toBe(1);
    expect(fit.metrics.weight).toBeGreaterThan(0);
    expect(probs[0][0]).toBeGreaterThan(0.5);
    expect(fit.bytes.length).toBe(fit.metrics.bytes);
  });
});

describe('a model trained with the linear classifier', () => {
  const taxonomy = loadTaxonomy();
  const SMALL = { ngramBuckets: 20_000, pairBuckets: 5_000, dim: 24, epochs: 10, lr: 0.1 };
  let root: string;
  let dir: string;
  let metrics: ModelMetrics;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'aisle-linear-'));
    dir = join(root, 'model');
    ({ metrics } = await trainEncoder(groceryRows(40), { taxonomy, outDir: dir, bag: SMALL, linear: small }));
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('writes linear.bin and names it, with its temperature and weight, in metrics.json', async () => {
    expect(metrics.linear?.file).toBe(LINEAR_FILE);
    expect(metrics.linear?.config.buckets).toBe(small.buckets);
    expect((await stat(join(dir, LINEAR_FILE))).size).toBe(metrics.linear?.bytes);
    expect(metrics.linear!.temperature).toBeGreaterThan(0);
  });

  it('serves the blended probabilities, and the same folder without it serves the bag alone', async () => {
    const half = join(root, 'half');
    const bare = join(root, 'bare');
    await cp(dir, half, { recursive: true });
    await cp(dir, bare, { recursive: true });
    const { linear, ...rest } = JSON.parse(await readFile(join(dir, 'metrics.json'), 'utf8')) as ModelMetrics;
    // Half the probability from the linear model whatever weight the tiny fixture chose, so the blend shows.
    await writeFile(join(half, 'metrics.json'), JSON.stringify({ ...rest, linear: { ...linear, weight: 0.5 } }));
    await writeFile(join(bare, 'metrics.json'), JSON.stringify(rest));
    await rm(join(bare, LINEAR_FILE));
    const probe = groceryRows(3, 99).map((r) => r.text);
    const [blended, alone] = [await OnnxEncoder.load(half), await OnnxEncoder.load(bare)];
    const [p, q] = [await blended.probabilities(probe), await alone.probabilities(probe)];
    const model = LinearModel.fromBuffer(await readFile(join(dir, LINEAR_FILE)), linear!.temperature);
    const C = blended.classIds.length;
    const expected = Float32Array.from(q);
    const scratch = new Float64Array(C);
    probe.forEach((text, i) => model.blendInto(normalizeText(text), expected.subarray(i * C, (i + 1) * C), 0.5, scratch));
    expect(p.some((v, i) => Math.abs(v - q[i]) > 0.01)).toBe(true);
    for (let i = 0; i < p.length; i++) expect(p[i]).toBeCloseTo(expected[i], 5);
    await Promise.all([blended.close(), alone.close()]);
  });

  it('fails to load, naming the file, when metrics.json names a missing model', async () => {
    const broken = join(root, 'broken');
    await cp(dir, broken, { recursive: true });
    await rm(join(broken, LINEAR_FILE));
    await expect(OnnxEncoder.load(broken)).rejects.toThrow(ModelLoadError);
    await expect(OnnxEncoder.load(broken)).rejects.toThrow(/linear\.bin/);
  });
});
