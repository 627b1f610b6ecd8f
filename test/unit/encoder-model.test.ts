import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalizeText } from '../../functions/core/normalize.ts';
import { loadTaxonomy } from '../../functions/core/taxonomy.ts';
import { bagLogits, DEFAULT_BAG_CONFIG, foldLinearHead, headFlagsOf, trainBag } from '../../functions/model/bag.ts';
import { exportBagOnnx, floatToHalf, halfToFloat } from '../../functions/model/bag-onnx.ts';
import { chooseThresholds, fitTemperature, meanNll } from '../../functions/model/calibration.ts';
import { OnnxEncoder } from '../../functions/model/encoder.ts';
import { evaluate, formatReport } from '../../functions/model/evaluate.ts';
import type { ModelMetrics } from '../../functions/model/model-metrics.ts';
import { buildTokenizer, TextTokenizer } from '../../functions/model/tokenizer.ts';
import { trainEncoder } from '../../functions/model/train.ts';
import { groceryRows } from '../fixtures/grocery.ts';

const taxonomy = loadTaxonomy();
const SMALL = { ngramBuckets: 20_000, pairBuckets: 5_000, dim: 24, epochs: 30, lr: 0.1 };
const rows = groceryRows(50);
const heldOut = groceryRows(20, 99);

describe('ONNX export of the bag model', () => {
  for (const hidden of [0, 16])
    it(`loads in onnxruntime-node and its logits equal the TypeScript forward pass (${hidden ? 'hidden layer, float16 tables' : 'folded linear head'})`, async () => {
      const texts = rows.map((r) => normalizeText(r.text));
      const json = buildTokenizer(texts);
      const tk = TextTokenizer.fromJson(json);
      const tokens: string[] = [];
      for (const [t, id] of Object.entries(json.model.vocab)) tokens[id] = t;
      const classIds = [...new Set(rows.map((r) => r.classId))];
      const trained = trainBag(
        {
          ids: texts.map((t) => Int32Array.from(tk.encode(t))),
          labels: Int32Array.from(rows, (r) => classIds.indexOf(r.classId)),
          classes: classIds.length,
          tokens,
          unknownFlags: Float32Array.from(tokens, (t) => (t.startsWith('##') ? 1 : 0)),
          headFlags: headFlagsOf(tokens),
        },
        { ...DEFAULT_BAG_CONFIG, ...SMALL, hidden },
        1,
      );
      const model = foldLinearHead(trained);
      expect(model.weights === null).toBe(hidden === 0);
      model.oovScale = 1.5;
      const bytes = exportBagOnnx(model);
      const session = await ort.InferenceSession.create(bytes);
      expect(session.inputNames).toEqual(['input_ids', 'attention_mask']);
      expect(session.outputNames).toEqual(['logits']);
      const probe = [...heldOut.map((r) => normalizeText(r.text)), 'milk', 'wholly unseen words here'];
      const batch = tk.encodeBatch(probe, 64);
      const out = await session.run({
        input_ids: new ort.Tensor('int64', batch.inputIds, [batch.batch, batch.seq]),
        attention_mask: new ort.Tensor('int64', batch.attentionMask, [batch.batch, batch.seq]),
      });
      const logits = out.logits.data as Float32Array;
      expect(out.logits.dims).toEqual([probe.length, classIds.length]);
      probe.forEach((text, i) => {
        const expected = bagLogits(model, tk.encode(text));
        for (let c = 0; c < classIds.length; c++) expect(logits[i * classIds.length + c]).toBeCloseTo(expected[c], 4);
      });
      await session.release();
    });

  it('rounds weights to float16 exactly', () => {
    for (const v of [0, 1, -2.5, 0.1, 1e-6, 65504, Math.PI]) {
      const h = halfToFloat(floatToHalf(v));
      expect(Math.abs(h - v)).toBeLessThanOrEqual(Math.max(Math.abs(v) * 2 ** -11, 2 ** -24));
      expect(halfToFloat(floatToHalf(h))).toBe(h);
    }
  });
});

