import { describe, expect, it } from 'vitest';
import { loadTaxonomy } from '../../functions/core/taxonomy.ts';
import { bagLogits, DEFAULT_BAG_CONFIG, foldLinearHead, headFlagsOf, trainBag } from '../../functions/model/bag.ts';
import { exportBagOnnx } from '../../functions/model/bag-onnx.ts';
import { TrainError, trainEncoder } from '../../functions/model/train.ts';
import { groceryRows } from '../fixtures/grocery.ts';

const SMALL = { ...DEFAULT_BAG_CONFIG, ngramBuckets: 1_000, pairBuckets: 100, dim: 8, epochs: 30, lr: 0.1, dropout: 0 };
const tokens = ['[UNK]', 'item'];
/** Every text is the same token: only the frozen features tell the two classes apart. */
const texts = Array.from({ length: 40 }, (_, i) => i);
const labels = Int32Array.from(texts, (i) => i % 2);
const featureOf = (label: number, i: number) => Float32Array.from([label ? 1 : -1, (i % 5) / 5, 0.5]);
const input = (features?: Float32Array[]) => ({
  ids: texts.map(() => Int32Array.from([1])),
  labels,
  classes: 2,
  tokens,
  unknownFlags: new Float32Array(2),
  headFlags: headFlagsOf(tokens),
  features,
});
const argmax = (logits: Float32Array) => (logits[1] > logits[0] ? 1 : 0);

describe('the static-feature branch of the bag (issue 16 experiment)', () => {
  it('learns from frozen per-text features what the tokens cannot tell, and the folded model keeps the branch', () => {
    const features = texts.map((i) => featureOf(labels[i], i));
    const model = foldLinearHead(trainBag(input(features), SMALL, 1));
    expect(model.featureWeights).not.toBeNull();
    const probes = [0, 1, 0, 1].map((label, i) => ({ label, features: featureOf(label, i + 2) }));
    for (const p of probes) expect(argmax(bagLogits(model, [1], p.features))).toBe(p.label);
    // Without the branch the same texts get one answer whatever their features.
    const plain = foldLinearHead(trainBag(input(), SMALL, 1));
    expect(plain.featureWeights).toBeNull();
    expect(new Set(probes.map((p) => argmax(bagLogits(plain, [1], p.features)))).size).toBe(1);
    // The ONNX graph does not carry the branch: exporting must refuse rather than drop it silently.
    expect(() => exportBagOnnx(model)).toThrow(/static-feature branch/);
  });

  it('is refused when the trainer would write a model folder the encoder cannot serve', async () => {
    const rows = groceryRows(5);
    await expect(trainEncoder(rows, { taxonomy: loadTaxonomy(), outDir: '/tmp/never-written', bag: { staticFeatures: 1 } })).rejects.toThrow(
      TrainError,
    );
  });
});
