/**
 * Issue 16 item 1 experiment: a learned confidence (selective classification) against the blended top probability,
 * on the Instacart catalog, over a model kept by `bench/encoder-instacart.ts --neighbours --fine aisle --keep DIR`.
 *
 *   npx tsx bench/encoder-confidence.ts --model DIR
 *
 * The cascade's answer per row is what `aisle classify` without the LLM answers: the blended top class, or where a
 * rule decided, the rule's class weighed into the probabilities (encoder-tier.ts withRuleEvidence). The signals are
 * ones the cascade already has: the blended top probability and margin, the bag's and the vote's probability of the
 * answer and whether their top classes agree, the nearest neighbour's cosine and whether its label is the answer,
 * the unknown-word share and length of the name, whether a rule decided and agrees. A logistic regression over them
 * is fitted on the validation slice trainEncoder held out (the same seeded slice, recomputed here); its cut for
 * 0.97 is chosen on 5-fold cross-fitted scores of that slice, never on test. Prints both rankings' coverage/accuracy
 * curves on the test split, the coverage each cut gives on test, and the 30 first level-1 errors (item 3).
 */
import { mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { CONFIDENCE_SIGNALS, confidenceOf } from '../functions/core/confidence.ts';
import { rulePrecision, withRuleEvidence } from '../functions/core/encoder-tier.ts';
import { normalizeText, toCascadeItem } from '../functions/core/normalize.ts';
import { createRulesTier, loadRules } from '../functions/core/rules.ts';
import { loadTaxonomy } from '../functions/core/taxonomy.ts';
import { fitLogistic, lowestCut } from '../functions/model/confidence.ts';
import { OnnxEncoder } from '../functions/model/encoder.ts';
import { coverageCurve } from '../functions/model/metrics.ts';
import type { ModelMetrics } from '../functions/model/model-metrics.ts';
import { NeighbourIndex, voteInto } from '../functions/model/neighbours.ts';
import type { RuleCalibration } from '../functions/ports.ts';
import { atCut, instacartSlices, pct, reach } from './instacart.ts';
import { machineLine } from './machine.ts';

const { values: args } = parseArgs({ options: { model: { type: 'string' } } });
if (!args.model) throw new Error('--model DIR: a model kept by bench/encoder-instacart.ts --neighbours --keep DIR');
const dir = resolve(args.model);
const taxonomy = loadTaxonomy();
const { valid, test } = instacartSlices(taxonomy);
console.log(machineLine());

const metrics = JSON.parse(await readFile(join(dir, 'metrics.json'), 'utf8')) as ModelMetrics;
if (!metrics.neighbours || !metrics.rules) throw new Error('the model must be trained with --neighbours and the rules');
const cal: RuleCalibration = metrics.rules;
// The bag alone: the same folder without the neighbours in metrics.json.
const bagDir = await mkdtemp(join(tmpdir(), 'aisle-conf-'));
for (const f of ['model.onnx', 'tokenizer.json', 'labels.json', 'card.json']) await symlink(join(dir, f), join(bagDir, f));
await writeFile(join(bagDir, 'metrics.json'), JSON.stringify({ ...metrics, neighbours: undefined }));
const bag = await OnnxEncoder.load(bagDir, { taxonomy });
const index = NeighbourIndex.fromBuffer(await readFile(join(dir, metrics.neighbours.file)), metrics.neighbours.config);
const { k, power, weight } = metrics.neighbours.config;
const classIds = bag.classIds;
const C = classIds.length;
const vocab = (JSON.parse(await readFile(join(dir, 'tokenizer.json'), 'utf8')) as { model: { vocab: Record<string, number> } }).model.vocab;
const tokenOf: string[] = [];
for (const [t, id] of Object.entries(vocab)) tokenOf[id] = t;
const rulesTier = createRulesTier(loadRules(taxonomy));

/** Every signal, by name; the variants below pick columns of it. */
const SIGNALS = [
  'top',
  'logitTop',
  'margin',
  'bagP',
  'voteP',
  'bagVoteAgree',
  'nnCos',
  'nnAgree',
  'noVote',
  'unkShare',
  'tokens',
  'ruleAgree',
  'ruleDisagree',
  'rulePrecision',
  'level1P',
  ...Array.from({ length: C - 1 }, (_, c) => `class${c + 1}`),
];
const BRIEF: string[] = [...CONFIDENCE_SIGNALS];
const VARIANTS: Record<string, string[]> = {
  'top probability only': ['top'],
  "the brief's signals": BRIEF,
  '+ logit(top), rule precision, level-1 mass': [...BRIEF, 'logitTop', 'rulePrecision', 'level1P'],
  '+ the answer class (one intercept each)': SIGNALS,
};
const levelOne = classIds.map((id) => taxonomy.lineage(id)[0].id);

interface Row {
  gold: string;
  aisle: string;
  text: string;
  answer: string;
  blendedTop: number;
  /** The bag's probabilities and the vote (null without one), for the per-band blend weight (item 2). */
  bag: Float32Array;
  vote: Float64Array | null;
  x: number[];
}

async function signals(set: { text: string; classId: string; aisle: string }[]): Promise<Row[]> {
  const texts = set.map((r) => r.text);
  const probs = await bag.probabilities(texts);
  const ruled = rulesTier.decide(texts.map((t) => toCascadeItem({ name: t })));
  const docs = new Int32Array(k);
  const sims = new Float64Array(k);
  const vote = new Float64Array(C);
  return set.map((r, i) => {
    const norm = normalizeText(r.text);
    const b = probs.subarray(i * C, (i + 1) * C);
    const found = index.nearest(norm, k, docs, sims);
    const labels = Int32Array.from(docs.subarray(0, found), (d) => index.label(d));
    const hasVote = voteInto(labels, sims, found, power, vote);
    const blended = Array.from(b, (p, c) => (hasVote ? (1 - weight) * p + weight * vote[c] : p));
    let candidates = blended.map((score, c) => ({ classId: classIds[c], score })).sort((x, y) => y.score - x.score);
    const blendedTop = candidates[0].score;
    const rule = ruled[i];
    const ruleClass = rule.kind === 'decided' ? rule.classId : undefined;
    if (ruleClass && candidates[0].classId !== ruleClass)
      candidates = withRuleEvidence(candidates, ruleClass, rulePrecision(cal, rule.kind === 'decided' ? rule.ruleId : undefined), cal.weight);
    const answer = candidates[0].classId;
    const a = classIds.indexOf(answer);
    const bagTop = argmax(b);
    const voteTop = hasVote ? argmax(vote) : -1;
    const ids = bag.tokenizer.encode(norm);
    const unk = ids.filter((id) => tokenOf[id]?.startsWith('##') || tokenOf[id] === '[UNK]').length;
    const top = Math.min(1 - 1e-6, Math.max(1e-6, candidates[0].score));
    const level1P = candidates.reduce((sum, c) => sum + (levelOne[classIds.indexOf(c.classId)] === levelOne[a] ? c.score : 0), 0);
    const x = [
      candidates[0].score,
      Math.log(top / (1 - top)),
      candidates[0].score - candidates[1].score,
      b[a],
      hasVote ? vote[a] : 0,
      bagTop === voteTop ? 1 : 0,
      found ? sims[0] : 0,
      found && labels[0] === a ? 1 : 0,
      hasVote ? 0 : 1,
      ids.length ? unk / ids.length : 1,
      Math.log1p(ids.length),
      ruleClass === answer ? 1 : 0,
      ruleClass && ruleClass !== answer ? 1 : 0,
      ruleClass ? rulePrecision(cal, rule.kind === 'decided' ? rule.ruleId : undefined) : 0,
      level1P,
      ...Array.from({ length: C - 1 }, (_, c) => (a === c + 1 ? 1 : 0)),
    ];
    return { gold: r.classId, aisle: r.aisle, text: r.text, answer, blendedTop, x, bag: b.slice(), vote: hasVote ? vote.slice() : null };
  });
}

function argmax(v: ArrayLike<number>): number {
  let best = 0;
  for (let c = 1; c < v.length; c++) if (v[c] > v[best]) best = c;
  return best;
}

const cpu0 = process.cpuUsage();
const v = await signals(valid);
const t = await signals(test);
const fitSeconds = (() => {
  const c = process.cpuUsage(cpu0);
  return (c.user + c.system) / 1e6;
})();
const vRight = v.map((r) => r.answer === r.gold);
const tRight = t.map((r) => r.answer === r.gold);
console.log(
  `validation ${v.length} rows (answer right ${(vRight.filter(Boolean).length / v.length).toFixed(4)}), test ${t.length} (${(tRight.filter(Boolean).length / t.length).toFixed(4)})`,
);

const curve = (scores: number[]) =>
  coverageCurve(t.map((r, i) => ({ gold: r.gold, predicted: r.answer, score: scores[i] })))
    .filter((_, n) => n % 2 === 1)
    .map((p) => `${(p.coverage * 100).toFixed(0)}%:${p.accuracy.toFixed(3)}`)
    .join(' ');

// Per variant: 5-fold cross-fitted scores on the validation slice (select on these: how far the ranking holds 0.97,
// and the cut for 0.97), then the model fitted on the whole slice, scored on test.
const folds = 5;
// The ridge on the weights (RIDGE in the environment; the trained model's is functions/model/confidence.ts's).
const ridge = process.env.RIDGE === undefined ? undefined : Number(process.env.RIDGE);
for (const [name, columns] of Object.entries(VARIANTS)) {
  const idx = columns.map((c) => SIGNALS.indexOf(c));
  const pick = (x: number[]) => idx.map((j) => x[j]);
  const cross = new Array<number>(v.length);
  for (let f = 0; f < folds; f++) {
    const fitIdx = v.map((_, i) => i).filter((i) => i % folds !== f);
    const m = fitLogistic(
      fitIdx.map((i) => pick(v[i].x)),
      fitIdx.map((i) => vRight[i]),
      ridge,
    );
    for (let i = f; i < v.length; i += folds) cross[i] = confidenceOf(m, pick(v[i].x));
  }
  const model = fitLogistic(
    v.map((r) => pick(r.x)),
    vRight,
    ridge,
  );
  const scores = t.map((r) => confidenceOf(model, pick(r.x)));
  console.log(`\n${name} (${columns.length} signals)`);
  if (columns.length <= 15)
    console.log(`  weights (standardized): ${['bias', ...columns].map((n, j) => `${n} ${model.weights[j].toFixed(2)}`).join(', ')}`);
  console.log(`  validation, cross-fitted: ranking holds 0.97 to ${pct(reach(cross, vRight, 0.97))}`);
  console.log(
    `  test: the validation cut for 0.97 gives ${pct(atCut(scores, tRight, lowestCut(cross, vRight, 0.97).cut))}; the ranking holds 0.97 to ${pct(reach(scores, tRight, 0.97))}`,
  );
  console.log(`  test curve: ${curve(scores)}`);
}
console.log(`\nsignals: ${fitSeconds.toFixed(1)} CPU s for ${v.length + t.length} rows (the ONNX runs included)`);

// Item 2: the vote's blend weight chosen per band of the bag's top probability (on validation, coordinate-wise by
// L2 macro-F1, from the trained weight), against the one weight training chose; the encoder's answer, no rules.
const BANDS = [0.5, 0.8, 0.95];
const bandOf = (r: Row) => BANDS.filter((b) => Math.max(...r.bag) >= b).length;
const macroF1 = (set: Row[], weights: number[]) => {
  const tp = new Map<string, number>();
  const gold = new Map<string, number>();
  const pred = new Map<string, number>();
  for (const r of set) {
    const w = r.vote ? weights[bandOf(r)] : 0;
    let best = 0;
    let bestP = -1;
    for (let c = 0; c < C; c++) {
      const p = (1 - w) * r.bag[c] + w * (r.vote?.[c] ?? 0);
      if (p > bestP) [best, bestP] = [c, p];
    }
    const predicted = classIds[best];
    gold.set(r.gold, (gold.get(r.gold) ?? 0) + 1);
    pred.set(predicted, (pred.get(predicted) ?? 0) + 1);
    if (predicted === r.gold) tp.set(r.gold, (tp.get(r.gold) ?? 0) + 1);
  }
  let sum = 0;
  for (const [c, g] of gold) {
    const t = tp.get(c) ?? 0;
    const precision = t / (pred.get(c) || 1);
    const recall = t / g;
    sum += precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
  }
  return sum / gold.size;
};
const single = new Array(BANDS.length + 1).fill(weight);
const perBand = [...single];
for (let round = 0; round < 2; round++)
  for (let band = 0; band <= BANDS.length; band++) {
    let best = { w: perBand[band], f1: macroF1(v, perBand) };
    for (const w of [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]) {
      const f1 = macroF1(
        v,
        perBand.map((x, b) => (b === band ? w : x)),
      );
      if (f1 > best.f1 + 1e-9) best = { w, f1 };
    }
    perBand[band] = best.w;
  }
console.log(
  `\nblend weight per band of the bag's top probability (<${BANDS.join(', ')}): ${perBand.join(' / ')} against ${weight} everywhere — L2 macro-F1 validation ${macroF1(v, single).toFixed(4)} → ${macroF1(v, perBand).toFixed(4)}, test ${macroF1(t, single).toFixed(4)} → ${macroF1(t, perBand).toFixed(4)}`,
);

// Item 3: level-1 errors of the answer on test.
const l1 = (id: string) => taxonomy.lineage(id)[0].name;
const errors = t.filter((r) => l1(r.answer) !== l1(r.gold));
console.log(`\nlevel-1 errors on test: ${errors.length} of ${t.length} (accuracy ${(1 - errors.length / t.length).toFixed(4)}); the 30 first:`);
for (const r of errors.slice(0, Number(process.env.L1_ERRORS ?? 30)))
  console.log(
    `  ${r.text.slice(0, 60).padEnd(60)} gold ${taxonomy.get(r.gold)!.label.padEnd(32)} (aisle ${r.aisle}) answer ${taxonomy.get(r.answer)!.label}`,
  );
await bag.close();
await rm(bagDir, { recursive: true, force: true });
