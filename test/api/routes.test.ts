import { afterEach, describe, expect, it } from 'vitest';
import { MAX_NAME_LENGTH } from '../../functions/core/csv.ts';
import { UnavailableError } from '../../functions/core/errors.ts';
import { auth, CHALLENGER, CHAMPION, closeTestApis, json, makeTestApi, type TestApi } from './fixtures.ts';

// biome-ignore lint/suspicious/noExplicitAny: response bodies, checked field by field
type Json = any;

afterEach(closeTestApis);

async function classify(t: TestApi, items: unknown[], query = ''): Promise<Json> {
  const res = await t.app.request(`/v1/classify${query}`, { method: 'POST', headers: json(t.writeKey), body: JSON.stringify({ items }) });
  expect(res.status).toBe(200);
  return res.json();
}

function expectError(body: Json, code: string) {
  expect(body).toMatchObject({ error: { code, message: expect.any(String) } });
}

describe('health, docs and the inspector', () => {
  it('answers /health without a key and /ready with each check', async () => {
    const t = await makeTestApi({
      readiness: {
        store: { required: true, check: async () => {} },
        llm: {
          required: false,
          check: async () => {
            throw new Error('connection refused');
          },
        },
      },
    });
    expect(await (await t.app.request('/health')).json()).toMatchObject({ status: 'ok' });
    const ready = await t.app.request('/ready');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({
      ready: true,
      degraded: ['llm'],
      checks: { store: { ok: true }, llm: { ok: false, error: 'connection refused' } },
    });
  });

  it('answers /ready 503 with Retry-After when a required dependency is down', async () => {
    const t = await makeTestApi({
      readiness: {
        store: {
          required: true,
          check: async () => {
            throw new Error('disk gone');
          },
        },
      },
    });
    const res = await t.app.request('/ready');
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('5');
    expect(await res.json()).toMatchObject({ ready: false, degraded: ['store'] });
  });

  it("lists the cascade's tiers in order, cache first and review last, each with what it does", async () => {
    const t = await makeTestApi();
    expect((await t.app.request('/v1/tiers')).status).toBe(401);
    const body: Json = await (await t.app.request('/v1/tiers', { headers: auth(t.readKey) })).json();
    expect(body.items.map((i: Json) => i.name)).toEqual(['cache', 'rules', 'encoder', 'llm', 'review']);
    for (const i of body.items) expect(i.summary).toMatch(/\w{3,}/);
  });

  it('publishes OpenAPI 3.1 with every route, and Swagger UI with local assets', async () => {
    const t = await makeTestApi();
    const doc: Json = await (await t.app.request('/openapi.json')).json();
    expect(doc.openapi).toBe('3.1.0');
    for (const p of [
      '/v1/classify',
      '/v1/items/{key}',
      '/v1/items/{key}/label',
      '/v1/review',
      '/v1/review/{key}/accept',
      '/v1/jobs',
      '/v1/jobs/{id}',
      '/v1/jobs/{id}/result',
      '/v1/jobs/{id}/rejects',
      '/v1/taxonomy',
      '/v1/models',
      '/v1/models/retrain',
      '/v1/tiers',
      '/health',
      '/ready',
    ]) {
      expect(doc.paths, p).toHaveProperty([p]);
    }
    expect(doc.components.securitySchemes.apiKey).toMatchObject({ type: 'http', scheme: 'bearer' });
    const docs = await (await t.app.request('/docs')).text();
    expect(docs).toContain('/docs/assets/swagger-ui-dist/swagger-ui-bundle.js');
    expect(docs).not.toMatch(/https?:\/\//);
    const bundle = await t.app.request('/docs/assets/swagger-ui-dist/swagger-ui-bundle.js');
    expect(bundle.status).toBe(200);
    expect((await bundle.text()).length).toBeGreaterThan(100_000);
    expect((await t.app.request('/docs/assets/swagger-ui-dist/package.json')).status).toBe(404);
  });

  it('serves the inspector page and its assets without any external reference', async () => {
    const t = await makeTestApi();
    const page = await (await t.app.request('/')).text();
    expect(page).toContain('<script type="module" src="/ui/app.js">');
    for (const asset of ['/ui/app.js', '/ui/app.css']) {
      const res = await t.app.request(asset);
      expect(res.status).toBe(200);
      expect(await res.text()).not.toMatch(/https?:\/\/(?!www\.w3\.org)/);
    }
  });

  it('answers unknown routes 404 in the error shape', async () => {
    const t = await makeTestApi();
    const res = await t.app.request('/v1/nope', { headers: auth(t.writeKey) });
    expect(res.status).toBe(404);
    expectError(await res.json(), 'not_found');
  });

  it('answers a body in a media type the route does not take 415 unsupported_media_type, a bad body of the right type 400', async () => {
    const t = await makeTestApi();
    const body = JSON.stringify({ items: [{ name: 'Milk' }] });
    for (const [path, method, type] of [
      ['/v1/classify', 'POST', 'text/plain'],
      ['/v1/classify', 'POST', undefined],
      ['/v1/items/0123456789abcdef/label', 'PUT', 'application/xml'],
      ['/v1/review/accept', 'POST', 'text/plain'],
      ['/v1/jobs', 'POST', 'application/xml'],
    ] as const) {
      const res = await t.app.request(path, { method, headers: auth(t.writeKey, type ? { 'content-type': type } : {}), body });
      expect(res.status, `${method} ${path} ${type}`).toBe(415);
      const err: Json = await res.json();
      expectError(err, 'unsupported_media_type');
      expect(err.error.message).toContain(path === '/v1/jobs' ? 'text/csv' : 'application/json');
    }
    const bad = await t.app.request('/v1/classify', { method: 'POST', headers: json(t.writeKey), body: '{"items": [' });
    expect(bad.status).toBe(400);
    expectError(await bad.json(), 'invalid_json');
  });

  it('answers a wrong method on a known route 405 with Allow', async () => {
    const t = await makeTestApi();
    const del = await t.app.request('/v1/classify', { method: 'DELETE', headers: auth(t.writeKey) });
    expect(del.status).toBe(405);
    expect(del.headers.get('allow')).toBe('POST');
    expectError(await del.json(), 'method_not_allowed');
    const item = await t.app.request('/v1/items/0123456789abcdef', { method: 'POST', headers: auth(t.writeKey) });
    expect(item.status).toBe(405);
    expect(item.headers.get('allow')).toBe('GET, HEAD');
    const label = await t.app.request('/v1/items/0123456789abcdef/label', { method: 'GET', headers: auth(t.writeKey) });
    expect(label.status).toBe(405);
    expect(label.headers.get('allow')).toBe('PUT');
    expect((await t.app.request('/health', { method: 'POST' })).headers.get('allow')).toBe('GET, HEAD');
  });

  it('sends security headers on the inspector, the docs and the API', async () => {
    const t = await makeTestApi();
    for (const [path, init] of [
      ['/', {}],
      ['/ui/app.js', {}],
      ['/health', {}],
      ['/v1/tiers', { headers: auth(t.writeKey) }],
      ['/v1/nope', { headers: auth(t.writeKey) }],
      ['/v1/tiers', {}],
    ] as const) {
      const res = await t.app.request(path, init);
      expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(res.headers.get('referrer-policy'), path).toBe('no-referrer');
      expect(res.headers.get('x-frame-options'), path).toBe('DENY');
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp, path).toContain("frame-ancestors 'none'");
      expect(csp, path).toContain("default-src 'self'");
      expect(csp, path).toContain("object-src 'none'");
    }
  });
});

