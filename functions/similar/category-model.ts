/**
 * A retailer's own filing, learned from its labelled items. The static table knows what words mean, not which
 * aisle a retailer files them in ("frozen pizza" and "pizza sauce" share a meaning; they share no aisle): a
 * multinomial logistic regression from a name to its category, fitted on the catalog's labelled items, gives
 * each name a probability per category. Features: each word, each pair of neighbouring words and the head word
 * (exact, from the labelled names), and the name's static embedding (so a word no labelled name has still
 * counts through its meaning). Plain SGD, a fixed seed: the same items give the same model.
 */
import type { StaticEmbedder } from '../embeddings/static-embedder.ts';
import { normalize, wordsOf } from '../embeddings/static-embedder.ts';
import type { NameVectorizer } from './vectors.ts';

export interface LabelledName {
  name: string;
  category: string;
}

export interface CategoryModelOptions {
  /** Passes over the labelled items (default 6). */
  epochs?: number;
}

/** Sparse features of a name's words: the words, neighbouring pairs, the head (last) word. */
function featuresOf(words: string[]): string[] {
  const out = words.map((w) => `w:${w}`);
  for (let i = 1; i < words.length; i++) out.push(`b:${words[i - 1]} ${words[i]}`);
  if (words.length) out.push(`h:${words[words.length - 1]}`);
  return out;
}

const LEARNING_RATE = 0.5;
const FINAL_RATE = 0.02;

export class CategoryModel {
  private readonly logits: Float32Array;

  private constructor(
    readonly categories: string[],
    private readonly features: Map<string, number>,
    /** features × categories */
    private readonly sparse: Float32Array,
    /** embedding dimensions × categories */
    private readonly dense: Float32Array,
    private readonly bias: Float32Array,
    private readonly embedder: StaticEmbedder,
  ) {
    this.logits = new Float32Array(categories.length);
  }

  /** Fits the model on labelled names (at least two categories). */
  static fit(examples: LabelledName[], embedder: StaticEmbedder, options: CategoryModelOptions = {}): CategoryModel {
    const categories = [...new Set(examples.map((e) => e.category))].sort();
    if (categories.length < 2) throw new Error(`a category model needs at least two categories, not ${categories.length}`);
    const C = categories.length;
    const categoryIndex = new Map(categories.map((c, i) => [c, i]));
    const features = new Map<string, number>();
    const rows = examples.map((e) => {
      const words = wordsOf(e.name);
      const ids = featuresOf(words).map((f) => {
        let id = features.get(f);
        if (id === undefined) features.set(f, (id = features.size));
        return id;
      });
      return { ids, meaning: embedder.embedWords(words), target: categoryIndex.get(e.category)! };
    });
    const model = new CategoryModel(
      categories,
      features,
      new Float32Array(features.size * C),
      new Float32Array(embedder.dimensions * C),
      new Float32Array(C),
      embedder,
    );
    const epochs = options.epochs ?? 6;
    const order = rows.map((_, i) => i);
    let seed = 1;
    for (let epoch = 0; epoch < epochs; epoch++) {
      for (let i = order.length - 1; i > 0; i--) {
        seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
        const j = seed % (i + 1);
        [order[i], order[j]] = [order[j], order[i]];
      }
      const rate = LEARNING_RATE * (1 - epoch / epochs) + FINAL_RATE;
      for (const i of order) model.step(rows[i].ids, rows[i].meaning, rows[i].target, rate);
    }
    return model;
  }

  /** The probability of each category (in `categories` order) for a name. */
  probabilities(name: string): Float32Array {
    const words = wordsOf(name);
    const ids: number[] = [];
    for (const f of featuresOf(words)) {
      const id = this.features.get(f);
      if (id !== undefined) ids.push(id);
    }
    return Float32Array.from(this.forward(ids, this.embedder.embedWords(words)));
  }

  /** Softmax of the logits into this.logits (reused: callers copy). */
  private forward(ids: number[], meaning: Float32Array): Float32Array {
    const C = this.categories.length;
    const p = this.logits;
    p.set(this.bias);
    for (const id of ids) {
      const at = id * C;
      for (let c = 0; c < C; c++) p[c] += this.sparse[at + c];
    }
    for (let d = 0; d < meaning.length; d++) {
      const x = meaning[d];
      if (!x) continue;
      const at = d * C;
      for (let c = 0; c < C; c++) p[c] += x * this.dense[at + c];
    }
    let max = Number.NEGATIVE_INFINITY;
    for (let c = 0; c < C; c++) max = Math.max(max, p[c]);
    let sum = 0;
    for (let c = 0; c < C; c++) sum += p[c] = Math.exp(p[c] - max);
    for (let c = 0; c < C; c++) p[c] /= sum;
    return p;
  }

  /** One SGD step on the cross-entropy of one labelled name. */
  private step(ids: number[], meaning: Float32Array, target: number, rate: number) {
    const C = this.categories.length;
    const gradient = this.forward(ids, meaning);
    gradient[target] -= 1;
    // The sparse rows share the step: a long name moves each of its features less.
    const sparseRate = rate / Math.sqrt(ids.length || 1);
    for (const id of ids) {
      const at = id * C;
      for (let c = 0; c < C; c++) this.sparse[at + c] -= sparseRate * gradient[c];
    }
    for (let d = 0; d < meaning.length; d++) {
      const x = meaning[d];
      if (!x) continue;
      const at = d * C;
      for (let c = 0; c < C; c++) this.dense[at + c] -= rate * x * gradient[c];
    }
    for (let c = 0; c < C; c++) this.bias[c] -= rate * 0.1 * gradient[c];
  }
}

/** Weight of the category part in an item vector (the names part weighs sqrt(1 - w²)): measured with `aisle eval similar`. */
export const CATEGORY_WEIGHT = 0.8;

/**
 * Item vectors that carry the retailer's filing: the name's vector (vectors.ts) and, appended, the square roots of
 * its category probabilities (unit length), so the dot product of two category parts is the Bhattacharyya overlap
 * of their distributions: two names the model files alike are near even when their words differ.
 */
export class CategoryVectorizer implements NameVectorizer {
  readonly dimensions: number;
  private readonly namesWeight: number;

  constructor(
    private readonly names: NameVectorizer,
    private readonly model: CategoryModel,
    private readonly weight = CATEGORY_WEIGHT,
  ) {
    this.dimensions = names.dimensions + model.categories.length;
    this.namesWeight = Math.sqrt(1 - weight * weight);
  }

  vector(name: string): Float32Array {
    const out = new Float32Array(this.dimensions);
    const base = this.names.vector(name);
    for (let d = 0; d < base.length; d++) out[d] = base[d] * this.namesWeight;
    const p = this.model.probabilities(name);
    for (let c = 0; c < p.length; c++) p[c] = Math.sqrt(p[c]);
    normalize(p);
    for (let c = 0; c < p.length; c++) out[base.length + c] = p[c] * this.weight;
    return out;
  }
}
