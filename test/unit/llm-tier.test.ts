import { describe, expect, it } from 'vitest';
import { Cascade } from '../../functions/core/cascade.ts';
import { createLlmTier, LlmUnavailableError } from '../../functions/core/llm-tier.ts';
import { toCascadeItem } from '../../functions/core/normalize.ts';
import { loadTaxonomy } from '../../functions/core/taxonomy.ts';
import type { Decision } from '../../functions/core/types.ts';
import type { Cache, ItemRecord, Llm, LlmItem, ResultStore } from '../../functions/ports.ts';
import { defaultTenantOnly, MemoryStore } from '../support/memory-store.ts';

const taxonomy = loadTaxonomy();
const items = ['a one', 'b two', 'c three'].map((name) => toCascadeItem({ name }));
/** Once every pending promise callback has run (the tier's sleeps are stubbed: no timer is involved). */
const settled = () => new Promise<void>((r) => setImmediate(r));

/** An LLM that fails with the scripted errors first, then labels everything food.fresh. */
function scripted(errors: LlmUnavailableError[]): Llm & { calls: LlmItem[][] } {
  const calls: LlmItem[][] = [];
  return {
    model: 'fake',
    calls,
    reachable: async () => true,
    classify: async (xs) => {
      calls.push(xs);
      const e = errors.shift();
      if (e) throw e;
      return xs.map(() => ({ classId: 'food.fresh', confidence: 0.9 }));
    },
  };
}

describe('llm tier retries', () => {
  it('backs off exponentially with full jitter on connection errors and 5xx, capped', async () => {
    const llm = scripted([
      new LlmUnavailableError('connection', 'ECONNRESET'),
      new LlmUnavailableError('server', '502'),
      new LlmUnavailableError('server', '503'),
    ]);
    const waits: number[] = [];
    const tier = createLlmTier(llm, {
      taxonomy,
      retries: 3,
      backoffMs: 100,
      maxBackoffMs: 300,
      random: () => 0.5,
      sleep: async (ms) => void waits.push(ms),
    });
    const out = await tier.decide(items, { hints: [] });
    expect(out.every((o) => o.kind === 'decided' && o.classId === 'food.fresh')).toBe(true);
    expect(waits).toEqual([100, 150, 150]); // 0.5 × min(300, 100·2^n) for n = 1, 2, 3
    expect(llm.calls).toHaveLength(4);
  });

  it('does not retry a rejected request (4xx) and never drops items', async () => {
    const llm = scripted([new LlmUnavailableError('client', 'request rejected 400: bad format')]);
    const tier = createLlmTier(llm, { taxonomy, sleep: async () => {} });
    const out = await tier.decide(items, { hints: [] });
    expect(llm.calls).toHaveLength(1);
    expect(out).toHaveLength(3);
    expect(out.every((o) => o.kind === 'error' && /llm unavailable: request rejected 400/.test(o.reason))).toBe(true);
  });

  it('an answer outside the taxonomy from any adapter is an error, not a label', async () => {
    const llm: Llm = { model: 'fake', reachable: async () => true, classify: async (xs) => xs.map(() => ({ classId: 'food.pizza', confidence: 1 })) };
    const out = await createLlmTier(llm, { taxonomy }).decide(items, { hints: [] });
    expect(out.every((o) => o.kind === 'error' && /not a class/.test(o.reason))).toBe(true);
  });

  it('a level-1 answer (no subclass fits) is a decision with the level-1 class, as a reviewer would label it', async () => {
    const llm: Llm = { model: 'fake', reachable: async () => true, classify: async (xs) => xs.map(() => ({ classId: 'non-food', confidence: 0.8 })) };
    const out = await createLlmTier(llm, { taxonomy }).decide(items, { hints: [] });
    for (const o of out)
      expect(o).toMatchObject({ kind: 'decided', classId: 'non-food', reason: 'fake labelled it Non-Food (level 1 only: no subclass fits)' });
  });

  it('callers arriving while the half-open trial runs wait for its verdict instead of piling on', async () => {
    let clock = 0;
    const waiting: (() => void)[] = [];
    const release = () => waiting.splice(0).forEach((r) => r());
    let calls = 0;
    let failing = true;
    const llm: Llm = {
      model: 'fake',
      reachable: async () => true,
      classify: async (xs) => {
        calls++;
        if (failing) throw new LlmUnavailableError('connection', 'ECONNREFUSED');
        await new Promise<void>((r) => waiting.push(r));
        return xs.map(() => ({ classId: 'food.fresh', confidence: 0.9 }));
      },
    };
    const tier = createLlmTier(llm, {
      taxonomy,
      batchSize: 1,
      concurrency: 3,
      retries: 0,
      breakerThreshold: 1,
      breakerCooldownMs: 10,
      now: () => clock,
      sleep: async () => {},
    });
    await tier.decide(items, { hints: [] });
    expect(tier.stats.breaker).toBe('open');
    expect(calls).toBe(3); // three batches were already on their way when the first failure opened it
    failing = false;
    clock = 100;
    const running = tier.decide(items, { hints: [] });
    await settled();
    expect(calls).toBe(4); // only the trial is in flight
    expect(waiting).toHaveLength(1);
    release();
    await settled();
    expect(waiting).toHaveLength(2); // closed: the others go
    release();
    const out = await running;
    expect(out.every((o) => o.kind === 'decided')).toBe(true);
    expect(tier.stats).toMatchObject({ breaker: 'closed', requests: 6, opened: 1, closed: 1 });
  });
});

