import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { LocalModelRegistry } from '../../functions/adapters/local/model-registry.ts';
import { loadTaxonomy } from '../../functions/core/taxonomy.ts';
import { readLabelledCsv, type LabelledRow } from '../../functions/model/labelled-data.ts';
import { assertVersionName, newVersionName } from '../../functions/model/registry.ts';
import { formatComparison, retrain, RetrainError } from '../../functions/model/retrain.ts';
import { readStarterCatalog } from '../../models/starter/train-starter.ts';

const HELP = `usage: aisle train --data FILE.csv [options]

Trains a challenger model, scores it and the champion on the same held-out rows, and promotes it only if
its Level 2 macro-F1 is higher and its Level 1 accuracy is not lower. Versions live in $AISLE_HOME/models
(registry.json there names the champion); the shipped starter model is the champion until one is promoted.

Data: a CSV with a product name column (product_name, name, title), the label columns level1, level2 and
optionally brand and split. With a split column, "train" rows train and "test"/"validation"/"holdout" rows
are the held-out set; without one, a stable-hash slice (--holdout) is held out. The starter catalog's rows
are added to the training rows so general merchandise stays known.

options:
  --data FILE             labelled CSV (required unless --from-store)
  --no-starter            do not add the starter catalog to the training rows
  --from-store            add labelled items of the local result store (human labels and LLM decisions)
  --holdout FRACTION      held-out share when the data has no split column (default 0.1)
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

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      data: { type: 'string' },
      'no-starter': { type: 'boolean', default: false },
      'from-store': { type: 'boolean', default: false },
      holdout: { type: 'string' },
      seed: { type: 'string' },
      'target-precision': { type: 'string' },
      version: { type: 'string' },
      'no-promote': { type: 'boolean', default: false },
      threads: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  if (!values.data && !values['from-store']) {
    console.error(`aisle train: give --data FILE.csv (or --from-store)\n\n${HELP}`);
    return 2;
  }
  const holdout = numberOption('holdout', values.holdout, 0.1, (n) => n > 0 && n < 0.5);
  const seed = numberOption('seed', values.seed, 42, Number.isInteger);
  const targetPrecision = numberOption('target-precision', values['target-precision'], 0.97, (n) => n > 0.5 && n < 1);
  const threads = numberOption('threads', values.threads, availableParallelism(), (n) => Number.isInteger(n) && n > 0);
  const version = values.version ?? newVersionName();
  assertVersionName(version);

  const taxonomy = loadTaxonomy();
  const registry = LocalModelRegistry.forHome();
  const train: LabelledRow[] = [];
  const heldOut: LabelledRow[] = [];
  if (values.data) {
    const data = await readLabelledCsv(values.data, taxonomy, { heldOutFraction: holdout });
    for (const r of data.rows) (r.heldOut ? heldOut : train).push(r);
    const how = data.hasSplit ? 'by its split column' : `by a stable hash (${(holdout * 100).toFixed(0)}%)`;
    console.log(`${values.data}: ${data.rows.length} labelled rows, ${heldOut.length} held out ${how}`);
    if (data.skipped.length) console.log(`  skipped ${data.skipped.length} row(s) without a name (first: line ${data.skipped[0].line})`);
  }
  if (values['from-store']) {
    throw new RetrainError('--from-store needs the local result store, which this build does not include yet');
  }
  if (!values['no-starter']) {
    const starter = await readStarterCatalog(taxonomy);
    train.push(...starter.train, ...starter.heldOut);
    console.log(`starter catalog: ${starter.train.length + starter.heldOut.length} rows added to the training rows`);
  }

  const started = performance.now();
  const result = await retrain({
    taxonomy,
    registry,
    train,
    heldOut,
    version,
    seed,
    targetPrecision,
    threads,
    promote: !values['no-promote'],
    onProgress: (msg) => console.log(`  ${msg}`),
  });
  console.log(`\n${formatComparison(result)}\n`);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  if (result.promoted) console.log(`promoted ${version} to champion: ${result.decision.reason} (${seconds} s)`);
  else if (result.decision.promote) console.log(`${version} would win (${result.decision.reason}) but --no-promote kept ${result.champion?.version ?? 'no champion'}; it stays a challenger`);
  else console.log(`kept champion ${result.champion?.version}: challenger ${version} retired, ${result.decision.reason} (${seconds} s)`);
  console.log(`model folder: ${result.challenger.dir}`);
  return 0;
}
