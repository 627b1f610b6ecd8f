import { join } from 'node:path';
import { DuckDbCatalogItems } from '../../functions/adapters/local/catalog-items.ts';
import { DuckDbInsights } from '../../functions/adapters/local/insights.ts';
import { aisleHome, openLocalDb } from '../../functions/adapters/local/runtime.ts';
import { openLocalSimilar } from '../../functions/adapters/local/vector-index-sync.ts';
import { reachableOllamaChat } from '../../functions/adapters/ollama-chat.ts';
import { CatalogAsk } from '../../functions/ask/catalog-ask.ts';
import { type AskAnswer, askCatalog, DEFAULT_K, type QuestionKind } from '../../functions/ask/service.ts';
import { DEFAULT_TENANT } from '../../functions/core/api-keys.ts';
import { UserError } from '../../functions/core/errors.ts';
import { loadTaxonomy } from '../../functions/core/taxonomy.ts';
import { ShopperInsights } from '../../functions/shoppers/insights.ts';
import { commandArgs } from './args.ts';
import { formatTable } from './insights.ts';

const HELP = `usage: aisle ask "QUESTION" [--kind product|analytics] [--k N] [--shoppers DIR] [--json]

Answers a question about the classified catalog in $AISLE_HOME.
- A product question ("which gluten-free snacks do we carry?") retrieves the items it is about (BM25 blended
  with the similar-products index) and, when
  Ollama answers (OLLAMA_HOST, OLLAMA_MODEL), the model answers from those items alone, citing their keys; an
  answer citing any other item is rejected. Without Ollama the retrieved items are the answer.
- An analytics question ("what share went to review last week?") is mapped to one of the named insight
  queries (aisle insights) with checked parameters, by the model or else by keywords, and answered with the
  query's rows, its figures and the query used. Never SQL.
The kind is guessed from the question unless --kind says it.

options:
  --kind KIND      product or analytics
  --k N            items to retrieve for a product question (default ${DEFAULT_K})
  --shoppers DIR   also answer from the shopper insights of an \`aisle shoppers\` output folder
  --json           the whole answer as JSON
  -h, --help       this help`;

export async function run(argv: string[]): Promise<number> {
  const args = commandArgs(argv, HELP, {
    allowPositionals: true,
    options: {
      kind: { type: 'string' },
      k: { type: 'string' },
      shoppers: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (!args) return 0;
  const { values, positionals } = args;
  const question = positionals.join(' ').trim();
  if (!question) throw new UserError(`give a question\n\n${HELP}`);
  if (values.kind !== undefined && values.kind !== 'product' && values.kind !== 'analytics')
    throw new UserError(`--kind must be product or analytics, not "${values.kind}"`);
  const k = values.k === undefined ? DEFAULT_K : Number(values.k);
  if (!Number.isInteger(k) || k < 1 || k > 50) throw new UserError(`--k must be an integer from 1 to 50, not "${values.k}"`);

  const home = aisleHome();
  const db = await openLocalDb(home);
  const insights = new DuckDbInsights(join(home, 'lake'));
  const shoppers = values.shoppers ? await ShopperInsights.open(values.shoppers) : undefined;
  // The similar-products index of the home (synced from the lake before it answers): retrieval blends it with BM25.
  const similar = openLocalSimilar(home);
  try {
    const { llm, message } = await reachableOllamaChat();
    if (!llm && !values.json) console.error(`aisle ask: ${message}; answering without a model`);
    const ask = new CatalogAsk({ taxonomy: loadTaxonomy(), catalog: new DuckDbCatalogItems(db, insights), llm, shoppers, similar: similar.similar });
    const answer = await askCatalog(ask.forTenant(DEFAULT_TENANT, insights), { question, kind: values.kind as QuestionKind | undefined, k });
    console.log(values.json ? JSON.stringify(answer, null, 2) : formatAnswer(answer));
    return 0;
  } finally {
    shoppers?.close();
    await similar.close();
    await insights.close();
    await db.close();
  }
}

/** The answer for a terminal: the model's words (or why there are none), then the items or rows they rest on. */
export function formatAnswer(a: AskAnswer): string {
  const how = a.generation.status === 'answered' ? '' : `(${a.generation.status}${a.generation.reason ? `: ${a.generation.reason}` : ''})`;
  if (a.kind === 'product') {
    const items = a.items.map((i) => ({ key: i.key, name: i.name, brand: i.brand ?? '', category: i.label, status: i.status, score: i.score }));
    const cited = new Set(a.citations ?? []);
    const shown = a.answer ? items.map((i) => ({ ...i, cited: cited.has(i.key) ? 'yes' : '' })) : items;
    return [
      ...(a.answer ? [a.answer, ''] : []),
      ...(how ? [how, ''] : []),
      a.items.length ? formatTable(shown) : 'no item matches the question',
    ].join('\n');
  }
  if (!a.query) return [a.summary, `queries: ${a.known.join(', ')}`].join('\n');
  return [
    a.summary,
    `query: ${a.query.name} (${a.query.source}) ${JSON.stringify(a.query.params)}, chosen by ${a.query.plannedBy === 'llm' ? 'the model' : 'keywords'}`,
    ...(how ? [how] : []),
    '',
    formatTable(a.rows),
  ].join('\n');
}
