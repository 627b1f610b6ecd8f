import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDbInsights } from '../../functions/adapters/local/insights.ts';
import { writeFixtureLake } from '../support/lake-fixture.ts';
import { auth, closeTestApis, makeTestApi, type TestApi } from './fixtures.ts';

describe('GET /v1/insights', () => {
  let root: string;
  let insights: DuckDbInsights;
  let api: TestApi;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'aisle-insights-api-'));
    writeFixtureLake(join(root, 'lake'), [
      { id: 'job-a', dt: '2026-11-01', rows: 200, at: '2026-11-01T10:00:00.000Z' },
      { id: 'job-b', dt: '2026-11-02', rows: 100, at: '2026-11-02T10:00:00.000Z' },
    ]);
    insights = new DuckDbInsights(join(root, 'lake'));
    api = await makeTestApi({ insights });
  });
  afterAll(async () => {
    await closeTestApis();
    await insights.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('lists the named queries', async () => {
    const res = await api.app.request('/v1/insights', { headers: auth(api.readKey) });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { items: { name: string; description: string }[] };
    expect(body.items.map((q) => q.name)).toContain('drift');
  });

  it('runs one, for all jobs or one job', async () => {
    const all = await api.app.request('/v1/insights/review_rate', { headers: auth(api.readKey) });
    expect(all.status).toBe(200);
    const body = (await all.json()) as { name: string; job: string | null; rows: { job_id: string; items: number }[] };
    expect(body).toMatchObject({ name: 'review_rate', job: null });
    expect(body.rows.map((r) => [r.job_id, r.items])).toEqual([
      ['job-a', 200],
      ['job-b', 100],
    ]);
    const one = (await (await api.app.request('/v1/insights/tier_mix?job=job-b', { headers: auth(api.readKey) })).json()) as {
      rows: { items: number }[];
    };
    expect(one.rows.reduce((s, r) => s + r.items, 0)).toBe(100);
  });

  it('answers 404 for an unknown query, 400 for a bad job id, 401 without a key', async () => {
    const unknown = await api.app.request('/v1/insights/nope', { headers: auth(api.readKey) });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: { code: string } }).error.code).toBe('not_found');
    const bad = await api.app.request("/v1/insights/tier_mix?job=x'%20OR%201=1", { headers: auth(api.readKey) });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { details: { path: string }[] } }).error.details[0].path).toContain('job');
    expect((await api.app.request('/v1/insights')).status).toBe(401);
  });

  it('answers 404 when the server has no insights configured', async () => {
    const bare = await makeTestApi({ insights: undefined });
    const res = await bare.app.request('/v1/insights', { headers: auth(bare.readKey) });
    expect(res.status).toBe(404);
  });
});
