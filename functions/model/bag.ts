/**
 * The project's own text classifier: a fastText-style embedding bag.
 *
 * A text is the mean of the embedding rows of its tokens and of hashed pairs of adjacent tokens; a linear layer
 * turns that vector into class logits. During training each token's row is its own row plus the rows of its
 * character n-grams (hashed), so tokens that share spelling share evidence ("chocolate", "##chocolat", "choc").
 * Because n-grams are a fixed function of the token, they are folded into one row per token after training:
 * the exported graph only gathers one row per token and one per token pair.
 *
 * Logits are divided by (1 + oovScale · share), where share is the fraction of a text's tokens that are
 * continuation pieces or [UNK] — words the vocabulary did not know whole. Texts made of unseen words get
 * flatter probabilities, so they fall under the thresholds and are deferred instead of decided.
 */
import { seededRandom } from '../core/random.ts';

/** Multiplier of the token-pair hash; pairs of ids below 2^20 stay exact in float64 and int64. */
export const PAIR_HASH_MULTIPLIER = 2_654_435_761;

export const DEFAULT_BAG_CONFIG = {
  /** Embedding width. */
  dim: 48,
  /** Width of a ReLU hidden layer between the bag and the logits; 0 for none (fastText's linear head). */
  hidden: 0,
  /** Hash buckets for character n-grams of tokens (training only; folded into token rows). */
  ngramBuckets: 400_000,
  /** Hash buckets for adjacent token pairs. */
  pairBuckets: 120_000,
  minN: 3,
  maxN: 5,
  epochs: 20,
  /** Initial SGD learning rate, decayed linearly to 0. */
  lr: 0.05,
  /** Most tokens per text. */
  maxTokens: 64,
  /** Linear models trained with different seeds and averaged (one model at serving time). */
  ensemble: 1,
  /** Probability of leaving a token out of a training example (regularization). */
  dropout: 0.2,
  /**
   * Add the text's vector from the static word table (functions/embeddings, distilled from a sentence encoder) as a
   * frozen input to a linear branch of the logits, so words the catalog never showed still carry general knowledge;
   * the unit vector is scaled by this (0: no branch).
   */
  staticFeatures: 0,
};
export type BagConfig = typeof DEFAULT_BAG_CONFIG;

/** A trained (folded) bag model: exactly what the ONNX graph computes. */
export interface BagModel {
  vocabSize: number;
  dim: number;
  classes: number;
  pairBuckets: number;
  /** [vocabSize, dim] token rows with their n-gram rows folded in. */
  tokenRows: Float32Array;
  /** [pairBuckets, dim] */
  pairRows: Float32Array;
  /** [vocabSize, dim] rows for the head token of a text (see headIndex). */
  headRows: Float32Array;
  /** [vocabSize] 1 for tokens that can be a head: word starts that are not quantities ("milk", not "12oz" or "##s"). */
  headFlags: Float32Array;
  /** Hidden layer width (0: none). */
  hidden: number;
  /** [dim, hidden] */
  hiddenWeights: Float32Array;
  /** [hidden] */
  hiddenBias: Float32Array;
  /** [hidden || dim, classes]; null when the rows already are class scores (a folded linear head). */
  weights: Float32Array | null;
  /** [classes] */
  bias: Float32Array;
  /** [vocabSize] 1 for tokens that are not whole known words (continuation pieces, [UNK]). */
  unknownFlags: Float32Array;
  /** Logits are divided by (1 + oovScale · share of unknown tokens). */
  oovScale: number;
  /** [featureDim, classes] weights of the frozen static-feature branch; null without one. */
  featureWeights: Float32Array | null;
  /**
   * Output class of each logit when the bag was trained on finer labels (a retailer's aisles): a class's output logit
   * is the log of the summed exponentials of its fine logits, so its probability is the sum of theirs (groupLogits);
   * null when the logits are the classes.
   */
  groups: Int32Array | null;
}

/** FNV-1a over UTF-16 code units: n-gram buckets here, and the stable hash behind held-out splits. */
export function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export function pairBucket(a: number, b: number, buckets: number): number {
  return (a * PAIR_HASH_MULTIPLIER + b) % buckets;
}

/** Hashed character n-gram buckets of each vocabulary token ("<" marks a word start; specials have none). */
export function tokenNgrams(tokens: string[], cfg: Pick<BagConfig, 'minN' | 'maxN' | 'ngramBuckets'>, prefix = '##'): Int32Array[] {
  return tokens.map((token) => {
    if (!token || /^\[[A-Z]+\]$/.test(token)) return new Int32Array(0);
    const body = token.startsWith(prefix) ? token.slice(prefix.length) : `<${token}`;
    const out: number[] = [];
    for (let n = cfg.minN; n <= cfg.maxN; n++) {
      for (let i = 0; i + n <= body.length; i++) {
        const gram = body.slice(i, i + n);
        if (gram === body && !token.startsWith(prefix)) continue;
        out.push(fnv1a(gram) % cfg.ngramBuckets);
      }
    }
    return Int32Array.from(out);
  });
}

