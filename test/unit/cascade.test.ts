import { describe, expect, it } from 'vitest';
import { Cascade } from '../../functions/core/cascade.ts';
import { createEncoderTier } from '../../functions/core/encoder-tier.ts';
import { toCascadeItem } from '../../functions/core/normalize.ts';
import { loadTaxonomy } from '../../functions/core/taxonomy.ts';
import type { Decision, Tier, TierOutcome } from '../../functions/core/types.ts';
import type { Cache, Encoder } from '../../functions/ports.ts';
import { defaultTenantOnly } from '../support/memory-store.ts';

const taxonomy = loadTaxonomy();

/** A tier that decides items whose text contains a word, and records what it was asked. */
function wordTier(name: Tier['name'], word: string, classId: string, cacheable = false) {
  const seen: string[] = [];
  const tier: Tier = {
    name,
    cacheable,
    decide(items) {
      seen.push(...items.map((i) => i.text));
      return items.map(
        (i): TierOutcome =>
          i.text.includes(word)
            ? { kind: 'decided', classId, confidence: 0.9, reason: `saw ${word}`, ruleId: name === 'rules' ? `kw.${word}` : undefined }
            : { kind: 'deferred', candidates: [{ classId, score: 0.3 }], reason: `no ${word}` },
      );
    },
  };
  return { tier, seen };
}

class MapCache implements Cache {
  readonly entries = new Map<string, Decision>();
  async getMany(keys: string[], version: string) {
    const out = new Map<string, Decision>();
    for (const k of keys) {
      const d = this.entries.get(k);
      if (d && d.taxonomyVersion === version) out.set(k, d);
    }
    return out;
  }
  forTenant(tenant: string) {
    return defaultTenantOnly(this, tenant);
  }
  async putMany(ds: Decision[]) {
    for (const d of ds) this.entries.set(d.key, d);
  }
}

