/**
 * Recommendations and ask on AWS, as the api function wires them (api-deps.ts indexServices) and through the real
 * app: items saved through the DynamoDB result store (dynalite) are put in the S3 Vectors index (the project's
 * emulator) as classify saves them; a shopper run's bought-together pairs are in the lake (s3rver, written by the
 * run's UNLOAD as test/support/athena-pairs.ts runs it). Each tenant gets its own items and pairs only (OWASP API1).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3VectorsClient } from '@aws-sdk/client-s3vectors';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { DynamoResultStore } from '../../functions/adapters/aws/dynamodb.ts';
import { S3BlobStore } from '../../functions/adapters/aws/s3.ts';
import { writeBoughtTogether } from '../../functions/adapters/aws/s3-co-purchases.ts';
import { CatalogAsk } from '../../functions/ask/catalog-ask.ts';
import { DEFAULT_TENANT, newApiKey } from '../../functions/core/api-keys.ts';
import { toCascadeItem } from '../../functions/core/normalize.ts';
import { loadTaxonomy } from '../../functions/core/taxonomy.ts';
import { awsApiDeps, indexServices } from '../../functions/handlers/api-deps.ts';
import { indexedOnS3Vectors } from '../../functions/handlers/item-vectors.ts';
import { clearFolder } from '../../functions/handlers/shoppers.ts';
import { recordOf } from '../../functions/pipeline/batch.ts';
import { Recommender } from '../../functions/similar/recommend.ts';
import { INDEX_DIMENSIONS } from '../../functions/similar/vectors.ts';
import { auth, closeTestApis, json, makeTestApi, type TestApi } from '../api/fixtures.ts';
import type { ShopperEventRow } from '../contract/co-purchases.ts';
import { athenaOnDuckDb, LAKE } from '../support/athena-pairs.ts';
import { createTable, type Emulator, startDynalite, startS3rver } from '../support/emulators.ts';
import { startS3VectorsEmulator } from '../support/s3-vectors-emulator.ts';

// biome-ignore lint/suspicious/noExplicitAny: response bodies, checked field by field
type Json = any;

const TABLE = 'aisle-results';
const indexArn = 'arn:aws:s3vectors:us-east-1:123456789012:bucket/aisle-vectors/index/items';
const keyOf = (name: string) => toCascadeItem({ name }).key;

let dynamo: Emulator;
let s3: Emulator;
let vectors: Awaited<ReturnType<typeof startS3VectorsEmulator>>;
let scratch: string;
beforeAll(async () => {
  [dynamo, s3, vectors] = await Promise.all([startDynalite(), startS3rver([LAKE]), startS3VectorsEmulator(INDEX_DIMENSIONS)]);
  await createTable(dynamo.options, TABLE, false);
  scratch = mkdtempSync(join(tmpdir(), 'aisle-aws-index-routes-'));
});
afterAll(async () => {
  await Promise.all([dynamo.stop(), s3.stop(), vectors.close()]);
  rmSync(scratch, { recursive: true, force: true });
});
afterEach(closeTestApis);

const vectorsClient = () =>
  new S3VectorsClient({ endpoint: vectors.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
const lake = () => new S3BlobStore(s3.clients.s3, LAKE);

/** Decisions saved as classify saves them on AWS: the table, and the index beside it. */
async function save(tenant: string, items: [name: string, classId: string][]) {
  const results = indexedOnS3Vectors(new DynamoResultStore(dynamo.clients.dynamo, TABLE), indexArn, lake(), vectorsClient());
  const records = items.map(([name, classId]) => {
    const item = toCascadeItem({ name });
    const decision = { key: item.key, classId, confidence: 0.99, tier: 'rules' as const, status: 'ok' as const, taxonomyVersion: 't1' };
    return recordOf(item, decision, 'job-1', 1, '2026-12-07T00:00:00Z');
  });
  await results.forTenant(tenant).saveDecisions(records);
}

/** The app over the AWS index services, with a key of tenant "acme" beside the default tenant's keys. */
async function awsApp(): Promise<TestApi & { acmeKey: string }> {
  const services = indexServices(
    indexArn,
    { taxonomy: loadTaxonomy(), lake: lake(), dynamo: dynamo.clients.dynamo, tableName: TABLE },
    vectorsClient(),
  );
  const t = await makeTestApi(services);
  const { key, record } = newApiKey('acme-reader', 'read', { tenant: 'acme' });
  await t.keys.put(record);
  return Object.assign(t, { acmeKey: key });
}

