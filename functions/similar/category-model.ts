/**
 * A retailer's own filing, learned from its labelled items. The static table knows what words mean, not which
 * aisle a retailer files them in ("frozen pizza" and "pizza sauce" share a meaning; they share no aisle): a
 * multinomial logistic regression from a name to its category, fitted on the catalog's labelled items, gives
 * each name a probability per category. Features: each word, each pair of neighbouring words and the head word
 * (exact, from the labelled names), and the name's static embedding (so a word no labelled name has still
 * counts through its meaning). Plain SGD, a fixed seed: the same items give the same model. Its probabilities
 * are averaged with the vote of the labelled names nearest by words and character trigrams (TF-IDF), which
 * knows brands and spellings the regression generalizes away (docs/similar.md: accuracy 0.759 → 0.778), and,
 * given enough labelled names, with the project's fastText-style bag (category-bag.ts: 0.776 → 0.784).
 */
import type { StaticEmbedder } from '../embeddings/static-embedder.ts';
import { normalize, wordsOf } from '../embeddings/static-embedder.ts';
import type { BagConfig } from '../model/bag.ts';
import { softmaxInto } from '../model/calibration.ts';
import { CATEGORY_BAG_CONFIG, CategoryBag, type CategoryBagData } from './category-bag.ts';
import { CATEGORY_SLOTS, hash, type NameVectorizer } from './vectors.ts';

export interface LabelledName {
  name: string;
  category: string;
}

export interface CategoryModelOptions {
  /** Passes over the labelled items (default 6). */
  epochs?: number;
  /**
   * The bag part's settings over CATEGORY_BAG_CONFIG (category-bag.ts), or false for no bag. Default: a bag when the
   * catalog has BAG_MIN_NAMES_PER_CATEGORY labelled names a category, none below.
   */
  bag?: false | Partial<BagConfig>;
}

/** What item vectors need of a category model: its categories and a name's probability of each. */
export interface CategoryScorer {
  readonly categories: string[];
  probabilities(name: string): Float32Array;
}

/** A name's scores from each part of the model, before they are mixed (mixParts). */
export interface CategoryParts {
  /** The regression's probabilities. */
  regression: Float32Array;
  /** The bag's logits; null when the model has no bag. */
  bag: Float32Array | null;
  /** The names' vote and the cosine of the nearest voter; null when no labelled name shares a gram. */
  vote: { p: Float32Array; nearest: number } | null;
}

/** How the parts are mixed: chosen on a validation slice of train (docs/similar.md). */
export interface CategoryMix {
  /** The bag's share of the model's probabilities beside the regression's. */
  bagShare: number;
  /** The bag's logits are divided by this before the softmax. */
  bagTemperature: number;
  /** The vote's share, times the nearest voter's cosine. */
  voteShare: number;
}

export const CATEGORY_MIX: CategoryMix = { bagShare: 0.5, bagTemperature: 1, voteShare: 0.5 };

/** A name's probabilities from its parts' scores. */
export function mixParts(parts: CategoryParts, mix: CategoryMix): Float32Array {
  const p = Float32Array.from(parts.regression);
  if (parts.bag) {
    const bag = softmaxInto(parts.bag, mix.bagTemperature, new Float64Array(parts.bag.length));
    for (let c = 0; c < p.length; c++) p[c] = (1 - mix.bagShare) * p[c] + mix.bagShare * bag[c];
  }
  // A vote of names that are barely alike (a small catalog) is worth little: its share shrinks with the nearest's cosine.
  const vote = parts.vote;
  const share = vote ? mix.voteShare * vote.nearest : 0;
  if (vote) for (let c = 0; c < p.length; c++) p[c] = (1 - share) * p[c] + share * vote.p[c];
  return p;
}

/**
 * Labelled names a category from which the bag is fitted: below it the bag files worse than the regression and
 * pulls the mix down (docs/similar.md, "The retailer's own filing").
 */
const BAG_MIN_NAMES_PER_CATEGORY = 20;

