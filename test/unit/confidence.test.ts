import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CONFIDENCE_SIGNALS,
  type ConfidenceModel,
  confidenceOf,
  confidenceSignals,
  LINEAR_CONFIDENCE_SIGNALS,
} from '../../functions/core/confidence.ts';
import { createEncoderTier } from '../../functions/core/encoder-tier.ts';
import { normalizeText, toCascadeItem } from '../../functions/core/normalize.ts';
import { seededRandom } from '../../functions/core/random.ts';
import { loadTaxonomy } from '../../functions/core/taxonomy.ts';
import type { Candidate } from '../../functions/core/types.ts';
import { CONFIDENCE_FILE, emptyEvidence, fitConfidence, lowestCut } from '../../functions/model/confidence.ts';
import { ModelLoadError, OnnxEncoder } from '../../functions/model/encoder.ts';
import { LINEAR_FILE, LinearModel } from '../../functions/model/linear-model.ts';
import type { ModelMetrics } from '../../functions/model/model-metrics.ts';
import { trainEncoder } from '../../functions/model/train.ts';
import type { ClassScores, Encoder, RuleCalibration } from '../../functions/ports.ts';
import { groceryRows } from '../fixtures/grocery.ts';

const taxonomy = loadTaxonomy();
const n = CONFIDENCE_SIGNALS.length;
/** A confidence that reads the top probability alone: sigmoid(10 · top − 5). */
const topOnly: ConfidenceModel = {
  signals: [...CONFIDENCE_SIGNALS],
  mean: new Array(n).fill(0),
  sd: new Array(n).fill(1),
  weights: [-5, 10, ...new Array(n - 1).fill(0)],
  cut: 0.9,
  targetPrecision: 0.97,
  validation: { rows: 1000, coverage: 0.7, accuracy: 0.97 },
};

describe('fitting the learned confidence', () => {
  it('cuts where the rows at or above the cut reach the target, never between equal scores', () => {
    expect(lowestCut([0.9, 0.8, 0.7, 0.6], [true, true, false, true], 0.75)).toEqual({ cut: 0.6, coverage: 1, accuracy: 0.75 });
    expect(lowestCut([0.9, 0.8, 0.7, 0.6], [true, true, false, true], 0.9)).toEqual({ cut: 0.8, coverage: 0.5, accuracy: 1 });
    // 0.8 twice, one of them wrong: the cut cannot fall between them.
    expect(lowestCut([0.9, 0.8, 0.8], [true, true, false], 0.9).cut).toBe(0.9);
  });

  it('learns which signal tells right answers from wrong ones, and its cut holds the target on fresh rows', () => {
    const random = seededRandom(7);
    const draw = (rows: number) => {
      const xs: number[][] = [];
      const right: boolean[] = [];
      for (let i = 0; i < rows; i++) {
        const x = Array.from({ length: n }, () => random());
        xs.push(x);
        // Only the margin (signal 1) matters; the top probability (signal 0) is noise here.
        right.push(random() < 1 / (1 + Math.exp(-(8 * x[1] - 2))));
      }
      return { xs, right };
    };
    const fit = draw(2000);
    const model = fitConfidence(fit.xs, fit.right, 0.95)!;
    expect(model.signals).toEqual([...CONFIDENCE_SIGNALS]);
    expect(model.weights[2]).toBeGreaterThan(1);
    expect(Math.abs(model.weights[1])).toBeLessThan(0.3);
    expect(model.validation.accuracy).toBeGreaterThanOrEqual(0.95);
    const fresh = draw(4000);
    const kept = fresh.xs.map((_, i) => i).filter((i) => confidenceOf(model, fresh.xs[i]) >= model.cut);
    expect(kept.length / 4000).toBeGreaterThan(0.2);
    expect(kept.filter((i) => fresh.right[i]).length / kept.length).toBeGreaterThan(0.93);
  });

  it('fits nothing on too few rows, or when every answer is right', () => {
    const xs = Array.from({ length: 500 }, (_, i) => new Array(n).fill(i / 500));
    expect(
      fitConfidence(
        xs.slice(0, 100),
        new Array(100).fill(false).map((_, i) => i % 2 === 0),
        0.97,
      ),
    ).toBeUndefined();
    expect(fitConfidence(xs, new Array(500).fill(true), 0.97)).toBeUndefined();
  });
});

