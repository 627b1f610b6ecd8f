import { describe, expect, it } from 'vitest';
import { Cascade } from '../../functions/core/cascade.ts';
import { toCascadeItem } from '../../functions/core/normalize.ts';
import { loadTaxonomy } from '../../functions/core/taxonomy.ts';
import type { Decision, Tier, TierOutcome } from '../../functions/core/types.ts';
import type { Cache } from '../../functions/ports.ts';

const taxonomy = loadTaxonomy();

/** A tier that decides items whose text contains a word, and records what it was asked. */
function wordTier(name: Tier['name'], word: string, classId: string, cacheable = false) {
  const seen: string[] = [];
  const tier: Tier = {
    name,
    cacheable,
    decide(items) {
      seen.push(...items.map((i) => i.text));
      return items.map((i): TierOutcome =>
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
    const broken: Tier = { name: 'llm', cacheable: true, decide: () => { throw new Error('connection refused'); } };
    const [d] = await new Cascade({ taxonomy, tiers: [broken] }).classify([toCascadeItem({ name: 'Widget' })]);
    expect(d.status).toBe('needs_review');
    expect(d.trace!.steps[0]).toMatchObject({ tier: 'llm', outcome: 'error', reason: 'llm failed: connection refused' });
  });
});
