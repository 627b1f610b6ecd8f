import { cp, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalizeText } from '../../functions/core/normalize.ts';
import { loadTaxonomy } from '../../functions/core/taxonomy.ts';
import { ModelLoadError, OnnxEncoder } from '../../functions/model/encoder.ts';
import type { ModelMetrics } from '../../functions/model/model-metrics.ts';
import {
  DEFAULT_NEIGHBOUR_CONFIG,
  featureBuckets,
  fitNeighbours,
  NEIGHBOURS_FILE,
  type NeighbourConfig,
  NeighbourIndex,
} from '../../functions/model/neighbours.ts';
import { trainEncoder } from '../../functions/model/train.ts';
import { groceryRows } from '../fixtures/grocery.ts';

const cfg: NeighbourConfig = { ...DEFAULT_NEIGHBOUR_CONFIG, k: 3, buckets: 1 << 12, maxDf: 3 };
// Class 0: one brand's yoghurts; class 1: cleaning goods; "organic" is on four names, more than maxDf.
const texts = [
  'stonyfield organic whole milk yogurt',
  'stonyfield organic vanilla yogurt',
  'greek yogurt plain',
  'organic dish soap lemon',
  'organic laundry detergent',
  'bleach cleaner spray',
];
const labels = [0, 0, 0, 1, 1, 1];

describe('nearest labelled neighbours', () => {
  it('hashes words and adjacent pairs, each bucket once', () => {
    const out: number[] = [];
    expect(featureBuckets('milk milk', cfg, out)).toHaveLength(2); // "milk" and the pair "milk milk"
    expect(featureBuckets('whole milk', cfg, []).length).toBe(3);
    expect(featureBuckets('', cfg, out)).toEqual([]);
  });

  it('ranks by cosine over shared rare features; an identical name scores 1', () => {
    const index = NeighbourIndex.build(texts, labels, 2, cfg);
    const docs = new Int32Array(3);
    const sims = new Float64Array(3);
    expect(index.nearest('greek yogurt plain', 3, docs, sims)).toBe(3);
    expect(docs[0]).toBe(2);
    expect(sims[0]).toBeCloseTo(1, 6);
    expect(index.nearest('stonyfield organic vanilla yogurt', 3, docs, sims)).toBe(3);
    expect(docs[0]).toBe(1);
    expect(docs[1]).toBe(0); // shares "stonyfield", "yogurt" and the pair "stonyfield organic"
    expect(sims[1]).toBeLessThan(sims[0]);
    expect(sims[2]).toBeLessThan(sims[1]);
  });

  it('does not score a feature held by more than maxDf names: a name sharing only it has no neighbour', () => {
    const index = NeighbourIndex.build(texts, labels, 2, cfg);
    const vote = new Float64Array(2);
    expect(index.vote('organic', vote)).toBe(false);
    expect([...vote]).toEqual([0, 0]);
    expect(index.vote('organic yogurt', vote)).toBe(true);
    expect(vote[0]).toBe(1);
  });

  it('blends the vote into the probabilities, and leaves them alone without neighbours', () => {
    const index = NeighbourIndex.build(texts, labels, 2, { ...cfg, weight: 0.5 });
    const scratch = new Float64Array(2);
    const probs = Float32Array.of(0.2, 0.8);
    index.blendInto('greek yogurt plain', probs, scratch);
    expect(probs[0]).toBeCloseTo(0.6, 6);
    expect(probs[1]).toBeCloseTo(0.4, 6);
    const unknown = Float32Array.of(0.2, 0.8);
    index.blendInto('usb cable', unknown, scratch);
    expect([...unknown]).toEqual([...Float32Array.of(0.2, 0.8)]);
  });

  it('round-trips through its file and refuses a corrupt one', () => {
    const index = NeighbourIndex.build(texts, labels, 2, cfg);
    const bytes = index.toBuffer();
    const again = NeighbourIndex.fromBuffer(bytes, cfg);
    const [a, b] = [new Float64Array(2), new Float64Array(2)];
    for (const q of ['greek yogurt', 'lemon dish soap', 'bleach']) {
      index.vote(q, a);
      again.vote(q, b);
      expect([...b]).toEqual([...a]);
    }
    expect(() => NeighbourIndex.fromBuffer(bytes, { ...cfg, buckets: 1 << 13 })).toThrow(/buckets/);
    expect(() => NeighbourIndex.fromBuffer(bytes.subarray(0, bytes.length - 4), cfg)).toThrow(/truncated/);
    expect(() => NeighbourIndex.fromBuffer(Buffer.alloc(64), cfg)).toThrow(/not a neighbour index/);
  });

  it('chooses the blend on the validation slice, and weight 0 when the vote only hurts', () => {
    const train = { texts: texts.slice(0, 6), labels };
    // Validation names whose neighbours all carry the other class: blending can only lose.
    const probs = () => [Float64Array.of(0.9, 0.1), Float64Array.of(0.1, 0.9)];
    const misleading = fitNeighbours(train, { texts: ['bleach cleaner', 'stonyfield yogurt'], labels: [0, 1], probs: probs() }, 2, cfg);
    expect(misleading.index.config.weight).toBe(0);
    expect(misleading.validation.blendedMacroF1).toBe(misleading.validation.bagMacroF1);
    // The bag is wrong on both and the neighbours right: the vote is blended in.
    const wrongBag = [Float64Array.of(0.4, 0.6), Float64Array.of(0.6, 0.4)];
    const helped = fitNeighbours(train, { texts: ['stonyfield yogurt', 'bleach cleaner'], labels: [0, 1], probs: wrongBag }, 2, cfg);
    expect(helped.index.config.weight).toBeGreaterThan(0);
    expect(helped.validation.bagMacroF1).toBe(0);
    expect(helped.validation.blendedMacroF1).toBe(1);
    expect(wrongBag[0][0]).toBeGreaterThan(0.5); // the validation probabilities are blended in place
  });
});

