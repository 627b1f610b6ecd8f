/**
 * POST /v1/ask through the app on the local runtime (DuckDB store and lake), with the Ollama-API test server as
 * the model: answers cite the caller's own retrieved items only, analytics questions run a named query over the
 * caller's lake rows, read-only keys may ask, and questions have their own, tighter rate limit.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDbCatalogItems } from '../../functions/adapters/local/catalog-items.ts';
import type { DuckDbInsights } from '../../functions/adapters/local/insights.ts';
import { ollamaConfig } from '../../functions/adapters/ollama.ts';
import { OllamaChat } from '../../functions/adapters/ollama-chat.ts';
import { createApp } from '../../functions/api/app.ts';
import { ASK_RATE_LIMIT } from '../../functions/api/routes/ask.ts';
import { CatalogAsk } from '../../functions/ask/catalog-ask.ts';
import { configOf } from '../../functions/config/deployables.ts';
import { newApiKey } from '../../functions/core/api-keys.ts';
import { type AskOracleOptions, askOracle } from '../support/ask-oracle.ts';
import { OllamaTestServer } from '../support/ollama-test-server.ts';
import { auth, closeTestApis, json, makeTestApi, type TestApi } from './fixtures.ts';

// biome-ignore lint/suspicious/noExplicitAny: response bodies, checked field by field
type Json = any;

let t: TestApi;
let app: ReturnType<typeof createApp>;
// The clock the Ask bucket reads: frozen, so a slow machine between two requests cannot refill a token.
let now = new Date();
let server: OllamaTestServer;
let oracle: AskOracleOptions = {};
let otherKey: string;
let jobId: string;

beforeAll(async () => {
  server = await new OllamaTestServer({ oracle: () => 'unknown', reply: (p) => askOracle(oracle)(p) }).start();
  t = await makeTestApi();
  const llm = new OllamaChat(ollamaConfig(configOf('local', {}), { host: server.url, timeoutMs: 5_000 }));
  app = createApp({
    ...t.deps,
    clock: () => now,
    ask: new CatalogAsk({ taxonomy: t.rt.taxonomy, catalog: new DuckDbCatalogItems(t.rt.db, t.service.deps.insights as DuckDbInsights), llm }),
  });
  const other = newApiKey('acme', 'write', { tenant: 'acme' });
  await t.keys.put(other.record);
  otherKey = other.key;
  const names = ['Gluten Free Pretzel Chips', 'Sea Salt Potato Chips', 'Whole Milk', 'Dish Soap'];
  const classified = await app.request('/v1/classify', {
    method: 'POST',
    headers: json(t.writeKey),
    body: JSON.stringify({ items: names.map((name) => ({ name })) }),
  });
  expect(classified.status).toBe(200);
  const form = new FormData();
  form.append('file', new Blob(['name\nCorn Chips\nMystery Gadget\n'], { type: 'text/csv' }), 'orders.csv');
  jobId = ((await (await app.request('/v1/jobs', { method: 'POST', headers: auth(t.writeKey), body: form })).json()) as Json).job.id;
  await t.service.jobs.idle();
});
afterAll(async () => {
  await closeTestApis();
  await server.stop();
});

const ask = (key: string, body: unknown) => app.request('/v1/ask', { method: 'POST', headers: json(key), body: JSON.stringify(body) });

describe('POST /v1/ask', () => {
  it("answers a product question from the tenant's items, citing retrieved keys only", async () => {
    oracle = {};
    const res = await ask(t.readKey, { question: 'which gluten-free chips do we carry?' });
    expect(res.status).toBe(200);
    const body: Json = await res.json();
    expect(body).toMatchObject({ kind: 'product', generation: { status: 'answered' } });
    expect(body.items[0].name).toBe('Gluten Free Pretzel Chips');
    const keys = new Set(body.items.map((i: Json) => i.key));
    expect(body.citations.length).toBeGreaterThan(0);
    for (const key of body.citations) expect(keys.has(key)).toBe(true);
  });

  it("rejects an answer citing an item not retrieved; another tenant's question finds none of these items", async () => {
    oracle = { mode: 'bad-citation' };
    const rejected: Json = await (await ask(t.writeKey, { question: 'potato chips' })).json();
    expect(rejected).toMatchObject({ generation: { status: 'rejected' } });
    expect(rejected.items[0].name).toBe('Sea Salt Potato Chips');
    oracle = {};
    const other: Json = await (await ask(otherKey, { question: 'potato chips gluten free milk soap', kind: 'product' })).json();
    expect(other.items).toEqual([]);
  });

  it("answers an analytics question with a named query over the tenant's lake rows", async () => {
    oracle = { plan: () => ({ query: 'review_rate', params: { job: jobId } }) };
    const body: Json = await (await ask(t.writeKey, { question: 'what share of items went to review?' })).json();
    expect(body).toMatchObject({ kind: 'analytics', query: { name: 'review_rate', source: 'lake', plannedBy: 'llm', params: { job: jobId } } });
    expect(body.rows).toEqual([expect.objectContaining({ job_id: jobId, items: 2 })]);
    expect(body.figures.items).toBe(2);
    // The other tenant's lake holds no such job: the same plan keeps nothing.
    const other: Json = await (await ask(otherKey, { question: 'what share of items went to review?' })).json();
    expect(other.rows).toEqual([]);
  });

  it('refuses bad input and keeps questions to their own rate limit', async () => {
    expect((await ask(t.writeKey, { question: '?' })).status).toBe(400);
    expect((await ask(t.writeKey, { question: 'chips', classIds: ['food.moon-cheese'] })).status).toBe(400);
    now = new Date(Date.now() + 3_600_000);
    const limited = newApiKey('burst', 'read');
    await t.keys.put(limited.record);
    const statuses: number[] = [];
    for (let i = 0; i <= ASK_RATE_LIMIT.burst; i++) statuses.push((await ask(limited.key, { question: 'milk', kind: 'product' })).status);
    expect(statuses.slice(0, ASK_RATE_LIMIT.burst).every((s) => s === 200)).toBe(true);
    expect(statuses.at(-1)).toBe(429);
    // Half a second later, one token (2/s) is back, and only one.
    now = new Date(now.getTime() + 500);
    expect((await ask(limited.key, { question: 'milk', kind: 'product' })).status).toBe(200);
    expect((await ask(limited.key, { question: 'milk', kind: 'product' })).status).toBe(429);
  });
});
