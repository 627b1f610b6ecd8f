import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newApiKey } from '../../functions/core/api-keys.ts';
import { shopperDirOf } from '../../functions/shoppers/insights.ts';
import { shopperInsightNames } from '../../functions/shoppers/registry.ts';
import { writeShopperTables } from '../support/shopper-fixture.ts';
import { auth, closeTestApis, makeTestApi, type TestApi } from './fixtures.ts';

/** GET /v1/shoppers/insights[/{name}] over the shopper tables of the caller's tenant, in `aisle serve`'s layout. */
describe('GET /v1/shoppers/insights', () => {
  let api: TestApi;
  let acmeKey: string;
  let otherKey: string;

  beforeAll(async () => {
    api = await makeTestApi();
    // The default tenant's tables and acme's, from different seeds and sizes: an answer shows whose tables it read.
    await writeShopperTables(join(api.home, 'gen-default'), shopperDirOf(api.home, 'default'), { events: 6000, shoppers: 400, seed: 3 });
    await writeShopperTables(join(api.home, 'gen-acme'), shopperDirOf(api.home, 'acme'), { events: 2000, shoppers: 150, seed: 4 });
    const mint = async (tenant: string) => {
      const { key, record } = newApiKey(`${tenant}-reader`, 'read', { tenant });
      await api.keys.put(record);
      return key;
    };
    acmeKey = await mint('acme');
    otherKey = await mint('other');
  }, 120_000);
  afterAll(closeTestApis);

  const get = async (path: string, key: string) => {
    const res = await api.app.request(path, { headers: auth(key) });
    // biome-ignore lint/suspicious/noExplicitAny: response bodies, checked field by field
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  };

  it('lists every named insight of the registry', async () => {
    const { status, body } = await get('/v1/shoppers/insights', api.readKey);
    expect(status).toBe(200);
    expect(body.items.map((q: { name: string }) => q.name)).toEqual(shopperInsightNames());
    expect(body.items.length).toBe(10);
  });

  it('runs each named insight with the default parameters', async () => {
    for (const name of shopperInsightNames()) {
      const { status, body } = await get(`/v1/shoppers/insights/${name}`, api.readKey);
      expect(status, name).toBe(200);
      expect(body.params).toEqual({ min_support: 0.01, top: 10 });
      expect(body.rows.length, name).toBeGreaterThan(0);
    }
  });

  it('takes min_support and top, and refuses them out of range with 400 and the parameter named', async () => {
    const top2 = await get('/v1/shoppers/insights/top_purchased_categories?top=2', api.readKey);
    expect(top2.body.rows).toHaveLength(2);
    const strict = await get('/v1/shoppers/insights/frequent_category_sets?min_support=0.9', api.readKey);
    expect(strict.status).toBe(200);
    expect(strict.body.rows).toEqual([]);
    for (const [query, path] of [
      ['min_support=2', 'query.min_support'],
      ['min_support=abc', 'query.min_support'],
      ['top=0', 'query.top'],
      ['top=1.5', 'query.top'],
    ]) {
      const bad = await get(`/v1/shoppers/insights/top_purchased_categories?${query}`, api.readKey);
      expect(bad.status, query).toBe(400);
      expect(bad.body.error.details.map((d: { path: string }) => d.path)).toContain(path);
    }
  });

  it('answers 404 for an unknown name and 401 without a key', async () => {
    const unknown = await get('/v1/shoppers/insights/nope', api.readKey);
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.message).toMatch(/no insight query named "nope"/);
    expect((await api.app.request('/v1/shoppers/insights/nope')).status).toBe(401);
  });

  it("reads the caller's tenant's tables only: acme sees its own, a tenant without tables no rows", async () => {
    const events = async (key: string) =>
      (await get('/v1/shoppers/insights/seasonality_by_month', key)).body.rows.reduce((s: number, r: { events: number }) => s + r.events, 0);
    const [owner, acme] = [await events(api.readKey), await events(acmeKey)];
    expect(acme).toBeGreaterThan(0);
    expect(acme).toBeLessThan(owner / 2);
    const none = await get('/v1/shoppers/insights/seasonality_by_month', otherKey);
    expect(none.status).toBe(200);
    expect(none.body.rows).toEqual([]);
  });
});
