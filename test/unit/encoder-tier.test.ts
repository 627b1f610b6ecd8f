import { describe, expect, it } from 'vitest';
import { Cascade } from '../../functions/core/cascade.ts';
import { createEncoderTier, rulePrecision, withRuleEvidence } from '../../functions/core/encoder-tier.ts';
import { toCascadeItem } from '../../functions/core/normalize.ts';
import { loadTaxonomy } from '../../functions/core/taxonomy.ts';
import type { Candidate, Decision, Tier } from '../../functions/core/types.ts';
import type { Cache, Encoder, RuleCalibration } from '../../functions/ports.ts';

const taxonomy = loadTaxonomy();

/** An Encoder with fixed answers per text: the tier's policy is what is under test here. */
class FixedEncoder implements Encoder {
  readonly modelVersion = 'fixed-1';
  calls = 0;
  constructor(
    private readonly answers: Record<string, Candidate[]>,
    private readonly thresholds: Record<string, number>,
    readonly ruleCalibration?: RuleCalibration,
  ) {}
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
    const out = await tier.decide(
      ['whole milk', 'oat milk', 'dish soap', 'mystery'].map((name) => toCascadeItem({ name })),
      { hints: [] },
    );
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

describe('encoder tier reviewing the rules', () => {
  const calibration: RuleCalibration = {
    rulesVersion: 'r1',
    // kw.milk: right 96 times in 100 on the training rows; kw.cream: 6 in 10.
    hits: { 'kw.milk': [100, 96], 'kw.cream': [10, 6] },
    pooledPrecision: 0.9,
    weight: 1,
    ruled: { perClass: { 'food.dairy-eggs': 0.9, 'food.beverages': 0.9 }, pooled: 0.95 },
    unruled: { perClass: { 'food.dairy-eggs': 0.97 }, pooled: 0.99 },
  };
  const all = (dairy: number, drinks: number): Candidate[] => [
    { classId: 'food.dairy-eggs', score: dairy },
    { classId: 'food.beverages', score: drinks },
    { classId: 'food.fresh', score: 1 - dairy - drinks },
  ];
  const reviewing = new FixedEncoder(
    { 'whole milk': all(0.5, 0.3), 'oat milk': all(0.02, 0.97), 'ice cream': all(0.3, 0.5), cheddar: all(0.95, 0.01) },
    { 'food.dairy-eggs': 0.5 },
    calibration,
  );
  const rule = (classId: string | null, ruleId: string) => ({ kind: 'decided' as const, classId, confidence: 0.92, ruleId });

  it("smooths a rule's precision toward the pooled one and weighs its class by the precision odds", () => {
    expect(rulePrecision(calibration, 'kw.milk')).toBeCloseTo((96 + 4 * 0.9) / 104, 10);
    expect(rulePrecision(calibration, 'never.seen')).toBeCloseTo(0.9, 10);
    const combined = withRuleEvidence(all(0.5, 0.3), 'food.dairy-eggs', 0.9, 1);
    // 0.5 × 9 = 4.5 against 0.3 and 0.2: 4.5 / 5.0.
    expect(combined[0]).toEqual({ classId: 'food.dairy-eggs', score: 0.9 });
    expect(combined.reduce((s, c) => s + c.score, 0)).toBeCloseTo(1, 12);
  });

  it('confirms a precise rule, overrules a weak one when confident, defers a disagreement, leaves Unknown alone', async () => {
    const tier = createEncoderTier(reviewing, { taxonomy });
    expect(tier.reviews).toBe('rules');
    const items = ['whole milk', 'oat milk', 'ice cream', 'gift card', 'cheddar'].map((name) => toCascadeItem({ name }));
    const earlier = [
      rule('food.dairy-eggs', 'kw.milk'),
      rule('food.dairy-eggs', 'kw.cream'),
      rule('food.dairy-eggs', 'kw.cream'),
      rule(null, 'unknown.gift'),
      undefined,
    ];
    const [whole, oat, cream, gift, cheddar] = await tier.decide(items, { hints: [], earlier });
    // The encoder's own best class is the rule's: the rule stands as the rules decided it.
    expect(whole).toMatchObject({ kind: 'decided', classId: 'food.dairy-eggs', confidence: 0.92, ruleId: 'kw.milk' });
    expect(whole.kind === 'decided' && whole.reason).toBe('rule kw.milk stands: the encoder agrees (top 0.50 for Dairy & Eggs)');
    expect(oat).toMatchObject({ kind: 'decided', classId: 'food.beverages' });
    expect(oat.kind === 'decided' && oat.reason).toMatch(
      /^overruling rule kw\.cream \(precision 0\.69\): top 0\.95 ≥ threshold 0\.90 for Beverages$/,
    );
    // kw.cream is right 0.69 of the time (smoothed): 0.3 × 2.2 = 0.65 against 0.5 — too close to call.
    expect(cream).toMatchObject({ kind: 'deferred' });
    expect(cream.kind === 'deferred' && cream.candidates?.[0].classId).toBe('food.dairy-eggs');
    expect(gift).toMatchObject({ kind: 'decided', classId: null, reason: 'explicit Unknown rule stands' });
    // No rule decided: the thresholds calibrated for what rules leave to the encoder (0.97, not 0.5).
    expect(cheddar).toMatchObject({ kind: 'deferred', reason: 'no rule decided: top 0.95 < threshold 0.97 for Dairy & Eggs' });
  });

  it('without rules in the cascade, uses the plain per-class thresholds', async () => {
    const [cheddar] = await createEncoderTier(reviewing, { taxonomy }).decide([toCascadeItem({ name: 'cheddar' })], { hints: [] });
    expect(cheddar).toMatchObject({ kind: 'decided', classId: 'food.dairy-eggs', reason: 'top 0.95 ≥ threshold 0.50 for Dairy & Eggs' });
  });

  it('does not review when the model measured no rules', () => {
    expect(createEncoderTier(encoder).reviews).toBeUndefined();
  });
});

describe('how a decision is accepted (issue 15, item 3)', () => {
  // After `aisle train` the thresholds calibrated for rule-backed items can be 0.9998: a correct rule decision
  // (confidence 1.0) with an encoder that agrees at 0.8 combines to 0.9966 and went to review with
  // "top 1.00 < threshold 1.00".
  const strict: RuleCalibration = {
    rulesVersion: 'r1',
    hits: { 'kw.cheerios': [100, 99] },
    pooledPrecision: 0.9,
    weight: 1,
    ruled: { perClass: { 'food.dairy-eggs': 0.9998, 'food.beverages': 0.9998 }, pooled: 0.9998 },
    unruled: { perClass: {}, pooled: 0.9998 },
  };
  const enc = new FixedEncoder(
    {
      'honey nut cheerios': [
        { classId: 'food.dairy-eggs', score: 0.8 },
        { classId: 'food.beverages', score: 0.15 },
        { classId: 'food.fresh', score: 0.05 },
      ],
      'close call': [{ classId: 'food.dairy-eggs', score: 0.99975 }],
    },
    { 'food.dairy-eggs': 0.9998 },
    strict,
  );
  const ruleTier = (classId: string) => ({
    name: 'rules',
    cacheable: true,
    decide: async (xs: unknown[]) =>
      xs.map(() => ({ kind: 'decided' as const, classId, confidence: 1, ruleId: 'kw.cheerios', reason: 'rule kw.cheerios matched' })),
  });

  it('a rule decision the encoder agrees with stays decided by the rules, whatever the calibrated threshold', async () => {
    const cascade = new Cascade({ taxonomy, tiers: [ruleTier('food.dairy-eggs'), createEncoderTier(enc, { taxonomy })] });
    const [d] = await cascade.classify([toCascadeItem({ name: 'Honey Nut Cheerios' })]);
    expect(d).toMatchObject({ tier: 'rules', status: 'ok', classId: 'food.dairy-eggs', confidence: 1, ruleId: 'kw.cheerios' });
  });

  it('a failing comparison never prints two equal numbers', async () => {
    const [plain] = await createEncoderTier(
      new FixedEncoder({ 'close call': [{ classId: 'food.dairy-eggs', score: 0.99975 }] }, { 'food.dairy-eggs': 0.9998 }),
      {
        taxonomy,
      },
    ).decide([toCascadeItem({ name: 'close call' })], { hints: [] });
    const reasons = [(plain.kind === 'deferred' && plain.reason) || ''];
    // The encoder disagrees with the rule (Beverages): the combined score is checked against 0.9998 and fails.
    const [disagreed] = await createEncoderTier(enc, { taxonomy }).decide([toCascadeItem({ name: 'honey nut cheerios' })], {
      hints: [],
      earlier: [{ kind: 'decided', classId: 'food.beverages', confidence: 1, ruleId: 'kw.other' }],
    });
    expect(disagreed.kind).toBe('deferred');
    reasons.push((disagreed.kind === 'deferred' && disagreed.reason) || '');
    for (const reason of reasons) {
      const [, top, threshold] = /top ([\d.]+) < threshold ([\d.]+)/.exec(reason) ?? [];
      expect(top, reason).toBeDefined();
      expect(top, reason).not.toBe(threshold);
      expect(Number(top), reason).toBeLessThan(Number(threshold));
    }
  });
});

describe('encoder tier over an in-process model (Encoder.scores)', () => {
  const classIds = ['food.dairy-eggs', 'food.beverages', 'food.fresh', 'non-food.household'];
  /** Rows of probabilities; ties on purpose (the order must stay the class order, as OnnxEncoder.predict's). */
  const table: Record<string, number[]> = {
    'whole milk': [0.5, 0.3, 0.1, 0.1],
    'oat milk': [0.02, 0.97, 0.005, 0.005],
    'ice cream': [0.3, 0.5, 0.1, 0.1],
    cheddar: [0.95, 0.01, 0.02, 0.02],
    tie: [0.25, 0.25, 0.25, 0.25],
    soap: [0.1, 0.1, 0.1, 0.7],
  };
  const calibration: RuleCalibration = {
    rulesVersion: 'r1',
    hits: { 'kw.milk': [100, 96], 'kw.cream': [10, 6] },
    pooledPrecision: 0.9,
    weight: 1,
    ruled: { perClass: { 'food.dairy-eggs': 0.9, 'food.beverages': 0.9 }, pooled: 0.95 },
    unruled: { perClass: { 'food.dairy-eggs': 0.97 }, pooled: 0.6 },
  };
  /** OnnxEncoder's ranking: repeatedly the first class of the highest probability not yet picked. */
  const predictOf = (row: Float32Array, k: number): Candidate[] => {
    const picked = new Set<number>();
    const out: Candidate[] = [];
    for (let j = 0; j < Math.min(k, row.length); j++) {
      let best = -1;
      for (let c = 0; c < row.length; c++) if (!picked.has(c) && (best < 0 || row[c] > row[best])) best = c;
      picked.add(best);
      out.push({ classId: classIds[best], score: row[best] });
    }
    return out;
  };
  class ScoringEncoder implements Encoder {
    readonly modelVersion = 'scores-1';
    constructor(readonly ruleCalibration?: RuleCalibration) {}
    async predict(texts: string[], topK = 3): Promise<Candidate[][]> {
      return texts.map((t) => predictOf(Float32Array.from(table[t]), topK));
    }
    threshold(classId: string): number {
      return classId === 'non-food.household' ? 0.6 : 0.9;
    }
  }
  class ScoresEncoder extends ScoringEncoder {
    async scores(texts: string[]) {
      return { classIds, probabilities: Float32Array.from(texts.flatMap((t) => table[t])) };
    }
  }
  const rule = (classId: string | null, ruleId: string) => ({ kind: 'decided' as const, classId, confidence: 0.92, ruleId });
  const texts = Object.keys(table);
  const items = texts.map((name) => toCascadeItem({ name }));

  for (const cal of [undefined, calibration])
    it(`decides as from its candidates, ${cal ? 'reviewing the rules' : 'alone'}`, async () => {
      const earlier = [
        rule('food.dairy-eggs', 'kw.milk'),
        rule('food.dairy-eggs', 'kw.milk'),
        rule('food.dairy-eggs', 'kw.cream'),
        undefined,
        rule('food.fresh', 'kw.cream'),
        rule(null, 'kw.x'),
      ];
      for (const ctx of [{ hints: [] }, { hints: [], earlier }]) {
        const fromCandidates = await createEncoderTier(new ScoringEncoder(cal), { taxonomy }).decide(items, ctx);
        const fromScores = await createEncoderTier(new ScoresEncoder(cal), { taxonomy }).decide(items, ctx);
        expect(fromScores).toEqual(fromCandidates);
      }
    });

  it('shares the outcome of a rule it agrees with among items with the same rule outcome and shown score', async () => {
    const agreeing = rule('food.dairy-eggs', 'kw.milk');
    const tier = createEncoderTier(new ScoresEncoder(calibration), { taxonomy });
    const twice = [toCascadeItem({ name: 'cheddar' }), toCascadeItem({ name: 'cheddar' }), toCascadeItem({ name: 'whole milk' })];
    const out = await tier.decide(twice, { hints: [], earlier: [agreeing, agreeing, agreeing] });
    expect(out[0]).toBe(out[1]);
    expect(out[0]).toMatchObject({
      kind: 'decided',
      classId: 'food.dairy-eggs',
      reason: 'rule kw.milk stands: the encoder agrees (top 0.95 for Dairy & Eggs)',
    });
    expect(out[2]).not.toBe(out[0]);
    expect(out[2]).toMatchObject({ reason: 'rule kw.milk stands: the encoder agrees (top 0.50 for Dairy & Eggs)' });
  });
});

describe("encoder tier reading the items' source categories (issue 20 item 4)", () => {
  const two = (dairy: number, drinks: number): Candidate[] => [
    { classId: 'food.dairy-eggs', score: dairy },
    { classId: 'food.beverages', score: drinks },
    { classId: 'non-food.household', score: 1 - dairy - drinks },
  ];
  const answers: Record<string, Candidate[]> = {
    'whole milk': two(0.95, 0.03),
    'oat milk': two(0.62, 0.3),
    'dish soap': [
      { classId: 'non-food.household', score: 0.9 },
      { classId: 'food.beverages', score: 0.1 },
    ],
  };
  const hinting = new FixedEncoder(answers, { 'food.dairy-eggs': 0.81, 'non-food.household': 0.7 });
  const item = (name: string, sourceCategory?: string) => ({ ...toCascadeItem({ name }), sourceCategory });
  // Ten confident dairy rows under "Dairy" and ten household rows under "Cleaning" teach the tier their categories.
  const learned = [
    ...Array.from({ length: 10 }, () => item('whole milk', 'Dairy')),
    ...Array.from({ length: 10 }, () => item('dish soap', 'Cleaning')),
  ];

  it('decides an unsure row its category backs, and says so in the reason', async () => {
    const tier = createEncoderTier(hinting, { taxonomy });
    const out = await tier.decide([...learned, item('oat milk', 'Dairy'), item('oat milk')], { hints: [] });
    const [hinted, plain] = out.slice(-2);
    expect(plain).toMatchObject({ kind: 'deferred', reason: 'top 0.62 < threshold 0.81 for Dairy & Eggs' });
    expect(hinted).toMatchObject({ kind: 'decided', classId: 'food.dairy-eggs' });
    expect(hinted.kind === 'decided' && hinted.confidence).toBeGreaterThan(0.81);
    expect(hinted.kind === 'decided' && hinted.reason).toMatch(/^hint: "Dairy" → Dairy & Eggs p=0\.\d\d \(10 rows\): top 0\.\d+ ≥ threshold 0\.81/);
  });

  it('learns across batches, per tenant, and leaves a category with no decided rows alone', async () => {
    const tier = createEncoderTier(hinting, { taxonomy });
    await tier.decide(learned, { hints: [], tenant: 'a' });
    const [a] = await tier.decide([item('oat milk', 'Dairy')], { hints: [], tenant: 'a' });
    const [b] = await tier.decide([item('oat milk', 'Dairy')], { hints: [], tenant: 'b' });
    const [unseen] = await tier.decide([item('oat milk', 'Chilled')], { hints: [], tenant: 'a' });
    expect(a).toMatchObject({ kind: 'decided', classId: 'food.dairy-eggs' });
    expect(b).toMatchObject({ kind: 'deferred', reason: 'top 0.62 < threshold 0.81 for Dairy & Eggs' });
    expect(unseen).toMatchObject({ kind: 'deferred', reason: 'top 0.62 < threshold 0.81 for Dairy & Eggs' });
  });

  it('never changes a confident decision, nor a rule decision, whatever the category says', async () => {
    const tier = createEncoderTier(hinting, { taxonomy });
    const [confident] = (await tier.decide([...learned, item('whole milk', 'Cleaning')], { hints: [] })).slice(-1);
    expect(confident).toMatchObject({
      kind: 'decided',
      classId: 'food.dairy-eggs',
      confidence: 0.95,
      reason: 'top 0.95 ≥ threshold 0.81 for Dairy & Eggs',
    });

    // A rule the reviewing encoder withdraws (too weak against the model) goes on to review: a hint does not decide it.
    const calibration: RuleCalibration = {
      rulesVersion: 'r1',
      hits: { 'kw.oat': [10, 6] },
      pooledPrecision: 0.9,
      weight: 1,
      ruled: { perClass: {}, pooled: 0.9 },
      unruled: { perClass: { 'food.dairy-eggs': 0.81, 'non-food.household': 0.7 }, pooled: 0.9 },
    };
    const oatRule: Tier = {
      name: 'rules',
      cacheable: false,
      decide: (items) =>
        items.map((i) =>
          i.text.includes('oat') ? { kind: 'decided', classId: 'food.beverages', confidence: 0.9, ruleId: 'kw.oat' } : { kind: 'deferred' },
        ),
    };
    const reviewing = new FixedEncoder(answers, {}, calibration);
    const cascade = new Cascade({ taxonomy, tiers: [oatRule, createEncoderTier(reviewing, { taxonomy })] });
    const decisions = await cascade.classify([...learned, item('oat milk', 'Dairy')]);
    expect(decisions[0]).toMatchObject({ tier: 'encoder', classId: 'food.dairy-eggs' });
    expect(decisions.at(-1)).toMatchObject({ tier: 'review', status: 'needs_review' });
    expect(decisions.at(-1)!.trace!.steps.at(-2)!.reason).toMatch(/^with rule kw\.oat/);
  });

  it('learns from the cached decisions the cascade answered before the tier ran', async () => {
    const entries = new Map<string, Decision>();
    // The cache is not under test: a map by key, the default tenant's.
    const cache: Cache = {
      getMany: async (keys) => new Map(keys.flatMap((k) => (entries.has(k) ? [[k, entries.get(k)!] as const] : []))),
      putMany: async (ds) => ds.forEach((d) => entries.set(d.key, d)),
      forTenant: () => cache,
    };
    const names = ['skim milk', 'goat milk', 'whole milk 1 gal', 'buttermilk', 'kefir', 'cream', 'half and half', 'ghee'];
    for (const name of names) {
      const { key } = toCascadeItem({ name });
      entries.set(key, { key, classId: 'food.dairy-eggs', confidence: 1, tier: 'human', status: 'ok', taxonomyVersion: taxonomy.version });
    }
    const cascade = new Cascade({ taxonomy, cache, tiers: [createEncoderTier(hinting, { taxonomy })] });
    const decisions = await cascade.classify([...names.map((n) => item(n, 'Dairy')), item('oat milk', 'Dairy')]);
    expect(decisions.slice(0, -1).every((d) => d.tier === 'cache')).toBe(true);
    expect(decisions.at(-1)).toMatchObject({ tier: 'encoder', classId: 'food.dairy-eggs' });
    expect(decisions.at(-1)!.reason).toMatch(/^hint: "Dairy" → Dairy & Eggs p=0\.\d\d \(8 rows\)/);
  });

  it('keeps a decision the hint made out of the cache, which is keyed by the name alone', async () => {
    const entries = new Map<string, Decision>();
    const cache: Cache = {
      getMany: async (keys) => new Map(keys.flatMap((k) => (entries.has(k) ? [[k, entries.get(k)!] as const] : []))),
      putMany: async (ds) => ds.forEach((d) => entries.set(d.key, d)),
      forTenant: () => cache,
    };
    const cascade = new Cascade({ taxonomy, cache, tiers: [createEncoderTier(hinting, { taxonomy })] });
    const decisions = await cascade.classify([...learned, item('oat milk', 'Dairy')]);
    expect(decisions.at(-1)).toMatchObject({ tier: 'encoder', classId: 'food.dairy-eggs' });
    // "oat milk" under another category, or none, must be judged again: the hint said Dairy, not the name.
    expect(entries.has(decisions.at(-1)!.key)).toBe(false);
    expect(entries.get(decisions[0].key)).toMatchObject({ tier: 'encoder', classId: 'food.dairy-eggs' });
  });

  it('can be turned off', async () => {
    const tier = createEncoderTier(hinting, { taxonomy, categoryHints: false });
    const [off] = (await tier.decide([...learned, item('oat milk', 'Dairy')], { hints: [] })).slice(-1);
    expect(off).toMatchObject({ kind: 'deferred' });
  });
});
