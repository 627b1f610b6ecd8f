/**
 * Each tenant's category model on AWS (functions/similar/category-model.ts), as `aisle serve` keeps one in memory:
 * fitted by the category-fit function (functions/handlers/category-fit.ts) on the tenant's labels, stored in the
 * lake under a versioned key, and loaded by the functions that vectorize (the API, classify, the LLM worker).
 * Layout in the lake:
 *   similar/category-models/changed/tenant=T     written whenever labels are saved for T (any body): look at T
 *   similar/category-models/tenant=T/model=V.v8  the model fitted on labels whose hash is V (v8-serialized data)
 *   similar/category-models/tenant=T/current.json  {"version", "marker", "reembed"}: the model to load, written last
 * A model is never overwritten (its key is its labels' hash), so a reader holding an old pointer reads a whole model.
 */
import { createHash, randomUUID } from 'node:crypto';
import { buffer } from 'node:stream/consumers';
import { deserialize, serialize } from 'node:v8';
import { TENANT_RE } from '../../core/api-keys.ts';
import type { StaticEmbedder } from '../../embeddings/static-embedder.ts';
import type { BlobStore } from '../../ports.ts';
import { CategoryModel, type CategoryModelData, CategoryVectorizer, type LabelledName } from '../../similar/category-model.ts';
import type { CategoryModelSource } from '../../similar/tenant-categories.ts';
import type { NameVectorizer } from '../../similar/vectors.ts';
import type { S3VectorsIndex } from './s3-vectors.ts';

export const CATEGORY_MODELS_PREFIX = 'similar/category-models/';
/** Where writers say a tenant's labels changed: the category-fit function lists this prefix. */
export const CHANGED_PREFIX = `${CATEGORY_MODELS_PREFIX}changed/`;
const changedKey = (tenant: string) => `${CHANGED_PREFIX}tenant=${tenant}`;
const tenantFolder = (tenant: string) => `${CATEGORY_MODELS_PREFIX}tenant=${tenant}/`;
const currentKey = (tenant: string) => `${tenantFolder(tenant)}current.json`;
const modelKey = (tenant: string, version: string) => `${tenantFolder(tenant)}model=${version}.v8`;

/** A tenant's pointer: the model to load (null: names alone), the change marker it answers, the re-embedding's progress. */
export interface CurrentModel {
  version: string | null;
  /** The body of the tenant's change marker when its labels were read for this version. */
  marker: string;
  /** Re-vectorizing the tenant's indexed items with this version: done, or the index listing's page to go on from. */
  reembed: { done: boolean; nextToken?: string };
}

async function readJson<T>(lake: BlobStore, key: string): Promise<T | null> {
  const body = await lake.get(key);
  return body ? (JSON.parse((await buffer(body)).toString('utf8')) as T) : null;
}

/** The version of a model fitted on these labels: a hash of them in a fixed order (the fit is deterministic). */
export function labelsVersion(labelled: LabelledName[]): string {
  const lines = labelled.map((l) => `${l.category}\t${l.name}`).sort();
  return createHash('sha256').update(lines.join('\n')).digest('hex').slice(0, 16);
}

/** The tenants' models as the lake holds them: what a vectorizing function loads (one pointer read a minute per tenant). */
export class S3CategoryModels implements CategoryModelSource {
  private readonly loaded = new Map<string, { version: string; model: CategoryModel }>();

  constructor(
    private readonly lake: BlobStore,
    private readonly embedder: StaticEmbedder,
  ) {}

  async latest(tenant: string): Promise<CategoryModel | null> {
    const current = await readJson<CurrentModel>(this.lake, currentKey(tenant));
    if (!current?.version) return null;
    const held = this.loaded.get(tenant);
    if (held?.version === current.version) return held.model;
    const model = await this.read(tenant, current.version);
    // One model per tenant in memory: the one its pointer names.
    this.loaded.set(tenant, { version: current.version, model });
    return model;
  }

  private async read(tenant: string, version: string): Promise<CategoryModel> {
    const body = await this.lake.get(modelKey(tenant, version));
    if (!body) throw new Error(`${currentKey(tenant)} names ${modelKey(tenant, version)}, which is not there`);
    return CategoryModel.fromData(deserialize(await buffer(body)) as CategoryModelData, this.embedder);
  }
}

/** Tells the category-fit function that the tenant's labels changed (one small PUT per saved batch with labels). */
export async function markLabelsChanged(lake: BlobStore, tenant: string): Promise<void> {
  await lake.put(changedKey(tenant), `${new Date().toISOString()} ${randomUUID()}`, 'text/plain');
}

