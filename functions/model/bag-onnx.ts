/**
 * Exports a trained bag model (functions/model/bag.ts) as model.onnx with the artifact contract's interface:
 * inputs input_ids / attention_mask int64 [batch, seq], output logits float32 [batch, classes].
 * A linear head is folded into the tables (bag.ts foldLinearHead), which stay float32. Wide tables of a
 * hidden-layer model are stored as float16 (the model is rounded the same way in TS, so the TS forward pass
 * and the graph agree).
 */
import { type BagModel, outputClasses, PAIR_HASH_MULTIPLIER } from './bag.ts';
import { GraphBuilder } from './onnx-graph.ts';

/** Rounds a table to float16 in place and returns the half bits. */
export function roundToHalf(values: Float32Array): Uint16Array {
  const bits = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) {
    bits[i] = floatToHalf(values[i]);
    values[i] = halfToFloat(bits[i]);
  }
  return bits;
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

// Round-to-nearest-even float32 → float16 (weights are small: no NaN handling needed beyond the basics).
export function floatToHalf(value: number): number {
  f32[0] = value;
  const x = u32[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    if (rem > mid || (rem === mid && half & 1)) half++;
    return sign | half;
  }
  let half = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && half & 1)) half++;
  return sign | half;
}

export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant ? NaN : sign * Infinity;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

/** Rounds the embedding tables to float16 in place, as the export stores them (idempotent). */
export function roundBagToHalf(model: BagModel): void {
  if (!model.weights) return;
  roundToHalf(model.tokenRows);
  roundToHalf(model.pairRows);
  roundToHalf(model.headRows);
}

/**
 * Rounds the model's tables to float16 (in place) and returns the ONNX bytes of its graph.
 * Long on purpose: one graph built op by op, mirroring the bag's forward pass step by step; the steps share the
 * inputs and constants declared at the top.
 */
