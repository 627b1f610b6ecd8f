/**
 * Scores similar-product retrieval on a labelled catalog: an item's relevant neighbours are the other items of its
 * category (a fine one, such as an aisle). Every catalog item is a candidate; each query item ranks all others by
 * exact cosine (the ranking is scored here, not the approximate index). Aisle's vectors are scored beside a TF-IDF
 * cosine baseline over the same queries, so the two figures are comparable.
 */
import { normalizeText } from '../core/normalize.ts';
import { isEmbeddableWord } from '../embeddings/static-table.ts';

export interface RetrievalScores {
  precisionAt5: number;
  precisionAt10: number;
  /** Relevant items in the top 10 / all relevant items of the query's category (small when categories are large). */
  recallAt10: number;
  ndcgAt10: number;
  mapAt10: number;
  queries: number;
}

/** Scores of ranked lists (item indexes, best first) given each item's category. */
export function scoreRankings(rankings: { query: number; ranked: number[] }[], categories: string[]): RetrievalScores {
  const sizes = new Map<string, number>();
  for (const c of categories) sizes.set(c, (sizes.get(c) ?? 0) + 1);
  const sum = { p5: 0, p10: 0, r10: 0, ndcg: 0, map: 0 };
  for (const { query, ranked } of rankings) {
    const relevantTotal = sizes.get(categories[query])! - 1;
    const rel = ranked.slice(0, 10).map((i) => (categories[i] === categories[query] ? 1 : 0));
    const hits = (n: number) => rel.slice(0, n).reduce<number>((a, b) => a + b, 0);
    sum.p5 += hits(5) / 5;
    sum.p10 += hits(10) / 10;
    if (relevantTotal > 0) {
      sum.r10 += hits(10) / relevantTotal;
      const ideal = Math.min(10, relevantTotal);
      let dcg = 0;
      let idcg = 0;
      let found = 0;
      let ap = 0;
      for (let i = 0; i < rel.length; i++) {
        dcg += rel[i] / Math.log2(i + 2);
        if (rel[i]) ap += ++found / (i + 1);
      }
      for (let i = 0; i < ideal; i++) idcg += 1 / Math.log2(i + 2);
      sum.ndcg += dcg / idcg;
      sum.map += ap / ideal;
    }
  }
  const n = rankings.length || 1;
  return {
    precisionAt5: sum.p5 / n,
    precisionAt10: sum.p10 / n,
    recallAt10: sum.r10 / n,
    ndcgAt10: sum.ndcg / n,
    mapAt10: sum.map / n,
    queries: rankings.length,
  };
}

/** The 10 best items for each query by exact dot product over unit vectors (itself left out). */
export function rankDense(vectors: Float32Array[], queries: number[], k = 10): { query: number; ranked: number[] }[] {
  const dims = vectors[0]?.length ?? 0;
  const matrix = new Float32Array(vectors.length * dims);
  vectors.forEach((v, i) => matrix.set(v, i * dims));
  const scores = new Float32Array(vectors.length);
  return queries.map((query) => {
    const q = vectors[query];
    for (let i = 0; i < vectors.length; i++) {
      let s = 0;
      const at = i * dims;
      for (let d = 0; d < dims; d++) s += q[d] * matrix[at + d];
      scores[i] = s;
    }
    return { query, ranked: topK(scores, query, k) };
  });
}

/** The TF-IDF baseline: words of the normalized names, idf over the catalog, cosine through an inverted index. */
export function rankTfIdf(names: string[], queries: number[], k = 10): { query: number; ranked: number[] }[] {
  const docs = names.map((n) => normalizeText(n).split(' ').filter(isEmbeddableWord));
  const df = new Map<string, number>();
  for (const words of docs) for (const w of new Set(words)) df.set(w, (df.get(w) ?? 0) + 1);
  const idf = (w: string) => Math.log((docs.length + 1) / ((df.get(w) ?? 0) + 1)) + 1;
  const weighted = docs.map((words) => {
    const tf = new Map<string, number>();
    for (const w of words) tf.set(w, (tf.get(w) ?? 0) + idf(w));
    const norm = Math.sqrt([...tf.values()].reduce((a, b) => a + b * b, 0)) || 1;
    for (const [w, v] of tf) tf.set(w, v / norm);
    return tf;
  });
  const postings = new Map<string, [number, number][]>();
  weighted.forEach((tf, i) => {
    for (const [w, v] of tf) {
      let list = postings.get(w);
      if (!list) postings.set(w, (list = []));
      list.push([i, v]);
    }
  });
  const scores = new Float32Array(names.length);
  return queries.map((query) => {
    scores.fill(0);
    for (const [w, v] of weighted[query]) for (const [i, x] of postings.get(w)!) scores[i] += v * x;
    return { query, ranked: topK(scores, query, k) };
  });
}

/** Indexes of the k highest scores, best first, `skip` left out; ties go to the lower index. */
export function topK(scores: Float32Array, skip: number, k: number): number[] {
  const best: number[] = [];
  for (let i = 0; i < scores.length; i++) {
    if (i === skip) continue;
    if (best.length === k && scores[i] <= scores[best[k - 1]]) continue;
    let at = best.length;
    while (at > 0 && scores[best[at - 1]] < scores[i]) at--;
    best.splice(at, 0, i);
    if (best.length > k) best.pop();
  }
  return best;
}

/** `n` query indexes out of `candidates`, the same for the same seed (a linear congruential shuffle). */
export function sampleQueries(candidates: number[], n: number, seed = 7): number[] {
  const pool = [...candidates];
  let s = seed >>> 0;
  for (let i = pool.length - 1; i > 0; i--) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const j = s % (i + 1);
    [pool[i], pool[j]] = [pool[j], pool[i]];
  }
  return pool.slice(0, n).sort((a, b) => a - b);
}