/** The labelled names that vote and the power of their similarity: chosen on a validation slice of train. */
const VOTERS = 10;
const VOTE_POWER = 4;

/** Words and the character trigrams of each word (with its edges): what the nearest labelled names are found by. */
function gramsOf(words: string[]): string[] {
  const out = words.map((w) => `w:${w}`);
  for (const w of words) {
    const s = ` ${w} `;
    for (let i = 0; i + 3 <= s.length; i++) out.push(`c:${s.slice(i, i + 3)}`);
  }
  return out;
}

/** The labelled names by TF-IDF over gramsOf, searched through an inverted index; each votes for its category. */
class NameVote {
  private readonly idf = new Map<string, number>();
  private readonly postings = new Map<string, { row: number; weight: number }[]>();
  private readonly scores: Float32Array;

  constructor(
    /** The labelled names' words and their categories: kept so that a model can be stored (CategoryModel.data). */
    readonly names: string[][],
    readonly targets: number[],
    private readonly categories: number,
  ) {
    const df = new Map<string, number>();
    for (const words of names) for (const g of new Set(gramsOf(words))) df.set(g, (df.get(g) ?? 0) + 1);
    for (const [g, n] of df) this.idf.set(g, Math.log((names.length + 1) / (n + 1)) + 1);
    names.forEach((words, row) => {
      for (const [g, weight] of this.weigh(words)) {
        let list = this.postings.get(g);
        if (!list) this.postings.set(g, (list = []));
        list.push({ row, weight });
      }
    });
    this.scores = new Float32Array(names.length);
  }

  /** Unit TF-IDF weights of a name's known grams. */
  private weigh(words: string[]): Map<string, number> {
    const out = new Map<string, number>();
    for (const g of gramsOf(words)) {
      const idf = this.idf.get(g);
      if (idf !== undefined) out.set(g, (out.get(g) ?? 0) + idf);
    }
    let norm = 0;
    for (const v of out.values()) norm += v * v;
    norm = Math.sqrt(norm) || 1;
    for (const [g, v] of out) out.set(g, v / norm);
    return out;
  }

  /**
   * The category distribution of the VOTERS nearest labelled names, each weighing its cosine to the power
   * VOTE_POWER, and the cosine of the nearest (how much the vote is worth); null when no labelled name shares a gram.
   */
  vote(words: string[]): { p: Float32Array; nearest: number } | null {
    const touched: number[] = [];
    for (const [g, v] of this.weigh(words))
      for (const { row, weight } of this.postings.get(g)!) {
        if (this.scores[row] === 0) touched.push(row);
        this.scores[row] += v * weight;
      }
    // The VOTERS best by score, ties to the lower row (a selection: a name touches thousands of rows).
    const ahead = (a: number, b: number) => this.scores[a] > this.scores[b] || (this.scores[a] === this.scores[b] && a < b);
    const best: number[] = [];
    for (const row of touched) {
      if (best.length === VOTERS && !ahead(row, best[VOTERS - 1])) continue;
      let at = best.length;
      while (at > 0 && ahead(row, best[at - 1])) at--;
      best.splice(at, 0, row);
      if (best.length > VOTERS) best.pop();
    }
    const out = new Float32Array(this.categories);
    let total = 0;
    for (const row of best) {
      const w = this.scores[row] ** VOTE_POWER;
      out[this.targets[row]] += w;
      total += w;
    }
    const nearest = best.length ? this.scores[best[0]] : 0;
    for (const row of touched) this.scores[row] = 0;
    if (!total) return null;
    for (let c = 0; c < out.length; c++) out[c] /= total;
    return { p: out, nearest };
  }
}

/**
 * A fitted model as plain data (strings, numbers, typed arrays): what a worker thread posts back (structured clone,
 * the arrays transferred) and what is stored per tenant on AWS (v8 serialization). The vote's inverted index is
 * rebuilt from the names, the embedder is the reader's own.
 */