export interface BagTrainInput {
  /** Token ids per text (already truncated to maxTokens). */
  ids: Int32Array[];
  /** Class index per text. */
  labels: Int32Array;
  /** Weight of each text in the loss (default 1): the starter catalog's rows keep general knowledge at a weight. */
  weights?: Float32Array;
  classes: number;
  /** Token strings by id. */
  tokens: string[];
  unknownFlags: Float32Array;
  headFlags: Float32Array;
  /** Frozen feature vector per text (staticFeatures), all of one length. */
  features?: Float32Array[];
}

/**
 * Trains the bag with SGD (softmax cross-entropy), deterministic for a seed.
 * Long on purpose: one SGD loop over preallocated typed arrays, forward and backward inline, since the inner loops
 * run per token of every example; one random stream draws init, shuffle and dropout in a fixed order.
 */
export function trainBag(input: BagTrainInput, cfg: BagConfig, seed: number, onEpoch?: (epoch: number, loss: number) => void): BagModel {
  const { ids, labels, classes: C, tokens } = input;
  const V = tokens.length;
  const d = cfg.dim;
  const random = seededRandom(seed);
  const ngrams = tokenNgrams(tokens, cfg);
  const tok = new Float32Array(V * d);
  const ng = new Float32Array(cfg.ngramBuckets * d);
  const pair = new Float32Array(cfg.pairBuckets * d);
  const head = new Float32Array(V * d);
  for (const a of [tok, ng, pair, head]) for (let i = 0; i < a.length; i++) a[i] = (random() * 2 - 1) / d;
  const H = cfg.hidden;
  const A = H || d;
  const U = new Float32Array(d * H);
  for (let i = 0; i < U.length; i++) U[i] = (random() * 2 - 1) * Math.sqrt(6 / (d + H));
  const hb = new Float32Array(H);
  const hid = new Float32Array(H);
  const gHid = new Float32Array(H);
  const W = new Float32Array(A * C);
  const bias = new Float32Array(C);
  const F = input.features?.[0]?.length ?? 0;
  const G = F ? new Float32Array(F * C) : null;
  const h = new Float32Array(d);
  const gh = new Float32Array(d);
  const z = new Float64Array(C);
  const order = Int32Array.from({ length: ids.length }, (_, i) => i);
  const total = cfg.epochs * ids.length;
  let step = 0;
  const pairIds: number[] = [];
  const kept: number[] = [];
  const keptFlag = new Uint8Array(ids.reduce((m, seq) => Math.max(m, seq.length), 1));

  for (let epoch = 0; epoch < cfg.epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    let lossSum = 0;
    for (const ex of order) {
      const lr = cfg.lr * (1 - step / total);
      step++;
      const seq = ids[ex];
      if (!seq.length) continue;
      // Token dropout (as in deep averaging networks): each token is left out with probability `dropout`,
      // so the model does not lean on one word alone.
      kept.length = 0;
      for (let t = 0; t < seq.length; t++) keptFlag[t] = cfg.dropout > 0 && seq.length > 1 && random() < cfg.dropout ? 0 : 1;
      for (let t = 0; t < seq.length; t++) if (keptFlag[t]) kept.push(seq[t]);
      if (!kept.length) kept.push(seq[0]);
      const headId = seq[headIndex(seq, input.headFlags)];
      const useHead = cfg.dropout > 0 && random() < cfg.dropout ? 0 : 1;
      const n = kept.length + useHead;
      h.fill(0);
      pairIds.length = 0;
      if (useHead) addRow(h, head, headId * d, d);
      for (const id of kept) {
        const g = ngrams[id];
        addRow(h, tok, id * d, d);
        for (let k = 0; k < g.length; k++) addRow(h, ng, g[k] * d, d);
      }
      for (let t = 0; t + 1 < seq.length; t++) {
        if (!keptFlag[t] || !keptFlag[t + 1]) continue;
        const p = pairBucket(seq[t], seq[t + 1], cfg.pairBuckets);
        pairIds.push(p);
        addRow(h, pair, p * d, d);
      }
      const inv = 1 / n;
      for (let k = 0; k < d; k++) h[k] *= inv;
      // Hidden layer (when configured): a = relu(h·U + c); logits = a·W + b.
      const a = H ? hid : h;
      if (H) {
        for (let j = 0; j < H; j++) {
          let s = hb[j];
          for (let k = 0; k < d; k++) s += h[k] * U[k * H + j];
          hid[j] = Math.max(s, 0);
        }
      }
      let max = -Infinity;
      for (let c = 0; c < C; c++) {
        let s = bias[c];
        for (let k = 0; k < A; k++) s += a[k] * W[k * C + c];
        z[c] = s;
      }
      const f = G ? input.features![ex] : null;
      if (f && G) for (let k = 0; k < F; k++) if (f[k] !== 0) for (let c = 0; c < C; c++) z[c] += f[k] * G[k * C + c];
      for (let c = 0; c < C; c++) if (z[c] > max) max = z[c];
      let sum = 0;
      for (let c = 0; c < C; c++) {
        z[c] = Math.exp(z[c] - max);
        sum += z[c];
      }
      const y = labels[ex];
      const weight = input.weights ? input.weights[ex] : 1;
      lossSum -= weight * Math.log(z[y] / sum + 1e-12);
      // z becomes the gradient of the loss with respect to the logits, scaled by the learning rate and the text's weight.
      const rate = lr * weight;
      for (let c = 0; c < C; c++) z[c] = (z[c] / sum - (c === y ? 1 : 0)) * rate;
      const ga = H ? gHid : gh;
      for (let k = 0; k < A; k++) {
        let s = 0;
        const ak = a[k];
        for (let c = 0; c < C; c++) {
          s += W[k * C + c] * z[c];
          W[k * C + c] -= ak * z[c];
        }
        ga[k] = s;
      }
      for (let c = 0; c < C; c++) bias[c] -= z[c];
      if (f && G) for (let k = 0; k < F; k++) if (f[k] !== 0) for (let c = 0; c < C; c++) G[k * C + c] -= f[k] * z[c];
      if (H) {
        for (let j = 0; j < H; j++) if (hid[j] <= 0) gHid[j] = 0;
        for (let k = 0; k < d; k++) {
          let s = 0;
          const hk = h[k];
          for (let j = 0; j < H; j++) {
            s += U[k * H + j] * gHid[j];
            U[k * H + j] -= hk * gHid[j];
          }
          gh[k] = s;
        }
        for (let j = 0; j < H; j++) hb[j] -= gHid[j];
      }
      for (let k = 0; k < d; k++) gh[k] *= inv;
      for (const id of kept) {
        const g = ngrams[id];
        subRow(tok, id * d, gh, d);
        for (let k = 0; k < g.length; k++) subRow(ng, g[k] * d, gh, d);
      }
      for (const p of pairIds) subRow(pair, p * d, gh, d);
      if (useHead) subRow(head, headId * d, gh, d);
    }
    if (!Number.isFinite(lossSum)) throw new Error(`training diverged in epoch ${epoch + 1}: lower the learning rate (now ${cfg.lr})`);
    onEpoch?.(epoch + 1, lossSum / ids.length);
  }

  // Fold each token's n-gram rows into its own row: the graph then needs one gather per token.
  for (let id = 0; id < V; id++) {
    const g = ngrams[id];
    const row = tok.subarray(id * d, id * d + d);
    for (let k = 0; k < g.length; k++) addRow(row, ng, g[k] * d, d);
  }
  return {
    vocabSize: V,
    dim: d,
    hidden: H,
    classes: C,
    pairBuckets: cfg.pairBuckets,
    tokenRows: tok,
    pairRows: pair,
    headRows: head,
    headFlags: input.headFlags,
    hiddenWeights: U,
    hiddenBias: hb,
    weights: W,
    bias,
    unknownFlags: input.unknownFlags,
    oovScale: 0,
    featureWeights: G,
    groups: null,
  };
}

