import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { LocalVectorIndex } from '../../functions/adapters/local/vector-index.ts';
import { reachableOllamaChat } from '../../functions/adapters/ollama-chat.ts';
import { keywordPlan } from '../../functions/ask/analytics.ts';
import { BlendedRetriever } from '../../functions/ask/blended.ts';
import { catalogItem, parseQuestionSet, scoreRetrieval } from '../../functions/ask/evaluate.ts';
import type { AskableQuery, CatalogItems, QueryRunner } from '../../functions/ask/ports.ts';
import { LexicalRetriever } from '../../functions/ask/retrieval.ts';
import { askCatalog, routeQuestion } from '../../functions/ask/service.ts';
import { UserError } from '../../functions/core/errors.ts';
import { loadNamedQueries } from '../../functions/core/insights.ts';
import { loadTaxonomy } from '../../functions/core/taxonomy.ts';
import { StaticEmbedder } from '../../functions/embeddings/static-embedder.ts';
import { listShopperInsights } from '../../functions/shoppers/registry.ts';
import { entriesOf } from '../../functions/similar/indexing.ts';
import { SimilarProducts } from '../../functions/similar/similar.ts';
import { ItemVectorizer } from '../../functions/similar/vectors.ts';
import { commandArgs } from './args.ts';

const QUESTIONS = 'bench/checks/ask-questions.jsonl';
const CATALOG = 'bench/checks/ask-catalog.csv';

const HELP = `usage: aisle eval ask [--questions FILE] [--catalog FILE] [--k N] [--min-recall R] [--json FILE]

Scores \`aisle ask\` on a question set with known answers (default ${QUESTIONS}, over the
labelled catalog ${CATALOG}: name, brand, level1, level2):
- retrieval: recall@k of the items each product question is about ({"question", "about": [names]}),
  for BM25 blended with the similar-products index (built in memory over the catalog; the retriever
  scored against --min-recall and used for grounding) and for BM25 alone, in the same run;
- routing: product and analytics questions taken for what they are, and analytics questions
  ({"question", "query": [names that answer it]}) mapped to such a query by keywords;
- grounding, when Ollama answers (OLLAMA_HOST, OLLAMA_MODEL): each product question asked of the model,
  counting answers kept (they cite retrieved items only), rejected (they cited another) and missing,
  and the analytics questions planned by the model.
Exits 1 when the blended recall is below --min-recall (default 0.9).

options:
  --questions FILE   question set, JSON Lines
  --catalog FILE     labelled catalog CSV the questions are about
  --k N              items retrieved per question (default 5)
  --min-recall R     the recall to reach (default 0.9)
  --json FILE        also write the scores as JSON
  -h, --help         this help`;

