import type { ClassThresholds, Encoder, RuleCalibration } from '../ports.ts';
import { scoreAndBound } from './compare.ts';
import type { Taxonomy } from './taxonomy.ts';
import type { Candidate, CascadeItem, DecidedOutcome, Tier, TierContext, TierOutcome } from './types.ts';

/** Candidates kept per item (LLM hints, trace), and the cost units of an item (the cost model's unit: one encoder inference). */
const topK = 3;
const costUnits = 1;

/** Decisions of an imaginary rule at the pooled precision added to each rule's own (smoothing). */
const PRIOR_DECISIONS = 4;

/** A rule's precision on the training rows, smoothed toward the pooled precision; within [0.01, 0.999]. */
export function rulePrecision(cal: Pick<RuleCalibration, 'hits' | 'pooledPrecision'>, ruleId: string | undefined): number {
  const [n, correct] = (ruleId && cal.hits[ruleId]) || [0, 0];
  const p = (correct + PRIOR_DECISIONS * cal.pooledPrecision) / (n + PRIOR_DECISIONS);
  return Math.min(0.999, Math.max(0.01, p));
}

/**
 * The encoder's probabilities over all classes with a rule's verdict weighed in as evidence: the rule's class
 * is multiplied by the rule's precision odds to the power `weight`, then all are renormalized. Best first.
 */
export function withRuleEvidence(probabilities: Candidate[], classId: string, precision: number, weight: number): Candidate[] {
  const factor = (precision / (1 - precision)) ** weight;
  let sum = 0;
  const out = probabilities.map((c) => {
    const score = c.classId === classId ? c.score * factor : c.score;
    sum += score;
    return { classId: c.classId, score };
  });
  for (const c of out) c.score /= sum;
  return out.sort((a, b) => b.score - a.score);
}

export function thresholdOf(t: ClassThresholds, classId: string): number {
  return t.perClass[classId] ?? t.pooled;
}

/**
 * The encoder tier: accepts the top class when its calibrated probability clears that class's own threshold,
 * otherwise defers with the top-k as candidates for the next tier.
 *
 * When the model measured the rules (encoder.ruleCalibration), the tier also reviews the rules tier's
 * decisions. Each tier's decision is accepted by its own policy: a rule's by the rules (it stands when the
 * encoder's own best class is the rule's), the encoder's by its per-class threshold. Where they disagree, the
 * rule's class is weighed into the encoder's probabilities by the rule's measured precision, and the result
 * must clear the thresholds calibrated for rule-backed items: a confident encoder overrules a weak rule, and an
 * item without a clear winner is deferred (to the LLM, or review) instead of decided wrongly.
 */
// Long as one closure: decide and the rules review share the encoder, the thresholds and the label names.
export function createEncoderTier(encoder: Encoder, opts: { taxonomy?: Taxonomy } = {}): Tier {
  // With the taxonomy, reasons name classes ("Dairy & Eggs"); ids are used without it.
  const nameOf = (classId: string) => opts.taxonomy?.get(classId)?.name ?? classId;

  const judge = (modelVersion: string, candidates: Candidate[], threshold: number, why: string): TierOutcome => {
    const top = candidates[0];
    const [p, t] = scoreAndBound(top.score, threshold);
    const kept = candidates.length > topK ? candidates.slice(0, topK) : candidates;
    if (top.score >= threshold) {
      return {
        kind: 'decided',
        classId: top.classId,
        confidence: top.score,
        modelVersion,
        reason: `${why}top ${p} ≥ threshold ${t} for ${nameOf(top.classId)}`,
        candidates: kept,
        costUnits,
      };
    }
    return { kind: 'deferred', reason: `${why}top ${p} < threshold ${t} for ${nameOf(top.classId)}`, candidates: kept, modelVersion, costUnits };
  };

  const review = (modelVersion: string, cal: RuleCalibration, all: Candidate[], rule: DecidedOutcome): TierOutcome => {
    // An explicit Unknown (gift cards, services) is the rules' call alone, as is an item the encoder cannot score.
    if (rule.classId === null) return { ...rule, modelVersion, costUnits, reason: 'explicit Unknown rule stands' };
    if (!all.length) return { ...rule, modelVersion, costUnits, reason: 'encoder returned no candidates: the rule stands' };
    const precision = rulePrecision(cal, rule.ruleId);
    // A rule decision is accepted by the rules' own policy: when the encoder's own best class is the rule's, it
    // stands as the rules decided it (calibrated thresholds near 1 must not send correct rule decisions to review).
    const own = all.reduce((a, b) => (b.score > a.score ? b : a));
    if (own.classId === rule.classId) {
      return {
        ...rule,
        modelVersion,
        costUnits,
        reason: `rule ${rule.ruleId ?? '?'} stands: the encoder agrees (top ${own.score.toFixed(2)} for ${nameOf(rule.classId)})`,
      };
    }
    // Where they disagree, the rule is weighed in as evidence and the result must clear the per-class threshold.
    const combined = withRuleEvidence(all, rule.classId, precision, cal.weight);
    const stance = combined[0].classId === rule.classId ? 'with' : 'overruling';
    return judge(
      modelVersion,
      combined,
      thresholdOf(cal.ruled, combined[0].classId),
      `${stance} rule ${rule.ruleId ?? '?'} (precision ${precision.toFixed(2)}): `,
    );
  };

  return {
    name: 'encoder',
    cacheable: true,
    get version() {
      return encoder.modelVersion;
    },
    // Read per batch, as the version: a followed champion (adapters/local/champion-encoder.ts) may change.
    get reviews() {
      return encoder.ruleCalibration ? ('rules' as const) : undefined;
    },
    async decide(items: CascadeItem[], ctx?: TierContext): Promise<TierOutcome[]> {
      if (!items.length) return [];
      // Reviewing a rule needs the probability of the rule's class, wherever it ranks: ask for all classes.
      const predictions = await encoder.predict(
        items.map((it) => it.text),
        ctx?.earlier ? Number.MAX_SAFE_INTEGER : topK,
      );
      // Read after predicting, from the model that answered: a remote encoder learns its model version from its
      // first answer, and a followed champion may have been swapped in for this batch.
      const modelVersion = encoder.modelVersion;
      const calibration = encoder.ruleCalibration;
      const earlier = calibration ? ctx?.earlier : undefined;
      return predictions.map((candidates, i): TierOutcome => {
        const rule = earlier?.[i];
        if (calibration && rule) return review(modelVersion, calibration, candidates, rule);
        if (!candidates[0]) return { kind: 'deferred', reason: 'encoder returned no candidates', modelVersion, costUnits };
        if (calibration && earlier)
          return judge(modelVersion, candidates, thresholdOf(calibration.unruled, candidates[0].classId), 'no rule decided: ');
        return judge(modelVersion, candidates, encoder.threshold(candidates[0].classId), '');
      });
    },
  };
}
