/**
 * Recommendations for an item: what shoppers bought with it (co-occurrence in purchase sessions, ranked by lift,
 * from the shopper pipeline), blended with similar items. An item's purchase history earns trust with its size:
 * with n sessions behind its pairs the co-purchase part weighs n / (n + HISTORY_PRIOR) and similarity the rest,
 * so an item nobody bought yet gets similar items alone, and a best-seller mostly what sells with it.
 */
import type { TenantScoped } from '../ports.ts';
import { isClassOrBelow } from './filters.ts';
import type { SimilarFilters, SimilarProducts } from './similar.ts';

export interface CoPurchase {
  key: string;
  name: string;
  /** Purchase sessions holding both items. */
  sessions: number;
  /** P(both) / (P(this) · P(other)): above 1, bought together more than by chance. */
  lift: number;
}

/** Items bought together, by item key (the shopper pipeline's purchase sessions). */
export interface CoPurchases extends TenantScoped<CoPurchases> {
  /** The items bought with `key`, highest lift first (lift > 1 only). */
  boughtWith(key: string, limit: number): Promise<CoPurchase[]>;
}

export interface Recommendation {
  key: string;
  name: string;
  classId: string | null;
  /** 0..1: the blend of the two parts below. */
  score: number;
  /** Where it came from: bought together, similar, or both. */
  sources: ('bought_together' | 'similar')[];
  lift?: number;
  sessions?: number;
  similarity?: number;
}

/** Sessions at which history and similarity weigh the same. */
export const HISTORY_PRIOR = 5;

export class Recommender {
  constructor(
    private readonly similar: SimilarProducts,
    private readonly coPurchases: CoPurchases | null,
  ) {}

  forTenant(tenant: string): Recommender {
    return new Recommender(this.similar.forTenant(tenant), this.coPurchases?.forTenant(tenant) ?? null);
  }

  /** Up to k recommendations for an item, best first; null when the item is unknown to both parts. */
  async recommend(key: string, k: number, filters: SimilarFilters = {}): Promise<Recommendation[] | null> {
    const [bought, near] = await Promise.all([
      this.coPurchases ? this.coPurchases.boughtWith(key, k * 2) : Promise.resolve([]),
      this.similar.similarToItem(key, k * 2, filters),
    ]);
    if (!near && !bought.length) return null;
    const sessions = bought.reduce((s, b) => s + b.sessions, 0);
    const trust = sessions / (sessions + HISTORY_PRIOR);
    const out = new Map<string, Recommendation>();
    const known = await Promise.all(bought.map((b) => this.similar.describe(b.key)));
    for (const [i, b] of bought.entries()) {
      if (filters.classId && !isClassOrBelow(known[i]?.classId ?? null, filters.classId)) continue;
      // Lift mapped to 0..1 (lift 1 = chance → 0; lift 3 → 0.67), weighted by how much history there is.
      const strength = Math.max(0, 1 - 1 / b.lift);
      out.set(b.key, {
        key: b.key,
        name: b.name,
        classId: known[i]?.classId ?? null,
        score: trust * strength,
        sources: ['bought_together'],
        lift: b.lift,
        sessions: b.sessions,
      });
    }
    for (const s of near?.similar ?? []) {
      const part = (1 - trust) * Math.max(0, s.score);
      const seen = out.get(s.key);
      if (seen) {
        seen.score += part;
        seen.classId = s.classId;
        seen.similarity = s.score;
        seen.sources.push('similar');
      } else out.set(s.key, { key: s.key, name: s.name, classId: s.classId, score: part, sources: ['similar'], similarity: s.score });
    }
    return [...out.values()]
      .map((r) => ({ ...r, score: Math.round(r.score * 1e4) / 1e4 }))
      .sort((a, b) => b.score - a.score || a.key.localeCompare(b.key))
      .slice(0, k);
  }
}