function addRow(acc: Float32Array, table: Float32Array, at: number, d: number): void {
  for (let k = 0; k < d; k++) acc[k] += table[at + k];
}

function subRow(table: Float32Array, at: number, g: Float32Array, d: number): void {
  for (let k = 0; k < d; k++) table[at + k] -= g[k];
}

/**
 * Folds a linear head into the tables: each row becomes its class scores (row · W), so serving gathers
 * `classes` numbers per token instead of `dim` and needs no matrix product. Exact up to float rounding.
 */
export function foldLinearHead(model: BagModel): BagModel {
  if (model.hidden || !model.weights) return model;
  const { dim: d, classes: C } = model;
  const W = model.weights;
  const project = (rows: Float32Array) => {
    const n = rows.length / d;
    const out = new Float32Array(n * C);
    for (let r = 0; r < n; r++) {
      for (let k = 0; k < d; k++) {
        const v = rows[r * d + k];
        if (v === 0) continue;
        for (let c = 0; c < C; c++) out[r * C + c] += v * W[k * C + c];
      }
    }
    return out;
  };
  return {
    ...model,
    dim: C,
    tokenRows: project(model.tokenRows),
    pairRows: project(model.pairRows),
    headRows: project(model.headRows),
    weights: null,
  };
}

/** Averages folded linear models over the same vocabulary: the mean of their logits is one linear model. */
export function averageModels(models: BagModel[]): BagModel {
  if (models.length === 1) return models[0];
  const mean = (pick: (m: BagModel) => Float32Array) => {
    const out = new Float32Array(pick(models[0]).length);
    for (const m of models) {
      const a = pick(m);
      for (let i = 0; i < a.length; i++) out[i] += a[i];
    }
    for (let i = 0; i < out.length; i++) out[i] /= models.length;
    return out;
  };
  if (models.some((m) => m.weights || m.hidden)) throw new Error('only folded linear models can be averaged');
  return {
    ...models[0],
    tokenRows: mean((m) => m.tokenRows),
    pairRows: mean((m) => m.pairRows),
    headRows: mean((m) => m.headRows),
    bias: mean((m) => m.bias),
    featureWeights: models[0].featureWeights && mean((m) => m.featureWeights!),
  };
}