describe('POST /v1/classify', () => {
  it('answers each item in order with key, levels, class, confidence, tier and status', async () => {
    const t = await makeTestApi();
    const body = await classify(t, [{ name: 'Whole Milk 1 gal' }, { name: 'Sea Salt Chips', brand: 'Kettle' }, { name: 'Blue Widget' }]);
    expect(body.items.map((i: Json) => i.name)).toEqual(['Whole Milk 1 gal', 'Sea Salt Chips', 'Blue Widget']);
    expect(body.items[0]).toMatchObject({
      classId: 'food.dairy-eggs',
      label: 'Food > Dairy & Eggs',
      levels: { level1: 'Food', level2: 'Dairy & Eggs' },
      tier: 'rules',
      ruleId: 'kw.milk',
      status: 'ok',
      confidence: 1,
    });
    expect(body.items[0].key).toMatch(/^[0-9a-f]{16}$/);
    expect(body.items[1]).toMatchObject({ classId: 'food.snacks-sweets', tier: 'encoder', status: 'ok', modelVersion: 'test-1' });
    expect(body.items[2]).toMatchObject({ classId: 'non-food.household', tier: 'review', status: 'needs_review' });
    expect(body.items[0].trace).toBeUndefined();
    expect(body.taxonomyVersion).toBe('2026.11.1');
  });

  it('includes the full trace with ?trace=1, and answers from the cache the second time', async () => {
    const t = await makeTestApi();
    const first = await classify(t, [{ name: 'Sea Salt Chips' }], '?trace=1');
    expect(first.items[0].trace.steps.map((s: Json) => [s.tier, s.outcome])).toEqual([
      ['cache', 'deferred'],
      ['rules', 'deferred'],
      ['encoder', 'decided'],
    ]);
    expect(first.items[0].trace.topK[0]).toMatchObject({ classId: 'food.snacks-sweets', label: 'Food > Snacks & Sweets', score: 0.93 });
    const second = await classify(t, [{ name: 'sea salt  CHIPS' }]);
    expect(second.items[0]).toMatchObject({ tier: 'cache', classId: 'food.snacks-sweets', key: first.items[0].key });
  });

  it('stores a name holding CR or CR LF (a multi-line cell pasted in) and gives it back as sent', async () => {
    const t = await makeTestApi();
    const name = 'Mystery\r\nsecond line\rthird';
    const body = await classify(t, [{ name }]);
    expect(body.items[0]).toMatchObject({ name, status: 'needs_review' });
    const item = await (await t.app.request(`/v1/items/${body.items[0].key}`, { headers: auth(t.writeKey) })).json();
    expect(item.current.input.name).toBe(name);
  });

  it('rejects bad input with 400 and zod field paths', async () => {
    const t = await makeTestApi();
    const res = await t.app.request('/v1/classify', {
      method: 'POST',
      headers: json(t.writeKey),
      body: JSON.stringify({ items: [{ name: 'ok' }, { name: '' }, { brand: 'x' }] }),
    });
    expect(res.status).toBe(400);
    const body: Json = await res.json();
    expectError(body, 'invalid_request');
    expect(body.error.details.map((d: Json) => d.path)).toEqual(['items.1.name', 'items.2.name']);

    const tooMany = await t.app.request('/v1/classify', {
      method: 'POST',
      headers: json(t.writeKey),
      body: JSON.stringify({ items: Array.from({ length: 101 }, () => ({ name: 'x' })) }),
    });
    expect(tooMany.status).toBe(400);
    expect(((await tooMany.json()) as Json).error.details[0]).toMatchObject({ path: 'items', message: 'at most 100 items per request' });

    const empty = await t.app.request('/v1/classify', { method: 'POST', headers: json(t.writeKey), body: JSON.stringify({ items: [] }) });
    expect(empty.status).toBe(400);

    const notJson = await t.app.request('/v1/classify', { method: 'POST', headers: json(t.writeKey), body: '{"items": [' });
    expect(notJson.status).toBe(400);
    expectError(await notJson.json(), 'invalid_json');
  });

  it('answers 413 for a body over 1 MB', async () => {
    const t = await makeTestApi();
    const big = JSON.stringify({ items: [{ name: 'x', description: 'y'.repeat(1024 * 1024) }] });
    const res = await t.app.request('/v1/classify', {
      method: 'POST',
      headers: { ...json(t.writeKey), 'content-length': String(big.length) },
      body: big,
    });
    expect(res.status).toBe(413);
    expectError(await res.json(), 'payload_too_large');
  });

  it('answers 503 with Retry-After when the result store is down', async () => {
    const t = await makeTestApi();
    // A failure injected into the real store: the local store never reports itself unavailable.
    t.rt.store.saveDecisions = async () => {
      throw new UnavailableError('result store', 'aisle.duckdb is locked', 7);
    };
    const res = await t.app.request('/v1/classify', {
      method: 'POST',
      headers: json(t.writeKey),
      body: JSON.stringify({ items: [{ name: 'Whole milk' }] }),
    });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('7');
    expectError(await res.json(), 'unavailable');
  });
});

