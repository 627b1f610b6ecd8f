import { describe, expect, it } from 'vitest';
import { Cascade } from '../../functions/core/cascade.ts';
import { createEncoderTier } from '../../functions/core/encoder-tier.ts';
import { toCascadeItem } from '../../functions/core/normalize.ts';
import { loadTaxonomy } from '../../functions/core/taxonomy.ts';
import type { Candidate } from '../../functions/core/types.ts';
import type { Encoder } from '../../functions/ports.ts';

const taxonomy = loadTaxonomy();

/** An Encoder with fixed answers per text: the tier's policy is what is under test here. */
class FixedEncoder implements Encoder {
  readonly modelVersion = 'fixed-1';
  calls = 0;
  constructor(private readonly answers: Record<string, Candidate[]>, private readonly thresholds: Record<string, number>) {}
  async predict(texts: string[], topK = 3): Promise<Candidate[][]> {
    this.calls++;
    return texts.map((t) => (this.answers[t] ?? []).slice(0, topK));
  }
  threshold(classId: string): number {
    return this.thresholds[classId] ?? 0.9;
  }
}

const encoder = new FixedEncoder(
  {
    'whole milk': [
      { classId: 'food.dairy-eggs', score: 0.95 },
      { classId: 'food.beverages', score: 0.03 },
    ],
    'oat milk': [
      { classId: 'food.dairy-eggs', score: 0.62 },
      { classId: 'food.beverages', score: 0.3 },
    ],
    'dish soap': [{ classId: 'non-food.household', score: 0.7 }],
  },
  { 'food.dairy-eggs': 0.81, 'non-food.household': 0.7 },
);

describe('encoder tier', () => {
  it('accepts when the top class clears its own threshold, else defers with the top-k and a reason', async () => {
    const tier = createEncoderTier(encoder, { taxonomy });
    expect(tier.name).toBe('encoder');
    expect(tier.cacheable).toBe(true);
    const out = await tier.decide(['whole milk', 'oat milk', 'dish soap', 'mystery'].map((name) => toCascadeItem({ name })), { hints: [] });
    expect(out[0]).toMatchObject({ kind: 'decided', classId: 'food.dairy-eggs', confidence: 0.95, modelVersion: 'fixed-1', costUnits: 1 });
    expect(out[0].kind === 'decided' && out[0].reason).toBe('top 0.95 ≥ threshold 0.81 for Dairy & Eggs');
    expect(out[1]).toMatchObject({ kind: 'deferred', reason: 'top 0.62 < threshold 0.81 for Dairy & Eggs', modelVersion: 'fixed-1' });
    expect(out[1].kind === 'deferred' && out[1].candidates?.map((c) => c.classId)).toEqual(['food.dairy-eggs', 'food.beverages']);
    // Exactly at the threshold is accepted.
    expect(out[2]).toMatchObject({ kind: 'decided', classId: 'non-food.household' });
    expect(out[3]).toMatchObject({ kind: 'deferred', reason: 'encoder returned no candidates' });
  });

  it('in a cascade: deferred items go to review with the encoder guess; decided ones name the model', async () => {
    const cascade = new Cascade({ taxonomy, tiers: [createEncoderTier(encoder, { taxonomy })] });
    const [milk, oat] = await cascade.classify(['whole milk', 'oat milk'].map((name) => toCascadeItem({ name })));
    expect(milk).toMatchObject({ tier: 'encoder', status: 'ok', classId: 'food.dairy-eggs', modelVersion: 'fixed-1' });
    expect(oat).toMatchObject({ tier: 'review', status: 'needs_review', classId: 'food.dairy-eggs', confidence: 0.62 });
    expect(oat.trace?.steps.map((s) => `${s.tier}:${s.outcome}`)).toEqual(['encoder:deferred', 'review:decided']);
  });

  it('does not call the encoder for an empty batch', async () => {
    const before = encoder.calls;
    expect(await createEncoderTier(encoder).decide([], { hints: [] })).toEqual([]);
    expect(encoder.calls).toBe(before);
  });
});