describe('recommend and ask on AWS (S3 Vectors, DynamoDB, the lake)', () => {
  beforeAll(async () => {
    vectors.clear();
    await save(DEFAULT_TENANT, [
      ['Tortilla Chips', 'food.snacks-sweets'],
      ['Salsa Medium', 'food.pantry-staples'],
      ['Corn Chips', 'food.snacks-sweets'],
      ['Whole Milk', 'food.dairy-eggs'],
      ['Oat Milk', 'food.dairy-eggs'],
    ]);
    await save('acme', [
      ['Blue Corn Tortilla Chips', 'food.snacks-sweets'],
      ['Hummus Classic', 'food.pantry-staples'],
    ]);
    // One shopper run per tenant: the default tenant's chips and salsa go together; acme's chips and hummus do.
    const purchases = (from: number, n: number, ...names: string[]): ShopperEventRow[] =>
      Array.from({ length: n }, (_, i) => names.map((p): ShopperEventRow => [`s${from + i}`, 'purchase', p])).flat();
    const events = {
      [DEFAULT_TENANT]: [...purchases(1, 4, 'Tortilla Chips', 'Salsa Medium'), ...purchases(5, 8, 'Whole Milk')],
      acme: [...purchases(1, 3, 'Blue Corn Tortilla Chips', 'Hummus Classic'), ...purchases(4, 3, 'Pita Chips')],
    };
    const deps = {
      athena: await athenaOnDuckDb(events, lake(), scratch),
      lake: lake(),
      lakeBucket: LAKE,
      clearLakeFolder: clearFolder(s3.clients.s3, LAKE),
    };
    for (const tenant of Object.keys(events)) await writeBoughtTogether(deps, tenant, 'r1');
  });

  it('recommends what is bought together first, similar items for an item without history; another tenant gets 404', async () => {
    const t = await awsApp();
    const chips: Json = await (await t.app.request(`/v1/items/${keyOf('Tortilla Chips')}/recommend?k=3`, { headers: auth(t.readKey) })).json();
    // 12 purchase sessions, chips and salsa together in 4 and never apart: lift 12 · 4 / (4 · 4) = 3.
    expect(chips.recommendations[0]).toMatchObject({ key: keyOf('Salsa Medium'), sessions: 4, lift: 3, label: 'Food > Pantry Staples' });
    expect(chips.recommendations[0].sources).toContain('bought_together');
    const milk: Json = await (await t.app.request(`/v1/items/${keyOf('Oat Milk')}/recommend?k=1`, { headers: auth(t.readKey) })).json();
    expect(milk.recommendations[0]).toMatchObject({ name: 'Whole Milk', sources: ['similar'] });

    // Tenant acme: the owner's item is not found, and its own chips get its own pairs, never the owner's.
    const theirs = await t.app.request(`/v1/items/${keyOf('Tortilla Chips')}/recommend`, { headers: auth(t.acmeKey) });
    expect(theirs.status).toBe(404);
    const own: Json = await (await t.app.request(`/v1/items/${keyOf('Blue Corn Tortilla Chips')}/recommend`, { headers: auth(t.acmeKey) })).json();
    expect(own.recommendations.map((r: Json) => r.name)).toEqual(['Hummus Classic']);
    expect(own.recommendations[0]).toMatchObject({ sessions: 3, lift: 2, sources: ['bought_together', 'similar'] });
  });

  it("answers a product question with the tenant's own items from the table, generation unavailable; never another tenant's", async () => {
    const t = await awsApp();
    const ask = (key: string) =>
      t.app.request('/v1/ask', { method: 'POST', headers: json(key), body: JSON.stringify({ question: 'which tortilla chips do we carry?', k: 3 }) });
    const mine: Json = await (await ask(t.readKey)).json();
    expect(mine).toMatchObject({ kind: 'product', generation: { status: 'unavailable' } });
    expect(mine.items[0]).toMatchObject({ key: keyOf('Tortilla Chips'), name: 'Tortilla Chips', label: 'Food > Snacks & Sweets', status: 'ok' });
    expect(mine.items.map((i: Json) => i.name)).not.toContain('Blue Corn Tortilla Chips');

    const theirs: Json = await (await ask(t.acmeKey)).json();
    expect(theirs.items.map((i: Json) => i.name)).toEqual(['Blue Corn Tortilla Chips', 'Hummus Classic']);
  });

  it('is wired on the api function with its VECTOR_INDEX_ARN, and left unset (503, 501) without it', () => {
    for (const [name, value] of Object.entries({ TABLE_NAME: 't', LAKE_BUCKET: 'l', INBOX_BUCKET: 'i', ATHENA_WORKGROUP: 'w', GLUE_DATABASE: 'g' })) {
      vi.stubEnv(name, value);
    }
    vi.stubEnv('AWS_REGION', 'us-east-1');
    try {
      const without = awsApiDeps();
      expect([without.similar, without.recommender, without.ask]).toEqual([undefined, undefined, undefined]);
      vi.stubEnv('VECTOR_INDEX_ARN', indexArn);
      const deps = awsApiDeps();
      expect(deps.recommender).toBeInstanceOf(Recommender);
      expect(deps.ask).toBeInstanceOf(CatalogAsk);
      expect(deps.ask?.llm).toBeNull();
    } finally {
      vi.unstubAllEnvs();
    }
  });
});
