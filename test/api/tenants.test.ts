/**
 * Broken object-level authorization (OWASP API1): a key of tenant "acme" walks every route of the app, found
 * in its OpenAPI registry (a new route is walked without being named here), with the default tenant's ids:
 * its job, its items, its review entry and its label. Every route that names an object answers 404 (never
 * 403: existence is not revealed), and no list, page or insight holds anything of the default tenant's. The
 * default tenant is the owner on purpose: a route that forgot its caller's tenant reads the default one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newApiKey } from '../../functions/core/api-keys.ts';
import { toCascadeItem } from '../../functions/core/normalize.ts';
import type { TrainingRun } from '../../functions/ports.ts';
import { auth, closeTestApis, json, makeTestApi, type TestApi } from './fixtures.ts';

// biome-ignore lint/suspicious/noExplicitAny: response bodies, checked field by field
type Json = any;

/** Words only the owner's data holds: none may reach the other tenant in any answer. */
const OWNER_WORDS = ['Zorblax', 'Quibbleton', 'owner-orders'];
const OWNER_CSV = 'name,brand\nZorblax Milk,Quibbleton\nZorblax Chips,Quibbleton\nZorblax Gizmo,Quibbleton\n';

/** Training runs in memory: the owner starts one, the other tenant must not see it. */
function memoryRetrainer() {
  const runs = new Map<string, TrainingRun>();
  return {
    start: async () => {
      const run: TrainingRun = { id: `run-${runs.size + 1}`, status: 'running', startedAt: new Date().toISOString(), detail: 'owner-orders' };
      runs.set(run.id, run);
      return run;
    },
    get: async (id: string) => runs.get(id) ?? null,
  };
}

