/**
 * The S3 Vectors adapter through the real AWS SDK client against the project's S3 Vectors emulator on loopback:
 * the SimilarityIndex contract the local index passes too, and the requests on the wire (every query filtered to
 * its tenant by the service), and the API's similar routes as the AWS wiring builds them over it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3VectorsClient } from '@aws-sdk/client-s3vectors';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { S3VectorsIndex } from '../../functions/adapters/aws/s3-vectors.ts';
import { FolderBlobStore } from '../../functions/adapters/local/blob-store.ts';
import { DEFAULT_TENANT } from '../../functions/core/api-keys.ts';
import { toCascadeItem } from '../../functions/core/normalize.ts';
import { StaticEmbedder } from '../../functions/embeddings/static-embedder.ts';
import { awsApiDeps } from '../../functions/handlers/api-deps.ts';
import { indexedOnS3Vectors, s3VectorsSimilar } from '../../functions/handlers/item-vectors.ts';
import { recordOf } from '../../functions/pipeline/batch.ts';
import { CategoryVectorizer } from '../../functions/similar/category-model.ts';
import { entriesOf } from '../../functions/similar/indexing.ts';
import { SimilarProducts } from '../../functions/similar/similar.ts';
import { INDEX_DIMENSIONS, ItemVectorizer } from '../../functions/similar/vectors.ts';
import { auth, closeTestApis, json, makeTestApi } from '../api/fixtures.ts';
import { DIMENSIONS, similarityIndexContract, unit } from '../contract/similarity-index.ts';
import { MemoryStore } from '../support/memory-store.ts';
import { startS3VectorsEmulator } from '../support/s3-vectors-emulator.ts';

let emulator: Awaited<ReturnType<typeof startS3VectorsEmulator>>;
beforeAll(async () => {
  emulator = await startS3VectorsEmulator(DIMENSIONS);
});
afterAll(() => emulator.close());

const where = { vectorBucketName: 'aisle-vectors', indexName: 'items' };
const client = () =>
  new S3VectorsClient({ endpoint: emulator.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });

similarityIndexContract('Amazon S3 Vectors (emulator)', async () => {
  emulator.clear();
  return { index: new S3VectorsIndex(client(), where) };
});

describe('S3 Vectors requests', () => {
  it("send each query with its tenant's filter, and a class filter beside it", async () => {
    emulator.clear();
    const index = new S3VectorsIndex(client(), where).forTenant('acme');
    await index.upsert([{ key: 'f000000000000001', vector: unit(1), classId: 'food.beverages', name: 'cola' }]);
    emulator.requests.length = 0;
    await index.query(unit(1), { k: 3, classId: 'food' });
    expect(emulator.requests).toEqual([
      {
        operation: 'QueryVectors',
        body: expect.objectContaining({
          ...where,
          topK: 3,
          filter: { $and: [{ tenant: { $eq: 'acme' } }, { classPath: { $eq: 'food' } }] },
          returnMetadata: true,
          returnDistance: true,
        }),
      },
    ]);
  });
});

describe('S3 Vectors scores', () => {
  it('stay in -1..1 when the service answers a cosine distance a hair outside 0..2 (its float32 arithmetic)', async () => {
    const meta = (key: string) => ({ tenant: DEFAULT_TENANT, key, classPath: [], classId: '', name: key });
    const answer = {
      vectors: [
        { metadata: meta('f000000000000001'), distance: -0.003 },
        { metadata: meta('f000000000000002'), distance: 2.003 },
      ],
    };
    const service = { send: async () => answer } as unknown as S3VectorsClient;
    const found = await new S3VectorsIndex(service, where).query(unit(0), { k: 2 });
    expect(found.map((f) => f.score)).toEqual([1, -1]);
  });
});

describe('similar routes on AWS (api-deps.ts), over S3 Vectors', () => {
  const indexArn = 'arn:aws:s3vectors:us-east-1:123456789012:bucket/aisle-vectors/index/items';
  // A tenant with no category model yet: the names' vectors, the category slots empty.
  const vectorizer = new CategoryVectorizer(new ItemVectorizer(StaticEmbedder.load()), null);
  let items: Awaited<ReturnType<typeof startS3VectorsEmulator>>;
  let lakeDir: string;
  let lake: FolderBlobStore;
  beforeAll(async () => {
    items = await startS3VectorsEmulator(INDEX_DIMENSIONS);
    lakeDir = mkdtempSync(join(tmpdir(), 'aisle-s3v-lake-'));
    lake = new FolderBlobStore(lakeDir);
  });
  afterAll(async () => {
    await items.close();
    rmSync(lakeDir, { recursive: true, force: true });
  });
  afterEach(closeTestApis);

  it('are wired on the api function when its VECTOR_INDEX_ARN is set, and left unset (503) without it', () => {
    for (const [name, value] of Object.entries({ TABLE_NAME: 't', LAKE_BUCKET: 'l', INBOX_BUCKET: 'i', ATHENA_WORKGROUP: 'w', GLUE_DATABASE: 'g' })) {
      vi.stubEnv(name, value);
    }
    vi.stubEnv('AWS_REGION', 'us-east-1');
    expect(awsApiDeps().similar).toBeUndefined();
    vi.stubEnv('VECTOR_INDEX_ARN', indexArn);
    expect(awsApiDeps().similar).toBeInstanceOf(SimilarProducts);
    vi.unstubAllEnvs();
  });

  it('has what classify (or a human label) saves put in the index, where the similar routes find it', async () => {
    items.clear();
    const client = new S3VectorsClient({
      endpoint: items.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    const results = indexedOnS3Vectors(new MemoryStore(), indexArn, lake, client);
    const saved = (name: string, classId: string) => {
      const item = toCascadeItem({ name });
      const decision = { key: item.key, classId, confidence: 0.99, tier: 'rules' as const, status: 'ok' as const, taxonomyVersion: 't1' };
      return recordOf(item, decision, 'job-1', 1, '2026-12-07T00:00:00Z');
    };
    await results
      .forTenant(DEFAULT_TENANT)
      .saveDecisions([saved('Organic Whole Milk', 'food.dairy-eggs'), saved('Sea Salt Potato Chips', 'food.snacks')]);
    await results.forTenant('other').saveDecisions([saved('Oat Milk Barista', 'food.dairy-eggs')]);
    const puts = items.requests.filter((r) => r.operation === 'PutVectors');
    expect(puts).toHaveLength(2);
    for (const r of puts) expect(r.body).toMatchObject({ indexArn });

    const t = await makeTestApi({ similar: s3VectorsSimilar(indexArn, lake, client) });
    const res = await t.app.request('/v1/similar', { method: 'POST', headers: json(t.readKey), body: JSON.stringify({ text: 'whole milk', k: 5 }) });
    expect(res.status).toBe(200);
    const keys = ((await res.json()) as { similar: { key: string }[] }).similar.map((x) => x.key);
    expect(keys).toEqual([toCascadeItem({ name: 'Organic Whole Milk' }).key, toCascadeItem({ name: 'Sea Salt Potato Chips' }).key]);
  });

  it('answers GET /v1/items/{key}/similar and POST /v1/similar from the index named by its ARN, in the caller’s tenant', async () => {
    const client = new S3VectorsClient({
      endpoint: items.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    const index = new S3VectorsIndex(client, { indexArn });
    const named = (name: string, classId: string) => ({ key: toCascadeItem({ name }).key, name, classId });
    const milk = named('Organic Whole Milk', 'food.dairy-eggs');
    const chocolateMilk = named('Chocolate Milk 1 qt', 'food.dairy-eggs');
    const chips = named('Sea Salt Potato Chips', 'food.snacks');
    await index.forTenant(DEFAULT_TENANT).upsert(entriesOf([milk, chocolateMilk, chips], vectorizer));
    await index.forTenant('other').upsert(entriesOf([named('Oat Milk Barista', 'food.dairy-eggs')], vectorizer));
    items.requests.length = 0;

    const t = await makeTestApi({ similar: s3VectorsSimilar(indexArn, lake, client) });
    const byItem = await t.app.request(`/v1/items/${milk.key}/similar?k=2`, { headers: auth(t.readKey) });
    expect(byItem.status).toBe(200);
    const found = (await byItem.json()) as { item: { key: string }; similar: { key: string; score: number; label: string }[] };
    expect(found.item.key).toBe(milk.key);
    expect(found.similar.map((s) => s.key)).toEqual([chocolateMilk.key, chips.key]);
    expect(found.similar[0]).toMatchObject({ label: 'Food > Dairy & Eggs' });
    expect(found.similar[0].score).toBeGreaterThan(found.similar[1].score);

    const byText = await t.app.request('/v1/similar', {
      method: 'POST',
      headers: json(t.readKey),
      body: JSON.stringify({ text: 'whole milk', k: 5 }),
    });
    expect(byText.status).toBe(200);
    const keys = ((await byText.json()) as { similar: { key: string }[] }).similar.map((s) => s.key);
    expect(keys[0]).toBe(milk.key);
    expect(keys).toHaveLength(3); // the other tenant's oat milk is never among them

    // The item's own vector, then one query each: without a category model nothing is reranked, so the vectors of
    // what a query found are not fetched (the re-ranking's GetVectors comes only with a model).
    expect(items.requests.map((r) => r.operation)).toEqual(['GetVectors', 'QueryVectors', 'QueryVectors']);
    for (const r of items.requests) expect(r.body).toMatchObject({ indexArn });
  });
});
