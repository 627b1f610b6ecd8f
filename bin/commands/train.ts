import { availableParallelism } from 'node:os';
import { DuckDbResultStore } from '../../functions/adapters/local/duckdb.ts';
import { LocalModelRegistry } from '../../functions/adapters/local/model-registry.ts';
import { type LabelledItem, readLabelledExport } from '../../functions/adapters/local/retrainer.ts';
import { aisleHome, openLocalDb } from '../../functions/adapters/local/runtime.ts';
import { itemText } from '../../functions/core/normalize.ts';
import { loadRules } from '../../functions/core/rules.ts';
import { loadTaxonomy, type Taxonomy } from '../../functions/core/taxonomy.ts';
import { isHeldOutByHash, type LabelledRow, type LabelledText, readLabelledCsv } from '../../functions/model/labelled-data.ts';
import { assertVersionName, newVersionName } from '../../functions/model/registry.ts';
import { formatComparison, RetrainError, retrain } from '../../functions/model/retrain.ts';
import { DEFAULT_STARTER_SHARE, DEFAULT_TEACHER_WEIGHT, STARTER_DIR, starterRowsBeside, teacherRows } from '../../models/starter/train-starter.ts';
import { commandArgs } from './args.ts';

const HELP = `usage: aisle train [--data FILE.csv] [--from-store] [options]

Trains a challenger model, scores it and the champion on the same held-out rows, and promotes it only if
its Level 2 macro-F1 is higher and its Level 1 accuracy is not lower. Versions live in $AISLE_HOME/models
(registry.json there names the champion); the shipped starter model is the champion until one is promoted.

Data: a CSV with a product name column (product_name, name, title), the label columns level1, level2 and
optionally brand and split. With a split column, "train" rows train and "test"/"validation"/"holdout" rows
are the held-out set; without one, a stable-hash slice (--holdout) is held out. The starter catalog's rows
are added to the training rows, weighted to carry at least --starter-share of the training weight, so general
merchandise stays known however large the data; Food and Non-Food rows are weighed to equal totals (yours and
the starter's apart), and the shipped starter's own answers on your rows train beside your labels as soft
targets (weight 0.2), so your words keep what the starter knew of them.

Without --data, the labelled items of the local result store are used (--from-store): human labels and
LLM decisions train, and a stable-hash slice (--holdout) of the human labels is the held-out set.

options:
  --data FILE             labelled CSV
  --fine-column COLUMN    the file's own finer category (e.g. a retailer's aisle): the model learns each
                          (class, COLUMN value) pair and sums their probabilities into the class, which
                          sharpens the borders between classes a retailer splits finer (measured on Instacart:
                          docs/models.md); rows without a value train their class as before
  --linear                also blend a linear classifier over the names' word and character n-grams (TF-IDF)
                          into the model's probabilities: +0.3 point of level-2 macro-F1 on Instacart, at a
                          third of the encoder's speed and +7 MB (linear.bin; docs/models.md)
  --no-starter            do not add the starter catalog nor the starter's answers to the training rows
  --starter-share S       least share of the training weight the starter catalog keeps (default 0.75;
                          its rows never weigh less than the user's)
  --from-store            add labelled items of the local result store (human labels and LLM decisions);
                          the default without --data
  --store-export FILE     the local store's labelled items as a running \`aisle serve\` exported them (JSON
                          lines), read instead of the store, which the server holds (POST /v1/models/retrain)
  --holdout FRACTION      held-out share by stable hash when there is no split column (default 0.1)
  --seed N                training seed (default 42): same data and seed, same model
  --target-precision P    precision the per-class thresholds are calibrated for (default 0.97)
  --version NAME          name of the new version (default v<date>-<time>)
  --no-promote            train and compare only; leave the champion as it is
  --threads N             inference threads for scoring (default: all cores)
  -h, --help              this help`;

function numberOption(name: string, raw: string | undefined, fallback: number, ok: (n: number) => boolean): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || !ok(n)) throw Object.assign(new Error(`--${name}: "${raw}" is out of range`), { userFacing: true });
  return n;
}

/**
 * Labelled items of the local result store: human labels and LLM decisions train; without a data file, a
 * stable-hash slice of the human labels (gold) is the held-out set. `exported`: the items as a running server
 * exported them (the store is its own while it runs); otherwise the store itself.
 */
async function readStore(taxonomy: Taxonomy, opts: { holdOutHuman: boolean; fraction: number; exported: string | undefined }) {
  if (opts.exported) return splitLabelled(taxonomy, readLabelledExport(opts.exported), opts);
  const db = await openLocalDb();
  try {
    return await splitLabelled(taxonomy, new DuckDbResultStore(db).exportLabelled({ tiers: ['human', 'llm'] }), opts);
  } finally {
    await db.close();
  }
}

async function splitLabelled(taxonomy: Taxonomy, items: AsyncIterable<LabelledItem>, opts: { holdOutHuman: boolean; fraction: number }) {
  const out = { train: [] as LabelledRow[], heldOut: [] as LabelledRow[], human: 0, llm: 0, stale: 0 };
  for await (const item of items) {
    if (!taxonomy.get(item.classId)) {
      out.stale++;
      continue;
    }
    const text = itemText(item.input);
    const human = item.tier === 'human';
    if (human) out.human++;
    else out.llm++;
    const heldOut = opts.holdOutHuman && human && isHeldOutByHash(text, opts.fraction);
    (heldOut ? out.heldOut : out.train).push({ text, classId: item.classId, heldOut });
  }
  return out;
}

