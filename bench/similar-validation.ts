/**
 * Chooses the category model's settings on a validation slice of a labelled catalog's TRAIN rows (never its test
 * rows): every 5th train row is held out, the model is fitted on the others, and each mix of its parts
 * (category-model.ts CategoryMix) is scored by its accuracy on the held-out rows, then the best mixes and the
 * shipped one by same-category P@5 / NDCG@10 over the same queries (the held-out rows as queries and candidates,
 * re-ranked as served, with each sharpness and re-ranking setting given).
 *
 *   npx tsx bench/similar-validation.ts --data ../shared/datasets/instacart-labeled.csv [--queries 1000 (0: accuracy only)] [--rows N] [--epochs 15]
 */
import { parseArgs } from 'node:util';
import { dot, StaticEmbedder } from '../functions/embeddings/static-embedder.ts';
import {
  CATEGORY_MIX,
  CATEGORY_SHARPNESS,
  type CategoryMix,
  CategoryModel,
  CategoryVectorizer,
  categoryShare,
  mixParts,
  RERANK_COSINE,
  RERANK_DEPTH,
} from '../functions/similar/category-model.ts';
import { readCatalog } from '../functions/similar/eval-catalog.ts';
import { rankDense, sampleQueries, scoreRankings } from '../functions/similar/evaluate.ts';
import { ItemVectorizer } from '../functions/similar/vectors.ts';
import { loadAverages, machineLine } from './machine.ts';

const { values } = parseArgs({
  options: {
    data: { type: 'string' },
    queries: { type: 'string', default: '1000' },
    epochs: { type: 'string' },
    /** Fit on the first N of the non-held-out train rows (a smaller catalog); default all. */
    rows: { type: 'string' },
    dim: { type: 'string' },
    'no-bag': { type: 'boolean', default: false },
  },
});
if (!values.data) throw new Error('--data FILE.csv (a labelled catalog with a train split) is required');
const cpuSeconds = (from: NodeJS.CpuUsage) => {
  const u = process.cpuUsage(from);
  return (u.user + u.system) / 1e6;
};

console.log(machineLine());
console.log(`load average before: ${loadAverages()}`);
const catalog = await readCatalog(values.data);
const embedder = StaticEmbedder.load();
const fitRows = catalog.trainRows.filter((_, i) => i % 5 !== 4).slice(0, values.rows ? Number(values.rows) : undefined);
const heldOut = catalog.trainRows.filter((_, i) => i % 5 === 4);
const labelled = fitRows.map((i) => ({ name: catalog.names[i], category: catalog.categories[i] }));
const bag = values['no-bag']
  ? false
  : { ...(values.epochs ? { epochs: Number(values.epochs) } : {}), ...(values.dim ? { dim: Number(values.dim) } : {}) };
let from = process.cpuUsage();
const model = CategoryModel.fit(labelled, embedder, { bag });
console.log(`fit on ${labelled.length} train rows (bag ${JSON.stringify(bag)}): ${cpuSeconds(from).toFixed(1)} s CPU; ${heldOut.length} held out`);

const names = heldOut.map((i) => catalog.names[i]);
const categories = heldOut.map((i) => catalog.categories[i]);
const gold = categories.map((c) => model.categories.indexOf(c));
from = process.cpuUsage();
const parts = names.map((n) => model.parts(n));
console.log(`parts of ${names.length} names: ${((cpuSeconds(from) / names.length) * 1000).toFixed(2)} ms CPU per name`);

const argmax = (p: Float32Array) => p.indexOf(Math.max(...p));
const accuracy = (mix: CategoryMix) => parts.filter((x, i) => argmax(mixParts(x, mix)) === gold[i]).length / parts.length;
const alone = (pick: 'regression' | 'bag' | 'vote') =>
  parts.filter((x, i) => {
    const p = pick === 'vote' ? x.vote?.p : x[pick];
    return p && argmax(p) === gold[i];
  }).length / parts.length;