/** Fixed probabilities for three texts over three classes, with the learned confidence topOnly. */
class ConfidentEncoder implements Encoder {
  readonly modelVersion = 'conf-1';
  readonly classIds = ['food.dairy-eggs', 'food.beverages', 'food.fresh'];
  constructor(
    private readonly rows: Record<string, number[]>,
    readonly ruleCalibration?: RuleCalibration,
  ) {}
  async predict(texts: string[], topK = 3): Promise<Candidate[][]> {
    return texts.map((t) =>
      this.rows[t]
        .map((score, c) => ({ classId: this.classIds[c], score }))
        .sort((a, b) => b.score - a.score)
        .slice(0, topK),
    );
  }
  async scores(texts: string[]): Promise<ClassScores> {
    return {
      classIds: this.classIds,
      probabilities: Float32Array.from(texts.flatMap((t) => this.rows[t])),
      confidence: { model: topOnly, evidence: emptyEvidence(texts.length, this.classIds.length) },
    };
  }
  threshold(): number {
    return 0.5;
  }
}

describe('the encoder tier with a learned confidence', () => {
  const calibration: RuleCalibration = {
    rulesVersion: 'r1',
    hits: { 'kw.milk': [100, 96] },
    pooledPrecision: 0.9,
    weight: 1,
    ruled: { perClass: {}, pooled: 0.5 },
    unruled: { perClass: {}, pooled: 0.5 },
  };
  const enc = new ConfidentEncoder({ cheddar: [0.95, 0.03, 0.02], 'oat milk': [0.62, 0.3, 0.08], 'whole milk': [0.5, 0.3, 0.2] }, calibration);

  it('accepts an answer when its confidence clears the cut, instead of the per-class thresholds', async () => {
    const [cheddar, oat] = await createEncoderTier(enc, { taxonomy }).decide(
      ['cheddar', 'oat milk'].map((name) => toCascadeItem({ name })),
      { hints: [] },
    );
    expect(cheddar).toMatchObject({ kind: 'decided', classId: 'food.dairy-eggs', reason: 'confidence 0.99 ≥ cut 0.90 for Dairy & Eggs' });
    // 0.62 clears the threshold of 0.5 the encoder names, but its confidence (0.77) is under the cut.
    expect(oat).toMatchObject({ kind: 'deferred', reason: 'confidence 0.77 < cut 0.90 for Dairy & Eggs' });
  });

  it('withdraws a rule decision the encoder agrees with when the confidence of that answer is under the cut', async () => {
    const rule = { kind: 'decided' as const, classId: 'food.dairy-eggs', confidence: 0.92, ruleId: 'kw.milk' };
    const [whole, cheddar] = await createEncoderTier(enc, { taxonomy }).decide(
      ['whole milk', 'cheddar'].map((name) => toCascadeItem({ name })),
      { hints: [], earlier: [rule, rule] },
    );
    expect(whole).toMatchObject({ kind: 'deferred', reason: 'rule kw.milk withdrawn: confidence 0.50 < cut 0.90 for Dairy & Eggs' });
    expect(cheddar).toMatchObject({ kind: 'decided', ruleId: 'kw.milk', classId: 'food.dairy-eggs' });
  });
});

