/**
 * Encoder benchmark on the Instacart catalog (../shared/datasets/instacart-labeled.csv or $AISLE_DATASET):
 * trains on split=train, reports on split=test — accuracy and macro-F1 per level, coverage at the calibrated
 * thresholds, the coverage/accuracy curve, training time, model size, batched inference rows/s (tokenization
 * included), and out-of-domain behaviour. The cascade (rules + encoder) is measured when the rules tier exists.
 *
 *   npx tsx bench/encoder-instacart.ts [--keep DIR] [--bag '{"dim":64}'] [--static-branch SCALE] [--neighbours] [--fine aisle|department]
 *     [--linear] [--linear-config '{"buckets":131072}']
 *
 * --neighbours: trains with the nearest-labelled-neighbour component (functions/model/neighbours.ts; k, power and
 * blend weight chosen on the validation slice, printed with the bag's validation macro-F1 beside it).
 *
 * --fine COLUMN: the dataset's own finer category (aisle: 131 values, department: 21): the bag learns each (class,
 * fine label) pair and sums their probabilities into the class, as `aisle train --fine-column COLUMN` does.
 *
 * --linear: trains with the sparse linear classifier over TF-IDF word and character n-grams (functions/model/linear-model.ts;
 * temperature and blend weight chosen on the validation slice) and prints its own figures on the test split first.
 *
 * --static-branch (issue 16 experiment): trains the bag without and with the static word table's vector as a frozen
 * linear branch (bag config staticFeatures), both in this run, and prints the validation slice's figures (select on
 * these, never on test) and level-1 accuracy on the project's check sets (bench/checks) by argmax, computed in
 * TypeScript since the ONNX export does not carry the branch. Nothing is written.
 *
 * The dataset is read, never copied; the model is written to a temporary folder (or --keep DIR, which must
 * be outside the repository: a model trained on this data must not be shipped).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Cascade } from '../functions/core/cascade.ts';
import { createEncoderTier } from '../functions/core/encoder-tier.ts';
import { normalizeText, toCascadeItem } from '../functions/core/normalize.ts';
import { createRulesTier, loadRules } from '../functions/core/rules.ts';
import { loadTaxonomy } from '../functions/core/taxonomy.ts';
import { CONFIDENCE_FILE } from '../functions/model/confidence.ts';
import { OnnxEncoder } from '../functions/model/encoder.ts';
import { evaluate, formatReport } from '../functions/model/evaluate.ts';
import { LinearModel } from '../functions/model/linear-model.ts';
import { argmax, macroF1 } from '../functions/model/neighbours.ts';
import { trainEncoder } from '../functions/model/train.ts';
import { OUT_OF_DOMAIN } from '../test/fixtures/grocery.ts';
import { readInstacart, scoreCascade } from './instacart.ts';
import { machineLine } from './machine.ts';
import { compareStaticBranch } from './static-branch.ts';

const { values: args } = parseArgs({
  options: {
    keep: { type: 'string' },
    bag: { type: 'string' },
    'static-branch': { type: 'string' },
    neighbours: { type: 'boolean' },
    fine: { type: 'string' },
    linear: { type: 'boolean' },
    'linear-config': { type: 'string' },
  },
});
const taxonomy = loadTaxonomy();
const { dataset, rows } = readInstacart(taxonomy);
console.log(machineLine());
const fineColumn = args.fine as 'aisle' | 'department' | undefined;
if (fineColumn && fineColumn !== 'aisle' && fineColumn !== 'department') throw new Error('--fine: aisle or department');
const train = rows.filter((r) => r.split === 'train').map((r) => ({ ...r, fine: fineColumn && r[fineColumn] }));
const test = rows.filter((r) => r.split === 'test');
console.log(`dataset: ${dataset} · train ${train.length} · test ${test.length}`);
if (args['static-branch']) {
  await compareStaticBranch(train, taxonomy, Number(args['static-branch']), args.bag ? JSON.parse(args.bag) : {});
  process.exit(0);
}

const ruleSet = loadRules(taxonomy);
const dir = args.keep ? resolve(args.keep) : join(await mkdtemp(join(tmpdir(), 'aisle-bench-')), 'instacart');
const started = performance.now();
const trainCpu0 = process.cpuUsage();
const { metrics } = await trainEncoder(train, {
  taxonomy,
  outDir: dir,
  bag: args.bag ? JSON.parse(args.bag) : undefined,
  rules: ruleSet,
  neighbours: args.neighbours,
  linear: args.linear && (args['linear-config'] ? JSON.parse(args['linear-config']) : true),
  onProgress: (m) => console.log(`  train: ${m}`),
});
const trainSeconds = (performance.now() - started) / 1000;
const trainCpu = process.cpuUsage(trainCpu0);
const files = readdirSync(dir).map((f) => ({ f, size: statSync(join(dir, f)).size }));
const totalMb = files.reduce((s, x) => s + x.size, 0) / 1e6;
console.log(
  `training: ${trainSeconds.toFixed(1)} s, ${((trainCpu.user + trainCpu.system) / 1e6).toFixed(1)} CPU s (target ≤ 180 s) · validation rows ${metrics.validationRows}`,
);
console.log(`model files: ${totalMb.toFixed(2)} MB (target ≤ 25 MB): ${files.map((x) => `${x.f} ${(x.size / 1e6).toFixed(2)} MB`).join(', ')}`);

if (metrics.linear) {
  // The linear classifier alone on the test split, by its top class (as the dataset README's reference is scored).
  const linear = LinearModel.fromBuffer(await readFile(join(dir, metrics.linear.file)), metrics.linear.temperature);
  const classIndex = new Map(classIdsOf(dir).map((c, i) => [c, i]));
  const probs = new Float64Array(classIndex.size);
  const cpu0 = process.cpuUsage();
  const predicted = test.map((r) => {
    linear.probabilitiesInto(normalizeText(r.text), probs);
    return argmax(probs);
  });
  const used = process.cpuUsage(cpu0);
  const gold = test.map((r) => classIndex.get(r.classId)!);
  const accuracy = predicted.filter((p, i) => p === gold[i]).length / test.length;
  console.log(
    `\n=== linear alone (${metrics.linear.labels} labels), test split ===\nL2 accuracy ${accuracy.toFixed(4)}, L2 macro-F1 ${macroF1(gold, predicted, classIndex.size).toFixed(4)} · ${Math.round(test.length / ((used.user + used.system) / 1e6))} rows per CPU-second · validation: ${JSON.stringify(metrics.linear.validation)}`,
  );
}

const encoder = await OnnxEncoder.load(dir);
const report = await evaluate(encoder, test, taxonomy);
console.log('\n=== encoder alone, test split ===');
console.log(formatReport(report));

// Batched inference throughput, normalization and tokenization included: a freshly loaded encoder on the test
// split (its tokenizer has seen none of these words yet), then 5 more passes (word cache warm).
const texts = test.map((r) => r.text);
const fresh = await OnnxEncoder.load(dir);
let t0 = performance.now();
await fresh.predict(texts, 3);
const coldRate = texts.length / ((performance.now() - t0) / 1000);
await fresh.close();
t0 = performance.now();
const cpu0 = process.cpuUsage();
const reps = 5;
for (let i = 0; i < reps; i++) await encoder.predict(texts, 3);
const rowsPerSecond = (reps * texts.length) / ((performance.now() - t0) / 1000);
// CPU seconds of the process (every thread): what a busy shared machine cannot distort the way it does wall time.
const cpu = process.cpuUsage(cpu0);
const rowsPerCpuSecond = (reps * texts.length) / ((cpu.user + cpu.system) / 1e6);
console.log(
  `\ninference (batch 1024, ${cpus().length} threads, target ≥ 50,000 rows/s): first pass ${Math.round(coldRate)} rows/s, repeated ${Math.round(rowsPerSecond)} rows/s, ${Math.round(rowsPerCpuSecond)} rows per CPU-second`,
);

if (metrics.linear) {
  // The same folder without linear.bin (metrics.json without its name), alternating with the model, 2 rounds: what the
  // linear classifier costs at serving, in CPU time of this process (the probabilities differ; only speed is read).
  // Without confidence.json too: one fitted with linear.bin reads its signals (predict gathers no evidence anyway).
  const bare = await mkdtemp(join(tmpdir(), 'aisle-bench-bare-'));
  for (const f of readdirSync(dir))
    if (![metrics.linear.file, 'metrics.json', CONFIDENCE_FILE].includes(f)) await symlink(join(dir, f), join(bare, f));
  await writeFile(join(bare, 'metrics.json'), JSON.stringify({ ...metrics, linear: undefined, confidence: undefined }));
  const without = await OnnxEncoder.load(bare);
  await without.predict(texts, 3);
  const perCpuSecond = async (model: OnnxEncoder) => {
    const c = process.cpuUsage();
    for (let i = 0; i < reps; i++) await model.predict(texts, 3);
    const u = process.cpuUsage(c);
    return Math.round((reps * texts.length) / ((u.user + u.system) / 1e6));
  };
  const rounds: string[] = [];
  for (let r = 0; r < 2; r++) rounds.push(`with ${await perCpuSecond(encoder)} · without ${await perCpuSecond(without)}`);
  console.log(`inference with and without linear.bin, rows per CPU-second: ${rounds.join('; ')}`);
  await without.close();
  await rm(bare, { recursive: true, force: true });
}

// Why the tokenizer has a fast path: the library's per-call cost, on the same (normalized) texts.
const normalized = texts.map(normalizeText);
const tokenizeRate = (encode: (t: string) => number[]) => {
  const t = performance.now();
  let n = 0;
  for (const text of normalized) n += encode(text).length;
  return { rate: normalized.length / ((performance.now() - t) / 1000), n };
};
const lib = tokenizeRate((t) => encoder.tokenizer.encodeWithLibrary(t));
const fast = tokenizeRate((t) => encoder.tokenizer.encode(t));
console.log(
  `tokenization: library ${Math.round(lib.rate)} rows/s, fast path ${Math.round(fast.rate)} rows/s (same ${lib.n === fast.n ? 'token count' : 'COUNT DIFFERS'})`,
);

// Out-of-domain: project-written names of goods unlike the training data.
const tier = createEncoderTier(encoder, { taxonomy });
const outcomes = await tier.decide(
  OUT_OF_DOMAIN.map((name) => toCascadeItem({ name })),
  { hints: [] },
);
const foodAccepted = outcomes.filter((o) => o.kind === 'decided' && o.classId?.startsWith('food')).length;
console.log(`out-of-domain: ${outcomes.filter((o) => o.kind === 'decided').length}/${OUT_OF_DOMAIN.length} accepted, ${foodAccepted} as Food`);
outcomes.forEach((o, i) => console.log(`  ${OUT_OF_DOMAIN[i].padEnd(45)} ${o.kind} ${'reason' in o ? o.reason : ''}`));

// The cascade without the LLM, as `aisle classify` runs it: rules, then the encoder, which also reviews the rules'
// decisions (the model measured the rules when it was trained); what neither decides keeps the best guess
// (status needs_review). Coverage = rows decided by rules or encoder; rules' explicit Unknown counts as wrong.
// A model with a learned confidence (confidence.json) is measured with it and, in the same run, without it.
async function measureCascade(model: OnnxEncoder, title: string) {
  const cascade = new Cascade({ taxonomy, tiers: [createRulesTier(ruleSet), createEncoderTier(model, { taxonomy })] });
  const items = test.map((r) => toCascadeItem({ name: r.text }));
  await cascade.classify(items.slice(0, 1000)); // warm: the first pass's JIT would be charged to whichever runs first
  const t = performance.now();
  const cpu = process.cpuUsage();
  const decisions = await cascade.classify(items);
  const rate = items.length / ((performance.now() - t) / 1000);
  const used = process.cpuUsage(cpu);
  const perCpuSecond = items.length / ((used.user + used.system) / 1e6);
  const byTier = new Map<string, number>();
  for (const d of decisions) byTier.set(d.tier, (byTier.get(d.tier) ?? 0) + 1);
  const scored = scoreCascade(decisions, test, taxonomy, `rules + ${metrics.modelVersion}`);
  const ruleDecided = decisions.filter((d) => d.trace?.steps.some((s) => s.tier === 'rules' && s.outcome === 'decided'));
  const confirmed = ruleDecided.filter((d) => d.tier === 'rules').length;
  const overruled = ruleDecided.filter((d) => d.tier === 'encoder').length;
  console.log(`\n=== cascade: rules + encoder (no LLM), ${title}, test split ===`);
  console.log(
    `rule decisions: ${ruleDecided.length} · ${confirmed} stand · ${overruled} overruled by the encoder · ${ruleDecided.length - confirmed - overruled} withdrawn (left for review)`,
  );
  console.log(
    `decided by tier: ${[...byTier].map(([t, n]) => `${t} ${n} (${((n / items.length) * 100).toFixed(1)}%)`).join(', ')} · ${Math.round(rate)} rows/s, ${Math.round(perCpuSecond)} rows per CPU-second`,
  );
  const text = formatReport(scored);
  console.log(text.slice(0, text.indexOf('\ncoverage/accuracy curve')));
  return { report: scored, rate };
}
/** The class ids of a model folder, in the order of its logits. */
function classIdsOf(folder: string): string[] {
  return JSON.parse(readFileSync(join(folder, 'labels.json'), 'utf8')).classIds;
}

