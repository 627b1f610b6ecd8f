/**
 * A sparse linear classifier over hashed TF-IDF features (issue 16): word 1–2-grams and character 2–5-grams inside
 * word boundaries (scikit-learn's `char_wb`), sublinear term frequency, smoothed idf, each block l2-normalized — the
 * features of the dataset README's reference (TF-IDF + LinearSVC) — and one-vs-rest L2-regularized squared-hinge SVMs
 * trained by dual coordinate descent, as liblinear's default solver does (Hsieh et al., 2008). Its decision values,
 * divided by a temperature fitted on the validation slice, are soft-maxed, summed into the classes (when trained on
 * finer labels) and blended into the bag's probabilities with a weight chosen on the validation slice (train.ts).
 * A third voter of another family than the embedding bag and the neighbours' vote.
 */
import { seededRandom } from '../core/random.ts';
import { floatToHalf, halfToFloat } from './bag-onnx.ts';

export interface LinearConfig {
  /** Hashed feature buckets (a power of two). */
  buckets: number;
  /** The SVM's C (liblinear's default 1). */
  c: number;
  /** Coordinate-descent passes at most (liblinear stops earlier when the projected gradient is within `tolerance`). */
  epochs: number;
  tolerance: number;
  /** Separate the fine labels (summed into the classes) when the rows have them; false (default): the classes. */
  fine: boolean;
}

/**
 * The classes, not the fine labels: on Instacart the 131 aisles (2^17 buckets; 2^18 scored the same alone) lifted the
 * validation slice's macro-F1 a little more (0.8952 against 0.8935 with the vote) but lowered the learned confidence's
 * coverage (73.0 % against 74.8 %), at five times the file (38 MB) and half the speed (docs/models.md).
 */
export const DEFAULT_LINEAR_CONFIG: LinearConfig = { buckets: 1 << 18, c: 1, epochs: 20, tolerance: 0.1, fine: false };

/** The saved model; its temperature and blend weight go to metrics.json `linear`. */
export const LINEAR_FILE = 'linear.bin';
const MAGIC = 0x4c494e31; // "LIN1"

const SALT_WORD = 0x811c9dc5;
const SALT_PAIR = 0x27d4eb2f;
const SALT_CHAR = 0x165667b1;

/** A text's features: bucket and value, the two blocks (words, characters) each of unit length. */
export interface SparseRow {
  index: Int32Array;
  value: Float32Array;
}

/**
 * Hashed bucket ids of each block, with repeats (term counts): words and adjacent word pairs; character 2–5-grams of
 * each word padded with a space on both sides.
 */
