/**
 * In-memory ResultStore and Cache for tests of the LLM tier and its worker: the same contract as the
 * DuckDB and DynamoDB adapters, kept small. `writes` counts saveDecisions calls per key to spot duplicates.
 */
import { DEFAULT_TENANT } from '../../functions/core/api-keys.ts';
import { humanLabel } from '../../functions/core/labels.ts';
import type { Decision, ProductInput } from '../../functions/core/types.ts';
import type { Cache, ItemRecord, Page, ResultStore } from '../../functions/ports.ts';

/** A single-tenant test double's forTenant: it holds the default tenant's data only, and says so when asked for another's. */
export function defaultTenantOnly<T>(store: T, tenant: string): T {
  if (tenant !== DEFAULT_TENANT) throw new Error(`this test double holds the default tenant's data only, not tenant ${tenant}'s`);
  return store;
}

export class MemoryStore implements ResultStore, Cache {
  /** Every tenant's view, shared by the views; each view holds its tenant's items and cache. */
  constructor(private readonly views = new Map<string, MemoryStore>()) {
    if (!views.size) views.set(DEFAULT_TENANT, this);
  }

  forTenant(tenant: string): MemoryStore {
    let view = this.views.get(tenant);
    if (!view) this.views.set(tenant, (view = new MemoryStore(this.views)));
    return view;
  }

  /** History per key, oldest first. */
  readonly items = new Map<string, ItemRecord[]>();
  readonly cache = new Map<string, Decision>();
  cacheReads = 0;

  async saveDecisions(records: ItemRecord[]): Promise<void> {
    for (const r of records) {
      const history = this.items.get(r.decision.key) ?? [];
      history.push(structuredClone(r));
      this.items.set(r.decision.key, history);
    }
  }

  async getItem(key: string) {
    const history = this.items.get(key);
    if (!history?.length) return null;
    const newestFirst = [...history].reverse();
    return { current: newestFirst[0], history: newestFirst.slice(1) };
  }

  current(key: string): ItemRecord | undefined {
    return this.items.get(key)?.at(-1);
  }

  async setHumanLabel(key: string, classId: string, labelledBy: string): Promise<ItemRecord | null> {
    const cur = this.current(key);
    if (!cur) return null;
    const { record, cached } = humanLabel(cur, classId, labelledBy);
    await this.saveDecisions([record]);
    this.cache.set(key, cached);
    return record;
  }

  async listReview(opts: { limit: number; cursor?: string }): Promise<Page<ItemRecord>> {
    const all = [...this.items.values()].map((h) => h.at(-1)!).filter((r) => r.decision.status === 'needs_review');
    all.sort((a, b) => a.at.localeCompare(b.at) || a.decision.key.localeCompare(b.decision.key));
    const start = opts.cursor ? Number(opts.cursor) : 0;
    const items = all.slice(start, start + opts.limit);
    return { items, next: start + opts.limit < all.length ? String(start + opts.limit) : undefined };
  }

  /** The label per key (human beats LLM), not the current decision: a cached rerun does not hide it. */
  async *exportLabelled(opts: { tiers: ('human' | 'llm')[] }): AsyncIterable<{ input: ProductInput; classId: string; tier: string }> {
    for (const history of this.items.values()) {
      const labels = history.filter(
        (r) => r.decision.classId && r.decision.status === 'ok' && (r.decision.tier === 'human' || r.decision.tier === 'llm'),
      );
      const label = labels.filter((r) => r.decision.tier === 'human').at(-1) ?? labels.at(-1);
      if (label && (opts.tiers as string[]).includes(label.decision.tier))
        yield { input: label.input, classId: label.decision.classId!, tier: label.decision.tier };
    }
  }

  async getMany(keys: string[], taxonomyVersion: string): Promise<Map<string, Decision>> {
    this.cacheReads++;
    const out = new Map<string, Decision>();
    for (const k of keys) {
      const d = this.cache.get(k);
      if (d && d.taxonomyVersion === taxonomyVersion) out.set(k, d);
    }
    return out;
  }

  async putMany(decisions: Decision[]): Promise<void> {
    for (const d of decisions) if (this.cache.get(d.key)?.tier !== 'human') this.cache.set(d.key, structuredClone(d));
  }
}
