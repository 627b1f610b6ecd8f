import { aisleHome } from '../../functions/adapters/local/runtime.ts';
import { openLocalSimilar } from '../../functions/adapters/local/vector-index-sync.ts';
import { UserError } from '../../functions/core/errors.ts';
import { loadTaxonomy } from '../../functions/core/taxonomy.ts';
import { StaticEmbedder } from '../../functions/embeddings/static-embedder.ts';
import { readCatalog, scoreCatalog } from '../../functions/similar/eval-catalog.ts';
import type { SimilarItem } from '../../functions/similar/similar.ts';
import { commandArgs } from './args.ts';
import { type Format, render } from './insights.ts';

const HELP = `usage: aisle similar "NAME" [--k N] [--category CLASS] [--format table|csv|json]
       aisle similar --item KEY [--k N] [--category CLASS]

The items classified so far that are most like a product name (or like an item, by its key), best first, each
with its cosine score. Jobs finished since the last look are indexed first ($AISLE_HOME/vectors).

options:
  --item KEY        items like this item instead of a name
  --k N             how many (default 10, at most 100)
  --category CLASS  only items of this class or below it (a class id: food, food.dairy-eggs)
  --format FORMAT   table (default), csv or json
  -h, --help        this help`;

export async function run(argv: string[]): Promise<number> {
  const args = commandArgs(argv, HELP, {
    allowPositionals: true,
    options: {
      item: { type: 'string' },
      k: { type: 'string', default: '10' },
      category: { type: 'string' },
      format: { type: 'string', default: 'table' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (!args) return 0;
  const { values, positionals } = args;
  const text = positionals.join(' ').trim();
  if (!text && !values.item) throw new UserError(`give a product name or --item KEY\n\n${HELP}`);
  const k = Number(values.k);
  if (!Number.isInteger(k) || k < 1) throw new UserError(`--k must be a positive integer, not "${values.k}"`);
  const format = values.format as Format;
  if (!['table', 'csv', 'json'].includes(format)) throw new UserError(`--format is table, csv or json, not "${values.format}"`);
  const taxonomy = loadTaxonomy();
  if (values.category && !taxonomy.resolve(values.category)) throw new UserError(`--category "${values.category}" is not a class of the taxonomy`);
  const category = values.category ? taxonomy.resolve(values.category)!.id : undefined;

  const local = openLocalSimilar(aisleHome());
  try {
    let found: SimilarItem[];
    if (values.item) {
      const answer = await local.similar.similarToItem(values.item, k, { classId: category });
      if (!answer) throw new UserError(`item ${values.item} is not in the index: classify it first (aisle classify)`);
      found = answer.similar;
    } else found = await local.similar.similarToText(text, k, { classId: category });
    const rows = found.map((f) => ({
      score: f.score,
      key: f.key,
      name: f.name,
      class: f.classId ? (taxonomy.get(f.classId)?.label ?? f.classId) : '',
    }));
    console.log(render(rows, format));
  } finally {
    await local.close();
  }
  return 0;
}

const EVAL_HELP = `usage: aisle eval similar --data FILE.csv [--category COLUMN] [--queries N]

Scores similar products on a labelled catalog: for each query item, the other candidates of its category are
the relevant ones. Prints Precision@5, Precision@10, Recall@10, NDCG@10 and MAP@10 for Aisle's vectors, and below
them for a TF-IDF cosine baseline over the same queries and candidates.

With a split column holding train and held-out (test, validation) rows: a category model learns the file's own
categories from the train rows (as it would from a retailer's labelled items), and the held-out rows are both
the queries and the candidates, so no label a query is scored on is seen in fitting; the 50 nearest by vector
are re-ranked by the chance of sharing the query's category (as the served routes do), and the vectors without
the re-ranking are scored below. Without one, every row is a candidate and the vectors of the names alone are scored.

options:
  --data FILE        labelled CSV with a name column (product_name, name, title) and the category column (required)
  --category COLUMN  the column whose equal values are relevant (default: aisle, else level2)
  --queries N        query items, sampled with a fixed seed (default 1000; 0: all)
  -h, --help         this help`;

export async function runEval(argv: string[]): Promise<number> {
  const args = commandArgs(argv, EVAL_HELP, {
    options: {
      data: { type: 'string' },
      category: { type: 'string' },
      queries: { type: 'string', default: '1000' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (!args) return 0;
  const { values } = args;
  if (!values.data) throw new UserError(`give --data FILE.csv\n\n${EVAL_HELP}`);
  const queries = Number(values.queries);
  if (!Number.isInteger(queries) || queries < 0) throw new UserError(`--queries must be a whole number, not "${values.queries}"`);
  const catalog = await readCatalog(values.data, values.category);
  const started = performance.now();
  const report = scoreCatalog(catalog, StaticEmbedder.load(), { queries, say: (line) => console.error(line) });
  console.log(
    `${report.candidates} candidates, ${report.systems[0].scores.queries} queries, relevance = same ${catalog.categoryColumn} (${report.categories} values)`,
  );
  console.log(`protocol: ${report.protocol}`);
  if (report.modelAccuracy !== undefined)
    console.log(`the category model files ${report.modelAccuracy.toFixed(4)} of the held-out rows in their ${catalog.categoryColumn}`);
  console.log('');
  const rows = report.systems.map(({ system, scores: s }) => ({
    system,
    'P@5': s.precisionAt5,
    'P@10': s.precisionAt10,
    'R@10': s.recallAt10,
    'NDCG@10': s.ndcgAt10,
    'MAP@10': s.mapAt10,
  }));
  console.log(render(rows, 'table'));
  console.log(`\n${((performance.now() - started) / 1000).toFixed(1)} s`);
  return 0;
}
