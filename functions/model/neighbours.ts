/**
 * Nearest labelled neighbours (issue 16): the training names as sparse TF-IDF vectors (words and adjacent word
 * pairs, hashed into buckets), kept in an inverted index. At serving, the k
 * names most similar by cosine vote for their classes (weight similarity^power), and the vote is blended into
 * the bag's calibrated probabilities. Catalogs share brands and product lines between the rows a model is
 * trained on and the rows it classifies; a neighbour that shares "Stonyfield Organic" and "Whole Milk" knows
 * the aisle better than a mean of word vectors.
 *
 * Postings hold document ids only: with binary term frequencies (names are short), a document's weight for a
 * feature is idf / |document|, so the cosine is Σ idf² over shared features / (|query| · |document|). Features
 * held by more than maxDf documents are skipped when scoring (their idf is low and their postings long), so a
 * query touches only the postings of its rarer features, never the whole index.
 */

export interface NeighbourConfig {
  /** Neighbours that vote. */
  k: number;
  /** A neighbour's vote is its cosine raised to this power. */
  power: number;
  /** Share of the blended probability that comes from the vote (chosen on the validation slice at training). */
  weight: number;
  /** Features held by more documents than this are not scored (their norm contribution stays). */
  maxDf: number;
  /** Hash buckets for features (a power of two). */
  buckets: number;
}

export const DEFAULT_NEIGHBOUR_CONFIG: NeighbourConfig = { k: 10, power: 2, weight: 0.5, maxDf: 200, buckets: 1 << 20 };

/** The saved index: labels, document norms, CSR offsets over buckets, postings; the config goes to metrics.json. */
export const NEIGHBOURS_FILE = 'neighbours.bin';
const MAGIC = 0x4e424f31; // "NBO1"

const SALT_WORD = 0x9e3779b1;
const SALT_PAIR = 0x85ebca6b;

/** Hashed feature buckets of a normalized text, deduplicated, into `out` (cleared first). */
export function featureBuckets(text: string, cfg: Pick<NeighbourConfig, 'buckets'>, out: number[]): number[] {
  out.length = 0;
  const mask = cfg.buckets - 1;
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
    out.push(word & mask);
    if (prev >= 0) out.push((Math.imul(prev ^ SALT_PAIR, 0x01000193) ^ word) & mask);
    prev = word;
    start = end;
  }
  if (out.length > 1) {
    out.sort((a, b) => a - b);
    let w = 1;
    for (let r = 1; r < out.length; r++) if (out[r] !== out[w - 1]) out[w++] = out[r];
    out.length = w;
  }
  return out;
}

// Character 3–5-grams as features too were measured on the validation slice and lost (docs/models.md).

export class NeighbourIndex {
  /** idf² per bucket (0 for buckets no document holds). */
  private readonly idf2: Float32Array;
  /** idf² a feature no document holds contributes to a query's norm. */
  private readonly unseenIdf2: number;
  private readonly scores: Float32Array;
  private readonly touched: Int32Array;
  private readonly features: number[] = [];
  private readonly topDocs: Int32Array;
  private readonly topSims: Float64Array;

  private constructor(
    readonly config: NeighbourConfig,
    readonly classes: number,
    /** Class index per document. */
    private readonly labels: Uint16Array,
    /** 1 / |document| per document. */
    private readonly invNorms: Float32Array,
    private readonly offsets: Uint32Array,
    private readonly postings: Uint32Array,
  ) {
    const docs = labels.length;
    this.idf2 = new Float32Array(config.buckets);
    for (let b = 0; b < config.buckets; b++) {
      const df = offsets[b + 1] - offsets[b];
      if (df) this.idf2[b] = idfSquared(docs, df);
    }
    this.unseenIdf2 = idfSquared(docs, 1);
    this.scores = new Float32Array(docs);
    this.touched = new Int32Array(docs);
    this.topDocs = new Int32Array(config.k);
    this.topSims = new Float64Array(config.k);
  }

  get documents(): number {
    return this.labels.length;
  }