describe('calibration and thresholds', () => {
  it('temperature scaling recovers an over-confident scale', () => {
    // Labels drawn from softmax(base logits); the model reports them 3× too sharp.
    let seed = 1;
    const rand = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const logits: Float32Array[] = [];
    const labels: number[] = [];
    for (let i = 0; i < 4000; i++) {
      const base = [rand() * 3, rand() * 3, rand() * 3];
      const e = base.map(Math.exp);
      const s = e.reduce((a, b) => a + b);
      const u = rand() * s;
      labels.push(u < e[0] ? 0 : u < e[0] + e[1] ? 1 : 2);
      logits.push(Float32Array.from(base, (b) => b * 3));
    }
    const t = fitTemperature(logits, labels);
    expect(t).toBeGreaterThan(2.5);
    expect(t).toBeLessThan(3.5);
    expect(meanNll(logits, labels, t)).toBeLessThan(meanNll(logits, labels, 1));
  });

  it('picks per-class cuts that reach the target precision, with a floor and a pooled fallback', () => {
    const preds = [
      // class a: right above 0.8, wrong below
      ...Array.from({ length: 40 }, (_, i) => ({ predicted: 'a', score: 0.8 + i * 0.005, correct: true })),
      ...Array.from({ length: 20 }, (_, i) => ({ predicted: 'a', score: 0.6 + i * 0.005, correct: false })),
      // class b: always right, at low scores
      ...Array.from({ length: 40 }, (_, i) => ({ predicted: 'b', score: 0.3 + i * 0.01, correct: true })),
      // class c: too few predictions for its own cut
      { predicted: 'c', score: 0.99, correct: true },
    ];
    const t = chooseThresholds(preds, ['a', 'b', 'c'], { targetPrecision: 0.97 });
    // Accepting the best wrong one too still gives 40/41 = 0.976 ≥ 0.97; a second would give 40/42 = 0.952.
    expect(t.perClass.a).toBeCloseTo(0.695, 6);
    expect(t.perClass.b).toBe(0.5);
    expect(t.perClass.c).toBe(t.pooled);
    const never = chooseThresholds([...Array.from({ length: 40 }, () => ({ predicted: 'x', score: 0.9, correct: false }))], ['x'], {
      targetPrecision: 0.97,
    });
    expect(never.perClass.x).toBe(1);
  });
});