export async function run(argv: string[]): Promise<number> {
  const args = commandArgs(argv, HELP, {
    options: {
      questions: { type: 'string', default: QUESTIONS },
      catalog: { type: 'string', default: CATALOG },
      k: { type: 'string', default: '5' },
      'min-recall': { type: 'string', default: '0.9' },
      json: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (!args) return 0;
  const { values } = args;
  const k = Number(values.k);
  const minRecall = Number(values['min-recall']);
  if (!Number.isInteger(k) || k < 1) throw new UserError(`--k must be a positive integer, not "${values.k}"`);
  if (!(minRecall >= 0 && minRecall <= 1)) throw new UserError(`--min-recall must be from 0 to 1, not "${values['min-recall']}"`);

  const taxonomy = loadTaxonomy();
  const rows = parse(readFileSync(values.catalog), { columns: true, skip_empty_lines: true, bom: true }) as Record<string, string>[];
  const items = rows.map((r) => catalogItem(taxonomy, { name: r.name, brand: r.brand, levels: taxonomy.levels.map((l) => r[l] ?? '') }));
  const catalog: CatalogItems = { forTenant: () => catalog, list: async () => items, version: async () => values.catalog };
  const lexical = new LexicalRetriever(catalog, taxonomy);
  // The similar-products index over the same items, in memory (never flushed: the folder stays empty).
  const vectorizer = new ItemVectorizer(StaticEmbedder.load());
  const vectorsDir = mkdtempSync(join(tmpdir(), 'aisle-eval-ask-'));
  const index = new LocalVectorIndex(vectorsDir, { dimensions: vectorizer.dimensions });
  try {
    await index.upsert(entriesOf(items, vectorizer));
  } finally {
    rmSync(vectorsDir, { recursive: true, force: true });
  }
  const blended = new BlendedRetriever(lexical, new SimilarProducts(index, vectorizer));
  const questions = parseQuestionSet(readFileSync(values.questions, 'utf8'), values.questions);
  const product = questions.flatMap((q) => ('about' in q ? [q] : []));
  const analytics = questions.flatMap((q) => ('query' in q ? [q] : []));

  console.log(
    `${questions.length} questions (${product.length} product, ${analytics.length} analytics) over ${items.length} items of ${values.catalog}`,
  );
  // Both retrievers over the same questions; the blended one (what aisle ask and the API use) is scored against the target.
  const lexicalScore = await scoreRetrieval(lexical, items, product, k);
  const retrieval = await scoreRetrieval(blended, items, product, k);
  console.log(`retrieval recall@${k}: ${retrieval.recall.toFixed(4)} (${product.length} product questions; target ≥ ${minRecall}), blended`);
  for (const [name, score] of [
    ['blended (BM25 + vectors, RRF)', retrieval],
    ['lexical (BM25 alone)', lexicalScore],
  ] as const)
    console.log(`  ${name.padEnd(30)} recall@${k} ${score.recall.toFixed(4)}, ${score.misses.length} questions missed`);
  for (const m of retrieval.misses) console.log(`  missed for "${m.question}": ${m.missed.join('; ')}`);

  const routed = questions.filter((q) => routeQuestion(q.question) === ('about' in q ? 'product' : 'analytics')).length;
  console.log(`routing: ${routed}/${questions.length} questions taken for their kind`);
  // The named queries as listed: a plan is scored by the query it names, none is run (the catalog has no lake).
  const queries: AskableQuery[] = [
    ...loadNamedQueries().map((q) => ({ name: q.name, description: q.description, source: 'lake' as const })),
    ...listShopperInsights().map((q) => ({ ...q, source: 'shoppers' as const })),
  ];
  const now = new Date();
  const keywordHits = analytics.filter((q) => q.query.includes(keywordPlan(q.question, queries, now)?.query.name ?? '')).length;
  console.log(`analytics by keywords: ${keywordHits}/${analytics.length} mapped to a query that answers them`);

  const scores: Record<string, unknown> = {
    k,
    recall: retrieval.recall,
    misses: retrieval.misses,
    lexical: { recall: lexicalScore.recall, misses: lexicalScore.misses },
    routed,
    keywordHits,
    questions: questions.length,
  };
  const { llm, message } = await reachableOllamaChat();
  if (!llm) console.log(`grounding: skipped (${message})`);
  else {
    const planned: { name?: string; params?: unknown }[] = [];
    const runner: QueryRunner = {
      list: async () => queries,
      run: async (query, params) => {
        planned.push({ name: query.name, params });
        return [];
      },
    };
    const services = { retriever: blended, llm, queries: runner, now: () => now };
    const counts = { answered: 0, rejected: 0, unavailable: 0, citations: 0, foreign: 0 };
    const rejections: string[] = [];
    for (const q of product) {
      const a = await askCatalog(services, { question: q.question, kind: 'product', k });
      if (a.kind !== 'product') continue;
      counts[a.generation.status]++;
      if (a.generation.status === 'rejected') rejections.push(`"${q.question}": ${a.generation.reason}`);
      const retrieved = new Set(a.items.map((i) => i.key));
      for (const key of a.citations ?? []) {
        counts.citations++;
        if (!retrieved.has(key)) counts.foreign++;
      }
    }
    console.log(
      `grounding (${message}): ${counts.answered} answered, ${counts.rejected} rejected for citing items not retrieved or a bad reply, ${counts.unavailable} unavailable; ` +
        `${counts.citations} citations in kept answers, ${counts.foreign} of them not retrieved`,
    );
    for (const r of rejections.slice(0, 10)) console.log(`  rejected ${r}`);
    let llmHits = 0;
    for (const q of analytics) {
      planned.length = 0;
      const a = await askCatalog(services, { question: q.question, kind: 'analytics' });
      if (a.kind === 'analytics' && a.query?.plannedBy === 'llm' && q.query.includes(a.query.name)) llmHits++;
    }
    console.log(`analytics by the model: ${llmHits}/${analytics.length} mapped to a query that answers them`);
    Object.assign(scores, { grounding: counts, llmHits, model: llm.model });
  }
  if (values.json) {
    const { writeFile } = await import('node:fs/promises');
    await writeFile(values.json, `${JSON.stringify(scores, null, 2)}\n`);
  }
  return retrieval.recall >= minRecall ? 0 : 1;
}
