/**
 * What a tenant's category model costs the served index (functions/similar/tenant-categories.ts): fitting it on
 * N labelled names of a labelled catalog (CPU seconds, peak RSS) without the bag part (the baseline) and as served,
 * then vectorizing names with each beside the names alone (same run), per name. Each model's aisle accuracy on the
 * held-out rows is printed with them.
 *
 *   npx tsx bench/similar-fit.ts --data ../shared/datasets/instacart-labeled.csv [--rows 10000] [--names 2000]
 */
import { parseArgs } from 'node:util';
import { StaticEmbedder } from '../functions/embeddings/static-embedder.ts';
import { CategoryModel, CategoryVectorizer } from '../functions/similar/category-model.ts';
import { readCatalog } from '../functions/similar/eval-catalog.ts';
import { ItemVectorizer } from '../functions/similar/vectors.ts';
import { loadAverages, machineLine } from './machine.ts';

const { values } = parseArgs({
  options: { data: { type: 'string' }, rows: { type: 'string', default: '10000' }, names: { type: 'string', default: '2000' } },
});
if (!values.data) throw new Error('--data FILE.csv (a labelled catalog with a train split) is required');
const cpuSeconds = (from: NodeJS.CpuUsage) => {
  const u = process.cpuUsage(from);
  return (u.user + u.system) / 1e6;
};
const peakMb = () => Math.round(process.resourceUsage().maxRSS / 1024);

console.log(machineLine());
console.log(`load average before: ${loadAverages()}`);
const catalog = await readCatalog(values.data);
const embedder = StaticEmbedder.load();
const names = new ItemVectorizer(embedder);
const labelled = catalog.trainRows.slice(0, Number(values.rows)).map((i) => ({ name: catalog.names[i], category: catalog.categories[i] }));
console.log(`peak RSS before fitting: ${peakMb()} MB`);

const heldOut = catalog.heldOutRows.slice(0, Number(values.names));
let from = process.cpuUsage();
for (const i of heldOut) names.vector(catalog.names[i]);
console.log(`vectorize, names alone: ${((cpuSeconds(from) / heldOut.length) * 1000).toFixed(2)} ms CPU per name`);
for (const [label, options] of [
  ['without the bag part (baseline)', { bag: false }],
  ['as served', {}],
] as const) {
  from = process.cpuUsage();
  const model = CategoryModel.fit(labelled, embedder, options);
  console.log(
    `fit ${label}: ${labelled.length} labelled names, ${model.categories.length} categories: ${cpuSeconds(from).toFixed(1)} s CPU; peak RSS ${peakMb()} MB`,
  );
  const vectors = new CategoryVectorizer(names, model);
  from = process.cpuUsage();
  for (const i of heldOut) vectors.vector(catalog.names[i]);
  console.log(`vectorize, names + category slots: ${((cpuSeconds(from) / heldOut.length) * 1000).toFixed(2)} ms CPU per name`);
  const right = heldOut.filter((i) => {
    const p = model.probabilities(catalog.names[i]);
    return model.categories[p.indexOf(Math.max(...p))] === catalog.categories[i];
  }).length;
  console.log(`accuracy on ${heldOut.length} held-out rows: ${(right / heldOut.length).toFixed(4)}`);
}
console.log(`load average after: ${loadAverages()}`);
