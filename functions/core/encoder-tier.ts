import type { Encoder } from '../ports.ts';
import type { CascadeItem, Tier, TierOutcome } from './types.ts';
import type { Taxonomy } from './taxonomy.ts';

export interface EncoderTierOptions {
  /** Candidates kept per item (LLM hints, trace). Default 3. */
  topK?: number;
  /** Names classes in reasons ("Dairy & Eggs"); ids are used without it. */
  taxonomy?: Taxonomy;
  /** Cost units per item (the cost model's unit: one encoder inference). Default 1. */
  costUnits?: number;
}

/**
 * The encoder tier: accepts the top class when its calibrated probability clears that class's own threshold,
 * otherwise defers with the top-k as candidates for the next tier.
 */
export function createEncoderTier(encoder: Encoder, opts: EncoderTierOptions = {}): Tier {
  const topK = opts.topK ?? 3;
  const costUnits = opts.costUnits ?? 1;
  const nameOf = (classId: string) => opts.taxonomy?.get(classId)?.name ?? classId;
  return {
    name: 'encoder',
    cacheable: true,
    async decide(items: CascadeItem[]): Promise<TierOutcome[]> {
      if (!items.length) return [];
      const predictions = await encoder.predict(items.map((it) => it.text), topK);
      const modelVersion = encoder.modelVersion;
      return predictions.map((candidates): TierOutcome => {
        const top = candidates[0];
        if (!top) return { kind: 'deferred', reason: 'encoder returned no candidates', modelVersion, costUnits };
        const threshold = encoder.threshold(top.classId);
        const p = top.score.toFixed(2);
        const t = threshold.toFixed(2);
        if (top.score >= threshold) {
          return {
            kind: 'decided',
            classId: top.classId,
            confidence: top.score,
            modelVersion,
            reason: `top ${p} ≥ threshold ${t} for ${nameOf(top.classId)}`,
            candidates,
            costUnits,
          };
        }
        return { kind: 'deferred', reason: `top ${p} < threshold ${t} for ${nameOf(top.classId)}`, candidates, modelVersion, costUnits };
      });
    },
  };
}
