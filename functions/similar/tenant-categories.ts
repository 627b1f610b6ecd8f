/**
 * The served index's item vectors, one set per tenant: names alone until a tenant has labelled items in two
 * categories, then its own category model (category-model.ts) fitted on them — the human labels and LLM decisions
 * the store exports for retraining, their class ids as categories — and refitted when its labels change. Where a
 * model comes from is a CategoryModelSource: fitted in a worker thread on the tenant's labels (`aisle serve`), or
 * loaded as a function fitted it elsewhere (AWS: s3-category-models.ts). While a new model is on its way the current
 * one serves; it is swapped in whole when ready.
 */
import { Worker } from 'node:worker_threads';
import type { StaticEmbedder } from '../embeddings/static-embedder.ts';
import type { ResultStore } from '../ports.ts';
import { CategoryModel, type CategoryModelData, CategoryVectorizer, type LabelledName, RERANK_DEPTH, rerankByCategory } from './category-model.ts';
import type { NameVectorizer } from './vectors.ts';

/** A tenant's model is brought up to date at most this often: a fit costs seconds of CPU per 10,000 labelled names. */
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

/** Where a tenant's category model comes from. */
export interface CategoryModelSource {
  /**
   * The tenant's model as of now (null: names alone), or undefined to keep the current one. `changed`: labels were
   * saved for the tenant in this process since the last call (the first call counts as a change).
   */
  latest(tenant: string, changed: boolean): Promise<CategoryModel | null | undefined>;
}

/** Fits a model on labelled names (at least two categories). */
export type CategoryFitter = (labelled: LabelledName[]) => Promise<CategoryModel>;

/** Models fitted on each tenant's labels when they changed (`aisle serve`): with `fitInWorker`, off the serving thread. */
export function fittedOnLabels(labels: LabelSource, fitModel: CategoryFitter): CategoryModelSource {
  return {
    async latest(tenant, changed) {
      if (!changed) return undefined;
      const labelled: LabelledName[] = [];
      for await (const l of labels(tenant)) labelled.push(l);
      return CategoryModel.canFit(labelled) ? fitModel(labelled) : null;
    },
  };
}

/**
 * Fits in a worker thread (category-fit-worker.ts, from the bundle `script` gives), the model posted back as plain
 * data and rebuilt over this thread's embedder: the fit's seconds of CPU never hold the thread that answers requests.
 */
export function fitInWorker(script: () => Promise<string>, embedder: StaticEmbedder): CategoryFitter {
  return async (labelled) => {
    const worker = new Worker(await script(), { workerData: labelled });
    worker.unref(); // a fit under way does not keep a server that closes from exiting (its model was only in memory)
    const data = await new Promise<CategoryModelData>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`the category model's worker exited (code ${code}) with no model`)));
    });
    return CategoryModel.fromData(data, embedder);
  };
}

export class TenantCategoryVectors implements NameVectorizer {
  readonly dimensions: number;
  private current: CategoryVectorizer;
  private changed = true;
  private checkedAt = Number.NEGATIVE_INFINITY;
  private checking: Promise<void> | null = null;

  constructor(
    private readonly names: NameVectorizer,
    private readonly source: CategoryModelSource,
    readonly tenant: string,
    private readonly tenants: Map<string, TenantCategoryVectors> = new Map(),
    private readonly now: () => number = Date.now,
  ) {
    this.current = new CategoryVectorizer<CategoryModel>(names, null);
    this.dimensions = this.current.dimensions;
    tenants.set(tenant, this);
  }

  /** The same tenant's vectors are one object: a refit one caller triggers is seen by all. */
  forTenant(tenant: string): TenantCategoryVectors {
    return this.tenants.get(tenant) ?? new TenantCategoryVectors(this.names, this.source, tenant, this.tenants, this.now);
  }

  /** The model the vectors come from now (null: names alone). */
  get model(): CategoryModel | null {
    return this.current.model;
  }

  vector(name: string): Float32Array {
    return this.current.vector(name);
  }

  /** With a model, RERANK_DEPTH items are fetched to be reordered; without one, the k asked for (nothing to reorder). */
  get rerankDepth(): number {
    return this.current.model ? RERANK_DEPTH : 0;
  }

  /** Items that share the query's likely category first; as found when the tenant has no model yet. */
  rerank<T extends { vector: Float32Array; score: number }>(query: Float32Array, found: T[]): T[] {
    return this.current.model ? rerankByCategory(query, found) : found;
  }

  /** The tenant's labels changed: the next refresh refits (at most every REFIT_EVERY_MS). */
  labelsChanged(): void {
    this.changed = true;
  }

  /**
   * Brings the tenant's model up to date (at most every REFIT_EVERY_MS). A tenant with a model keeps it serving
   * while its successor is fitted or loaded (no caller waits); a tenant with none waits for the first.
   */
  refresh(): Promise<void> {
    if (!this.checking && this.now() - this.checkedAt >= REFIT_EVERY_MS) {
      const changed = this.changed;
      this.changed = false;
      this.checkedAt = this.now();
      const check = this.source.latest(this.tenant, changed).then(
        (model) => {
          // One assignment: a vector is made wholly by the old model or wholly by the new.
          if (model !== undefined && model !== this.current.model) this.current = new CategoryVectorizer(this.names, model);
        },
        (err: unknown) => {
          this.changed ||= changed; // tried again at the next interval
          throw err;
        },
      );
      this.checking = check.finally(() => {
        this.checking = null;
      });
      // A check no one waits for fails quietly and is tried again; a caller waiting for a first model sees its error.
      this.checking.catch(() => {});
    }
    return this.current.model ? Promise.resolve() : (this.checking ?? Promise.resolve());
  }

  /** The check under way, if any (tests, and a server that closes). */
  settled(): Promise<void> {
    return this.checking ?? Promise.resolve();
  }
}