describe('cascade', () => {
  it('stops at the first tier that decides, in order, and sends the rest to review', async () => {
    const rules = wordTier('rules', 'milk', 'food.dairy-eggs');
    const encoder = wordTier('encoder', 'soap', 'non-food.personal-care-health', true);
    const cascade = new Cascade({ taxonomy, tiers: [rules.tier, encoder.tier] });
    const items = ['Whole Milk', 'Bar Soap', 'Mystery Thing'].map((name) => toCascadeItem({ name }));
    const [milk, soap, mystery] = await cascade.classify(items);

    expect(milk).toMatchObject({ tier: 'rules', classId: 'food.dairy-eggs', ruleId: 'kw.milk', status: 'ok' });
    expect(soap).toMatchObject({ tier: 'encoder', classId: 'non-food.personal-care-health', status: 'ok' });
    expect(mystery).toMatchObject({ tier: 'review', status: 'needs_review' });
    expect(mystery.trace!.steps.map((s) => s.tier)).toEqual(['rules', 'encoder', 'review']);
    // the encoder never sees what rules decided
    expect(encoder.seen).toEqual(['bar soap', 'mystery thing']);
    expect(cascade.tierNames).toEqual(['rules', 'encoder', 'review']);
  });

  it('keeps the best candidate as the review guess', async () => {
    const rules = wordTier('rules', 'milk', 'food.dairy-eggs');
    const [d] = await new Cascade({ taxonomy, tiers: [rules.tier] }).classify([toCascadeItem({ name: 'Widget' })]);
    expect(d).toMatchObject({ tier: 'review', classId: 'food.dairy-eggs', confidence: 0.3, status: 'needs_review' });
  });

  it('caches decisions of cacheable tiers only and answers repeats from the cache', async () => {
    const cache = new MapCache();
    const rules = wordTier('rules', 'milk', 'food.dairy-eggs');
    const encoder = wordTier('encoder', 'soap', 'non-food.personal-care-health', true);
    const cascade = new Cascade({ taxonomy, tiers: [rules.tier, encoder.tier], cache });
    const items = ['Whole Milk', 'Bar Soap'].map((name) => toCascadeItem({ name }));
    await cascade.classify(items);
    expect([...cache.entries.values()].map((d) => d.tier)).toEqual(['encoder']);

    const again = await cascade.classify(items);
    expect(again[1]).toMatchObject({ tier: 'cache', classId: 'non-food.personal-care-health' });
    expect(again[0].tier).toBe('rules');
    expect(encoder.seen).toEqual(['bar soap']);
  });

  it('defers to the next tier when a tier throws, losing nothing', async () => {
    const broken: Tier = {
      name: 'llm',
      cacheable: true,
      decide: () => {
        throw new Error('connection refused');
      },
    };
    const [d] = await new Cascade({ taxonomy, tiers: [broken] }).classify([toCascadeItem({ name: 'Widget' })]);
    expect(d.status).toBe('needs_review');
    expect(d.trace!.steps[0]).toMatchObject({ tier: 'llm', outcome: 'error', reason: 'llm failed: connection refused' });
  });
  it('lets a tier review an earlier tier: confirm keeps, another class overrules, deferral withdraws, an error keeps', async () => {
    const rules = wordTier('rules', 'milk', 'food.dairy-eggs');
    const asked: { text: string; earlier?: string | null }[] = [];
    const reviewer: Tier = {
      name: 'encoder',
      cacheable: true,
      reviews: 'rules',
      decide(items, ctx) {
        items.forEach((it, j) => asked.push({ text: it.text, earlier: ctx.earlier?.[j]?.classId }));
        return items.map((it): TierOutcome => {
          if (it.text.includes('oat')) return { kind: 'decided', classId: 'food.beverages', confidence: 0.9, reason: 'oat drink' };
          if (it.text.includes('spilt')) return { kind: 'deferred', reason: 'not sure' };
          if (it.text.includes('broken')) return { kind: 'error', reason: 'boom' };
          return { kind: 'decided', classId: 'food.dairy-eggs', confidence: 0.97, reason: 'dairy' };
        });
      },
    };
    const cache = new MapCache();
    const cascade = new Cascade({ taxonomy, tiers: [rules.tier, reviewer], cache });
    const names = ['Whole Milk', 'Oat Milk', 'Spilt Milk', 'Broken Milk', 'Cheddar'];
    const [whole, oat, spilt, broken, cheddar] = await cascade.classify(names.map((name) => toCascadeItem({ name })));

    // The reviewer sees the undecided items (no earlier decision) and the rules' decisions.
    expect(asked).toEqual([
      { text: 'cheddar', earlier: undefined },
      { text: 'whole milk', earlier: 'food.dairy-eggs' },
      { text: 'oat milk', earlier: 'food.dairy-eggs' },
      { text: 'spilt milk', earlier: 'food.dairy-eggs' },
      { text: 'broken milk', earlier: 'food.dairy-eggs' },
    ]);
    expect(whole).toMatchObject({ tier: 'rules', classId: 'food.dairy-eggs', ruleId: 'kw.milk', status: 'ok' });
    expect(whole.trace!.steps.map((s) => `${s.tier}:${s.outcome}`)).toEqual(['cache:deferred', 'rules:decided', 'encoder:decided']);
    expect(oat).toMatchObject({ tier: 'encoder', classId: 'food.beverages', status: 'ok' });
    expect(spilt).toMatchObject({ tier: 'review', status: 'needs_review' });
    expect(spilt.trace!.steps.map((s) => `${s.tier}:${s.outcome}`)).toEqual([
      'cache:deferred',
      'rules:decided',
      'encoder:deferred',
      'review:decided',
    ]);
    expect(broken).toMatchObject({ tier: 'rules', classId: 'food.dairy-eggs', status: 'ok' });
    expect(cheddar).toMatchObject({ tier: 'encoder', classId: 'food.dairy-eggs' });
    // Only the reviewer's own final decisions are cached (rules are not cacheable; a withdrawn one is gone).
    expect([...cache.entries.values()].map((d) => d.key).sort()).toEqual([oat.key, cheddar.key].sort());
  });

  it('shares one trace among the items whose rule decision a reviewing tier confirms with one shared outcome', async () => {
    const rule: TierOutcome = { kind: 'decided', classId: 'food.dairy-eggs', confidence: 0.95, reason: 'milk', ruleId: 'kw.milk' };
    const agree: TierOutcome = {
      kind: 'decided',
      classId: 'food.dairy-eggs',
      confidence: 0.95,
      reason: 'agrees',
      ruleId: 'kw.milk',
      modelVersion: 'm1',
    };
    const rules: Tier = { name: 'rules', cacheable: false, decide: (items) => items.map(() => rule) };
    const reviewer: Tier = { name: 'encoder', cacheable: false, reviews: 'rules', decide: (items) => items.map(() => agree) };
    const names = ['Whole Milk', 'Skim Milk', 'Goat Milk'];
    const decisions = await new Cascade({ taxonomy, tiers: [rules, reviewer] }).classify(names.map((name) => toCascadeItem({ name })));

    expect(decisions.map((d) => d.key)).toEqual(names.map((name) => toCascadeItem({ name }).key));
    expect(decisions[1].trace).toBe(decisions[0].trace);
    expect(decisions[2].trace).toBe(decisions[0].trace);
    // The confirming step is the reviewer's, without the rule's id: the decision stays the rule's.
    expect(decisions[0]).toMatchObject({ tier: 'rules', ruleId: 'kw.milk', reason: 'milk' });
    expect(decisions[0].trace!.steps).toEqual([
      { tier: 'rules', outcome: 'decided', reason: 'milk', ms: expect.any(Number), costUnits: 0, ruleId: 'kw.milk' },
      { tier: 'encoder', outcome: 'decided', reason: 'agrees', ms: expect.any(Number), costUnits: 0, modelVersion: 'm1' },
    ]);
  });

  it('gives a reviewing tier no earlier decisions when the reviewed tier is not in the cascade', async () => {
    const contexts: unknown[] = [];
    const reviewer: Tier = {
      name: 'encoder',
      cacheable: false,
      reviews: 'rules',
      decide(items, ctx) {
        contexts.push(ctx.earlier);
        return items.map(() => ({ kind: 'deferred' }));
      },
    };
    await new Cascade({ taxonomy, tiers: [reviewer] }).classify([toCascadeItem({ name: 'Milk' })]);
    expect(contexts).toEqual([undefined]);
  });
});