console.log(`accuracy alone: regression ${alone('regression').toFixed(4)}, bag ${alone('bag').toFixed(4)}, vote ${alone('vote').toFixed(4)}`);

const grid: { mix: CategoryMix; accuracy: number }[] = [];
for (const bagShare of model.parts(names[0]).bag ? [0, 0.3, 0.5, 0.7, 0.85, 1] : [0])
  for (const bagTemperature of bagShare ? [0.5, 1, 2] : [1])
    for (const voteShare of [0, 0.3, 0.5, 0.7]) {
      const mix = { bagShare, bagTemperature, voteShare };
      grid.push({ mix, accuracy: accuracy(mix) });
    }
grid.sort((a, b) => b.accuracy - a.accuracy);
console.log('best mixes by accuracy:');
for (const g of grid.slice(0, 8)) console.log(`  ${JSON.stringify(g.mix)}: ${g.accuracy.toFixed(4)}`);
console.log(
  `shipped mix ${JSON.stringify(CATEGORY_MIX)}: ${accuracy(CATEGORY_MIX).toFixed(4)}; without the bag: ${accuracy({ ...CATEGORY_MIX, bagShare: 0 }).toFixed(4)}`,
);

if (values.queries === '0') process.exit(0);
const positions = names.map((_, i) => i);
const queries = sampleQueries(positions, Number(values.queries));
const nameVectors = new ItemVectorizer(embedder);
const index = new Map(names.map((n, i) => [n, i]));
/** P@5 / NDCG@10 of one mix, sharpness and re-ranking, over the same queries and candidates. */
function retrieval(mix: CategoryMix, sharpness: number, depth: number, cosine: number) {
  // The vectorizer raises probabilities to CATEGORY_SHARPNESS: a scorer that gives p^(s / CATEGORY_SHARPNESS) makes it s.
  const scorer = {
    categories: model.categories,
    probabilities: (name: string) => mixParts(parts[index.get(name)!], mix).map((p) => p ** (sharpness / CATEGORY_SHARPNESS)),
  };
  const vectorizer = new CategoryVectorizer(nameVectors, scorer);
  const vectors = names.map((n) => vectorizer.vector(n));
  const ranked = rankDense(vectors, queries, depth).map(({ query, ranked }) => ({
    query,
    ranked: ranked
      .map((i) => ({ i, s: cosine * dot(vectors[query], vectors[i]) + (1 - cosine) * categoryShare(vectors[query], vectors[i]) }))
      .sort((a, b) => b.s - a.s)
      .slice(0, 10)
      .map((r) => r.i),
  }));
  const s = scoreRankings(ranked, categories);
  return `P@5 ${s.precisionAt5.toFixed(4)} NDCG@10 ${s.ndcgAt10.toFixed(4)}`;
}

console.log(`retrieval, ${queries.length} queries over the ${names.length} held-out rows (re-ranked as served):`);
// The model before the bag (the regression and the vote alone) is the baseline, in the same run over the same queries.
const noBag = { ...CATEGORY_MIX, bagShare: 0 };
for (const g of [noBag, CATEGORY_MIX, ...grid.slice(0, 3).map((g) => g.mix)].map((mix) => ({ mix, accuracy: accuracy(mix) })))
  console.log(`  ${JSON.stringify(g.mix)} (accuracy ${g.accuracy.toFixed(4)}): ${retrieval(g.mix, CATEGORY_SHARPNESS, RERANK_DEPTH, RERANK_COSINE)}`);
const best = grid[0].mix;
for (const sharpness of [1, 3]) console.log(`  best mix, sharpness ${sharpness}: ${retrieval(best, sharpness, RERANK_DEPTH, RERANK_COSINE)}`);
for (const [depth, cosine] of [
  [100, RERANK_COSINE],
  [RERANK_DEPTH, 0],
  [RERANK_DEPTH, 0.1],
])
  console.log(`  best mix, re-rank ${depth} at cosine ${cosine}: ${retrieval(best, CATEGORY_SHARPNESS, depth, cosine)}`);
console.log(`load average after: ${loadAverages()}`);