describe('a model folder with confidence.json', () => {
  const SMALL = { ngramBuckets: 20_000, pairBuckets: 5_000, dim: 24, epochs: 10, lr: 0.1 };
  let root: string;
  let dir: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'aisle-confidence-'));
    dir = join(root, 'model');
    const { metrics } = await trainEncoder(groceryRows(40), { taxonomy, outDir: dir, bag: SMALL, neighbours: { maxDf: 50 } });
    // The fixture is too small (and too easy) to fit one: a hand-written confidence, named in metrics.json.
    expect(metrics.confidence).toBeUndefined();
    await writeFile(join(dir, CONFIDENCE_FILE), JSON.stringify(topOnly));
    await writeFile(join(dir, 'metrics.json'), JSON.stringify({ ...metrics, confidence: { file: CONFIDENCE_FILE } }));
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it("serves the confidence with each text's evidence: the bag's probabilities and the vote blended into them", async () => {
    const encoder = await OnnxEncoder.load(dir, { threads: 1 });
    const texts = [...groceryRows(2, 99).map((r) => r.text), 'qzxv wkpj'];
    const { probabilities, confidence, classIds } = await encoder.scores(texts);
    await encoder.close();
    expect(confidence?.model).toEqual(topOnly);
    const e = confidence!.evidence;
    const C = classIds.length;
    const weight = JSON.parse(await readFile(join(dir, 'metrics.json'), 'utf8')).neighbours.config.weight;
    let voted = 0;
    texts.forEach((_, i) => {
      const bag = e.bag.subarray(i * C, (i + 1) * C);
      const vote = e.vote.subarray(i * C, (i + 1) * C);
      expect(bag.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 5);
      const hasVote = vote.some((v) => v > 0);
      if (hasVote) voted++;
      for (let c = 0; c < C; c++) expect(probabilities[i * C + c]).toBeCloseTo(hasVote ? (1 - weight) * bag[c] + weight * vote[c] : bag[c], 5);
      expect(e.nearestClass[i] >= 0).toBe(hasVote);
      expect(e.tokens[i]).toBeGreaterThan(0);
    });
    expect(voted).toBeGreaterThan(0);
    // Invented words split into pieces: their share of unknown tokens is high, a catalog name's is low.
    expect(e.unknownShare[texts.length - 1]).toBeGreaterThan(0.5);
    expect(e.unknownShare[0]).toBeLessThan(0.5);
  });

  it('refuses a confidence.json over other signals, or missing when metrics.json names it', async () => {
    const other = join(root, 'other');
    await cp(dir, other, { recursive: true });
    await writeFile(join(other, CONFIDENCE_FILE), JSON.stringify({ ...topOnly, signals: ['top'], weights: [0, 1] }));
    await expect(OnnxEncoder.load(other)).rejects.toThrow(ModelLoadError);
    await rm(join(other, CONFIDENCE_FILE));
    await expect(OnnxEncoder.load(other)).rejects.toThrow(/confidence\.json/);
  });

  it('serves no confidence when metrics.json names none, even beside a confidence.json (an earlier champion left it)', async () => {
    const stale = join(root, 'stale');
    await cp(dir, stale, { recursive: true });
    const { confidence, ...rest } = JSON.parse(await readFile(join(dir, 'metrics.json'), 'utf8'));
    expect(confidence).toEqual({ file: CONFIDENCE_FILE });
    await writeFile(join(stale, 'metrics.json'), JSON.stringify(rest));
    const plain = await OnnxEncoder.load(stale, { threads: 1 });
    expect((await plain.scores(['whole milk'])).confidence).toBeUndefined();
    await plain.close();
  });
});

describe("the linear classifier's signals", () => {
  it('follow the twelve when the evidence has the linear probabilities: its probability of the answer, agreement, margin', () => {
    const e = emptyEvidence(2, 3, true);
    e.linear!.set([0.2, 0.5, 0.3, 0.7, 0.1, 0.2]);
    const ranked = [
      { index: 0, score: 0.6 },
      { index: 1, score: 0.3 },
    ];
    const first = confidenceSignals(e, 0, 3, ranked, -1);
    expect(first).toHaveLength(CONFIDENCE_SIGNALS.length + LINEAR_CONFIDENCE_SIGNALS.length);
    expect(first.slice(CONFIDENCE_SIGNALS.length).map((x) => Number(x.toFixed(6)))).toEqual([0.2, 0, 0.2]);
    expect(
      confidenceSignals(e, 1, 3, ranked, -1)
        .slice(CONFIDENCE_SIGNALS.length)
        .map((x) => Number(x.toFixed(6))),
    ).toEqual([0.7, 1, 0.5]);
    expect(confidenceSignals(emptyEvidence(2, 3), 0, 3, ranked, -1)).toHaveLength(CONFIDENCE_SIGNALS.length);
  });

  it('are named in a confidence fitted over them', () => {
    const random = seededRandom(3);
    const d = CONFIDENCE_SIGNALS.length + LINEAR_CONFIDENCE_SIGNALS.length;
    const xs = Array.from({ length: 400 }, () => Array.from({ length: d }, () => random()));
    const model = fitConfidence(
      xs,
      xs.map((x) => x[d - 3] > 0.3),
      0.9,
    )!;
    expect(model.signals).toEqual([...CONFIDENCE_SIGNALS, ...LINEAR_CONFIDENCE_SIGNALS]);
    // The linear probability of the answer decides rightness here.
    expect(model.weights[d - 2]).toBeGreaterThan(1);
  });
});

