/**
 * What an item's vector is made of (the index stores these; queries are made the same way):
 *   - meaning: the static sentence-encoder embedding of its name (functions/embeddings), so "beanie" is near "knit
 *     hat" though they share no word;
 *   - words: its words hashed into buckets, weighted like the embedding (rare words weigh most), so names that
 *     share their telling words rank first — what TF-IDF does well and averaged embeddings blur.
 * Each part is unit length and weighted (weights squared sum to 1), so the cosine of two item vectors is the
 * weighted sum of the two cosines. The decided class is not a part: on Instacart the starter model's level-2
 * guesses made same-aisle precision worse (docs/similar.md); category filters narrow an answer instead.
 */

import { normalize, type StaticEmbedder, wordsOf } from '../embeddings/static-embedder.ts';
import { PrincipalAxes } from './principal-axes.ts';

export interface VectorWeights {
  meaning: number;
  words: number;
}

/** Measured on a labelled catalog with `aisle eval similar` (docs/similar.md). */
export const DEFAULT_WEIGHTS: VectorWeights = { meaning: 0.5, words: 0.5 };

/** The meaning part: the static table's 512 dimensions on their first principal axes (89 % of the table's energy). */
export const MEANING_DIMENSIONS = 128;
/** Buckets of the hashed words (signed: two words sharing one cancel out on average instead of adding up). */
export const WORD_BUCKETS = 256;
/**
 * An item name vector's dimensions (every index follows them with the CATEGORY_SLOTS: INDEX_DIMENSIONS). 384 instead
 * of 1,024 for nearly the same same-aisle precision and a better ask retrieval on Instacart (docs/similar.md "Scale"): the index's memory and search time follow it.
 */
export const ITEM_DIMENSIONS = MEANING_DIMENSIONS + WORD_BUCKETS;

/**
 * Slots of the category part after the name's vector (category-model.ts): a fixed number, so every tenant's vectors,
 * fitted or not and whatever its number of categories, have one dimension count.
 */
export const CATEGORY_SLOTS = 256;

/** A served index's dimensions, locally and on S3 Vectors (lib/vectors.ts): the name's vector and the category slots. */
export const INDEX_DIMENSIONS = ITEM_DIMENSIONS + CATEGORY_SLOTS;

/** Names to item vectors: what the index stores and queries with (unit length, fixed dimensions). */
export interface NameVectorizer {
  readonly dimensions: number;
  vector(name: string): Float32Array;
  /** One tenant's vectors, where they differ by tenant (its own category model: tenant-categories.ts). */
  forTenant?(tenant: string): NameVectorizer;
  /** Brings the vectors up to date before use (refits a model whose labels changed). */
  refresh?(): Promise<void>;
  /** The labels behind the vectors changed: the next refresh refits. */
  labelsChanged?(): void;
  /** How many nearest items by vector to fetch to rerank, and their new order (vectors with a category part: category-model.ts). */
  readonly rerankDepth?: number;
  rerank?<T extends { vector: Float32Array; score: number }>(query: Float32Array, found: T[]): T[];
}

export class ItemVectorizer implements NameVectorizer {
  readonly dimensions = ITEM_DIMENSIONS;
  private readonly w: VectorWeights;
  private readonly axes: PrincipalAxes;

  constructor(
    private readonly embedder: StaticEmbedder,
    weights: VectorWeights = DEFAULT_WEIGHTS,
    /** Where the embedder's table is, when not the repository's (a Lambda bundle): the axes are beside it. */
    tableDir?: string,
  ) {
    // Scaled so that the squared weights sum to 1: a vector is then unit length when both parts are present.
    const total = Math.hypot(weights.meaning, weights.words);
    this.w = { meaning: weights.meaning / total, words: weights.words / total };
    this.axes = PrincipalAxes.load(embedder.dimensions, MEANING_DIMENSIONS, tableDir);
  }

  /** The vector of a name (raw or normalized). */
  vector(name: string): Float32Array {
    const words = wordsOf(name);
    const meaning = new Float32Array(MEANING_DIMENSIONS);
    this.axes.project(this.embedder.embedWords(words), meaning, 0);
    normalize(meaning);
    const out = new Float32Array(this.dimensions);
    for (let d = 0; d < MEANING_DIMENSIONS; d++) out[d] = meaning[d] * this.w.meaning;
    const hashed = wordsPart(words, this.embedder);
    for (let d = 0; d < WORD_BUCKETS; d++) out[MEANING_DIMENSIONS + d] = hashed[d] * this.w.words;
    return normalize(out);
  }
}

/** A name's embeddable words hashed into WORD_BUCKETS, each weighed by its rarity and signed by its hash's top bit, unit length. */
function wordsPart(words: string[], embedder: StaticEmbedder): Float32Array {
  const out = new Float32Array(WORD_BUCKETS);
  for (const word of new Set(words)) {
    const h = hash(word);
    out[h % WORD_BUCKETS] += (h >>> 31 ? -1 : 1) * embedder.weightOf(word);
  }
  return normalize(out);
}

/** FNV-1a, 32 bits, as an unsigned number. */
export function hash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
