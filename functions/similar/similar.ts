/**
 * Similar products: the nearest items of a tenant's index to an item or to free text, each with its score.
 * Pure over ports: the index (SimilarityIndex) and the vectorizer (vectors.ts); the API, the CLI and `ask`'s
 * retrieval call it.
 */
import type { SimilarityIndex, VectorMatch, VectorQuery } from '../ports.ts';
import type { NameVectorizer } from './vectors.ts';

export interface SimilarFilters {
  /** Only items of this class or below it. */
  classId?: string;
}

export type SimilarItem = VectorMatch;

export const MAX_K = 100;

export class SimilarProducts {
  /** One object per tenant, made once: a request asks for its tenant's. */
  private readonly tenants: Map<string, SimilarProducts>;

  constructor(
    private readonly index: SimilarityIndex,
    private readonly vectorizer: NameVectorizer,
    /** Brings the index up to date before a query (locally: jobs finished since the last one). */
    private readonly refresh: () => Promise<void> = async () => {},
    tenants?: Map<string, SimilarProducts>,
  ) {
    this.tenants = tenants ?? new Map();
  }

  /** The same over one tenant's items alone. */
  forTenant(tenant: string): SimilarProducts {
    let t = this.tenants.get(tenant);
    if (!t) {
      t = new SimilarProducts(this.index.forTenant(tenant), this.vectorizer.forTenant?.(tenant) ?? this.vectorizer, this.refresh, this.tenants);
      this.tenants.set(tenant, t);
    }
    return t;
  }

  /**
   * The k items nearest to a text (a product name, a shopper's words), best first.
   */
  async similarToText(text: string, k: number, filters: SimilarFilters = {}): Promise<SimilarItem[]> {
    await this.refresh();
    await this.vectorizer.refresh?.();
    return this.nearest(this.vectorizer.vector(text), { k: clampK(k), classId: filters.classId });
  }

  /** The index's nearest, reranked by the vectorizer when it reranks (a tenant's category model); scores stay cosines. */
  private async nearest(vector: Float32Array, query: VectorQuery): Promise<SimilarItem[]> {
    const v = this.vectorizer;
    // A depth of 0: nothing to rerank by now (a tenant without a category model).
    if (!v.rerank || !v.rerankDepth) return this.index.query(vector, query);
    const found = await this.index.query(vector, { ...query, k: Math.max(query.k, v.rerankDepth), withVectors: true });
    const withVectors = await Promise.all(
      found.map(async ({ vector: given, ...match }) => ({ match, score: match.score, vector: given ?? (await this.index.get(match.key))?.vector })),
    );
    const present = withVectors.filter((f): f is typeof f & { vector: Float32Array } => f.vector !== undefined);
    return v
      .rerank(vector, present)
      .slice(0, query.k)
      .map((f) => f.match);
  }

  /** The k items nearest to an indexed item (itself left out); null when the item is not in the index. */
  async similarToItem(key: string, k: number, filters: SimilarFilters = {}): Promise<{ item: SimilarItem; similar: SimilarItem[] } | null> {
    await this.refresh();
    await this.vectorizer.refresh?.();
    const entry = await this.index.get(key);
    if (!entry) return null;
    const similar = await this.nearest(entry.vector, { k: clampK(k), classId: filters.classId, exclude: [key] });
    return { item: { key, score: 1, classId: entry.classId, name: entry.name }, similar };
  }

  /** The indexed name and class of an item; null when it is not indexed. */
  async describe(key: string): Promise<{ name: string; classId: string | null } | null> {
    const entry = await this.index.get(key);
    return entry && { name: entry.name, classId: entry.classId };
  }
}

const clampK = (k: number) => Math.max(1, Math.min(MAX_K, Math.floor(k)));