export async function run(argv: string[]): Promise<number> {
  const args = commandArgs(argv, HELP, {
    options: {
      data: { type: 'string' },
      'fine-column': { type: 'string' },
      linear: { type: 'boolean', default: false },
      'no-starter': { type: 'boolean', default: false },
      'starter-share': { type: 'string' },
      'from-store': { type: 'boolean', default: false },
      'store-export': { type: 'string' },
      holdout: { type: 'string' },
      seed: { type: 'string' },
      'target-precision': { type: 'string' },
      version: { type: 'string' },
      'no-promote': { type: 'boolean', default: false },
      threads: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (!args) return 0;
  const { values } = args;
  const holdout = numberOption('holdout', values.holdout, 0.1, (n) => n > 0 && n < 0.5);
  const starterShare = numberOption('starter-share', values['starter-share'], DEFAULT_STARTER_SHARE, (n) => n >= 0 && n < 1);
  const seed = numberOption('seed', values.seed, 42, Number.isInteger);
  const targetPrecision = numberOption('target-precision', values['target-precision'], 0.97, (n) => n > 0.5 && n < 1);
  const threads = numberOption('threads', values.threads, availableParallelism(), (n) => Number.isInteger(n) && n > 0);
  if (values['fine-column'] && !values.data) throw Object.assign(new Error('--fine-column names a column of --data FILE'), { userFacing: true });
  const version = values.version ?? newVersionName();
  assertVersionName(version);

  const taxonomy = loadTaxonomy();
  const registry = LocalModelRegistry.forHome(aisleHome());
  const { train, starterRows, teacherRows, heldOut } = await gatherRows(taxonomy, {
    data: values.data,
    fineColumn: values['fine-column'],
    fromStore: values['from-store'],
    storeExport: values['store-export'],
    noStarter: values['no-starter'],
    starterShare,
    holdout,
  });

  const started = performance.now();
  const result = await retrain({
    taxonomy,
    registry,
    train,
    starterRows,
    teacherRows,
    heldOut,
    version,
    seed,
    targetPrecision,
    threads,
    promote: !values['no-promote'],
    rules: loadRules(taxonomy),
    trainer: {
      linear: values.linear ? true : undefined,
      // Names far from all of yours keep the shipped starter's view (docs/models.md "Training never forgets").
      starterGate: starterRows.length ? { dir: STARTER_DIR } : undefined,
    },
    onProgress: (msg) => console.log(`  ${msg}`),
  });
  report(result, version, started);
  return 0;
}

/** The training and held-out rows: the data file, the local store, and the starter catalog, as the options ask. */
async function gatherRows(
  taxonomy: Taxonomy,
  opts: {
    data: string | undefined;
    fineColumn: string | undefined;
    fromStore: boolean | undefined;
    storeExport: string | undefined;
    noStarter: boolean | undefined;
    starterShare: number;
    holdout: number;
  },
): Promise<{ train: LabelledRow[]; starterRows: LabelledRow[]; teacherRows: LabelledText[]; heldOut: LabelledRow[] }> {
  const train: LabelledRow[] = [];
  const heldOut: LabelledRow[] = [];
  const starterRows: LabelledRow[] = [];
  const teacher: LabelledText[] = [];
  if (opts.data) {
    const data = await readLabelledCsv(opts.data, taxonomy, { heldOutFraction: opts.holdout, fineColumn: opts.fineColumn });
    for (const r of data.rows) (r.heldOut ? heldOut : train).push(r);
    const how = data.hasSplit ? 'by its split column' : `by a stable hash (${(opts.holdout * 100).toFixed(0)}%)`;
    console.log(`${opts.data}: ${data.rows.length} labelled rows, ${heldOut.length} held out ${how}`);
    if (data.skipped.length) console.log(`  skipped ${data.skipped.length} row(s) without a name (first: line ${data.skipped[0].line})`);
  }
  if (opts.fromStore || opts.storeExport || !opts.data) {
    const store = await readStore(taxonomy, { holdOutHuman: !opts.data, fraction: opts.holdout, exported: opts.storeExport });
    train.push(...store.train);
    heldOut.push(...store.heldOut);
    console.log(
      `local store: ${store.human + store.llm} labelled items (${store.human} human labels, ${store.llm} LLM decisions)` +
        (opts.data ? ', all training rows' : `, ${store.heldOut.length} human labels held out by a stable hash`) +
        (store.stale ? `; ${store.stale} left out: their class is not in taxonomy ${taxonomy.version}` : ''),
    );
    if (!opts.data && !store.heldOut.length) {
      throw new RetrainError('no held-out rows: label items in the inspector (human labels) or pass --data FILE.csv');
    }
  }
  if (!opts.noStarter) {
    const starter = await starterRowsBeside(taxonomy, train.length, opts.starterShare);
    starterRows.push(...starter.rows);
    console.log(`starter catalog: ${starter.rows.length} rows added to the training rows, weight ${starter.weight.toFixed(2)} each`);
    teacher.push(
      ...(await teacherRows(
        train.map((r) => r.text),
        DEFAULT_TEACHER_WEIGHT,
      )),
    );
    console.log(`starter as teacher: its answers on your ${train.length} training rows, weight ${DEFAULT_TEACHER_WEIGHT} each`);
  }

  return { train, starterRows, teacherRows: teacher, heldOut };
}

/** Prints the comparison and what became of the challenger. */
function report(result: Awaited<ReturnType<typeof retrain>>, version: string, started: number): void {
  console.log(`\n${formatComparison(result)}\n`);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  if (result.promoted) console.log(`promoted ${version} to champion: ${result.decision.reason} (${seconds} s)`);
  else if (result.decision.promote)
    console.log(
      `${version} would win (${result.decision.reason}) but --no-promote kept ${result.champion?.version ?? 'no champion'}; it stays a challenger`,
    );
  else console.log(`kept champion ${result.champion?.version}: challenger ${version} retired, ${result.decision.reason} (${seconds} s)`);
  console.log(`model folder: ${result.challenger.dir}`);
}