export interface CategoryModelData {
  categories: string[];
  features: string[];
  sparse: Float32Array;
  dense: Float32Array;
  bias: Float32Array;
  names: string[][];
  targets: number[];
  /** The bag part; absent in a model stored before it, null when the catalog fitted none. */
  bag?: CategoryBagData | null;
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

export class CategoryModel implements CategoryScorer {
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
    private readonly names: NameVote,
    private readonly bag: CategoryBag | null,
  ) {
    this.logits = new Float32Array(categories.length);
  }

  /** Fits the model on labelled names (at least two categories). */
  /** Whether these labelled names can be fitted: a model needs two categories (fewer: names alone). */
  static canFit(examples: LabelledName[]): boolean {
    return new Set(examples.map((e) => e.category)).size >= 2;
  }

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
      return { words, ids, meaning: embedder.embedWords(words), target: categoryIndex.get(e.category)! };
    });
    const model = new CategoryModel(
      categories,
      features,
      new Float32Array(features.size * C),
      new Float32Array(embedder.dimensions * C),
      new Float32Array(C),
      embedder,
      new NameVote(
        rows.map((r) => r.words),
        rows.map((r) => r.target),
        C,
      ),
      options.bag === false || (options.bag === undefined && examples.length < BAG_MIN_NAMES_PER_CATEGORY * C)
        ? null
        : CategoryBag.fit(
            examples.map((e) => e.name),
            rows.map((r) => r.target),
            C,
            { ...CATEGORY_BAG_CONFIG, ...options.bag },
          ),
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

  /** The model as plain data (CategoryModelData); the arrays are the model's own, so transfer them only when done with it. */
  data(): CategoryModelData {
    const { categories, sparse, dense, bias, names } = this;
    const bag = this.bag?.data() ?? null;
    return { categories, features: [...this.features.keys()], sparse, dense, bias, names: names.names, targets: names.targets, bag };
  }

  /** The model `data` was made of, over this process's embedder (the one it was fitted with: its dimensions are checked). */
  static fromData(data: CategoryModelData, embedder: StaticEmbedder): CategoryModel {
    const C = data.categories.length;
    if (data.dense.length !== embedder.dimensions * C || data.sparse.length !== data.features.length * C || data.bias.length !== C)
      throw new Error(`a category model of other dimensions (${data.dense.length / C} meaning dimensions, this embedder has ${embedder.dimensions})`);
    const features = new Map(data.features.map((f, i) => [f, i]));
    const names = new NameVote(data.names, data.targets, C);
    const bag = data.bag ? CategoryBag.fromData(data.bag) : null;
    return new CategoryModel(data.categories, features, data.sparse, data.dense, data.bias, embedder, names, bag);
  }

  /** The probability of each category (in `categories` order) for a name. */
  probabilities(name: string): Float32Array {
    return mixParts(this.parts(name), CATEGORY_MIX);
  }

  /** Each part's scores for a name (in `categories` order). */
  parts(name: string): CategoryParts {
    const words = wordsOf(name);
    const ids: number[] = [];
    for (const f of featuresOf(words)) {
      const id = this.features.get(f);
      if (id !== undefined) ids.push(id);
    }
    return {
      regression: Float32Array.from(this.forward(ids, this.embedder.embedWords(words))),
      bag: this.bag?.logits(name) ?? null,
      vote: this.names.vote(words),
    };
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

/** Weight of the category part in an item vector (the names part weighs sqrt(1 - w²)): chosen on a validation slice of train. */
export const CATEGORY_WEIGHT = 0.9;

/**
 * The power the probabilities are raised to before they are compared (then renormalized): above 1 sharpens them,
 * so two items share a category part when both are filed confidently in it. Chosen on a validation slice of train
 * (docs/similar.md): softening them (powers below 1) lowered P@5.
 */
export const CATEGORY_SHARPNESS = 2;

/** The category part's slots (vectors.ts, beside the name's dimensions, so an index's dimensions are one constant). */
export { CATEGORY_SLOTS };

/**
 * Item vectors that carry the retailer's filing: the name's vector (vectors.ts) followed by CATEGORY_SLOTS slots
 * holding the square roots of its sharpened category probabilities (unit length), so the dot product of two
 * category parts is the Bhattacharyya overlap of their distributions: two names the model files alike are near
 * even when their words differ. Without a model (a tenant with no labelled items yet) the slots are zero and
 * the name's vector is the whole vector.
 */
export class CategoryVectorizer<M extends CategoryScorer = CategoryModel> implements NameVectorizer {
  readonly dimensions: number;
  private readonly namesWeight: number;
  private readonly slots: number[];

  constructor(
    private readonly names: NameVectorizer,
    readonly model: M | null,
    private readonly weight = CATEGORY_WEIGHT,
  ) {
    this.dimensions = names.dimensions + CATEGORY_SLOTS;
    this.namesWeight = model ? Math.sqrt(1 - weight * weight) : 1;
    this.slots = categorySlots(model?.categories ?? []);
  }

  vector(name: string): Float32Array {
    const out = new Float32Array(this.dimensions);
    const base = this.names.vector(name);
    for (let d = 0; d < base.length; d++) out[d] = base[d] * this.namesWeight;
    if (!this.model) return out;
    const p = this.model.probabilities(name);
    let total = 0;
    for (let c = 0; c < p.length; c++) total += p[c] = p[c] ** CATEGORY_SHARPNESS;
    const part = new Float32Array(CATEGORY_SLOTS);
    for (let c = 0; c < p.length; c++) part[this.slots[c]] += Math.sqrt(p[c] / total);
    normalize(part);
    for (let d = 0; d < CATEGORY_SLOTS; d++) out[base.length + d] = part[d] * this.weight;
    return out;
  }
}

/**
 * The slot of each category (in the model's sorted order): a hash of its id, or the next free slot when an earlier
 * category took it, so a category mostly keeps its slot across refits and an item indexed under an earlier model
 * still meets new ones in the slots of the same categories; past CATEGORY_SLOTS categories two share a slot (linear
 * probing: a hash alone put Instacart's 131 aisles in 104 slots, and the re-ranking reads two categories of one slot
 * as one: P@5 0.727 against 0.759 on the validation slice).
 */
export function categorySlots(categories: string[]): number[] {
  const taken = new Set<number>();
  return categories.map((c) => {
    let slot = hash(c) % CATEGORY_SLOTS;
    while (taken.size < CATEGORY_SLOTS && taken.has(slot)) slot = (slot + 1) % CATEGORY_SLOTS;
    taken.add(slot);
    return slot;
  });
}

/** How many of the nearest items by vector are rescored, and the cosine's share of the new score: chosen on a validation slice of train. */
export const RERANK_DEPTH = 50;
export const RERANK_COSINE = 0.05;

/**
 * The probability that two items are filed in one category, read from their vectors' category slots (each slot's
 * squared value over the part's total is the item's sharpened probability of that slot's categories); 0 when
 * either has no category part.
 */
export function categoryShare(a: Float32Array, b: Float32Array): number {
  let both = 0;
  let na = 0;
  let nb = 0;
  for (let d = a.length - CATEGORY_SLOTS; d < a.length; d++) {
    const x = a[d] * a[d];
    const y = b[d] * b[d];
    both += x * y;
    na += x;
    nb += y;
  }
  return na && nb ? both / (na * nb) : 0;
}

/**
 * The nearest items by vector (RERANK_DEPTH of them, best first) rescored by the chance that each shares the
 * query's category, with a little of the cosine to order items filed alike: the vector's cosine mixes the
 * overlap of two distributions with the names' likeness, which ranks an item the model is unsure of above one it
 * files confidently in the query's category.
 */
export function rerankByCategory<T extends { vector: Float32Array; score: number }>(query: Float32Array, found: T[]): T[] {
  const scored = found.map((f) => ({ f, s: RERANK_COSINE * f.score + (1 - RERANK_COSINE) * categoryShare(query, f.vector) }));
  return scored.sort((x, y) => y.s - x.s).map((x) => x.f);
}
