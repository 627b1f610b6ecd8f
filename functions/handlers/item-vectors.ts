/**
 * The similarity index on AWS (Amazon S3 Vectors) and the vectors put in it: the API queries it, and the functions
 * that save decisions (classify, the LLM worker, the API's human labels) write each saved item to it, so an item is
 * findable as soon as its job writes it — as `aisle serve` does with its local index. Each tenant's vectors carry its
 * own category model as locally: fitted by the category-fit function, read from the lake (s3-category-models.ts).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { S3VectorsClient } from '@aws-sdk/client-s3vectors';
import { markLabelsChanged, S3CategoryModels } from '../adapters/aws/s3-category-models.ts';
import { S3VectorsIndex } from '../adapters/aws/s3-vectors.ts';
import { DEFAULT_TENANT } from '../core/api-keys.ts';
import { StaticEmbedder } from '../embeddings/static-embedder.ts';
import type { BlobStore, ItemRecord, ResultStore } from '../ports.ts';
import { indexingResults } from '../similar/indexing.ts';
import { SimilarProducts } from '../similar/similar.ts';
import { TenantCategoryVectors } from '../similar/tenant-categories.ts';
import { DEFAULT_WEIGHTS, ItemVectorizer, type NameVectorizer } from '../similar/vectors.ts';

/** The static embedding table: bundled beside the handler on Lambda (lib/), the repository's models/ elsewhere. */
const BUNDLED_EMBEDDINGS = fileURLToPath(new URL('./embeddings/', import.meta.url));

/** The static table and the names' vectors, one per process, loaded on first use (about 0.3 s) rather than at every cold start. */
let loaded: { embedder: StaticEmbedder; names: ItemVectorizer } | undefined;
export function bundledNames() {
  if (!loaded) {
    const dir = existsSync(BUNDLED_EMBEDDINGS) ? BUNDLED_EMBEDDINGS : undefined;
    const embedder = StaticEmbedder.load(dir);
    loaded = { embedder, names: new ItemVectorizer(embedder, DEFAULT_WEIGHTS, dir) };
  }
  return loaded;
}

/** Each tenant's vectors over its model in the lake (one per process and lake), made on first use. */
const byLake = new WeakMap<BlobStore, TenantCategoryVectors>();
function tenantVectors(lake: BlobStore): NameVectorizer {
  const get = () => {
    let v = byLake.get(lake);
    if (!v) {
      const { embedder, names } = bundledNames();
      byLake.set(lake, (v = new TenantCategoryVectors(names, new S3CategoryModels(lake, embedder), DEFAULT_TENANT)));
    }
    return v;
  };
  return {
    get dimensions() {
      return get().dimensions;
    },
    vector: (name) => get().vector(name),
    forTenant: (tenant) => get().forTenant(tenant),
    refresh: () => get().refresh(),
    labelsChanged: () => get().labelsChanged(),
    get rerankDepth() {
      return get().rerankDepth;
    },
    rerank: (query, found) => get().rerank(query, found),
  };
}

/** Similar products over the S3 Vectors index named by its ARN, each tenant's model read from `lake`. */
export function s3VectorsSimilar(indexArn: string, lake: BlobStore, client = new S3VectorsClient({})): SimilarProducts {
  return new SimilarProducts(new S3VectorsIndex(client, { indexArn }), tenantVectors(lake));
}

/**
 * `results`, with every saved decision and human label also put in the S3 Vectors index (same tenant), and the
 * category-fit function told when a tenant's labels (human labels, LLM decisions) change.
 */
export function indexedOnS3Vectors(results: ResultStore, indexArn: string, lake: BlobStore, client = new S3VectorsClient({})): ResultStore {
  const indexed = indexingResults(results, new S3VectorsIndex(client, { indexArn }), tenantVectors(lake));
  return tellingLabels(indexed, lake, DEFAULT_TENANT);
}

const isLabel = (r: ItemRecord) => r.decision.tier === 'human' || r.decision.tier === 'llm';

function tellingLabels(store: ResultStore, lake: BlobStore, tenant: string): ResultStore {
  return {
    ...store,
    forTenant: (t) => tellingLabels(store.forTenant(t), lake, t),
    async saveDecisions(records) {
      await store.saveDecisions(records);
      if (records.some(isLabel)) await markLabelsChanged(lake, tenant);
    },
    async setHumanLabel(key, classId, labelledBy) {
      const record = await store.setHumanLabel(key, classId, labelledBy);
      if (record) await markLabelsChanged(lake, tenant);
      return record;
    },
  };
}
