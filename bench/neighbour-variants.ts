/**
 * Nearest-neighbour variants on the Instacart validation slice (issue 16; select on these, never on test): the
 * slice trainEncoder holds out of split=train (same seed), the bag's probabilities from a model kept by
 * `bench/encoder-instacart.ts --keep DIR` (trained without --neighbours), and for each variant of the index the
 * vote alone, the best blend over the grid, the kNN's queries per CPU-second (one thread), and the coverage at
 * 0.97 that three confidence signals reach (per-class thresholds fitted on one half of the slice, scored on the other),
 * and the blend's coverage/accuracy curve.
 *
 *   npx tsx bench/neighbour-variants.ts --model DIR [--variants '[{"maxDf":500},{"maxDf":2000}]']
 */
import { parseArgs } from 'node:util';
import { normalizeText } from '../functions/core/normalize.ts';
import { loadTaxonomy } from '../functions/core/taxonomy.ts';
import { chooseThresholds } from '../functions/model/calibration.ts';
import { OnnxEncoder } from '../functions/model/encoder.ts';
import { DEFAULT_NEIGHBOUR_CONFIG, type NeighbourConfig, NeighbourIndex, voteInto } from '../functions/model/neighbours.ts';
import { validationSlice } from '../functions/model/train.ts';
import { readInstacart } from './instacart.ts';
import { machineLine } from './machine.ts';

const { values: args } = parseArgs({ options: { model: { type: 'string' }, variants: { type: 'string' } } });
if (!args.model) throw new Error('--model DIR: a bag kept by bench/encoder-instacart.ts --keep DIR');
const variants: Partial<NeighbourConfig>[] = JSON.parse(args.variants ?? '[{"maxDf":200},{"maxDf":500},{"maxDf":1000},{"maxDf":2000},{"maxDf":1e9}]');
const taxonomy = loadTaxonomy();
console.log(machineLine());
const examples = readInstacart(taxonomy)
  .rows.filter((r) => r.split === 'train')
  .map((r) => ({ text: normalizeText(r.text), classId: r.classId }))
  .filter((e) => e.text);
const isValidation = validationSlice(examples, 42, 0.1);
const train = examples.filter((_, i) => !isValidation[i]);
const valid = examples.filter((_, i) => isValidation[i]);
const encoder = await OnnxEncoder.load(args.model);
const C = encoder.classIds.length;
const classOf = new Map(encoder.classIds.map((c, i) => [c, i]));
const bag = await encoder.probabilities(valid.map((e) => e.text));
await encoder.close();
const gold = valid.map((e) => classOf.get(e.classId)!);
const argmax = (a: ArrayLike<number>) => {
  let b = 0;
  for (let c = 1; c < a.length; c++) if (a[c] > a[b]) b = c;
  return b;
};
const macroF1 = (predicted: number[]) => {
  const [tp, g, p] = [new Float64Array(C), new Float64Array(C), new Float64Array(C)];
  predicted.forEach((x, i) => {
    g[gold[i]]++;
    p[x]++;
    if (x === gold[i]) tp[x]++;
  });
  let sum = 0;
  for (let c = 0; c < C; c++) {
    const [precision, recall] = [p[c] ? tp[c] / p[c] : 0, g[c] ? tp[c] / g[c] : 0];
    if (precision + recall) sum += (2 * precision * recall) / (precision + recall);
  }
  return sum / C;
};
const bagRow = (i: number) => bag.subarray(i * C, (i + 1) * C);
console.log(`validation rows ${valid.length} · bag alone: leaf macro-F1 ${macroF1(valid.map((_, i) => argmax(bagRow(i)))).toFixed(4)}`);

/** Coverage at ≥ 0.97 of a confidence signal: per-class thresholds fitted on one half, scored on the other. */
function crossFitted(rows: { top: number; gold: number; score: number }[]) {
  let covered = 0;
  let correct = 0;
  for (const half of [0, 1]) {
    const fit = rows.filter((_, i) => i % 2 === half);
    const cut = chooseThresholds(
      fit.map((r) => ({ predicted: encoder.classIds[r.top], score: r.score, correct: r.top === r.gold })),
      encoder.classIds,
      { targetPrecision: 0.97 },
    );
    for (const r of rows.filter((_, i) => i % 2 !== half))
      if (r.score >= cut.perClass[encoder.classIds[r.top]]) {
        covered++;
        if (r.top === r.gold) correct++;
      }
  }
  return `${((covered / rows.length) * 100).toFixed(1)} % at ${(correct / covered).toFixed(3)}`;
}

