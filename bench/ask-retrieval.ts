/**
 * Ask's lexical retrieval at catalog scale: the question set's catalog (bench/checks/ask-catalog.csv) hidden among
 * the starter catalog's products (models/starter/catalog.csv, repeated with a variant suffix up to --items), the
 * index build time, the process's peak RSS, per-question latency (p50, p99, after one warm-up pass) and recall@5 of
 * the 139 product questions, beside a baseline measured in the same run: a linear scan ranking items by the question
 * words they hold; and the lexical index blended with the similar-products vector index (functions/ask/blended.ts,
 * what `aisle ask` and the API use). Recall here counts the starter's own matching products (other gluten-free snacks) as misses, so it
 * reads lower than `aisle eval ask`'s figure on the question set's catalog alone; compare the two rows, not with that.
 *   npx tsx bench/ask-retrieval.ts [--items 100000]
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parse } from 'csv-parse/sync';
import { LocalVectorIndex } from '../functions/adapters/local/vector-index.ts';
import { BlendedRetriever } from '../functions/ask/blended.ts';
import { catalogItem, parseQuestionSet, scoreRetrieval } from '../functions/ask/evaluate.ts';
import type { CatalogItem, CatalogItems, ItemRetriever } from '../functions/ask/ports.ts';
import { LexicalIndex, LexicalRetriever } from '../functions/ask/retrieval.ts';
import { terms } from '../functions/ask/text.ts';
import { loadTaxonomy } from '../functions/core/taxonomy.ts';
import { StaticEmbedder } from '../functions/embeddings/static-embedder.ts';
import { entriesOf } from '../functions/similar/indexing.ts';
import { SimilarProducts } from '../functions/similar/similar.ts';
import { ItemVectorizer } from '../functions/similar/vectors.ts';
import { machineLine } from './machine.ts';

const { values } = parseArgs({ options: { items: { type: 'string', default: '100000' } } });
const target = Number(values.items);
const taxonomy = loadTaxonomy();
const csv = (file: string) => parse(readFileSync(file), { columns: true, skip_empty_lines: true }) as Record<string, string>[];

const asked = csv('bench/checks/ask-catalog.csv').map((r) => catalogItem(taxonomy, { name: r.name, brand: r.brand, levels: [r.level1, r.level2] }));
const starter = csv('models/starter/catalog.csv');
const items: CatalogItem[] = [...asked];
for (let round = 0; items.length < target; round++) {
  for (const r of starter) {
    if (items.length >= target) break;
    const name = round ? `${r.product_name} variant ${round}` : r.product_name;
    items.push(catalogItem(taxonomy, { name, brand: r.brand, levels: [r.level1, r.level2] }));
  }
}
// Shuffled (seeded): ties broken by position must not favour the items the questions are about.
let seed = 1;
const random = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
for (let i = items.length - 1; i > 0; i--) {
  const j = Math.floor(random() * (i + 1));
  [items[i], items[j]] = [items[j], items[i]];
}
const questions = parseQuestionSet(readFileSync('bench/checks/ask-questions.jsonl', 'utf8'), 'ask-questions.jsonl').flatMap((q) =>
  'about' in q ? [q] : [],
);

/** The baseline: every item scanned, ranked by how many of the question's words its name and brand hold. */
class LinearScan implements ItemRetriever {
  private readonly docs = items.map((item) => ({ item, words: new Set(terms(`${item.name} ${item.brand ?? ''}`)) }));
  async retrieveItems(question: string, k: number) {
    const q = [...new Set(terms(question))];
    return this.docs
      .map((d, i) => ({ d, i, s: q.filter((t) => d.words.has(t)).length }))
      .filter((x) => x.s > 0)
      .sort((a, b) => b.s - a.s || a.i - b.i)
      .slice(0, k)
      .map(({ d, s }) => ({ key: d.item.key, name: d.item.name, classId: d.item.classId, label: '', status: d.item.status, score: s }));
  }
}

async function measure(name: string, build: () => ItemRetriever | Promise<ItemRetriever>) {
  const started = performance.now();
  const retriever = await build();
  const buildS = (performance.now() - started) / 1000;
  for (const q of questions) await retriever.retrieveItems(q.question, 5); // warm-up: compiled code, built index
  const latencies: number[] = [];
  for (const q of questions) {
    const t = performance.now();
    await retriever.retrieveItems(q.question, 5);
    latencies.push(performance.now() - t);
  }
  latencies.sort((a, b) => a - b);
  const at = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))].toFixed(2);
  const { recall } = await scoreRetrieval(retriever, items, questions, 5);
  const rss = Math.round(process.resourceUsage().maxRSS / 1024);
  console.log(
    `${name.padEnd(12)} build ${buildS.toFixed(2)} s · query p50 ${at(0.5)} ms, p99 ${at(0.99)} ms · recall@5 ${recall.toFixed(4)} · peak RSS so far ${rss} MB`,
  );
}

console.log(machineLine());
console.log(`${items.length} items (${asked.length} the questions are about), ${questions.length} product questions`);
await measure('lexical', () => {
  const index = new LexicalIndex(items, taxonomy);
  return { retrieveItems: async (q, k, f) => index.search(q, k, f) };
});
await measure('linear scan', () => new LinearScan());
// Last, since RSS is the process's peak so far: the lexical index blended with the similar-products vector index.
await measure('blended', async () => {
  const catalog: CatalogItems = { forTenant: () => catalog, list: async () => items, version: async () => 'bench' };
  const lexical = new LexicalRetriever(catalog, taxonomy);
  await lexical.index();
  const vectorizer = new ItemVectorizer(StaticEmbedder.load());
  const dir = mkdtempSync(join(tmpdir(), 'aisle-bench-ask-'));
  const index = new LocalVectorIndex(dir, { dimensions: vectorizer.dimensions });
  for (let i = 0; i < items.length; i += 10_000) await index.upsert(entriesOf(items.slice(i, i + 10_000), vectorizer));
  rmSync(dir, { recursive: true, force: true });
  return new BlendedRetriever(lexical, new SimilarProducts(index, vectorizer));
});
