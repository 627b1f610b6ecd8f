import { writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { LocalModelRegistry } from '../../functions/adapters/local/model-registry.ts';
import { aisleHome } from '../../functions/adapters/local/runtime.ts';
import { loadTaxonomy } from '../../functions/core/taxonomy.ts';
import { OnnxEncoder } from '../../functions/model/encoder.ts';
import { evaluate, formatReport } from '../../functions/model/evaluate.ts';
import { readLabelledCsv } from '../../functions/model/labelled-data.ts';
import { RegistryError } from '../../functions/model/registry.ts';
import { commandArgs } from './args.ts';

const HELP = `usage: aisle eval --data FILE.csv [--model DIR|VERSION] [options]
       aisle eval ask [options]   (scores \`aisle ask\`: aisle eval ask --help)
       aisle eval similar --data FILE.csv   (similar products: see aisle eval similar --help)

Scores a model on labelled rows: accuracy and macro-F1 per level, per-class precision/recall/F1, coverage
and accuracy at the model's per-class thresholds, the coverage/accuracy curve and the confusion matrix.

Data: a CSV with a product name column (product_name, name, title), the label columns level1, level2 and
optionally brand and split. With a split column only the held-out rows (test/validation/holdout) are
scored, unless --all-rows.

options:
  --data FILE        labelled CSV (required)
  --model DIR|NAME   a model folder or a version in the registry (default: the champion)
  --all-rows         score every row, whatever its split
  --json FILE        also write the report as JSON
  --threads N        inference threads (default: all cores)
  -h, --help         this help`;

export async function run(argv: string[]): Promise<number> {
  if (argv[0] === 'ask') return (await import('./eval-ask.ts')).run(argv.slice(1));
  if (argv[0] === 'similar') return (await import('./similar.ts')).runEval(argv.slice(1));
  const args = commandArgs(argv, HELP, {
    options: {
      data: { type: 'string' },
      model: { type: 'string' },
      'all-rows': { type: 'boolean', default: false },
      json: { type: 'string' },
      threads: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (!args) return 0;
  const { values } = args;
  if (!values.data) {
    console.error(`aisle eval: give --data FILE.csv\n\n${HELP}`);
    return 2;
  }
  const threads = values.threads === undefined ? availableParallelism() : Number(values.threads);
  if (!Number.isInteger(threads) || threads < 1) {
    console.error(`aisle eval: --threads must be a positive integer, not "${values.threads}"`);
    return 2;
  }
  const taxonomy = loadTaxonomy();
  const registry = LocalModelRegistry.forHome(aisleHome());
  let dir: string;
  if (values.model) dir = registry.resolveModelDir(values.model);
  else {
    const champion = await registry.champion();
    if (!champion?.location) throw new RegistryError('no champion model: train one with `aisle train` or pass --model DIR');
    dir = champion.location;
  }

  const data = await readLabelledCsv(values.data, taxonomy);
  const rows = data.hasSplit && !values['all-rows'] ? data.rows.filter((r) => r.heldOut) : data.rows;
  if (!rows.length) {
    console.error(
      `aisle eval: ${values.data} has no ${data.hasSplit && !values['all-rows'] ? 'held-out (test/validation) ' : ''}rows to score${data.hasSplit ? '; --all-rows scores every row' : ''}`,
    );
    return 1;
  }
  const which = data.hasSplit && !values['all-rows'] ? 'held-out rows (split column)' : 'rows';
  console.log(`scoring ${rows.length} ${which} of ${values.data} with ${dir}`);
  if (data.skipped.length) console.log(`  skipped ${data.skipped.length} row(s) without a name (first: line ${data.skipped[0].line})`);

  const encoder = await OnnxEncoder.load(dir, { taxonomy, threads });
  try {
    const started = performance.now();
    const report = await evaluate(encoder, rows, taxonomy);
    const seconds = (performance.now() - started) / 1000;
    console.log(`\n${formatReport(report)}\n`);
    console.log(`${rows.length} rows in ${seconds.toFixed(2)} s (${Math.round(rows.length / seconds)} rows/s, ${threads} threads)`);
    if (values.json) {
      await writeFile(values.json, `${JSON.stringify(report, null, 2)}\n`);
      console.log(`report written to ${values.json}`);
    }
  } finally {
    await encoder.close();
  }
  return 0;
}