const learned = existsSync(join(dir, CONFIDENCE_FILE));
const cascades = [
  {
    title: learned ? 'learned confidence' : 'per-class thresholds',
    ...(await measureCascade(encoder, learned ? 'learned confidence' : 'per-class thresholds')),
  },
];
if (learned) {
  // The same model without confidence.json: the folder's other files, linked, and metrics.json without its name.
  const plain = await mkdtemp(join(tmpdir(), 'aisle-bench-plain-'));
  for (const f of readdirSync(dir)) if (f !== CONFIDENCE_FILE && f !== 'metrics.json') await symlink(join(dir, f), join(plain, f));
  await writeFile(join(plain, 'metrics.json'), JSON.stringify({ ...metrics, confidence: undefined }));
  const without = await OnnxEncoder.load(plain);
  await without.predict(texts, 3); // warm, as the encoder measured first is
  cascades.push({ title: 'per-class thresholds (same model, no confidence.json)', ...(await measureCascade(without, 'per-class thresholds')) });
  await without.close();
  await rm(plain, { recursive: true, force: true });
}

const s = report.levels;
console.log('\n=== summary (test split) ===');
console.log('| system | L1 accuracy | L2 accuracy | L2 macro-F1 | coverage @ thresholds | L2 accuracy on covered | rows/s |');
console.log('|---|---|---|---|---|---|---|');
console.log('| TF-IDF + LinearSVC (reference) | 0.990 | 0.883 | 0.882 | ~62% at 0.97 | 0.97 | ~12k |');
for (const { title, report: r, rate } of cascades) {
  const c = r.levels;
  console.log(
    `| rules + encoder (no LLM), ${title} | ${c[0].accuracy.toFixed(4)} | ${c[1].accuracy.toFixed(4)} | ${c[1].macroF1.toFixed(4)} | ${(r.coverage.coverage * 100).toFixed(1)}% | ${r.coverage.accuracy.toFixed(4)} | ${Math.round(rate)} |`,
  );
}
console.log(
  `| encoder alone (${metrics.modelVersion}) | ${s[0].accuracy.toFixed(4)} | ${s[1].accuracy.toFixed(4)} | ${s[1].macroF1.toFixed(4)} | ${(report.coverage.coverage * 100).toFixed(1)}% | ${report.coverage.accuracy.toFixed(4)} | ${Math.round(rowsPerSecond)} |`,
);

await encoder.close();
if (!args.keep) await rm(resolve(dir, '..'), { recursive: true, force: true });