describe('llm confidence floor (issue 15, item 6)', () => {
  /** Labels Coca-Cola Dairy & Eggs at 0.031 (as llama3 did), everything else Fresh at 0.9. */
  const unsure: Llm = {
    model: 'fake',
    reachable: async () => true,
    classify: async (xs) =>
      xs.map((x) => (/coca/i.test(x.name) ? { classId: 'food.dairy-eggs', confidence: 0.031 } : { classId: 'food.fresh', confidence: 0.9 })),
  };
  class MemoryCache implements Cache {
    readonly stored = new Map<string, Decision>();
    async getMany(keys: string[]) {
      return new Map(keys.flatMap((k) => (this.stored.has(k) ? [[k, this.stored.get(k)!] as const] : [])));
    }
    async putMany(ds: Decision[]) {
      for (const d of ds) this.stored.set(d.key, d);
    }
    forTenant(tenant: string) {
      return defaultTenantOnly(this, tenant);
    }
  }

  it('an answer below the floor goes to review and is not cached as a decision; one above is decided and cached', async () => {
    const cache = new MemoryCache();
    const checkpointCache = new MemoryCache();
    const saved: ItemRecord[] = [];
    const store = { saveDecisions: async (rs: ItemRecord[]) => void saved.push(...rs) } as unknown as ResultStore;
    const tier = createLlmTier(unsure, { taxonomy, minConfidence: 0.5, checkpoint: { store, cache: checkpointCache } });
    const cascade = new Cascade({ taxonomy, tiers: [tier], cache });
    const [coke, apple] = await cascade.classify(['Coca-Cola 330ml', 'Apple'].map((name) => toCascadeItem({ name })));
    expect(coke).toMatchObject({ tier: 'review', status: 'needs_review', classId: 'food.dairy-eggs' });
    expect(coke.trace?.steps.find((s) => s.tier === 'llm')).toMatchObject({
      outcome: 'deferred',
      reason: expect.stringMatching(/guessed Food > Dairy & Eggs at confidence 0\.03\d* < floor 0\.50/),
    });
    expect(apple).toMatchObject({ tier: 'llm', status: 'ok', classId: 'food.fresh' });
    expect([...cache.stored.keys()]).toEqual([apple.key]);
    expect([...checkpointCache.stored.keys()]).toEqual([apple.key]);
    expect(saved.filter((r) => r.decision.tier === 'llm').map((r) => r.decision.key)).toEqual([apple.key]);
  });
});

describe('llm tier in a tenant cascade (issue 15, item 9)', () => {
  const sure: Llm = {
    model: 'fake',
    reachable: async () => true,
    classify: async (xs) => xs.map(() => ({ classId: 'food.fresh', confidence: 0.9 })),
  };

  it("checkpoints a tenant's items in that tenant's store and cache, never the default tenant's", async () => {
    const store = new MemoryStore();
    const tier = createLlmTier(sure, { taxonomy, checkpoint: { store, cache: store } });
    const cascade = new Cascade({ taxonomy, tiers: [tier], cache: store });
    const [apple] = await cascade.forTenant('acme').classify([toCascadeItem({ name: 'Acme Apple' })]);
    expect(apple).toMatchObject({ tier: 'llm', classId: 'food.fresh' });
    const acme = store.forTenant('acme');
    expect((await acme.getItem(apple.key))?.current.decision.tier).toBe('llm');
    expect((await acme.getMany([apple.key], taxonomy.version)).size).toBe(1);
    expect(await store.getItem(apple.key)).toBeNull();
    expect((await store.getMany([apple.key], taxonomy.version)).size).toBe(0);
  });
});