/**
 * Position of a text's head token: the last token that can be a head (the head noun ends most product names,
 * before sizes and counts), or the first token when none can. The graph finds the same with ArgMax.
 */
export function headIndex(seq: ArrayLike<number>, headFlags: Float32Array): number {
  for (let t = seq.length - 1; t >= 0; t--) if (headFlags[seq[t]]) return t;
  return 0;
}

/** Head flags for a vocabulary: word starts that are not quantities or special tokens. */
export function headFlagsOf(tokens: string[], prefix = '##'): Float32Array {
  return Float32Array.from(tokens, (t) => (!t || t.startsWith(prefix) || /^[0-9.%]/.test(t) || /^\[[A-Z]+\]$/.test(t) ? 0 : 1));
}

/** Raw logits (before the unknown-share division) and the unknown share, for one token sequence. */
export function bagForward(model: BagModel, seq: ArrayLike<number>, out: Float32Array, features?: Float32Array): number {
  const { dim: d, classes: C } = model;
  const n = seq.length;
  const h = new Float32Array(d);
  let unknown = 0;
  for (let t = 0; t < n; t++) {
    const id = seq[t];
    addRow(h, model.tokenRows, id * d, d);
    unknown += model.unknownFlags[id];
    if (t + 1 < n) addRow(h, model.pairRows, pairBucket(id, seq[t + 1], model.pairBuckets) * d, d);
  }
  if (n) addRow(h, model.headRows, seq[headIndex(seq, model.headFlags)] * d, d);
  // The mean is over the tokens and the head row; the unknown share over the tokens alone.
  const inv = n ? 1 / (n + 1) : 1;
  for (let k = 0; k < d; k++) h[k] *= inv;
  const H = model.hidden;
  let a = h;
  if (H) {
    a = new Float32Array(H);
    for (let j = 0; j < H; j++) {
      let s = 0;
      for (let k = 0; k < d; k++) s += h[k] * model.hiddenWeights[k * H + j];
      s += model.hiddenBias[j];
      a[j] = Math.max(s, 0);
    }
  }
  const W = model.weights;
  for (let c = 0; c < C; c++) {
    let s = 0;
    if (W) for (let k = 0; k < a.length; k++) s += a[k] * W[k * C + c];
    else s = a[c];
    out[c] = s + model.bias[c];
  }
  const G = model.featureWeights;
  if (G && features) for (let k = 0; k < features.length; k++) for (let c = 0; c < C; c++) out[c] += features[k] * G[k * C + c];
  return unknown / Math.max(n, 1);
}

/** Logits as the exported graph computes them. */
export function bagLogits(model: BagModel, seq: ArrayLike<number>, features?: Float32Array): Float32Array {
  const out = new Float32Array(model.classes);
  const share = bagForward(model, seq, out, features);
  const div = 1 + model.oovScale * share;
  for (let c = 0; c < out.length; c++) out[c] /= div;
  return groupLogits(model.groups, out);
}

/** Number of output classes: the groups' when the logits are fine labels. */
export function outputClasses(model: Pick<BagModel, 'classes' | 'groups'>): number {
  return model.groups ? Math.max(...model.groups) + 1 : model.classes;
}

/**
 * Fine logits → class logits: log Σ exp over each class's fine logits (shifted by the row's maximum, as the graph
 * does), so that the softmax of the result is the fine softmax summed per class. Without groups, the logits as given.
 */
export function groupLogits(groups: Int32Array | null, logits: Float32Array): Float32Array {
  if (!groups) return logits;
  let max = -Infinity;
  for (const v of logits) if (v > max) max = v;
  const sums = new Float64Array(Math.max(...groups) + 1);
  for (let f = 0; f < logits.length; f++) sums[groups[f]] += Math.exp(logits[f] - max);
  return Float32Array.from(sums, (s) => Math.log(s) + max);
}
