/**
 * The served index's item vectors, one set per tenant: names alone until a tenant has labelled items in two
 * categories, then its own category model (category-model.ts) fitted on them — the human labels and LLM decisions
 * the store exports for retraining, their class ids as categories — and refitted when its labels change.
 */
import type { StaticEmbedder } from '../embeddings/static-embedder.ts';
import type { ResultStore } from '../ports.ts';
import { CategoryModel, CategoryVectorizer, type LabelledName, RERANK_DEPTH, rerankByCategory } from './category-model.ts';
import type { NameVectorizer } from './vectors.ts';

/** A changed tenant is refitted at most this often: a fit costs seconds of CPU per 10,000 labelled names. */
export const REFIT_EVERY_MS = 60_000;

/** A tenant's labelled names (for the served index: `labelledNamesOf` over its result store). */
export type LabelSource = (tenant: string) => AsyncIterable<LabelledName>;

/** The labelled names of a tenant's store: human labels and LLM decisions, the class id as the category. */
export function labelledNamesOf(store: ResultStore): LabelSource {
  return async function* (tenant) {
    for await (const label of store.forTenant(tenant).exportLabelled({ tiers: ['human', 'llm'] }))
      yield { name: label.input.name, category: label.classId };
  };
}

export class TenantCategoryVectors implements NameVectorizer {
  readonly dimensions: number;
  private current: CategoryVectorizer;
  private stale = true;
  private fittedAt = Number.NEGATIVE_INFINITY;
  private fitting: Promise<void> | null = null;

  constructor(
    private readonly names: NameVectorizer,
    private readonly embedder: StaticEmbedder,
    private readonly labels: LabelSource,
    readonly tenant: string,
    private readonly tenants: Map<string, TenantCategoryVectors> = new Map(),
    private readonly now: () => number = Date.now,
  ) {
    this.current = new CategoryVectorizer(names, null);
    this.dimensions = this.current.dimensions;
    tenants.set(tenant, this);
  }

  /** The same tenant's vectors are one object: a refit one caller triggers is seen by all. */
  forTenant(tenant: string): TenantCategoryVectors {
    return this.tenants.get(tenant) ?? new TenantCategoryVectors(this.names, this.embedder, this.labels, tenant, this.tenants, this.now);
  }

  /** The model the vectors come from now (null: names alone). */
  get model(): CategoryModel | null {
    return this.current.model;
  }

  vector(name: string): Float32Array {
    return this.current.vector(name);
  }

  readonly rerankDepth = RERANK_DEPTH;

  /** Items that share the query's likely category first; as found when the tenant has no model yet. */
  rerank<T extends { vector: Float32Array; score: number }>(query: Float32Array, found: T[]): T[] {
    return this.current.model ? rerankByCategory(query, found) : found;
  }

  /** The tenant's labels changed: the next refresh refits (at most every REFIT_EVERY_MS). */
  labelsChanged(): void {
    this.stale = true;
  }

  /** Refits on the tenant's labelled names when they changed since the last fit (first use included). */
  refresh(): Promise<void> {
    if (!this.stale || this.now() - this.fittedAt < REFIT_EVERY_MS) return this.fitting ?? Promise.resolve();
    this.stale = false;
    this.fittedAt = this.now();
    this.fitting = this.fit().finally(() => {
      this.fitting = null;
    });
    return this.fitting;
  }

  private async fit() {
    const labelled: LabelledName[] = [];
    for await (const l of this.labels(this.tenant)) labelled.push(l);
    if (new Set(labelled.map((l) => l.category)).size < 2) return;
    this.current = new CategoryVectorizer(this.names, CategoryModel.fit(labelled, this.embedder));
  }
}
