import type { ClassThresholds, Encoder, RuleCalibration } from '../ports.ts';
import { CategoryPrior } from './category-map.ts';
import { scoreAndBound } from './compare.ts';
import { confidenceOf, confidenceSignals } from './confidence.ts';
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

export interface EncoderTierOptions {
  /** With the taxonomy, reasons name classes ("Dairy & Eggs"); ids are used without it. */
  taxonomy?: Taxonomy;
  /**
   * Read items' source categories (CascadeItem.sourceCategory) as hints. Default true. The tier learns, per tenant
   * and for as long as it lives (one run of `aisle classify`), which of our classes each source category's
   * confidently decided rows went to (CategoryPrior), and weighs that into the probabilities of the rows it is unsure
   * of. A hint never changes a confident decision, and never a rule's.
   */
  categoryHints?: boolean;
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
export function createEncoderTier(encoder: Encoder, opts: EncoderTierOptions = {}): Tier {
  const nameOf = (classId: string) => opts.taxonomy?.get(classId)?.name ?? classId;

  /** Decides the top candidate when `score` (its probability, or the learned confidence: `learned`) clears `threshold`. */
  const judge = (modelVersion: string, candidates: Candidate[], threshold: number, why: string, learned?: number): TierOutcome => {
    const top = candidates[0];
    const score = learned ?? top.score;
    const [p, t] = scoreAndBound(score, threshold);
    const kept = candidates.length > topK ? candidates.slice(0, topK) : candidates;
    const [what, bound] = learned === undefined ? ['top', 'threshold'] : ['confidence', 'cut'];
    if (score >= threshold) {
      return {
        kind: 'decided',
        classId: top.classId,
        confidence: score,
        modelVersion,
        reason: `${why}${what} ${p} ≥ ${bound} ${t} for ${nameOf(top.classId)}`,
        candidates: kept,
        costUnits,
      };
    }
    return { kind: 'deferred', reason: `${why}${what} ${p} < ${bound} ${t} for ${nameOf(top.classId)}`, candidates: kept, modelVersion, costUnits };
  };

  /**
   * A rule's decision the encoder agrees with, one object per rule outcome, model and score as the reason shows it:
   * most items are decided so, and the rules tier shares its outcomes, so the cascade's traces of them are shared too.
   */
  const agreedOutcomes = new WeakMap<DecidedOutcome, Map<string, TierOutcome>>();
  const agreed = (modelVersion: string, rule: DecidedOutcome, classId: string, score: string): TierOutcome => {
    let byScore = agreedOutcomes.get(rule);
    if (byScore === undefined) agreedOutcomes.set(rule, (byScore = new Map()));
    const key = `${modelVersion} ${score}`;
    let outcome = byScore.get(key);
    if (outcome === undefined) {
      const reason = `rule ${rule.ruleId ?? '?'} stands: the encoder agrees (top ${score} for ${nameOf(classId)})`;
      byScore.set(key, (outcome = { ...rule, modelVersion, costUnits, reason }));
    }
    return outcome;
  };

  const review = (modelVersion: string, cal: RuleCalibration, ranked: Ranked, i: number, rule: DecidedOutcome): TierOutcome => {
    // An explicit Unknown (gift cards, services) is the rules' call alone, as is an item the encoder cannot score.
    if (rule.classId === null) return { ...rule, modelVersion, costUnits, reason: 'explicit Unknown rule stands' };
    const own = ranked.best(i);
    if (!own) return { ...rule, modelVersion, costUnits, reason: 'encoder returned no candidates: the rule stands' };
    const precision = rulePrecision(cal, rule.ruleId);
    // A rule decision is accepted by the rules' own policy: when the encoder's own best class is the rule's, it
    // stands as the rules decided it (calibrated thresholds near 1 must not send correct rule decisions to review).
    // With a learned confidence, every answer — the rule's class the encoder agrees with, too — must clear its cut.
    if (own.classId === rule.classId) {
      if (!ranked.learned) return agreed(modelVersion, rule, own.classId, own.score.toFixed(2));
      const own3 = ranked.top(i);
      const learned = ranked.learned.of(i, own3, rule.classId);
      if (learned >= ranked.learned.cut) return agreed(modelVersion, rule, own.classId, own.score.toFixed(2));
      return judge(modelVersion, own3, ranked.learned.cut, `rule ${rule.ruleId ?? '?'} withdrawn: `, learned);
    }
    // Where they disagree, the rule is weighed in as evidence and the result must clear the per-class threshold.
    const combined = withRuleEvidence(ranked.all(i), rule.classId, precision, cal.weight);
    const stance = combined[0].classId === rule.classId ? 'with' : 'overruling';
    const why = `${stance} rule ${rule.ruleId ?? '?'} (precision ${precision.toFixed(2)}): `;
    if (ranked.learned) return judge(modelVersion, combined, ranked.learned.cut, why, ranked.learned.of(i, combined, rule.classId));
    return judge(modelVersion, combined, thresholdOf(cal.ruled, combined[0].classId), why);
  };

  /** Per tenant: one retailer's categories say nothing about another's. */
  const priors = new Map<string, CategoryPrior>();

  /**
   * Learns from this batch's confident decisions first (rules that stand, the model above its threshold), then
   * re-judges the rows it deferred with no rule behind them, their source category weighed in.
   */
  function weighInHints(
    items: CascadeItem[],
    outcomes: TierOutcome[],
    earlier: (DecidedOutcome | undefined)[] | undefined,
    tenant: string | undefined,
    rejudge: (i: number, source: string, prior: CategoryPrior) => TierOutcome | undefined,
  ): void {
    const prior = priorOf(tenant);
    for (let i = 0; i < items.length; i++) {
      const source = items[i].sourceCategory;
      const o = outcomes[i];
      if (source && o.kind === 'decided' && o.classId) prior.observe(source, o.classId);
    }
    for (let i = 0; i < items.length; i++) {
      const source = items[i].sourceCategory;
      if (!source || outcomes[i].kind !== 'deferred' || earlier?.[i]) continue;
      outcomes[i] = rejudge(i, source, prior) ?? outcomes[i];
    }
  }

  const priorOf = (tenant: string | undefined) => {
    let prior = priors.get(tenant ?? '');
    if (!prior) priors.set(tenant ?? '', (prior = new CategoryPrior()));
    return prior;
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
    observeDecided(decided, ctx) {
      if (opts.categoryHints === false) return;
      const prior = priorOf(ctx.tenant);
      for (const { sourceCategory, classId } of decided) prior.observe(sourceCategory, classId);
    },
    async decide(items: CascadeItem[], ctx?: TierContext): Promise<TierOutcome[]> {
      if (!items.length) return [];
      const hinted = opts.categoryHints !== false && items.some((it) => it.sourceCategory);
      // Reviewing a rule, or weighing in a hint, needs the probability of every class: all classes, then.
      const ranked = await rank(
        encoder,
        items.map((it) => it.text),
        ctx?.earlier || hinted ? Number.MAX_SAFE_INTEGER : topK,
      );
      // Read after predicting, from the model that answered: a remote encoder learns its model version from its
      // first answer, and a followed champion may have been swapped in for this batch.
      const modelVersion = encoder.modelVersion;
      const calibration = encoder.ruleCalibration;
      const earlier = calibration ? ctx?.earlier : undefined;
      const thresholdFor = (classId: string) => (calibration && earlier ? thresholdOf(calibration.unruled, classId) : encoder.threshold(classId));
      const why = calibration && earlier ? 'no rule decided: ' : '';
      const outcomes = items.map((_, i): TierOutcome => {
        const rule = earlier?.[i];
        if (calibration && rule) return review(modelVersion, calibration, ranked, i, rule);
        const candidates = ranked.top(i);
        if (!candidates[0]) return { kind: 'deferred', reason: 'encoder returned no candidates', modelVersion, costUnits };
        if (ranked.learned) return judge(modelVersion, candidates, ranked.learned.cut, why, ranked.learned.of(i, candidates, undefined));
        return judge(modelVersion, candidates, thresholdFor(candidates[0].classId), why);
      });
      if (hinted)
        weighInHints(items, outcomes, earlier, ctx?.tenant, (i, source, prior) => {
          const hint = ranked.best(i) && prior.apply(source, ranked.all(i));
          if (!hint) return undefined;
          const top = hint.candidates[0].classId;
          const said = `hint: "${source}" → ${nameOf(top)} p=${hint.share.toFixed(2)} (${hint.rows} rows): `;
          const outcome = judge(modelVersion, hint.candidates, thresholdFor(top), why + said);
          return outcome.kind === 'decided' ? { ...outcome, fromContext: true } : outcome;
        });
      return outcomes;
    },
  };
}

/** An encoder's answer for a batch, as each use wants it: the best class, the top k, or every class best first. */
interface Ranked {
  best(i: number): Candidate | undefined;
  /** At least the topK best, best first. */
  top(i: number): Candidate[];
  all(i: number): Candidate[];
  /** The model's learned confidence (ClassScores.confidence): of row i's answer, ranked best first, given the rule's class. */
  learned?: { cut: number; of(i: number, ranked: Candidate[], ruleClassId: string | undefined): number };
}

/**
 * The encoder's answer: its probabilities when it gives them (Encoder.scores), where a row's candidates are made
 * only as far as they are used; else its top-`k` candidates. Both order classes as OnnxEncoder.predict: by
 * probability, ties by class order.
 */
async function rank(encoder: Encoder, texts: string[], k: number): Promise<Ranked> {
  if (!encoder.scores) {
    const predictions = await encoder.predict(texts, k);
    return {
      // Any order (a remote encoder's): the first of the highest.
      best: (i) => (predictions[i].length ? predictions[i].reduce((a, b) => (b.score > a.score ? b : a)) : undefined),
      top: (i) => predictions[i],
      all: (i) => predictions[i],
    };
  }
  const { classIds, probabilities, confidence } = await encoder.scores(texts);
  const C = classIds.length;
  const indexOf = new Map(classIds.map((id, c) => [id, c]));
  const learned = confidence && {
    cut: confidence.model.cut,
    of: (i: number, ranked: Candidate[], ruleClassId: string | undefined) =>
      confidenceOf(
        confidence.model,
        confidenceSignals(
          confidence.evidence,
          i,
          C,
          ranked.map((c) => ({ index: indexOf.get(c.classId)!, score: c.score })),
          ruleClassId === undefined ? -1 : (indexOf.get(ruleClassId) ?? -1),
        ),
      ),
  };
  const ranked = (i: number, n: number): Candidate[] => {
    const row = probabilities.subarray(i * C, (i + 1) * C);
    const order = Array.from({ length: C }, (_, c) => c);
    // Stable: equal probabilities keep class order.
    if (n >= C) order.sort((a, b) => row[b] - row[a]);
    else {
      for (let j = 0; j < n; j++) {
        let best = j;
        for (let c = j + 1; c < C; c++)
          if (row[order[c]] > row[order[best]] || (row[order[c]] === row[order[best]] && order[c] < order[best])) best = c;
        [order[j], order[best]] = [order[best], order[j]];
      }
    }
    return order.slice(0, Math.min(n, C)).map((c) => ({ classId: classIds[c], score: row[c] }));
  };
  return {
    best(i) {
      if (!C) return undefined;
      let best = 0;
      for (let c = 1; c < C; c++) if (probabilities[i * C + c] > probabilities[i * C + best]) best = c;
      return { classId: classIds[best], score: probabilities[i * C + best] };
    },
    top: (i) => ranked(i, topK),
    all: (i) => ranked(i, C),
    learned,
  };
}