describe('cascade: cached decisions of a retired version', () => {
  /** An encoder answering one class for every text at a fixed probability, from a model version that can change. */
  const encoder = (modelVersion: string): Encoder => ({
    modelVersion,
    predict: async (texts) => texts.map(() => [{ classId: 'food.snacks-sweets', score: 0.95 }]),
    threshold: () => 0.5,
  });
  const items = ['Sea Salt Chips', 'Pretzel Bites', 'Honey Nut Cheerios'].map((name) => toCascadeItem({ name }));

  it('serves none after a promotion: decided again by the champion and cached anew; labels still stand', async () => {
    const cache = new MapCache();
    const before = new Cascade({ taxonomy, tiers: [createEncoderTier(encoder('m1'), { taxonomy })], cache });
    expect((await before.classify(items)).map((d) => `${d.tier}@${d.modelVersion}`)).toEqual(['encoder@m1', 'encoder@m1', 'encoder@m1']);
    expect((await before.classify(items)).map((d) => d.tier)).toEqual(['cache', 'cache', 'cache']);
    const labelled = items[2].key;
    cache.entries.set(labelled, {
      key: labelled,
      classId: 'food.breakfast',
      confidence: 1,
      tier: 'human',
      status: 'ok',
      taxonomyVersion: taxonomy.version,
    });

    // m2 promoted: the runtime now serves it.
    const after = new Cascade({ taxonomy, tiers: [createEncoderTier(encoder('m2'), { taxonomy })], cache });
    const rerun = await after.classify(items);
    expect(rerun.filter((d) => d.modelVersion === 'm1')).toEqual([]);
    expect(rerun.slice(0, 2).map((d) => `${d.tier}@${d.modelVersion}`)).toEqual(['encoder@m2', 'encoder@m2']);
    expect(rerun[0].trace!.steps[0]).toMatchObject({ tier: 'cache', outcome: 'deferred', reason: 'cached decision of a retired version' });
    expect(rerun[2]).toMatchObject({ tier: 'cache', classId: 'food.breakfast' });
    expect(rerun[2].trace!.steps.map((s) => s.tier)).toEqual(['cache']);
    expect([...cache.entries.values()].map((d) => d.modelVersion ?? d.tier)).toEqual(['m2', 'm2', 'human']);
    // Cached anew: the next run is served from the cache again, by m2.
    expect((await after.classify(items)).map((d) => `${d.tier}@${d.modelVersion ?? ''}`)).toEqual(['cache@m2', 'cache@m2', 'cache@']);
  });

  it('serves an LLM decision only to the LLM model that made it', async () => {
    const cache = new MapCache();
    const llmTier = (model: string): Tier => ({
      name: 'llm',
      cacheable: true,
      version: `ollama:${model}`,
      decide: (batch) => batch.map(() => ({ kind: 'decided', classId: 'food.pantry-staples', confidence: 0.8, modelVersion: `ollama:${model}` })),
    });
    await new Cascade({ taxonomy, tiers: [llmTier('small')], cache }).classify(items);
    const same = await new Cascade({ taxonomy, tiers: [llmTier('small')], cache }).classify(items);
    expect(same.map((d) => d.tier)).toEqual(['cache', 'cache', 'cache']);
    const other = await new Cascade({ taxonomy, tiers: [llmTier('large')], cache }).classify(items);
    expect(other.map((d) => `${d.tier}@${d.modelVersion}`)).toEqual(['llm@ollama:large', 'llm@ollama:large', 'llm@ollama:large']);
  });

  it('serves decisions of tiers without a version, or not in this cascade, as cached', async () => {
    const cache = new MapCache();
    const encoderTier = createEncoderTier(encoder('m1'), { taxonomy });
    await new Cascade({ taxonomy, tiers: [encoderTier], cache }).classify(items);
    const rules = wordTier('rules', 'nothing-matches', 'food.dairy-eggs');
    expect((await new Cascade({ taxonomy, tiers: [rules.tier], cache }).classify(items)).map((d) => d.tier)).toEqual(['cache', 'cache', 'cache']);
  });
});