describe('auth and rate limits', () => {
  it('answers 401 without a key, with an unknown key and with a revoked key', async () => {
    const t = await makeTestApi();
    const body = JSON.stringify({ items: [{ name: 'milk' }] });
    const none = await t.app.request('/v1/classify', { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toContain('Bearer');
    expectError(await none.json(), 'unauthorized');

    const forged = t.writeKey.slice(0, -4) + 'AAAA';
    expect((await t.app.request('/v1/taxonomy', { headers: auth(forged) })).status).toBe(401);
    expect((await t.app.request('/v1/taxonomy', { headers: auth('not-a-key') })).status).toBe(401);

    const id = t.writeKey.split('_')[1];
    expect(await t.keys.revoke(id, new Date().toISOString())).toBe(true);
    const revoked = await t.app.request('/v1/taxonomy', { headers: auth(t.writeKey) });
    expect(revoked.status).toBe(401);
    expectError(await revoked.json(), 'key_revoked');
  });

  it('remembers a key check for keyCacheMs: a revocation takes effect within it', async () => {
    let now = Date.parse('2026-11-22T00:00:00Z');
    const t = await makeTestApi({ keyCacheMs: 5000, clock: () => new Date(now) });
    const get = (key = t.writeKey) => t.app.request('/v1/taxonomy', { headers: auth(key) });
    expect((await get()).status).toBe(200);
    expect((await get(t.readKey)).status).toBe(200);
    await t.keys.revoke(t.writeKey.split('_')[1], new Date(now).toISOString());
    await t.keys.revoke(t.readKey.split('_')[1], new Date(now).toISOString());
    now += 1000;
    expect((await get()).status).toBe(200); // still inside the window
    // Past half its life a check still answers and is refreshed in the background: the revocation shows before 5 s.
    now += 2000;
    expect((await get(t.readKey)).status).toBe(200);
    await expect.poll(async () => (await get(t.readKey)).status).toBe(401);
    now += 2000;
    const revoked = await get();
    expect(revoked.status).toBe(401);
    expectError(await revoked.json(), 'key_revoked');
  });

  it('answers 403 when a read-only key tries to change something, and lets it classify and read', async () => {
    const t = await makeTestApi();
    const ok = await t.app.request('/v1/classify', {
      method: 'POST',
      headers: json(t.readKey),
      body: JSON.stringify({ items: [{ name: 'Whole milk' }] }),
    });
    expect(ok.status).toBe(200);
    const { items }: Json = await ok.json();
    expect((await t.app.request(`/v1/items/${items[0].key}`, { headers: auth(t.readKey) })).status).toBe(200);
    const res = await t.app.request(`/v1/items/${items[0].key}/label`, {
      method: 'PUT',
      headers: json(t.readKey),
      body: JSON.stringify({ classId: 'food.beverages' }),
    });
    expect(res.status).toBe(403);
    expectError(await res.json(), 'forbidden');
  });

  it('answers 429 with Retry-After once a key has used its bucket, per key', async () => {
    let now = Date.parse('2026-11-22T00:00:00Z');
    const t = await makeTestApi({ rateLimit: { ratePerSecond: 1, burst: 2 }, clock: () => new Date(now) });
    const get = (key: string) => t.app.request('/v1/taxonomy', { headers: auth(key) });
    expect((await get(t.writeKey)).status).toBe(200);
    expect((await get(t.writeKey)).status).toBe(200);
    const limited = await get(t.writeKey);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('1');
    expectError(await limited.json(), 'rate_limited');
    expect((await get(t.readKey)).status).toBe(200); // another key has its own bucket
    now += 1000;
    expect((await get(t.writeKey)).status).toBe(200);
  });

  it('runs without keys when auth is off', async () => {
    const t = await makeTestApi({ keys: null });
    expect((await t.app.request('/v1/taxonomy')).status).toBe(200);
  });
});

describe('items and review', () => {
  it('returns an item with its history; a human label overrides the cache', async () => {
    const t = await makeTestApi();
    const [chips] = (await classify(t, [{ name: 'Sea Salt Chips' }])).items;
    expect((await t.app.request('/v1/items/0123456789abcdef', { headers: auth(t.writeKey) })).status).toBe(404);
    expect((await t.app.request('/v1/items/not-a-key', { headers: auth(t.writeKey) })).status).toBe(400);

    const bad = await t.app.request(`/v1/items/${chips.key}/label`, {
      method: 'PUT',
      headers: json(t.writeKey),
      body: JSON.stringify({ classId: 'food.crisps' }),
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as Json).error.details[0].path).toBe('classId');

    const labelled = await t.app.request(`/v1/items/${chips.key}/label`, {
      method: 'PUT',
      headers: json(t.writeKey),
      body: JSON.stringify({ classId: 'Food > Pantry Staples' }),
    });
    expect(labelled.status).toBe(200);
    expect(await labelled.json()).toMatchObject({ decision: { tier: 'human', classId: 'food.pantry-staples', status: 'ok' } });

    const again = (await classify(t, [{ name: 'Sea Salt Chips' }])).items[0];
    expect(again).toMatchObject({ tier: 'cache', classId: 'food.pantry-staples' });
    expect(again.reason).toContain('human');

    const item: Json = await (await t.app.request(`/v1/items/${chips.key}`, { headers: auth(t.writeKey) })).json();
    expect(item.current.decision.tier).toBe('human');
    expect(item.history.map((r: Json) => r.decision.tier)).toEqual(['encoder']);

    const unknown = await t.app.request('/v1/items/0123456789abcdef/label', {
      method: 'PUT',
      headers: json(t.writeKey),
      body: JSON.stringify({ classId: 'food.beverages' }),
    });
    expect(unknown.status).toBe(404);
  });

  it('pages the review queue and accepts guesses one by one and in bulk', async () => {
    const t = await makeTestApi();
    const { items } = await classify(t, [{ name: 'Widget A' }, { name: 'Widget B' }, { name: 'Widget C' }, { name: 'Milk' }]);
    const page1: Json = await (await t.app.request('/v1/review?limit=2', { headers: auth(t.writeKey) })).json();
    expect(page1.items).toHaveLength(2);
    expect(page1.next).toBeDefined();
    const page2: Json = await (await t.app.request(`/v1/review?limit=2&cursor=${page1.next}`, { headers: auth(t.writeKey) })).json();
    expect(page2.items).toHaveLength(1);
    expect(page2.next).toBeUndefined();
    expect((await t.app.request('/v1/review?limit=0', { headers: auth(t.writeKey) })).status).toBe(400);

    const accepted = await t.app.request(`/v1/review/${items[0].key}/accept`, { method: 'POST', headers: auth(t.writeKey) });
    expect(accepted.status).toBe(200);
    expect(await accepted.json()).toMatchObject({ decision: { tier: 'human', classId: 'non-food.household' } });
    const withClass = await t.app.request(`/v1/review/${items[1].key}/accept`, {
      method: 'POST',
      headers: json(t.writeKey),
      body: JSON.stringify({ classId: 'non-food.pet-supplies' }),
    });
    expect(await withClass.json()).toMatchObject({ decision: { classId: 'non-food.pet-supplies' } });
    expect((await t.app.request('/v1/review/0123456789abcdef/accept', { method: 'POST', headers: auth(t.writeKey) })).status).toBe(404);

    const bulk = await t.app.request('/v1/review/accept', {
      method: 'POST',
      headers: json(t.writeKey),
      body: JSON.stringify({ keys: [items[2].key, '0123456789abcdef'] }),
    });
    expect(await bulk.json()).toEqual({
      accepted: [items[2].key],
      failed: [{ key: '0123456789abcdef', code: 'not_found', message: 'item 0123456789abcdef not found' }],
    });
    const rest: Json = await (await t.app.request('/v1/review', { headers: auth(t.writeKey) })).json();
    expect(rest.items).toHaveLength(0);
  });

  it('answers an invalid cursor 400 instead of the first page', async () => {
    const t = await makeTestApi();
    await classify(t, [{ name: 'Widget A' }, { name: 'Widget B' }]);
    for (const path of ['/v1/review', '/v1/jobs']) {
      for (const cursor of ['garbage', '!!!', Buffer.from('-5').toString('base64url'), Buffer.from('2x').toString('base64url')]) {
        const res = await t.app.request(`${path}?limit=1&cursor=${encodeURIComponent(cursor)}`, { headers: auth(t.writeKey) });
        expect(res.status, `${path} ${cursor}`).toBe(400);
        expectError(await res.json(), 'invalid_cursor');
      }
    }
  });

  it('accepts only items that wait in review: a decided or already labelled item answers 409', async () => {
    const t = await makeTestApi();
    const { items } = await classify(t, [{ name: 'Widget A' }, { name: 'Milk' }]);
    expect(items[1].status).toBe('ok');
    const decided = await t.app.request(`/v1/review/${items[1].key}/accept`, { method: 'POST', headers: auth(t.writeKey) });
    expect(decided.status).toBe(409);
    expectError(await decided.json(), 'not_in_review');
    expect((await t.app.request(`/v1/review/${items[0].key}/accept`, { method: 'POST', headers: auth(t.writeKey) })).status).toBe(200);
    const twice = await t.app.request(`/v1/review/${items[0].key}/accept`, {
      method: 'POST',
      headers: json(t.writeKey),
      body: JSON.stringify({ classId: 'non-food.pet-supplies' }),
    });
    expect(twice.status).toBe(409);
    const bulk: Json = await (
      await t.app.request('/v1/review/accept', { method: 'POST', headers: json(t.writeKey), body: JSON.stringify({ keys: [items[1].key] }) })
    ).json();
    expect(bulk).toMatchObject({ accepted: [], failed: [{ key: items[1].key, code: 'not_in_review' }] });
    const milk: Json = await (await t.app.request(`/v1/items/${items[1].key}`, { headers: auth(t.writeKey) })).json();
    expect(milk.current.decision.tier).not.toBe('human');
  });

  it('takes names up to the one documented limit (MAX_NAME_LENGTH), as CSV imports do, and refuses longer ones', async () => {
    const t = await makeTestApi();
    const at = (n: number) =>
      t.app.request('/v1/classify', { method: 'POST', headers: json(t.writeKey), body: JSON.stringify({ items: [{ name: 'x'.repeat(n) }] }) });
    expect(MAX_NAME_LENGTH).toBe(2000);
    expect((await at(MAX_NAME_LENGTH)).status).toBe(200);
    const over = await at(MAX_NAME_LENGTH + 1);
    expect(over.status).toBe(400);
    expect(((await over.json()) as Json).error.details[0]).toMatchObject({ path: 'items.0.name', message: expect.stringContaining('2000') });
  });
});

describe('jobs', () => {
  const csv = 'name,brand\nWhole Milk,Horizon\n,Nameless\nSea Salt Chips,Kettle\nBlue Widget,\n';

  it('takes a multipart CSV, processes it in-process, and serves result and rejects', async () => {
    const t = await makeTestApi();
    const form = new FormData();
    form.append('file', new Blob([csv], { type: 'text/csv' }), 'catalog.csv');
    const res = await t.app.request('/v1/jobs', { method: 'POST', headers: auth(t.writeKey), body: form });
    expect(res.status).toBe(202);
    const { job }: Json = await res.json();
    expect(job.id).toMatch(/^j-\d{8}T\d{6}-[0-9a-f]{6}$/);
    await t.service.jobs.idle();

    const done: Json = await (await t.app.request(`/v1/jobs/${job.id}`, { headers: auth(t.writeKey) })).json();
    expect(done).toMatchObject({ status: 'done', rowsIn: 4, classified: 3, rejected: 1, needsReview: 1, progress: 1 });
    expect(done.classified + done.rejected).toBe(done.rowsIn);
    expect(done.links.result).toBe(`/v1/jobs/${job.id}/result`);

    const result = await t.app.request(done.links.result, { headers: auth(t.writeKey) });
    expect(result.status).toBe(200);
    expect(result.headers.get('content-type')).toContain('text/csv');
    expect(result.headers.get('content-disposition')).toContain('attachment');
    const lines = (await result.text()).trim().split('\n');
    expect(lines).toHaveLength(1 + done.classified);
    expect(lines[0]).toMatch(/^name,brand,level1,level2,confidence,tier,status,rule_id,/);
    expect(lines[1]).toMatch(/^Whole Milk,Horizon,Food,Dairy & Eggs,1,rules,ok,kw\.milk,/);
    expect(lines[2]).toMatch(/^Sea Salt Chips,Kettle,Food,Snacks & Sweets,0\.93,encoder,ok,,test-1,/);
    expect(lines[3]).toMatch(/^Blue Widget,,Non-Food,Household,0\.41,review,needs_review,,test-1,/);
    const rejects = await t.app.request(done.links.rejects, { headers: auth(t.writeKey) });
    expect(await rejects.text()).toBe('line,reason,raw\n3,empty product name,",Nameless"\n');

    const list: Json = await (await t.app.request('/v1/jobs', { headers: auth(t.writeKey) })).json();
    expect(list.items.map((j: Json) => j.id)).toContain(job.id);
  });

  it('never shows a server file path in job JSON: the input is its file name, paths in errors are cut to names', async () => {
    const t = await makeTestApi();
    // biome-ignore lint/complexity/useLiteralKeys: the private options, reached from the test only
    const opts = t.service.jobs['opts'];
    const run = opts.run;
    let fail = false;
    opts.run = async (j, tenant) => {
      if (fail) throw new Error(`ENOENT: no such file or directory, open '${t.home}/uploads/gone.csv'`);
      await run(j, tenant);
    };
    const submit = async (filename: string) => {
      const form = new FormData();
      form.append('file', new Blob([csv], { type: 'text/csv' }), filename);
      const { job }: Json = await (await t.app.request('/v1/jobs', { method: 'POST', headers: auth(t.writeKey), body: form })).json();
      await t.service.jobs.idle();
      return job;
    };
    const ok = await submit('catalog.csv');
    fail = true;
    const failed = await submit('broken.csv');
    const shown = [
      ok,
      failed,
      await (await t.app.request(`/v1/jobs/${ok.id}`, { headers: auth(t.writeKey) })).json(),
      await (await t.app.request(`/v1/jobs/${failed.id}`, { headers: auth(t.writeKey) })).json(),
      await (await t.app.request('/v1/jobs', { headers: auth(t.writeKey) })).json(),
    ];
    for (const body of shown) expect(JSON.stringify(body)).not.toContain(t.home);
    expect(shown[2]).toMatchObject({ status: 'done', input: 'catalog.csv' });
    expect(shown[3]).toMatchObject({ status: 'failed', input: 'broken.csv', error: expect.stringContaining("open 'gone.csv'") });
  });

  it('takes a text/csv body too, and answers 404/409/400 where it should', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const t = await makeTestApi();
    const res = await t.app.request('/v1/jobs?filename=plain.csv', {
      method: 'POST',
      headers: auth(t.writeKey, { 'content-type': 'text/csv' }),
      body: csv,
    });
    expect(res.status).toBe(202);
    await t.service.jobs.idle();
    const { job }: Json = await res.json();
    expect(((await (await t.app.request(`/v1/jobs/${job.id}`, { headers: auth(t.writeKey) })).json()) as Json).status).toBe('done');

    expect((await t.app.request('/v1/jobs/j-nope', { headers: auth(t.writeKey) })).status).toBe(404);
    expect((await t.app.request('/v1/jobs/j-nope/result', { headers: auth(t.writeKey) })).status).toBe(404);
    expect((await t.app.request('/v1/jobs', { method: 'POST', headers: json(t.writeKey), body: JSON.stringify({ filename: 'x.csv' }) })).status).toBe(
      400,
    );
    const noFile = await t.app.request('/v1/jobs', { method: 'POST', headers: auth(t.writeKey), body: new FormData() });
    expect(noFile.status).toBe(400);

    // a job still running has no result yet
    const slow = await makeTestApi();
    // biome-ignore lint/complexity/useLiteralKeys: the private options, reached from the test only
    const opts = slow.service.jobs['opts'];
    const run = opts.run;
    opts.run = async (j, tenant) => {
      await gate;
      await run(j, tenant);
    };
    const started: Json = await (
      await slow.app.request('/v1/jobs?filename=slow.csv', {
        method: 'POST',
        headers: auth(slow.writeKey, { 'content-type': 'text/csv' }),
        body: csv,
      })
    ).json();
    const early = await slow.app.request(`/v1/jobs/${started.job.id}/result`, { headers: auth(slow.writeKey) });
    expect(early.status).toBe(409);
    expectError(await early.json(), 'not_ready');
    release();
    await slow.service.jobs.idle();
  });

  it('hands out a presigned upload where the jobs service works that way (AWS)', async () => {
    const t = await makeTestApi();
    const aws = await makeTestApi({
      jobs: {
        createUpload: async (filename) => ({
          jobId: 'j-1',
          method: 'PUT',
          url: `https://inbox.example/inbox/j-1/${filename}`,
          headers: { 'content-type': 'text/csv' },
          expiresAt: '2026-11-22T01:00:00Z',
        }),
        get: t.service.jobs.get.bind(t.service.jobs),
        list: t.service.jobs.list.bind(t.service.jobs),
        artifact: async () => ({ kind: 'redirect', url: 'https://lake.example/outbox/j-1/result.csv' }),
        forTenant: () => aws.deps.jobs,
      },
    });
    const res = await aws.app.request('/v1/jobs', { method: 'POST', headers: json(aws.writeKey), body: JSON.stringify({ filename: 'x.csv' }) });
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ upload: { jobId: 'j-1', method: 'PUT', url: 'https://inbox.example/inbox/j-1/x.csv' } });
    const multipart = await aws.app.request('/v1/jobs?filename=x.csv', {
      method: 'POST',
      headers: auth(aws.writeKey, { 'content-type': 'text/csv' }),
      body: 'name\nx\n',
    });
    expect(multipart.status).toBe(400);
    expectError(await multipart.json(), 'upload_url_required');
  });
});

