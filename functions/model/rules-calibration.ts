/**
 * Measures the rules tier for the encoder's review of rule decisions (core/encoder-tier.ts): each rule's
 * precision on the training rows, then — on the validation slice, which neither the rules' counts nor the
 * model saw — the weight of a rule's evidence (NLL) and the acceptance thresholds for rule-backed items and
 * for the items no rule decides.
 */
import { rulePrecision, withRuleEvidence } from '../core/encoder-tier.ts';
import type { RuleSet } from '../core/rules.ts';
import type { Candidate } from '../core/types.ts';
import type { RuleCalibration } from '../ports.ts';
import { chooseThresholds } from './calibration.ts';
import type { LabelledText } from './labelled-data.ts';

/** Weights tried for a rule's precision odds. */
const WEIGHTS = [0.25, 0.5, 0.75, 1, 1.5, 2];

/** Texts are normalized; each validation row carries its calibrated probabilities, in the order of classIds. */
export function calibrateRules(
  rules: RuleSet,
  train: LabelledText[],
  validation: (LabelledText & { probs: ArrayLike<number> })[],
  classIds: string[],
  targetPrecision: number,
): RuleCalibration {
  const decision = (text: string) => {
    const verdict = rules.match({ text });
    return verdict.kind === 'decided' ? { classId: verdict.classId, ruleId: verdict.match.rule.id } : undefined;
  };
  const { hits, pooledPrecision } = ruleHits(train, decision);

  const ruled: { all: Candidate[]; classId: string; precision: number; gold: string }[] = [];
  const unruled: { predicted: string; score: number; correct: boolean }[] = [];
  for (const row of validation) {
    const all = classIds.map((classId, c) => ({ classId, score: row.probs[c] }));
    const d = decision(row.text);
    if (d && d.classId !== null) {
      ruled.push({ all, classId: d.classId, precision: rulePrecision({ hits, pooledPrecision }, d.ruleId), gold: row.classId });
    } else if (!d) {
      const top = all.reduce((a, b) => (b.score > a.score ? b : a));
      unruled.push({ predicted: top.classId, score: top.score, correct: top.classId === row.classId });
    }
  }
  const combined = (weight: number) => ruled.map((r) => ({ ranked: withRuleEvidence(r.all, r.classId, r.precision, weight), gold: r.gold }));
  let weight = 1;
  let bestNll = Infinity;
  for (const w of WEIGHTS) {
    let nll = 0;
    for (const { ranked, gold } of combined(w)) nll -= Math.log((ranked.find((c) => c.classId === gold)?.score ?? 0) + 1e-12);
    if (nll < bestNll - 1e-9) [weight, bestNll] = [w, nll];
  }
  const ruledPreds = combined(weight).map(({ ranked, gold }) => ({
    predicted: ranked[0].classId,
    score: ranked[0].score,
    correct: ranked[0].classId === gold,
  }));
  return {
    rulesVersion: rules.version,
    hits: Object.fromEntries(Object.entries(hits).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
    pooledPrecision,
    weight,
    ruled: chooseThresholds(ruledPreds, classIds, { targetPrecision }),
    unruled: chooseThresholds(unruled, classIds, { targetPrecision }),
  };
}

/** Each rule's [decisions, correct] on the training rows, and the precision of all rules together (0.9 when none decided). */
function ruleHits(train: LabelledText[], decision: (text: string) => { classId: string | null; ruleId: string } | undefined) {
  const hits: Record<string, [number, number]> = {};
  let decided = 0;
  let correct = 0;
  for (const row of train) {
    const d = decision(row.text);
    if (!d) continue;
    const h = (hits[d.ruleId] ??= [0, 0]);
    h[0]++;
    decided++;
    if (d.classId === row.classId) {
      h[1]++;
      correct++;
    }
  }
  const pooledPrecision = decided ? correct / decided : 0.9;
  return { hits, pooledPrecision };
}
