import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDbInsights } from '../../functions/adapters/local/insights.ts';
import { ALLOWED_FUNCTIONS, functionsCalled, loadNamedQueries } from '../../functions/core/insights.ts';
import type { LakeRow } from '../../functions/core/lake.ts';
import { writeFixtureLake } from '../support/lake-fixture.ts';

// Known answers are computed here in plain TypeScript from the generated rows, never by SQL.
const count = <T>(rows: T[], key: (r: T) => string) => {
  const m = new Map<string, number>();
  for (const r of rows) m.set(key(r), (m.get(key(r)) ?? 0) + 1);
  return m;
};
const cat = (r: LakeRow) => (r.level2 ? `${r.level1} > ${r.level2}` : (r.level1 as string));
const close = (a: number, b: number, digits = 4) => expect(a).toBeCloseTo(b, digits - 1);

describe('named insight queries on DuckDB', () => {
  let root: string;
  let rows: LakeRow[];
  let insights: DuckDbInsights;

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'aisle-lake-'));
    rows = writeFixtureLake(join(root, 'lake'), [
      { id: 'job-a', dt: '2026-11-01', rows: 1500, at: '2026-11-01T10:00:00.000Z', withBaskets: true, withDemographics: true },
      { id: 'job-b', dt: '2026-11-02', rows: 1200, at: '2026-11-02T10:00:00.000Z' },
      // The latest job leans hard towards Beverages and Pet Supplies: drift must show it.
      { id: 'job-c', dt: '2026-11-03', rows: 1000, at: '2026-11-03T10:00:00.000Z', weights: { 'food.beverages': 8, 'non-food.pet-supplies': 5 } },
    ]);
    insights = new DuckDbInsights(join(root, 'lake'));
  });
  afterAll(async () => {
    await insights.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('lists every query with a description', async () => {
    const list = await insights.list();
    expect(list.map((q) => q.name)).toEqual(
      expect.arrayContaining([
        'category_distribution',
        'category_by_day',
        'tier_mix',
        'confidence_histogram',
        'review_rate',
        'top_uncertain',
        'top_rules',
        'model_versions',
        'drift',
        'demographics',
        'seasonality',
        'basket_pairs',
        'basket_triples',
      ]),
    );
    expect(list.every((q) => q.description.length > 20)).toBe(true);
  });

  it('category_distribution counts items per job and category, shares summing to 1', async () => {
    const out = await insights.run('category_distribution');
    const expected = count(rows, (r) => `${r.job_id}|${r.level1}|${r.level2}`);
    expect(out).toHaveLength(expected.size);
    for (const o of out) expect(o.items).toBe(expected.get(`${o.job_id}|${o.level1}|${o.level2}`));
    const shareB = out.filter((o) => o.job_id === 'job-b').reduce((s, o) => s + (o.share as number), 0);
    close(shareB, 1, 2);
  });

  it('filters by job', async () => {
    const out = await insights.run('category_distribution', { jobId: 'job-b' });
    expect(new Set(out.map((o) => o.job_id))).toEqual(new Set(['job-b']));
    expect(out.reduce((s, o) => s + (o.items as number), 0)).toBe(1200);
  });

  it('category_by_day counts per day', async () => {
    const out = await insights.run('category_by_day');
    const expected = count(rows, (r) => `${r.job_id === 'job-a' ? '2026-11-01' : r.job_id === 'job-b' ? '2026-11-02' : '2026-11-03'}|${cat(r)}`);
    expect(out).toHaveLength(expected.size);
    for (const o of out) expect(o.items).toBe(expected.get(`${o.dt}|${o.level2 ? `${o.level1} > ${o.level2}` : o.level1}`));
  });

  it('tier_mix counts tiers and sums cost units', async () => {
    const out = await insights.run('tier_mix');
    const expected = count(rows, (r) => r.tier as string);
    expect(out.map((o) => o.tier).sort()).toEqual([...expected.keys()].sort());
    for (const o of out) {
      expect(o.items).toBe(expected.get(o.tier as string));
      const cost = rows.filter((r) => r.tier === o.tier).reduce((s, r) => s + (r.cost_units as number), 0);
      close(o.cost_units as number, cost);
    }
  });

  it('confidence_histogram buckets by 0.1 with 1.0 in the last bucket', async () => {
    const out = await insights.run('confidence_histogram');
    const expected = count(rows, (r) => String(Math.min(Math.floor((r.confidence as number) * 10), 9)));
    expect(out.reduce((s, o) => s + (o.items as number), 0)).toBe(rows.length);
    for (const o of out) expect(o.items).toBe(expected.get(String(Math.round((o.bucket_from as number) * 10))));
    expect(Math.max(...out.map((o) => o.bucket_to as number))).toBeLessThanOrEqual(1);
  });

  it('review_rate and top_uncertain', async () => {
    const rates = await insights.run('review_rate');
    for (const o of rates) {
      const jobRows = rows.filter((r) => r.job_id === o.job_id);
      const review = jobRows.filter((r) => r.status === 'needs_review').length;
      expect(o.needs_review).toBe(review);
      close(o.review_rate as number, review / jobRows.length);
    }
    expect(rates.map((o) => o.job_id)).toEqual(['job-a', 'job-b', 'job-c']);
    const top = await insights.run('top_uncertain');
    expect(top).toHaveLength(50);
    const lowest = rows
      .filter((r) => r.status === 'needs_review')
      .map((r) => r.confidence as number)
      .sort((a, b) => a - b)
      .slice(0, 50);
    expect(top.map((o) => o.confidence)).toEqual(lowest);
  });

  it('top_rules and model_versions', async () => {
    const rules = await insights.run('top_rules');
    const expected = count(
      rows.filter((r) => r.tier === 'rules'),
      (r) => r.rule_id as string,
    );
    expect(rules.length).toBeGreaterThan(0);
    const best = [...expected.values()].sort((a, b) => b - a)[0];
    expect(rules[0].hits).toBe(best);
    for (const o of rules) expect(o.hits).toBe(expected.get(o.rule_id as string));
    const models = await insights.run('model_versions');
    expect(models.map((o) => o.model_version).sort()).toEqual(['m-1', 'm-2']);
    for (const o of models) {
      const mine = rows.filter((r) => r.model_version === o.model_version);
      expect(o.items).toBe(mine.length);
      expect(o.decided_by_encoder).toBe(mine.filter((r) => r.tier === 'encoder').length);
    }
  });

  it('drift: PSI of the latest job against the earlier ones, flagged above 0.2', async () => {
    const out = await insights.run('drift');
    const current = rows.filter((r) => r.job_id === 'job-c');
    const base = rows.filter((r) => r.job_id !== 'job-c');
    const p = count(current, cat);
    const q = count(base, cat);
    let psi = 0;
    for (const c of new Set([...p.keys(), ...q.keys()])) {
      const ps = Math.max((p.get(c) ?? 0) / current.length, 0.0001);
      const qs = Math.max((q.get(c) ?? 0) / base.length, 0.0001);
      psi += (ps - qs) * Math.log(ps / qs);
    }
    expect(psi).toBeGreaterThan(0.2);
    expect(out[0].job_id).toBe('job-c');
    close(out[0].psi as number, psi);
    expect(out[0].drifted).toBe(true);
    // job-b against job-a alone: same generator weights, so no drift.
    const calm = await insights.run('drift', { jobId: 'job-b' });
    expect(calm[0].job_id).toBe('job-b');
    expect(calm[0].psi as number).toBeLessThan(0.2);
    expect(calm[0].drifted).toBe(false);
    // The first job has no baseline: psi is null rather than a made-up number.
    const first = await insights.run('drift', { jobId: 'job-a' });
    expect(first[0].psi).toBeNull();
  });

  it('demographics and seasonality use the promoted input columns', async () => {
    const demo = await insights.run('demographics');
    const withDemo = rows.filter((r) => r.age_band !== null);
    expect(withDemo.length).toBe(1500); // job-a's rows, the only ones with demographics
    expect(demo.reduce((s, o) => s + (o.items as number), 0)).toBe(withDemo.length);
    const expected = count(withDemo, (r) => `${r.age_band}|${r.income_band}|${r.gender}|${cat(r)}`);
    for (const o of demo)
      expect(o.items).toBe(expected.get(`${o.age_band}|${o.income_band}|${o.gender}|${o.level2 ? `${o.level1} > ${o.level2}` : o.level1}`));
    const season = await insights.run('seasonality');
    const byMonth = count(withDemo, (r) => (r.event_date as string).slice(0, 7));
    expect(byMonth.size).toBeGreaterThan(0);
    expect(new Set(season.map((o) => o.month))).toEqual(new Set(byMonth.keys()));
    for (const [month, n] of byMonth) {
      expect(season.filter((o) => o.month === month).reduce((s, o) => s + (o.items as number), 0)).toBe(n);
    }
  });

  it('basket_pairs and basket_triples: support, confidence and lift as Apriori defines them', async () => {
    const baskets = new Map<string, Set<string>>();
    for (const r of rows) if (r.basket_id) (baskets.get(r.basket_id) ?? baskets.set(r.basket_id, new Set()).get(r.basket_id)!).add(cat(r));
    const n = baskets.size;
    const support = (...cs: string[]) => [...baskets.values()].filter((b) => cs.every((c) => b.has(c))).length;

    const pairs = await insights.run('basket_pairs');
    expect(pairs.length).toBeGreaterThan(0);
    for (const o of pairs.slice(0, 20)) {
      const a = o.antecedent as string;
      const b = o.consequent as string;
      const ab = support(a, b);
      expect(o.baskets).toBe(ab);
      close(o.support as number, ab / n);
      close(o.confidence as number, ab / support(a));
      close(o.lift as number, ab / support(a) / (support(b) / n), 3);
    }
    // Every frequent pair (≥ 1% of baskets) appears, in both directions.
    const cats = [...new Set([...baskets.values()].flatMap((b) => [...b]))];
    let frequent = 0;
    for (const a of cats) for (const b of cats) if (a < b && support(a, b) >= 0.01 * n) frequent++;
    expect(pairs).toHaveLength(2 * frequent);

    const triples = await insights.run('basket_triples');
    expect(triples.length).toBeGreaterThan(0);
    for (const o of triples.slice(0, 10)) {
      const [x, y, c] = [o.antecedent_1 as string, o.antecedent_2 as string, o.consequent as string];
      const xyc = support(x, y, c);
      expect(o.baskets).toBe(xyc);
      close(o.confidence as number, xyc / support(x, y));
      close(o.lift as number, xyc / support(x, y) / (support(c) / n), 3);
    }
  });

  it('answers with no rows on an empty lake, and refuses unknown names and unsafe job ids', async () => {
    const empty = new DuckDbInsights(join(root, 'no-lake-here'));
    expect(await empty.run('tier_mix')).toEqual([]);
    await empty.close();
    await expect(insights.run('nope')).rejects.toThrow(/no insight query named "nope"/);
    await expect(insights.run('tier_mix', { jobId: "x' OR 1=1 --" })).rejects.toThrow(/may hold only/);
  });
});