describe('a model folder with linear.bin and a confidence over its signals', () => {
  const SMALL = { ngramBuckets: 20_000, pairBuckets: 5_000, dim: 24, epochs: 10, lr: 0.1 };
  const signals = [...CONFIDENCE_SIGNALS, ...LINEAR_CONFIDENCE_SIGNALS];
  /** Reads the linear classifier's probability of the answer alone. */
  const linearOnly: ConfidenceModel = {
    ...topOnly,
    signals,
    mean: new Array(signals.length).fill(0),
    sd: new Array(signals.length).fill(1),
    weights: [-5, ...new Array(CONFIDENCE_SIGNALS.length).fill(0), 10, 0, 0],
  };
  let root: string;
  let dir: string;
  let metrics: ModelMetrics;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'aisle-confidence-linear-'));
    dir = join(root, 'model');
    ({ metrics } = await trainEncoder(groceryRows(40), {
      taxonomy,
      outDir: dir,
      bag: SMALL,
      neighbours: { maxDf: 50 },
      linear: { buckets: 1 << 12 },
    }));
    await writeFile(join(dir, CONFIDENCE_FILE), JSON.stringify(linearOnly));
    await writeFile(join(dir, 'metrics.json'), JSON.stringify({ ...metrics, confidence: { file: CONFIDENCE_FILE } }));
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it("serves the linear classifier's probabilities as evidence, and the confidence reads them", async () => {
    const encoder = await OnnxEncoder.load(dir, { threads: 1 });
    const texts = groceryRows(2, 99).map((r) => r.text);
    const { probabilities, confidence, classIds } = await encoder.scores(texts);
    await encoder.close();
    const C = classIds.length;
    const linear = LinearModel.fromBuffer(await readFile(join(dir, LINEAR_FILE)), metrics.linear!.temperature);
    const expected = new Float64Array(C);
    texts.forEach((text, i) => {
      linear.probabilitiesInto(normalizeText(text), expected);
      for (let c = 0; c < C; c++) expect(confidence!.evidence.linear![i * C + c]).toBeCloseTo(expected[c], 5);
      const row = probabilities.subarray(i * C, (i + 1) * C);
      const ranked = Array.from(row, (score, index) => ({ index, score })).sort((a, b) => b.score - a.score);
      const x = confidenceSignals(confidence!.evidence, i, C, ranked, -1);
      expect(confidenceOf(linearOnly, x)).toBeCloseTo(1 / (1 + Math.exp(5 - 10 * expected[ranked[0].index])), 5);
    });
  });

  it('still loads a confidence over the twelve signals beside linear.bin (then no linear evidence is gathered)', async () => {
    const older = join(root, 'older');
    await cp(dir, older, { recursive: true });
    await writeFile(join(older, CONFIDENCE_FILE), JSON.stringify(topOnly));
    const encoder = await OnnxEncoder.load(older, { threads: 1 });
    const { confidence } = await encoder.scores(['whole milk']);
    await encoder.close();
    expect(confidence?.model.signals).toEqual([...CONFIDENCE_SIGNALS]);
    expect(confidence?.evidence.linear).toBeUndefined();
  });

  it('refuses a confidence over the linear signals in a model without linear.bin', async () => {
    const bare = join(root, 'bare');
    await cp(dir, bare, { recursive: true });
    await rm(join(bare, LINEAR_FILE));
    await writeFile(join(bare, 'metrics.json'), JSON.stringify({ ...metrics, linear: undefined, confidence: { file: CONFIDENCE_FILE } }));
    await expect(OnnxEncoder.load(bare)).rejects.toThrow(/reads other signals/);
  });
});