  /** Builds the index over normalized texts and their class indexes. */
  static build(texts: string[], labels: ArrayLike<number>, classes: number, config: NeighbourConfig): NeighbourIndex {
    if (config.buckets & (config.buckets - 1)) throw new Error(`neighbour buckets ${config.buckets} is not a power of two`);
    const docs = texts.length;
    const counts = new Uint32Array(config.buckets + 1);
    const perDoc: Uint32Array[] = [];
    const scratch: number[] = [];
    for (const text of texts) {
      const f = Uint32Array.from(featureBuckets(text, config, scratch));
      perDoc.push(f);
      for (const b of f) counts[b + 1]++;
    }
    const offsets = new Uint32Array(config.buckets + 1);
    for (let b = 0; b < config.buckets; b++) offsets[b + 1] = offsets[b] + counts[b + 1];
    const postings = new Uint32Array(offsets[config.buckets]);
    const fill = offsets.slice(0, config.buckets);
    perDoc.forEach((f, d) => {
      for (const b of f) postings[fill[b]++] = d;
    });
    const invNorms = new Float32Array(docs);
    perDoc.forEach((f, d) => {
      let sum = 0;
      for (const b of f) sum += idfSquared(docs, offsets[b + 1] - offsets[b]);
      invNorms[d] = sum > 0 ? 1 / Math.sqrt(sum) : 0;
    });
    return new NeighbourIndex(config, classes, Uint16Array.from(labels), invNorms, offsets, postings);
  }

  /** The binary file (little-endian): magic, documents, classes, buckets, postings count, then the arrays. */
  toBuffer(): Buffer {
    const header = new Uint32Array([MAGIC, this.labels.length, this.classes, this.config.buckets, this.postings.length]);
    const labels = Buffer.from(this.labels.buffer, this.labels.byteOffset, this.labels.byteLength);
    const pad = Buffer.alloc(labels.length % 4);
    return Buffer.concat([
      Buffer.from(header.buffer),
      labels,
      pad,
      Buffer.from(this.invNorms.buffer, this.invNorms.byteOffset, this.invNorms.byteLength),
      Buffer.from(this.offsets.buffer, this.offsets.byteOffset, this.offsets.byteLength),
      Buffer.from(this.postings.buffer, this.postings.byteOffset, this.postings.byteLength),
    ]);
  }

  /** Reads toBuffer()'s bytes; the config comes from metrics.json, and must name the buckets the file was built with. */
  static fromBuffer(bytes: Uint8Array, config: NeighbourConfig): NeighbourIndex {
    // A copy on a 4-byte boundary, so the typed arrays can view it.
    const buf = new Uint8Array(bytes).buffer;
    if (buf.byteLength < 20) throw new Error('neighbour index is truncated');
    const [magic, docs, classes, buckets, nnz] = new Uint32Array(buf, 0, 5);
    if (magic !== MAGIC) throw new Error('not a neighbour index file');
    if (buckets !== config.buckets) throw new Error(`neighbour index has ${buckets} buckets, metrics.json says ${config.buckets}`);
    const labelBytes = docs * 2 + ((docs * 2) % 4);
    if (buf.byteLength !== 20 + labelBytes + docs * 4 + (buckets + 1) * 4 + nnz * 4) throw new Error('neighbour index is truncated or corrupt');
    let at = 20;
    const labels = new Uint16Array(buf, at, docs);
    at += labelBytes;
    const invNorms = new Float32Array(buf, at, docs);
    at += docs * 4;
    const offsets = new Uint32Array(buf, at, buckets + 1);
    at += (buckets + 1) * 4;
    const postings = new Uint32Array(buf, at, nnz);
    if (offsets[buckets] !== nnz) throw new Error('neighbour index is truncated or corrupt');
    return new NeighbourIndex(config, classes, labels, invNorms, offsets, postings);
  }

  /**
   * The cosine of the nearest of the first `userDocs` documents (a trained model's own user names, indexed before the
   * starter's) among the k nearest; -1 when none of them is there. The starter gate's distance (encoder.ts, starter-gate.ts).
   */
  nearestUserCosine(text: string, userDocs: number, docs: Int32Array, sims: Float64Array): number {
    const found = this.nearest(text, this.config.k, docs, sims);
    let user = 0;
    while (user < found && docs[user] >= userDocs) user++;
    return user === found ? -1 : sims[user];
  }