describe('trainEncoder → OnnxEncoder → evaluate', () => {
  let dir: string;
  let first: ModelMetrics;
  let encoder: OnnxEncoder;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'aisle-enc-'));
    first = (await trainEncoder(rows, { taxonomy, outDir: join(dir, 'a'), seed: 5, bag: SMALL, parentVersion: 'starter-0' })).metrics;
    encoder = await OnnxEncoder.load(join(dir, 'a'), { threads: 1 });
  });
  afterAll(async () => {
    await encoder?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('writes the artifact contract', async () => {
    const read = async (f: string) => JSON.parse(await readFile(join(dir, 'a', f), 'utf8'));
    const labels = await read('labels.json');
    expect(labels.taxonomyVersion).toBe(taxonomy.version);
    expect(labels.labels[0]).toBe('Food > Beverages');
    expect(labels.classIds).toEqual(taxonomy.leaves.map((c) => c.id));
    const card = await read('card.json');
    expect(card).toMatchObject({ version: 'a', parentVersion: 'starter-0', trainer: 'aisle-bag/1', rows: rows.length });
    expect(card.trainingDataHash).toMatch(/^sha256:[0-9a-f]{64}$/);
    const metrics = await read('metrics.json');
    expect(Object.keys(metrics.thresholds)).toEqual(labels.classIds);
    expect(metrics.temperature).toBeGreaterThan(0);
    expect(metrics.validation.levels.map((l: { level: string }) => l.level)).toEqual(['level1', 'level2']);
    expect(metrics.validation.confusion.matrix).toHaveLength(12);
    expect(metrics.validation.curve.at(-1).coverage).toBe(1);
    expect((await read('tokenizer.json')).model.type).toBe('WordPiece');
    expect((await stat(join(dir, 'a', 'model.onnx'))).size).toBeGreaterThan(1000);
  });

  it('is deterministic for a seed', async () => {
    const again = (await trainEncoder(rows, { taxonomy, outDir: join(dir, 'b'), seed: 5, bag: SMALL, version: 'a' })).metrics;
    expect(again).toEqual(first);
    const other = (await trainEncoder(rows, { taxonomy, outDir: join(dir, 'c'), seed: 6, bag: SMALL, version: 'a' })).metrics;
    expect(other).not.toEqual(first);
  });

  it('serves calibrated top-k probabilities and the thresholds from metrics.json', async () => {
    expect(encoder.modelVersion).toBe('a');
    expect(encoder.tokenizer.fast).toBe(true);
    const [milk, soap] = await encoder.predict(['Greenfield Whole Milk 1 gal', 'DISH SOAP 16 oz'], 3);
    expect(milk).toHaveLength(3);
    expect(milk[0].classId).toBe('food.dairy-eggs');
    expect(soap[0].classId).toBe('non-food.household');
    expect(milk[0].score).toBeGreaterThanOrEqual(milk[1].score);
    const all = await encoder.predict(['whole milk'], 99);
    expect(all[0]).toHaveLength(12);
    expect(all[0].reduce((s, c) => s + c.score, 0)).toBeCloseTo(1, 5);
    expect(encoder.threshold('food.dairy-eggs')).toBe(first.thresholds['food.dairy-eggs']);
    // Batching and ordering: a large batch gives the same answers as one by one.
    const texts = heldOut.map((r) => r.text);
    const together = await encoder.predict(texts, 1);
    const alone = await Promise.all(texts.slice(0, 10).map(async (t) => (await encoder.predict([t], 1))[0]));
    alone.forEach((c, i) => {
      expect(c[0].classId).toBe(together[i][0].classId);
      expect(c[0].score).toBeCloseTo(together[i][0].score, 5);
    });
  });

  it('releases its session (not under a run in flight) and opens it again at the next run, with the same answers', async () => {
    const texts = heldOut.slice(0, 20).map((r) => r.text);
    const before = await encoder.predict(texts, 3);
    const inFlight = encoder.predict(texts, 3);
    await encoder.release();
    expect(await inFlight).toEqual(before);
    await encoder.release();
    expect(await encoder.predict(texts, 3)).toEqual(before);
  });

  it('gives concurrent calls of any size their own rows when they share a run', async () => {
    const texts = heldOut.map((r) => r.text);
    const sizes = [1, 3, 0, 5, 1, 2];
    const calls: string[][] = [];
    for (let at = 0, i = 0; i < sizes.length; at += sizes[i], i++) calls.push(texts.slice(at, at + sizes[i]));
    const shared = await Promise.all(calls.map((c) => encoder.predict(c, 2)));
    const oneByOne: Awaited<ReturnType<OnnxEncoder['predict']>>[] = [];
    for (const c of calls) oneByOne.push(await encoder.predict(c, 2));
    expect(shared.map((r) => r.length)).toEqual(sizes);
    shared.forEach((rows, i) =>
      rows.forEach((top, j) => {
        expect(top.map((c) => c.classId)).toEqual(oneByOne[i][j].map((c) => c.classId));
        expect(top[0].score).toBeCloseTo(oneByOne[i][j][0].score, 5);
      }),
    );
  });

  it('evaluates held-out rows: levels, per-class F1, coverage, curve and confusion matrix', async () => {
    const report = await evaluate(encoder, heldOut, taxonomy);
    expect(report.rows).toBe(heldOut.length);
    expect(report.levels[0].accuracy).toBeGreaterThan(0.9);
    expect(report.levels[1].macroF1).toBeGreaterThan(0.8);
    expect(report.levels[1].perClass).toHaveLength(12);
    expect(report.confusion.matrix.flat().reduce((a, b) => a + b, 0)).toBe(heldOut.length);
    expect(report.curve).toHaveLength(20);
    expect(report.coverage.coverage).toBeGreaterThan(0.3);
    expect(report.coverage.accuracy).toBeGreaterThanOrEqual(report.levels[1].accuracy);
    const text = formatReport(report);
    expect(text).toContain('level2: accuracy');
    expect(text).toContain('Food > Dairy & Eggs');
  });
});
