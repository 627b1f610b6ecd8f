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
import type { SimilarityIndex, VectorEntry, VectorMatch, VectorQuery } from '../../ports.ts';

/** PutVectors takes at most 500 vectors a call. */
const PUT_BATCH = 500;

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

  async get(key: string): Promise<VectorEntry | null> {
    const out = await this.client.send(new GetVectorsCommand({ ...this.where, keys: [this.vectorKey(key)], returnData: true, returnMetadata: true }));
    const found = out.vectors?.[0];
    const meta = found?.metadata as Metadata | undefined;
    if (!found?.data?.float32 || meta?.tenant !== this.tenant) return null;
    return { key, vector: Float32Array.from(found.data.float32), classId: meta.classId || null, name: meta.name };
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
        score: Math.round((1 - distance) * 1e4) / 1e4,
        classId: meta.classId || null,
        name: meta.name,
      }));
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