function hashedTerms(text: string, mask: number, words: number[], chars: number[]): void {
  words.length = 0;
  chars.length = 0;
  let prev = -1;
  let start = 0;
  const len = text.length;
  while (start < len) {
    while (start < len && text.charCodeAt(start) === 32) start++;
    if (start >= len) break;
    let end = start;
    while (end < len && text.charCodeAt(end) !== 32) end++;
    let h = SALT_WORD;
    for (let i = start; i < end; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
    const word = h >>> 0;
    words.push(word & mask);
    if (prev >= 0) words.push(((Math.imul(prev ^ SALT_PAIR, 0x01000193) ^ word) >>> 0) & mask);
    prev = word;
    // The padded word is positions start-1 … end (a space at each end); its n-grams for n 2–5.
    const padded = end - start + 2;
    for (let n = 2; n <= 5; n++) {
      for (let p = 0; p + n <= padded; p++) {
        let g = Math.imul(SALT_CHAR ^ n, 0x01000193);
        for (let q = p; q < p + n; q++) {
          const at = start - 1 + q;
          g = Math.imul(g ^ (at < start || at >= end ? 32 : text.charCodeAt(at)), 0x01000193);
        }
        chars.push((g >>> 0) & mask);
      }
      if (padded < n) break;
    }
    start = end;
  }
}

/** Sorted distinct buckets of `terms` and their counts, appended to `buckets`/`counts`. */
function countTerms(terms: number[], buckets: number[], counts: number[]): void {
  // A typed array sorts numerically without a comparator call per step (featurizing ran 1.4× faster).
  const sorted = Int32Array.from(terms).sort();
  for (let i = 0; i < sorted.length; i++) {
    if (i && sorted[i] === sorted[i - 1]) counts[counts.length - 1]++;
    else {
      buckets.push(sorted[i]);
      counts.push(1);
    }
  }
}

/** Reusable scratch for featurizing one text at a time. */
export class Featurizer {
  private readonly words: number[] = [];
  private readonly chars: number[] = [];
  private readonly buckets: number[] = [];
  private readonly counts: number[] = [];

  constructor(
    private readonly mask: number,
    /** Per bucket; a bucket no training text held weighs as a term of document frequency 1. */
    private readonly idf: Float32Array | null,
  ) {}

  /** The distinct buckets of each block (for document frequencies). */
  distinct(text: string, out: Set<number>): void {
    out.clear();
    hashedTerms(text, this.mask, this.words, this.chars);
    for (const b of this.words) out.add(b);
    for (const b of this.chars) out.add(b);
  }

  row(text: string): SparseRow {
    hashedTerms(text, this.mask, this.words, this.chars);
    this.buckets.length = 0;
    this.counts.length = 0;
    countTerms(this.words, this.buckets, this.counts);
    const split = this.buckets.length;
    countTerms(this.chars, this.buckets, this.counts);
    const index = Int32Array.from(this.buckets);
    const value = new Float32Array(index.length);
    for (const [from, to] of [
      [0, split],
      [split, index.length],
    ]) {
      let norm = 0;
      for (let j = from; j < to; j++) {
        const v = (1 + Math.log(this.counts[j])) * (this.idf ? this.idf[index[j]] : 1);
        value[j] = v;
        norm += v * v;
      }
      const inv = norm > 0 ? 1 / Math.sqrt(norm) : 0;
      for (let j = from; j < to; j++) value[j] *= inv;
    }
    return { index, value };
  }
}

export class LinearModel {
  private readonly featurizer: Featurizer;
  private readonly scores: Float64Array;

  constructor(
    readonly buckets: number,
    /** Output class (0 … classes-1) of each label the SVMs separate (fine labels summed into classes). */
    readonly groups: Int32Array,
    readonly classes: number,
    readonly idf: Float32Array,
    /** Bucket-major: weights[b * labels + k]. */
    readonly weights: Float32Array,
    readonly bias: Float32Array,
    /** Decision values are divided by it before the softmax. */
    public temperature = 1,
  ) {
    this.featurizer = new Featurizer(buckets - 1, idf);
    this.scores = new Float64Array(groups.length);
  }

  get labels(): number {
    return this.groups.length;
  }

  /** The decision value of each label for a normalized text, into `out`. */
  decisionValues(text: string, out: Float64Array = this.scores): Float64Array {
    const K = this.groups.length;
    for (let k = 0; k < K; k++) out[k] = this.bias[k];
    const { index, value } = this.featurizer.row(text);
    const W = this.weights;
    for (let j = 0; j < index.length; j++) {
      const base = index[j] * K;
      const v = value[j];
      for (let k = 0; k < K; k++) out[k] += v * W[base + k];
    }
    return out;
  }

  /** Class probabilities of a normalized text into `out` (length classes): softmax of the decision values at the temperature, summed per class. */
  probabilitiesInto(text: string, out: { [c: number]: number; length: number }, temperature = this.temperature): void {
    probabilitiesOf(this.decisionValues(text), this.groups, temperature, out);
  }

  /** `probs` ← (1 − weight) · probs + weight · this model's probabilities. */
  blendInto(text: string, probs: { [c: number]: number; length: number }, weight: number, scratch: Float64Array): void {
    this.probabilitiesInto(text, scratch);
    for (let c = 0; c < probs.length; c++) probs[c] = (1 - weight) * probs[c] + weight * scratch[c];
  }

  /** The binary file (little-endian): magic, buckets, labels, classes, then groups, bias, idf and the weights as float16. */
  toBuffer(): Buffer {
    const K = this.groups.length;
    const header = new Uint32Array([MAGIC, this.buckets, K, this.classes]);
    const half = new Uint16Array(this.weights.length);
    for (let i = 0; i < half.length; i++) half[i] = floatToHalf(this.weights[i]);
    return Buffer.concat([header, this.groups, this.bias, this.idf, half].map((a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength)));
  }

  /** Rounds the weights to float16, as the file stores them: calibrate on the model as it will be served. */
  roundToHalf(): void {
    for (let i = 0; i < this.weights.length; i++) this.weights[i] = halfToFloat(floatToHalf(this.weights[i]));
  }

  static fromBuffer(bytes: Buffer, temperature: number): LinearModel {
    const u32 = (at: number) => bytes.readUInt32LE(at);
    if (bytes.length < 16 || u32(0) !== MAGIC) throw new Error('not a linear model file');
    const [buckets, K, classes] = [u32(4), u32(8), u32(12)];
    const expected = 16 + K * 8 + buckets * 4 + buckets * K * 2;
    if (bytes.length !== expected) throw new Error(`linear model file is ${bytes.length} bytes, expected ${expected}`);
    // Copied out: the Buffer's offset need not be aligned for typed-array views.
    const copy = new Uint8Array(bytes.subarray(16));
    const groups = new Int32Array(copy.buffer, 0, K);
    const bias = new Float32Array(copy.buffer, K * 4, K);
    const idf = new Float32Array(copy.buffer, K * 8, buckets);
    const half = new Uint16Array(copy.buffer, K * 8 + buckets * 4, buckets * K);
    const weights = Float32Array.from(half, halfToFloat);
    return new LinearModel(buckets, groups, classes, idf, weights, bias, temperature);
  }
}

/** Softmax of `values` / temperature, summed per class into `out`. */
function probabilitiesOf(values: Float64Array, groups: Int32Array, temperature: number, out: { [c: number]: number; length: number }): void {
  let max = -Infinity;
  for (let k = 0; k < values.length; k++) max = Math.max(max, values[k]);
  for (let c = 0; c < out.length; c++) out[c] = 0;
  let sum = 0;
  for (let k = 0; k < values.length; k++) {
    const e = Math.exp((values[k] - max) / temperature);
    out[groups[k]] += e;
    sum += e;
  }
  for (let c = 0; c < out.length; c++) out[c] /= sum;
}

/**
 * Trains one SVM per label (labels[i] in 0 … groups.length-1) over the texts' TF-IDF rows. The bias is a feature of
 * value 1, as liblinear's `-B 1`. Seeded: the same rows and seed give the same weights.
 */
export function trainLinear(
  texts: string[],
  labels: ArrayLike<number>,
  groups: Int32Array,
  classes: number,
  config: Partial<LinearConfig> = {},
  seed = 42,
  onProgress: (msg: string) => void = () => {},
): LinearModel {
  const cfg = { ...DEFAULT_LINEAR_CONFIG, ...config };
  const B = cfg.buckets;
  if (B & (B - 1)) throw new Error(`linear buckets ${B} is not a power of two`);
  const K = groups.length;
  const n = texts.length;
  // Smoothed idf, as scikit-learn's TfidfVectorizer: ln((1 + n) / (1 + df)) + 1.
  const df = new Uint32Array(B);
  const plain = new Featurizer(B - 1, null);
  const seen = new Set<number>();
  for (const text of texts) {
    plain.distinct(text, seen);
    for (const b of seen) df[b]++;
  }
  const idf = Float32Array.from(df, (d) => Math.log((1 + n) / (1 + Math.max(d, 1))) + 1);
  const featurizer = new Featurizer(B - 1, idf);
  const rows = texts.map((t) => featurizer.row(t));
  // Q_ii = x_i·x_i (with the bias feature) + 1/(2C): the squared hinge's diagonal.
  const qd = Float64Array.from(rows, (r) => r.value.reduce((s, v) => s + v * v, 1) + 0.5 / cfg.c);
  const weights = new Float32Array(B * K);
  const bias = new Float32Array(K);
  const w = new Float64Array(B);
  const alpha = new Float64Array(n);
  const order = Int32Array.from({ length: n }, (_, i) => i);
  const random = seededRandom(seed ^ 0x11ea);
  for (let k = 0; k < K; k++) {
    w.fill(0);
    alpha.fill(0);
    let b = 0;
    let epoch = 0;
    for (; epoch < cfg.epochs; epoch++) {
      for (let i = n - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        const t = order[i];
        order[i] = order[j];
        order[j] = t;
      }
      let maxViolation = 0;
      for (let s = 0; s < n; s++) {
        const i = order[s];
        const y = labels[i] === k ? 1 : -1;
        const { index, value } = rows[i];
        let dot = b;
        for (let j = 0; j < index.length; j++) dot += w[index[j]] * value[j];
        const g = y * dot - 1 + (0.5 / cfg.c) * alpha[i];
        const pg = alpha[i] === 0 ? Math.min(g, 0) : g;
        maxViolation = Math.max(maxViolation, Math.abs(pg));
        if (Math.abs(pg) < 1e-12) continue;
        const before = alpha[i];
        alpha[i] = Math.max(before - g / qd[i], 0);
        const d = (alpha[i] - before) * y;
        if (d === 0) continue;
        for (let j = 0; j < index.length; j++) w[index[j]] += d * value[j];
        b += d;
      }
      if (maxViolation < cfg.tolerance) break;
    }
    for (let f = 0; f < B; f++) weights[f * K + k] = w[f];
    bias[k] = b;
    if ((k + 1) % 16 === 0 || k + 1 === K) onProgress(`linear: ${k + 1}/${K} labels (last took ${epoch + 1} passes)`);
  }
  return new LinearModel(B, groups, classes, idf, weights, bias);
}

/** The temperature minimizing the validation NLL of the class probabilities (a log grid, refined once around the best). */
export function fitLinearTemperature(values: Float64Array[], groups: Int32Array, classes: number, labels: ArrayLike<number>): number {
  const probs = new Float64Array(classes);
  const nll = (t: number) => {
    let sum = 0;
    values.forEach((v, i) => {
      probabilitiesOf(v, groups, t, probs);
      sum -= Math.log(probs[labels[i]] + 1e-12);
    });
    return sum / values.length;
  };
  const grid = (from: number, to: number, steps: number) =>
    Array.from({ length: steps + 1 }, (_, s) => Math.exp(Math.log(from) + ((Math.log(to) - Math.log(from)) * s) / steps));
  let best = { t: 1, nll: Infinity };
  for (const t of grid(0.01, 10, 30)) {
    const v = nll(t);
    if (v < best.nll) best = { t, nll: v };
  }
  for (const t of grid(best.t / 1.3, best.t * 1.3, 12)) {
    const v = nll(t);
    if (v < best.nll) best = { t, nll: v };
  }
  return best.t;
}

/** Class probabilities of precomputed decision values. */
export function linearProbabilities(values: Float64Array, groups: Int32Array, temperature: number, out: Float64Array): Float64Array {
  probabilitiesOf(values, groups, temperature, out);
  return out;
}