describe('taxonomy and models', () => {
  it('lists the taxonomy', async () => {
    const t = await makeTestApi();
    const body: Json = await (await t.app.request('/v1/taxonomy', { headers: auth(t.readKey) })).json();
    expect(body).toMatchObject({ name: 'aisle-default', version: '2026.11.1', levels: ['level1', 'level2'] });
    expect(body.classes.find((c: Json) => c.id === 'food.beverages')).toMatchObject({ label: 'Food > Beverages', isLeaf: true, parentId: 'food' });
  });

  it('lists champion and challengers with their metrics', async () => {
    const t = await makeTestApi();
    const body: Json = await (await t.app.request('/v1/models', { headers: auth(t.readKey) })).json();
    expect(body.champion).toMatchObject({ version: CHAMPION, metrics: { modelVersion: CHAMPION, summary: { level1Accuracy: expect.any(Number) } } });
    expect(body.challengers.map((m: Json) => m.version)).toEqual([CHALLENGER]);
    expect(body.challengers[0]).toMatchObject({
      createdAt: '2026-11-22T00:00:00.000Z',
      metrics: { validation: { confusion: { matrix: expect.any(Array) } } },
    });
  });

  it('answers retrain 503 with Retry-After where retraining is not configured', async () => {
    const t = await makeTestApi({ retrainer: undefined });
    const res = await t.app.request('/v1/models/retrain', { method: 'POST', headers: auth(t.writeKey) });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBeTruthy();
  });
});