  /**
   * The k documents most similar to a normalized text by cosine, most similar first, into `docs` / `sims`
   * (length ≥ k); returns how many were found (0 when no document shares a scored feature).
   */
  nearest(text: string, k: number, docs: Int32Array, sims: Float64Array): number {
    const features = featureBuckets(text, this.config, this.features);
    const { idf2, offsets, postings, scores, touched } = this;
    const maxDf = this.config.maxDf;
    let touchedCount = 0;
    let qNorm = 0;
    for (const b of features) {
      const w = idf2[b];
      if (w === 0) {
        qNorm += this.unseenIdf2;
        continue;
      }
      qNorm += w;
      const from = offsets[b];
      const to = offsets[b + 1];
      if (to - from > maxDf) continue;
      for (let p = from; p < to; p++) {
        const d = postings[p];
        if (scores[d] === 0) touched[touchedCount++] = d;
        scores[d] += w;
      }
    }
    // Top k: a small sorted insertion (k is ~10); the scores are reset on the way.
    let found = 0;
    const invQ = 1 / Math.sqrt(qNorm);
    for (let t = 0; t < touchedCount; t++) {
      const d = touched[t];
      const sim = scores[d] * this.invNorms[d] * invQ;
      scores[d] = 0;
      if (found === k && sim <= sims[k - 1]) continue;
      let j = found < k ? found++ : k - 1;
      while (j > 0 && sims[j - 1] < sim) {
        sims[j] = sims[j - 1];
        docs[j] = docs[j - 1];
        j--;
      }
      sims[j] = sim;
      docs[j] = d;
    }
    return found;
  }

  /** Class index of a document. */
  label(doc: number): number {
    return this.labels[doc];
  }

  /**
   * The neighbours' vote for a normalized text into `out` (length classes, sums to 1); false when there are none.
   * `nearest`, when given, receives the closest name's cosine and class (0 and -1 when none).
   */
  vote(text: string, out: Float64Array, nearest?: { cosine: number; classIndex: number }): boolean {
    const { k, power } = this.config;
    const found = this.nearest(text, k, this.topDocs, this.topSims);
    for (let j = 0; j < found; j++) this.topDocs[j] = this.labels[this.topDocs[j]];
    if (nearest) {
      nearest.cosine = found ? this.topSims[0] : 0;
      nearest.classIndex = found ? this.topDocs[0] : -1;
    }
    return voteInto(this.topDocs, this.topSims, found, power, out);
  }

  /**
   * Blends the vote into `probs` (the bag's calibrated probabilities for one text, summing to 1) in place:
   * (1 − weight) · probs + weight · vote. A text no document resembles keeps the bag's probabilities.
   */
  blendInto(text: string, probs: { [i: number]: number; length: number }, scratch: Float64Array, weight = this.config.weight): void {
    if (!this.vote(text, scratch)) return;
    for (let c = 0; c < probs.length; c++) probs[c] = (1 - weight) * probs[c] + weight * scratch[c];
  }
}

/** A similarity-weighted vote (cosine^power) of `found` neighbours' classes into `out`; false when it is empty. */
export function voteInto(labels: ArrayLike<number>, sims: ArrayLike<number>, found: number, power: number, out: Float64Array): boolean {
  out.fill(0);
  let sum = 0;
  for (let j = 0; j < found; j++) {
    const v = sims[j] ** power;
    out[labels[j]] += v;
    sum += v;
  }
  if (!(sum > 0)) return false;
  for (let c = 0; c < out.length; c++) out[c] /= sum;
  return true;
}

function idfSquared(docs: number, df: number): number {
  const idf = Math.log((1 + docs) / (1 + df)) + 1;
  return idf * idf;
}

