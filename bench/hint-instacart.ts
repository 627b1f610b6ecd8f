/**
 * Does a retailer's own category help (issue 20 item 4)? The Instacart catalog (../shared/datasets/instacart-labeled.csv
 * or $AISLE_DATASET): a model trained on split=train (or --model DIR), then the cascade (rules + encoder, no LLM) on
 * split=test several times in the same run, each with a fresh tier: without a hint; with `department` as the source
 * category (19 departments; a department's training rows are 96.5% one of our Level 2 classes, a clean hint); the
 * department with a quarter of the rows given a random one; a random department (no information: what a useless
 * hint costs); and `aisle` (131 aisles, each entirely one of our classes: nearly the label, not what an export gives).
 *
 *   npx tsx bench/hint-instacart.ts [--model DIR] [--batch 1024]   (--model: trained there on split=train when absent)
 *
 * The tier learns their category → our class from the rows it decides confidently, batch by batch, as
 * `aisle classify` does; rows are fed in file order in batches of --batch.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Cascade } from '../functions/core/cascade.ts';
import { createEncoderTier } from '../functions/core/encoder-tier.ts';
import { toCascadeItem } from '../functions/core/normalize.ts';
import { seededRandom } from '../functions/core/random.ts';
import { createRulesTier, loadRules } from '../functions/core/rules.ts';
import { loadTaxonomy } from '../functions/core/taxonomy.ts';
import type { Decision } from '../functions/core/types.ts';
import { OnnxEncoder } from '../functions/model/encoder.ts';
import { trainEncoder } from '../functions/model/train.ts';
import { readInstacart, scoreCascade } from './instacart.ts';
import { machineLine } from './machine.ts';

const { values: args } = parseArgs({ options: { model: { type: 'string' }, batch: { type: 'string', default: '1024' } } });
const taxonomy = loadTaxonomy();
const { dataset, rows } = readInstacart(taxonomy);
console.log(machineLine());
const test = rows.filter((r) => r.split === 'test');
console.log(`dataset: ${dataset} · test ${test.length}`);
const ruleSet = loadRules(taxonomy);

// --model DIR: that model, trained there first when the folder has none (it must stay outside the repository).
const scratch = args.model ? undefined : await mkdtemp(join(tmpdir(), 'aisle-hint-'));
const dir = args.model ? resolve(args.model) : join(scratch!, 'instacart');
if (!existsSync(join(dir, 'model.onnx'))) {
  const started = performance.now();
  await trainEncoder(
    rows.filter((r) => r.split === 'train'),
    { taxonomy, outDir: dir, rules: ruleSet },
  );
  console.log(`trained on split=train in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}
const encoder = await OnnxEncoder.load(dir);
const batch = Number(args.batch);

// Two hints worse than a real export's, to show what a poor one costs: the department with a quarter of the rows
// given another at random, and a department drawn at random for every row (no information at all).
const random = seededRandom(7);
const departments = [...new Set(test.map((r) => r.department))].sort();
const anyDepartment = () => departments[Math.floor(random() * departments.length)];
const hints = {
  'none (baseline)': test.map(() => undefined),
  department: test.map((r) => r.department),
  'department, 25% replaced at random': test.map((r) => (random() < 0.25 ? anyDepartment() : r.department)),
  'a random department': test.map(() => anyDepartment()),
  'aisle (nearly the label)': test.map((r) => r.aisle),
};

async function run(hint: (string | undefined)[]): Promise<Decision[]> {
  const cascade = new Cascade({ taxonomy, tiers: [createRulesTier(ruleSet), createEncoderTier(encoder, { taxonomy })] });
  const items = test.map((r, i) => ({ ...toCascadeItem({ name: r.text }), sourceCategory: hint[i] }));
  const out: Decision[] = [];
  for (let i = 0; i < items.length; i += batch) out.push(...(await cascade.classify(items.slice(i, i + batch))));
  return out;
}

const runs: [string, Decision[]][] = [];
for (const [name, hint] of Object.entries(hints)) runs.push([name, await run(hint)]);
console.log(`\ncascade rules + encoder (${encoder.modelVersion}), no LLM, test split, batches of ${batch}; covered = decided by rules or encoder`);
console.log('| hint column | L1 accuracy | L2 accuracy | L2 macro-F1 | coverage | L2 accuracy on covered | rows the hint decided | their accuracy |');
console.log('|---|---|---|---|---|---|---|---|');
for (const [hint, decisions] of runs) {
  const report = scoreCascade(decisions, test, taxonomy, hint);
  const byHint = decisions.map((d, i) => ({ d, i })).filter(({ d }) => d.tier === 'encoder' && d.reason?.includes('hint: '));
  const right = byHint.filter(({ d, i }) => d.classId === test[i].classId).length;
  const [l1, l2] = report.levels;
  console.log(
    `| ${hint} | ${l1.accuracy.toFixed(4)} | ${l2.accuracy.toFixed(4)} | ${l2.macroF1.toFixed(4)} | ${(report.coverage.coverage * 100).toFixed(1)}% | ${report.coverage.accuracy.toFixed(4)} | ${byHint.length} | ${byHint.length ? (right / byHint.length).toFixed(4) : '–'} |`,
  );
}
const example = runs[1][1].find((d) => d.tier === 'encoder' && d.reason?.includes('hint: '));
if (example) console.log(`\nexample trace reason: ${example.reason}`);
await encoder.close();
if (scratch) await rm(scratch, { recursive: true, force: true });