const maxK = 40;
for (const variant of variants) {
  const cfg = { ...DEFAULT_NEIGHBOUR_CONFIG, ...variant };
  const index = NeighbourIndex.build(
    train.map((e) => e.text),
    train.map((e) => classOf.get(e.classId)!),
    C,
    cfg,
  );
  const near = valid.map((e) => {
    const [docs, sims] = [new Int32Array(maxK), new Float64Array(maxK)];
    const found = index.nearest(e.text, maxK, docs, sims);
    return { labels: Array.from(docs.subarray(0, found), (d) => index.label(d)), sims };
  });
  const [docs, sims] = [new Int32Array(cfg.k), new Float64Array(cfg.k)];
  const cpu0 = process.cpuUsage();
  for (let r = 0; r < 3; r++) for (const e of valid) index.nearest(e.text, cfg.k, docs, sims);
  const cpu = process.cpuUsage(cpu0);
  const perCpuSecond = (3 * valid.length) / ((cpu.user + cpu.system) / 1e6);
  const vote = new Float64Array(C);
  const blended = new Float64Array(C);
  const blend = (i: number, k: number, power: number, w: number) => {
    const n = near[i];
    const has = voteInto(n.labels, n.sims, Math.min(k, n.labels.length), power, vote);
    const b = bagRow(i);
    for (let c = 0; c < C; c++) blended[c] = has ? (1 - w) * b[c] + w * vote[c] : b[c];
    return has;
  };
  let alone = 0;
  let best = { f1: 0, k: 0, power: 0, w: 0 };
  for (const k of [5, 10, 20, 40])
    for (const power of [1, 2, 4])
      for (const w of [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 1]) {
        const f1 = macroF1(
          valid.map((_, i) => {
            blend(i, k, power, w);
            return argmax(blended);
          }),
        );
        if (w === 1) alone = Math.max(alone, f1);
        else if (f1 > best.f1) best = { f1, k, power, w };
      }
  const signals = valid.map((_, i) => {
    const has = blend(i, best.k, best.power, best.w);
    const top = argmax(blended);
    let second = 0;
    for (let c = 0; c < C; c++) if (c !== top && blended[c] > second) second = blended[c];
    return {
      top,
      gold: gold[i],
      blendedScore: blended[top],
      margin: blended[top] - second,
      agreement: has ? Math.min(bagRow(i)[top], vote[top]) : bagRow(i)[top],
    };
  });
  console.log(
    `${JSON.stringify(variant)}: vote alone ${alone.toFixed(4)} · blended ${best.f1.toFixed(4)} (k ${best.k}, power ${best.power}, w ${best.w}) · ` +
      `${Math.round(perCpuSecond)} queries per CPU-second · ${(index.toBuffer().length / 1e6).toFixed(1)} MB · coverage ≥ 0.97 by the blend ` +
      `${crossFitted(signals.map((s) => ({ ...s, score: s.blendedScore })))}, by agreement ${crossFitted(signals.map((s) => ({ ...s, score: s.agreement })))}, by margin (top − second) ${crossFitted(signals.map((s) => ({ ...s, score: s.margin })))}`,
  );
  // The blend's coverage curve: rows ranked by the blended probability, accuracy of the most confident share.
  const ranked = [...signals].sort((a, b) => b.blendedScore - a.blendedScore);
  const curve: string[] = [];
  let right = 0;
  ranked.forEach((r, i) => {
    if (r.top === r.gold) right++;
    if ((i + 1) % Math.round(ranked.length / 20) === 0 && curve.length < 19)
      curve.push(`${Math.round(((i + 1) / ranked.length) * 100)} % ${(right / (i + 1)).toFixed(3)}`);
  });
  console.log(`  curve (coverage accuracy): ${curve.join(' · ')}`);
}