/** What training records of the neighbour component (metrics.json `neighbours`): serving reads `config`. */
export interface NeighbourMetrics {
  config: NeighbourConfig;
  file: string;
  documents: number;
  bytes: number;
  /** Leaf macro-F1 of the top class on the validation slice: the bag alone, and blended at the chosen config. */
  validation: { bagMacroF1: number; blendedMacroF1: number };
}

/** The grid searched on the validation slice. */
const GRID = { k: [5, 10, 20, 40], power: [1, 2, 4], weight: [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8] };

/**
 * Builds the index over the training rows and chooses k, power and the blend weight on the validation slice
 * by leaf macro-F1 of the top class (ties: the smaller weight, then the smaller k); returns the index with the
 * chosen config, the validation probabilities blended in place, and the figures.
 */
export function fitNeighbours(
  train: { texts: string[]; labels: ArrayLike<number> },
  valid: { texts: string[]; labels: ArrayLike<number>; probs: Float64Array[] },
  classes: number,
  base: Partial<NeighbourConfig> = {},
): { index: NeighbourIndex; validation: NeighbourMetrics['validation'] } {
  const maxK = Math.max(...GRID.k);
  const cfg: NeighbourConfig = { ...DEFAULT_NEIGHBOUR_CONFIG, ...base };
  const probe = NeighbourIndex.build(train.texts, train.labels, classes, cfg);
  const near = valid.texts.map((text) => {
    const docs = new Int32Array(maxK);
    const sims = new Float64Array(maxK);
    const found = probe.nearest(text, maxK, docs, sims);
    return { labels: Int32Array.from(docs.subarray(0, found), (d) => probe.label(d)), sims };
  });
  const vote = new Float64Array(classes);
  const blended = new Float64Array(classes);
  const evaluate = (k: number, power: number, weight: number) => {
    const predicted = valid.probs.map((probs, i) => {
      const n = near[i];
      const has = weight > 0 && voteInto(n.labels, n.sims, Math.min(k, n.labels.length), power, vote);
      for (let c = 0; c < classes; c++) blended[c] = has ? (1 - weight) * probs[c] + weight * vote[c] : probs[c];
      return argmax(blended);
    });
    return macroF1(valid.labels, predicted, classes);
  };
  const bagMacroF1 = evaluate(cfg.k, cfg.power, 0);
  let best = { k: cfg.k, power: cfg.power, weight: 0, f1: bagMacroF1 };
  for (const weight of GRID.weight.slice(1))
    for (const k of GRID.k)
      for (const power of GRID.power) {
        const f1 = evaluate(k, power, weight);
        if (f1 > best.f1 + 1e-9) best = { k, power, weight, f1 };
      }
  const chosen: NeighbourConfig = { ...cfg, k: best.k, power: best.power, weight: best.weight };
  // The same postings under the chosen config (k, power and weight only change how they are read).
  const index = NeighbourIndex.fromBuffer(probe.toBuffer(), chosen);
  const scratch = new Float64Array(classes);
  valid.texts.forEach((text, i) => index.blendInto(text, valid.probs[i], scratch));
  return { index, validation: { bagMacroF1, blendedMacroF1: best.f1 } };
}

export function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let c = 1; c < values.length; c++) if (values[c] > values[best]) best = c;
  return best;
}

/** Macro-F1 over the classes present in the gold labels (as metrics.ts scores a level). */
export function macroF1(gold: ArrayLike<number>, predicted: number[], classes: number): number {
  const tp = new Float64Array(classes);
  const goldCount = new Float64Array(classes);
  const predCount = new Float64Array(classes);
  for (let i = 0; i < predicted.length; i++) {
    goldCount[gold[i]]++;
    predCount[predicted[i]]++;
    if (gold[i] === predicted[i]) tp[gold[i]]++;
  }
  let sum = 0;
  let n = 0;
  for (let c = 0; c < classes; c++) {
    if (!goldCount[c]) continue;
    n++;
    const precision = predCount[c] ? tp[c] / predCount[c] : 0;
    const recall = tp[c] / goldCount[c];
    if (precision + recall) sum += (2 * precision * recall) / (precision + recall);
  }
  return n ? sum / n : 0;
}