describe('tenants: a key reads and writes its own tenant only', () => {
  let t: TestApi;
  let otherKey: string;
  /** The owner's (default tenant's) ids. */
  const owner = { jobId: '', labelled: '', inReview: '', runId: '' };

  beforeAll(async () => {
    t = await makeTestApi({ retrainer: memoryRetrainer() });
    const other = newApiKey('acme-writer', 'write', { tenant: 'acme' });
    await t.keys.put(other.record);
    otherKey = other.key;

    const classify = async (key: string, names: string[]) =>
      (
        await t.app.request('/v1/classify', { method: 'POST', headers: json(key), body: JSON.stringify({ items: names.map((name) => ({ name })) }) })
      ).json() as Promise<Json>;
    // The owner's items: one decided (then labelled), one left for review; and a job, with its result, rejects and lake rows.
    const decided = await classify(t.writeKey, ['Zorblax Milk', 'Zorblax Gizmo']);
    expect(decided.items.map((i: Json) => i.status)).toEqual(['ok', 'needs_review']);
    owner.labelled = toCascadeItem({ name: 'Zorblax Milk' }).key;
    owner.inReview = toCascadeItem({ name: 'Zorblax Gizmo' }).key;
    const label = await t.app.request(`/v1/items/${owner.labelled}/label`, {
      method: 'PUT',
      headers: json(t.writeKey),
      body: JSON.stringify({ classId: 'food.snacks-sweets' }),
    });
    expect(label.status).toBe(200);
    const form = new FormData();
    form.append('file', new Blob([OWNER_CSV], { type: 'text/csv' }), 'owner-orders.csv');
    const submitted: Json = await (await t.app.request('/v1/jobs', { method: 'POST', headers: auth(t.writeKey), body: form })).json();
    owner.jobId = submitted.job.id;
    await t.service.jobs.idle();
    owner.runId = ((await (await t.app.request('/v1/models/retrain', { method: 'POST', headers: auth(t.writeKey) })).json()) as Json).id;

    // The owner sees all of it (the fixture works): its job is done, its insights hold its rows.
    expect(((await (await t.app.request(`/v1/jobs/${owner.jobId}`, { headers: auth(t.writeKey) })).json()) as Json).status).toBe('done');
    const mix: Json = await (await t.app.request(`/v1/insights/tier_mix?job=${owner.jobId}`, { headers: auth(t.writeKey) })).json();
    expect(mix.rows.length).toBeGreaterThan(0);
    expect((await t.app.request(`/v1/models/retrain/${owner.runId}`, { headers: auth(t.writeKey) })).status).toBe(200);
  });
  afterAll(closeTestApis);

  /** Every route the app registers, as METHOD and OpenAPI path. */
  const routes = () =>
    t.app.openAPIRegistry.definitions.flatMap((d) => (d.type === 'route' ? [{ method: d.route.method.toUpperCase(), path: d.route.path }] : []));

  /** What the other tenant sends on a route: the owner's id in each path parameter, a body where one is needed. */
  function requestFor(method: string, path: string): { url: string; init: RequestInit } {
    const url = path
      .replace('{key}', owner.inReview)
      .replace('/jobs/{id}', `/jobs/${owner.jobId}`)
      .replace('/retrain/{id}', `/retrain/${owner.runId}`)
      .replace('/shoppers/insights/{name}', '/shoppers/insights/top_search_terms_by_category')
      .replace('{name}', 'tier_mix');
    const bodies: Record<string, unknown> = {
      // Names of its own: the same product text is the same item key, which would then be the other tenant's own item.
      'POST /v1/classify': { items: [{ name: 'Acme Cola' }] },
      'PUT /v1/items/{key}/label': { classId: 'food.beverages' },
      'POST /v1/review/accept': { keys: [owner.inReview, owner.labelled] },
      'POST /v1/jobs': { filename: 'acme.csv' },
      // A question the owner's products answer (milk, chips, gizmo): retrieval must find none of them.
      'POST /v1/ask': { question: 'which milk, chips or gizmos do we carry?', kind: 'product' },
      // The owner's own words: its items are the nearest to them, so an answer that crossed tenants would hold them.
      'POST /v1/similar': { text: 'Zorblax Milk Quibbleton' },
    };
    const body = bodies[`${method} ${path}`];
    if (method === 'POST' && path === '/v1/jobs') {
      const form = new FormData();
      form.append('file', new Blob(['name\nAcme Cola\n'], { type: 'text/csv' }), 'acme.csv');
      return { url, init: { method, headers: auth(otherKey), body: form } };
    }
    return { url, init: { method, headers: body ? json(otherKey) : auth(otherKey), ...(body ? { body: JSON.stringify(body) } : {}) } };
  }

  it("walks every route with the owner's ids: 404 for each object, nothing of the owner's in any answer", async () => {
    const walked: string[] = [];
    for (const { method, path } of routes()) {
      const { url, init } = requestFor(method, path);
      const res = await t.app.request(url, init);
      const text = await res.text();
      const what = `${method} ${url} → ${res.status} ${text.slice(0, 200)}`;
      walked.push(`${method} ${path}`);
      if (/\{(key|id)\}/.test(path) || path === '/v1/models/retrain') {
        // An object of the owner's, named by id: not found. Starting a retrain is the operator's (default tenant's) alone.
        expect(res.status, what).toBe(path === '/v1/models/retrain' ? 403 : 404);
      } else {
        expect(res.status, what).toBeLessThan(400);
      }
      // A 404 may echo the id it was asked for; nothing else of the owner's may show.
      for (const word of res.status === 404 ? OWNER_WORDS : [...OWNER_WORDS, owner.jobId]) expect(text, what).not.toContain(word);
      if (path === '/v1/review/accept')
        expect(JSON.parse(text), what).toMatchObject({ accepted: [], failed: [{ code: 'not_found' }, { code: 'not_found' }] });
    }
    await t.service.jobs.idle();
    // The walk covered the routes that hold tenant data (a route missing from the registry would be missed here).
    expect(walked).toEqual(
      expect.arrayContaining([
        'GET /v1/items/{key}',
        'PUT /v1/items/{key}/label',
        'GET /v1/review',
        'POST /v1/review/{key}/accept',
        'POST /v1/review/accept',
        'GET /v1/jobs',
        'POST /v1/jobs',
        'GET /v1/jobs/{id}',
        'GET /v1/jobs/{id}/result',
        'GET /v1/jobs/{id}/rejects',
        'GET /v1/insights',
        'GET /v1/insights/{name}',
        'POST /v1/classify',
        'POST /v1/ask',
        'GET /v1/models/retrain/{id}',
      ]),
    );
  });

  it("runs every insight, for all jobs and for the owner's job: no row of the owner's", async () => {
    const { items }: Json = await (await t.app.request('/v1/insights', { headers: auth(otherKey) })).json();
    expect(items.length).toBeGreaterThan(5);
    for (const { name } of items) {
      for (const query of ['', `?job=${owner.jobId}`]) {
        const res = await t.app.request(`/v1/insights/${name}${query}`, { headers: auth(otherKey) });
        const text = await res.text();
        expect(res.status, `${name}${query}: ${text.slice(0, 200)}`).toBe(200);
        // The answer echoes the job asked for; its rows hold nothing of the owner's.
        const rows = JSON.stringify(JSON.parse(text).rows);
        for (const word of [...OWNER_WORDS, owner.jobId]) expect(rows, `${name}${query}`).not.toContain(word);
        if (query)
          expect(
            JSON.parse(text).rows.filter((r: Json) => Object.values(r).some((v) => typeof v === 'number' && v > 0)),
            name,
          ).toEqual([]);
      }
    }
  });

  it("leaves the owner's data as it was; the owner's label and cache never answer the other tenant", async () => {
    const item: Json = await (await t.app.request(`/v1/items/${owner.labelled}`, { headers: auth(t.writeKey) })).json();
    expect(item.current.decision).toMatchObject({ tier: 'human', classId: 'food.snacks-sweets' });
    const review: Json = await (await t.app.request('/v1/review', { headers: auth(t.writeKey) })).json();
    expect(review.items.map((i: Json) => i.decision.key)).toContain(owner.inReview);
    // The same products, classified by the other tenant: fresh decisions, not the owner's label (human) or cached encoder decision.
    const names = ['Zorblax Milk', 'Zorblax Chips', 'Zorblax Gizmo'];
    const mine: Json = await (
      await t.app.request('/v1/classify', {
        method: 'POST',
        headers: json(otherKey),
        body: JSON.stringify({ items: names.map((name) => ({ name })) }),
      })
    ).json();
    expect(mine.items.map((i: Json) => i.tier)).toEqual(['rules', 'encoder', 'review']);
    const again: Json = await (
      await t.app.request('/v1/classify', {
        method: 'POST',
        headers: json(t.writeKey),
        body: JSON.stringify({ items: names.map((name) => ({ name })) }),
      })
    ).json();
    // …while the owner's label still answers the owner.
    expect(again.items[0]).toMatchObject({ tier: 'cache', classId: 'food.snacks-sweets' });
    // Those made items of its own, which it (alone) sees.
    const own = await t.app.request(`/v1/items/${owner.inReview}`, { headers: auth(otherKey) });
    expect(own.status).toBe(200);
    expect(((await own.json()) as Json).current.decision.tier).toBe('review');
    const ownJobs: Json = await (await t.app.request('/v1/jobs', { headers: auth(otherKey) })).json();
    expect(ownJobs.items.map((j: Json) => j.input)).toEqual(['acme.csv']);
    const ownerJobs: Json = await (await t.app.request('/v1/jobs', { headers: auth(t.writeKey) })).json();
    expect(ownerJobs.items.map((j: Json) => j.id)).toEqual([owner.jobId]);
  });
});