export interface RefitDeps {
  lake: BlobStore;
  embedder: StaticEmbedder;
  /** The names' vectors (vectors.ts ItemVectorizer), the category part after them. */
  names: NameVectorizer;
  /** A tenant's labelled names (its result store's human labels and LLM decisions). */
  labels: (tenant: string) => AsyncIterable<LabelledName>;
  /** The shared S3 Vectors index; re-embedding writes each tenant's items in it anew. */
  index: S3VectorsIndex;
  /** Milliseconds of the invocation left: re-embedding stops (its progress saved) before they run out. */
  remainingMs: () => number;
  log?: (message: string, detail: Record<string, unknown>) => void;
}

/** What the re-embedding leaves for the end of an invocation: a page's vectorizing and writing, and the pointer's write. */
const RESERVE_MS = 60_000;

/**
 * One run of the category-fit function: each tenant whose labels changed since its model was fitted gets a model
 * fitted on them (unless its labels are the same: the version is their hash), then its indexed items are
 * re-vectorized with it, a page of the index listing at a time, the progress saved after each page. Idempotent
 * (a rerun finds the same version, or the items it re-puts are the same) and resumable (a run out of time leaves
 * the rest to the next).
 */
export async function refitChanged(deps: RefitDeps): Promise<{ fitted: string[]; reembedded: number; unfinished: string[] }> {
  const out = { fitted: [] as string[], reembedded: 0, unfinished: [] as string[] };
  for (const key of await deps.lake.list(CHANGED_PREFIX)) {
    const tenant = key.slice(changedKey('').length);
    if (!TENANT_RE.test(tenant)) continue;
    const markerBody = await deps.lake.get(key);
    const marker = markerBody ? (await buffer(markerBody)).toString('utf8') : '';
    let current = await readJson<CurrentModel>(deps.lake, currentKey(tenant));
    let model: CategoryModel | null | undefined;
    if (current?.marker !== marker) {
      // No fit is started in a run's last minute: the next run fits it.
      if (deps.remainingMs() <= RESERVE_MS) {
        out.unfinished.push(tenant);
        continue;
      }
      ({ current, model } = await refit(deps, tenant, marker, current));
      if (model) out.fitted.push(tenant);
    }
    if (!current.reembed.done) {
      if (model === undefined) model = current.version ? await new S3CategoryModels(deps.lake, deps.embedder).latest(tenant) : null;
      out.reembedded += await reembed(deps, tenant, current, model);
      if (!current.reembed.done) out.unfinished.push(tenant);
    }
  }
  return out;
}

/** The tenant's labels read anew: a model fitted and stored when they differ from the current one's (undefined: none fitted). */
async function refit(
  deps: RefitDeps,
  tenant: string,
  marker: string,
  previous: CurrentModel | null,
): Promise<{ current: CurrentModel; model?: CategoryModel | null }> {
  const labelled: LabelledName[] = [];
  for await (const l of deps.labels(tenant)) labelled.push(l);
  const version = CategoryModel.canFit(labelled) ? labelsVersion(labelled) : null;
  if (previous && version === previous.version) {
    // The same labels (a change marked, then undone, or a rerun): no fit, the re-embedding as it was.
    const same = { ...previous, marker };
    await deps.lake.put(currentKey(tenant), JSON.stringify(same), 'application/json');
    return { current: same };
  }
  const model = version ? CategoryModel.fit(labelled, deps.embedder) : null;
  if (model && version) {
    await deps.lake.put(modelKey(tenant, version), serialize(model.data()), 'application/octet-stream');
    deps.log?.('category model fitted', { tenant, version, labelled: labelled.length, categories: model.categories.length });
  }
  // The pointer last: a reader never names a model not yet written.
  const current: CurrentModel = { version, marker, reembed: { done: false } };
  await deps.lake.put(currentKey(tenant), JSON.stringify(current), 'application/json');
  return { current, model };
}

/** Re-vectorizes the tenant's indexed items with its current model, page by page, until done or out of time; how many. */
async function reembed(deps: RefitDeps, tenant: string, current: CurrentModel, model: CategoryModel | null): Promise<number> {
  const vectors = new CategoryVectorizer(deps.names, model);
  const index = deps.index.forTenant(tenant);
  let items = 0;
  while (!current.reembed.done && deps.remainingMs() > RESERVE_MS) {
    const page = await index.page(current.reembed.nextToken);
    await index.upsert(page.entries.map((e) => ({ ...e, vector: vectors.vector(e.name) })));
    items += page.entries.length;
    current.reembed = page.nextToken ? { done: false, nextToken: page.nextToken } : { done: true };
    await deps.lake.put(currentKey(tenant), JSON.stringify(current), 'application/json');
  }
  return items;
}