describe('named query files', () => {
  const queries = loadNamedQueries();

  it.each(queries.map((q) => [q.name, q] as const))(
    "%s parses, reads `results` only through its tenant's rows, binds the job and the tenant, and calls only allowed functions",
    async (_name, q) => {
      const db = await DuckDBInstance.create(':memory:');
      const c = await db.connect();
      const parsed = (await c.runAndReadAll('SELECT json_serialize_sql(?::VARCHAR) AS j', [q.sql])).getRows()[0][0] as string;
      expect(JSON.parse(parsed).error).toBe(false);
      c.closeSync();
      expect(q.sql).toContain(
        'WITH params AS (SELECT CAST(? AS VARCHAR) AS job, CAST(? AS VARCHAR) AS tenant),\n' +
          'tenant_results AS (SELECT r.* FROM results r CROSS JOIN params p WHERE r.tenant = p.tenant)',
      );
      expect(q.sql.match(/\?/g)).toHaveLength(2);
      const tables = [...q.sql.replace(/--[^\n]*/g, '').matchAll(/\b(?:FROM|JOIN)\s+([A-Za-z_][A-Za-z0-9_]*)/gi)].map((m) => m[1]);
      // `results` once, in tenant_results: every other read is of the tenant's rows.
      expect(tables.filter((t) => t === 'results')).toHaveLength(1);
      expect(tables).toContain('tenant_results');
      const disallowed = functionsCalled(q.sql).filter((f) => !ALLOWED_FUNCTIONS.has(f));
      expect(disallowed).toEqual([]);
    },
  );

  it('the function check catches a function outside the list', () => {
    expect(functionsCalled("SELECT json_extract(input, '$.a'), COUNT(*) FROM results -- LN(x)")).toEqual(['COUNT', 'JSON_EXTRACT']);
  });
});