describe('a model trained with neighbours', () => {
  const taxonomy = loadTaxonomy();
  const SMALL = { ngramBuckets: 20_000, pairBuckets: 5_000, dim: 24, epochs: 10, lr: 0.1 };
  let root: string;
  let dir: string;
  let metrics: ModelMetrics;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'aisle-neighbours-'));
    dir = join(root, 'model');
    ({ metrics } = await trainEncoder(groceryRows(40), { taxonomy, outDir: dir, bag: SMALL, neighbours: { maxDf: 50 } }));
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('writes neighbours.bin and names it, with its config, in metrics.json', async () => {
    expect(metrics.neighbours?.file).toBe(NEIGHBOURS_FILE);
    expect(metrics.neighbours?.config.maxDf).toBe(50);
    expect((await stat(join(dir, NEIGHBOURS_FILE))).size).toBe(metrics.neighbours?.bytes);
    expect(metrics.neighbours!.documents).toBe(metrics.trainRows);
  });

  it('serves the blended probabilities, and the same folder without neighbours serves the bag alone', async () => {
    // Half the probability from the vote whatever weight the tiny fixture chose, so the blend shows.
    const half = join(root, 'half');
    const bare = join(root, 'bare');
    await cp(dir, half, { recursive: true });
    await cp(dir, bare, { recursive: true });
    const { neighbours, ...rest } = JSON.parse(await readFile(join(dir, 'metrics.json'), 'utf8')) as ModelMetrics;
    const config = { ...neighbours!.config, weight: 0.5 };
    await writeFile(join(half, 'metrics.json'), JSON.stringify({ ...rest, neighbours: { ...neighbours, config } }));
    await writeFile(join(bare, 'metrics.json'), JSON.stringify(rest));
    await rm(join(bare, NEIGHBOURS_FILE));
    const probe = groceryRows(3, 99).map((r) => r.text);
    const [blended, alone] = [await OnnxEncoder.load(half), await OnnxEncoder.load(bare)];
    const [p, q] = [await blended.probabilities(probe), await alone.probabilities(probe)];
    const index = NeighbourIndex.fromBuffer(await readFile(join(dir, NEIGHBOURS_FILE)), config);
    const C = blended.classIds.length;
    const expected = Float32Array.from(q);
    const scratch = new Float64Array(C);
    probe.forEach((text, i) => index.blendInto(normalizeText(text), expected.subarray(i * C, (i + 1) * C), scratch));
    expect(p.some((v, i) => Math.abs(v - q[i]) > 0.05)).toBe(true);
    for (let i = 0; i < p.length; i++) expect(p[i]).toBeCloseTo(expected[i], 5);
    await Promise.all([blended.close(), alone.close()]);
  });

  it('fails to load, naming the file, when metrics.json names a missing index', async () => {
    const broken = join(root, 'broken');
    await cp(dir, broken, { recursive: true });
    await rm(join(broken, NEIGHBOURS_FILE));
    await expect(OnnxEncoder.load(broken)).rejects.toThrow(ModelLoadError);
    await expect(OnnxEncoder.load(broken)).rejects.toThrow(/neighbours\.bin/);
  });
});
