/**
 * The SimilarityIndex on Amazon S3 Vectors: one vector index (cosine, the vectorizer's dimensions) for every
 * tenant. A vector's key is `tenant/itemKey`, and its filterable metadata holds the tenant and the class with its
 * ancestors, so every query is filtered to its caller's tenant by the service, never after it. Chosen over
 * OpenSearch Serverless by cost at catalog scale (docs/similar.md): storage and queries are paid per use, with no
 * always-on capacity units. Create the index with `name` and `classId` as non-filterable metadata (they are only
 * returned), so the filterable part stays within the service's per-vector limit.
 */
import {
  DeleteVectorsCommand,
  GetVectorsCommand,
  ListVectorsCommand,
  PutVectorsCommand,
  QueryVectorsCommand,
  type S3VectorsClient,
} from '@aws-sdk/client-s3vectors';
import { DEFAULT_TENANT } from '../../core/api-keys.ts';
import { matchScore, type SimilarityIndex, type VectorEntry, type VectorMatch, type VectorQuery } from '../../ports.ts';

/** PutVectors takes at most 500 vectors a call. */
const PUT_BATCH = 500;
/** GetVectors takes at most 100 keys a call. */
const GET_BATCH = 100;
/** A page of ListVectors when re-vectorizing: one PutVectors call of the tenant's items at most. */
const LIST_PAGE = PUT_BATCH;

type Metadata = {
  tenant: string;
  key: string;
  /** The class and its ancestors ("food", "food.dairy-eggs"): `classPath = X` finds X and everything below it. */
  classPath: string[];
  classId: string;
  name: string;
};

const ancestors = (classId: string | null) => (classId ? classId.split('.').map((_, i, parts) => parts.slice(0, i + 1).join('.')) : []);

export class S3VectorsIndex implements SimilarityIndex {
  constructor(
    private readonly client: S3VectorsClient,
    /** The index, by its ARN (as deployed: lib/vectors.ts) or by its bucket's name and its own. */
    private readonly where: { indexArn: string } | { vectorBucketName: string; indexName: string },
    private readonly tenant = DEFAULT_TENANT,
  ) {}

  forTenant(tenant: string): S3VectorsIndex {
    return new S3VectorsIndex(this.client, this.where, tenant);
  }

  private vectorKey = (key: string) => `${this.tenant}/${key}`;

  async upsert(entries: VectorEntry[]): Promise<void> {
    for (let i = 0; i < entries.length; i += PUT_BATCH) {
      const vectors = entries.slice(i, i + PUT_BATCH).map((e) => {
        const metadata: Metadata = { tenant: this.tenant, key: e.key, classPath: ancestors(e.classId), classId: e.classId ?? '', name: e.name };
        return { key: this.vectorKey(e.key), data: { float32: Array.from(e.vector) }, metadata };
      });
      await this.client.send(new PutVectorsCommand({ ...this.where, vectors }));
    }
  }

  async remove(keys: string[]): Promise<void> {
    if (keys.length) await this.client.send(new DeleteVectorsCommand({ ...this.where, keys: keys.map(this.vectorKey) }));
  }

  /**
   * The entry of a key. The gets asked for in one turn of the event loop go as one GetVectors (up to GET_BATCH
   * keys): re-ranking asks for the vectors of the 50 nearest at once (similar.ts), one request instead of 50.
   */
  async get(key: string): Promise<VectorEntry | null> {
    let batch = this.gathering;
    if (!batch || batch.keys.size >= GET_BATCH) {
      const keys = new Set<string>();
      const entries = Promise.resolve().then(() => {
        if (this.gathering?.keys === keys) this.gathering = null;
        return this.getMany([...keys]);
      });
      batch = this.gathering = { keys, entries };
    }
    batch.keys.add(key);
    return (await batch.entries).get(key) ?? null;
  }

  private gathering: { keys: Set<string>; entries: Promise<Map<string, VectorEntry>> } | null = null;

  private async getMany(keys: string[]): Promise<Map<string, VectorEntry>> {
    const out = await this.client.send(
      new GetVectorsCommand({ ...this.where, keys: keys.map(this.vectorKey), returnData: true, returnMetadata: true }),
    );
    const found = new Map<string, VectorEntry>();
    for (const v of out.vectors ?? []) {
      const meta = v.metadata as Metadata | undefined;
      if (v.data?.float32 && meta?.tenant === this.tenant)
        found.set(meta.key, { key: meta.key, vector: Float32Array.from(v.data.float32), classId: meta.classId || null, name: meta.name });
    }
    return found;
  }

  async query(vector: Float32Array, query: VectorQuery): Promise<VectorMatch[]> {
    const exclude = new Set(query.exclude ?? []);
    const tenant = { tenant: { $eq: this.tenant } };
    const filter = query.classId ? { $and: [tenant, { classPath: { $eq: query.classId } }] } : tenant;
    const out = await this.client.send(
      new QueryVectorsCommand({
        ...this.where,
        topK: query.k + exclude.size,
        queryVector: { float32: Array.from(vector) },
        filter,
        returnMetadata: true,
        returnDistance: true,
      }),
    );
    return (out.vectors ?? [])
      .map((v) => ({ meta: v.metadata as Metadata, distance: v.distance ?? 1 }))
      .filter(({ meta }) => meta.tenant === this.tenant && !exclude.has(meta.key))
      .slice(0, query.k)
      .map(({ meta, distance }) => ({
        key: meta.key,
        score: matchScore(1 - distance),
        classId: meta.classId || null,
        name: meta.name,
      }));
  }

  /**
   * One page of a listing of the whole index (LIST_PAGE vectors), the tenant's items on it, and the token of the
   * next page (none at the end): what re-vectorizes a tenant's items when its category model changes.
   */
  async page(nextToken?: string): Promise<{ entries: Omit<VectorEntry, 'vector'>[]; nextToken?: string }> {
    const out = await this.client.send(new ListVectorsCommand({ ...this.where, maxResults: LIST_PAGE, returnMetadata: true, nextToken }));
    const entries = (out.vectors ?? [])
      .map((v) => v.metadata as Metadata | undefined)
      .filter((meta): meta is Metadata => meta?.tenant === this.tenant)
      .map((meta) => ({ key: meta.key, name: meta.name, classId: meta.classId || null }));
    return { entries, nextToken: out.nextToken };
  }

  /** The tenant's items, counted over a listing of the whole index: for checks and reports, not for requests. */
  async size(): Promise<number> {
    let count = 0;
    let nextToken: string | undefined;
    do {
      const page = await this.client.send(new ListVectorsCommand({ ...this.where, returnMetadata: true, nextToken }));
      count += (page.vectors ?? []).filter((v) => (v.metadata as Metadata | undefined)?.tenant === this.tenant).length;
      nextToken = page.nextToken;
    } while (nextToken);
    return count;
  }
}