export function exportBagOnnx(model: BagModel, docString = ''): Uint8Array {
  const { vocabSize: V, dim: d, classes: C, pairBuckets: P } = model;
  if (model.featureWeights) throw new Error('the static-feature branch is not exported (an experiment of bench/encoder-instacart.ts)');
  const g = new GraphBuilder('aisle-bag');
  const ids = g.input('input_ids', 'int64', ['batch', 'seq']);
  const mask = g.input('attention_mask', 'int64', ['batch', 'seq']);
  // Folded linear models have `classes` columns per row and stay float32; wide (hidden-layer) tables are halved.
  const half = model.weights !== null;
  const table = (name: string, rows: Float32Array, n: number) => {
    const t = half ? g.halves(name, [n, d], roundToHalf(rows)) : g.floats(name, [n, d], rows);
    return (ids: string) => (half ? g.op('Cast', [g.op('Gather', [t, ids], { axis: 0 })], { to: 1 }) : g.op('Gather', [t, ids], { axis: 0 }));
  };
  const tokenRows = table('token_rows', model.tokenRows, V);
  const pairRows = table('pair_rows', model.pairRows, P);
  const headRows = table('head_rows', model.headRows, V);
  const headFlags = g.floats('head_flags', [V], model.headFlags);
  const H = model.hidden;
  const bias = g.floats('bias', [C], model.bias);
  const unknown = g.floats('unknown_flags', [V], model.unknownFlags);
  const axis1 = g.ints('axis1', [1], [1]);
  const axis2 = g.ints('axis2', [1], [2]);
  const zero = g.ints('zero', [1], [0]);
  const one = g.ints('one', [1], [1]);
  const minusOne = g.ints('minus_one', [1], [-1]);
  const end = g.ints('end', [1], [BigInt('9223372036854775807')]);
  const mult = g.ints('pair_multiplier', [], [PAIR_HASH_MULTIPLIER]);
  const buckets = g.ints('pair_buckets', [], [P]);
  const oneF = g.floats('one_f', [], Float32Array.of(1));
  const oovScale = g.floats('oov_scale', [], Float32Array.of(model.oovScale));

  const maskF = g.op('Cast', [mask], { to: 1 }, 'mask_f');
  // Token rows, masked and summed over the sequence.
  const rows = tokenRows(ids);
  const sumTok = g.op('ReduceSum', [g.op('Mul', [rows, g.op('Unsqueeze', [maskF, axis2])]), axis1], { keepdims: 0 });
  // Adjacent token pairs, hashed into buckets, masked where either side is padding.
  const left = g.op('Slice', [ids, zero, minusOne, axis1]);
  const right = g.op('Slice', [ids, one, end, axis1]);
  const pairMask = g.op('Mul', [g.op('Slice', [maskF, zero, minusOne, axis1]), g.op('Slice', [maskF, one, end, axis1])]);
  const bucket = g.op('Mod', [g.op('Add', [g.op('Mul', [left, mult]), right]), buckets], { fmod: 0 });
  const pairs = pairRows(bucket);
  const sumPairs = g.op('ReduceSum', [g.op('Mul', [pairs, g.op('Unsqueeze', [pairMask, axis2])]), axis1], { keepdims: 0 });
  // The head token (bag.ts headIndex): the last position whose token can be a head, found as the ArgMax of
  // flag × position (ties → first index, so a row without any head uses its first token); none for an empty row.
  const tokens = g.op('ReduceSum', [maskF, axis1], { keepdims: 1 });
  const hasTokens = g.op('Min', [tokens, oneF]);
  const positions = g.op('CumSum', [maskF, g.ints('axis1_scalar', [], [1])]);
  const headScore = g.op('Mul', [g.op('Mul', [g.op('Gather', [headFlags, ids], { axis: 0 }), maskF]), positions]);
  const headIndex = g.op('ArgMax', [headScore], { axis: 1, keepdims: 1 });
  const headId = g.op('GatherElements', [ids, headIndex], { axis: 1 });
  const headRow = g.op('Mul', [g.op('ReduceSum', [headRows(headId), axis1], { keepdims: 0 }), hasTokens]);
  // Mean over the tokens and the head row, then the linear layer.
  const count = g.op('Max', [tokens, oneF]);
  const mean = g.op('Div', [g.op('Add', [g.op('Add', [sumTok, sumPairs]), headRow]), g.op('Add', [count, hasTokens])]);
  const features = H
    ? g.op('Relu', [
        g.op('Add', [
          g.op('MatMul', [mean, g.floats('hidden_weights', [d, H], model.hiddenWeights)]),
          g.floats('hidden_bias', [H], model.hiddenBias),
        ]),
      ])
    : mean;
  const z = g.op('Add', [model.weights ? g.op('MatMul', [features, g.floats('weights', [H || d, C], model.weights)]) : features, bias]);
  // Texts made of words the vocabulary did not know whole get flatter logits.
  const unknownShare = g.op('Div', [
    g.op('ReduceSum', [g.op('Mul', [g.op('Gather', [unknown, ids], { axis: 0 }), maskF]), axis1], { keepdims: 1 }),
    count,
  ]);
  const scaled = g.op('Div', [z, g.op('Add', [g.op('Mul', [unknownShare, oovScale]), oneF])], {}, model.groups ? 'fine_logits' : 'logits');
  if (model.groups) {
    // Fine labels summed into their classes (bag.ts groupLogits): log(exp(z − max) · membership) + max.
    const classes = outputClasses(model);
    const membership = new Float32Array(C * classes);
    model.groups.forEach((cls, f) => {
      membership[f * classes + cls] = 1;
    });
    const max = g.op('ReduceMax', [scaled], { axes: [1], keepdims: 1 });
    const sums = g.op('MatMul', [g.op('Exp', [g.op('Sub', [scaled, max])]), g.floats('groups', [C, classes], membership)]);
    g.op('Add', [g.op('Log', [sums]), max], {}, 'logits');
  }
  g.output('logits', 'float', ['batch', outputClasses(model)]);
  return g.toBytes(docString);
}
