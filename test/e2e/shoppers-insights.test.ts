import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALLOWED_FUNCTIONS, functionsCalled, loadNamedQueries } from '../../functions/core/insights.ts';
import type { GeneratedTruth } from '../../functions/shoppers/generator.ts';
import { ShopperInsights } from '../../functions/shoppers/insights.ts';
import { SHOPPER_INSIGHTS_DIR } from '../../functions/shoppers/registry.ts';

/**
 * The shopper insights over the output of `aisle shoppers` on a generated log: each planted truth is recovered by
 * the named query that should see it, every query returns rows, and the CLI lists and prints them.
 */
const CLI = fileURLToPath(new URL('../../bin/aisle.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'aisle-shopper-insights-e2e-'));
const out = join(dir, 'out');
const env = { ...process.env, AISLE_HOME: join(dir, 'home') };
const aisle = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 180_000, env });

let truth: GeneratedTruth;
let insights: ShopperInsights;
type Row = Record<string, unknown>;

beforeAll(async () => {
  const generated = aisle('shoppers', 'generate', '--events', '30000', '--shoppers', '1500', '--seed', '11', '--out', dir);
  expect(generated.status, generated.stderr).toBe(0);
  truth = JSON.parse(readFileSync(join(dir, 'truth.json'), 'utf8'));
  const logs = join(dir, 'shopper-logs.csv');
  const processed = aisle('shoppers', logs, '--demographics', join(dir, 'demographics.csv'), '--out', out, '--tiers', 'cache,rules,encoder', '-q');
  expect(processed.status, processed.stderr).toBe(0);
  insights = await ShopperInsights.open(out);
}, 300_000);

afterAll(() => {
  insights?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('shopper insight queries', () => {
  it('keep the contract: two parameters bound in a params CTE, only the functions both engines share', () => {
    const queries = loadNamedQueries(SHOPPER_INSIGHTS_DIR);
    expect(queries.length).toBeGreaterThanOrEqual(10);
    for (const q of queries) {
      expect(q.sql.replace(/^(--[^\n]*\n)+/, ''), q.name).toMatch(
        /^WITH params AS \(SELECT CAST\(\? AS DOUBLE\) AS min_support, CAST\(\? AS BIGINT\) AS top_n\)/,
      );
      expect(q.sql.split('?').length - 1, q.name).toBe(2);
      expect(
        functionsCalled(q.sql).filter((f) => !ALLOWED_FUNCTIONS.has(f)),
        q.name,
      ).toEqual([]);
      expect(q.description, q.name).not.toBe('');
    }
  });

  it('each runs and returns rows', async () => {
    for (const { name } of insights.list()) expect((await insights.run(name)).length, name).toBeGreaterThan(0);
  });

  it('seasonality by month recovers the September to November spike', async () => {
    const months = (await insights.run('seasonality_by_month')) as { month: string; sessions: number }[];
    expect(months).toHaveLength(12);
    const isSpike = (m: { month: string }) => truth.spikeMonths.includes(Number(m.month.slice(5)));
    const top3 = [...months].sort((a, b) => b.sessions - a.sessions).slice(0, 3);
    expect(top3.every(isSpike)).toBe(true);
    const mean = (xs: { sessions: number }[]) => xs.reduce((a, m) => a + m.sessions, 0) / xs.length;
    // Planted at 3 times the sessions a day: at least twice, with room for chance.
    expect(mean(months.filter(isSpike))).toBeGreaterThan(2 * mean(months.filter((m) => !isSpike(m))));
    const hours = await insights.run('seasonality_by_hour');
    expect(hours.every((h) => Number(h.hour) >= 0 && Number(h.hour) <= 23)).toBe(true);
    const weeks = (await insights.run('seasonality_by_week')) as { week: string }[];
    expect(weeks.every((w) => /^\d{4}-W\d{2}$/.test(w.week))).toBe(true);
  });

  it('frequent category sets put the two planted pairs on top by lift, with consistent measures', async () => {
    const rules = (await insights.run('frequent_category_sets')) as {
      size: number;
      antecedent: string;
      consequent: string;
      support: number;
      confidence: number;
      lift: number;
    }[];
    const pairs = rules.filter((r) => r.size === 2);
    const byLift = [...new Set(pairs.map((r) => [r.antecedent, r.consequent].sort().join(' & ')))];
    expect(byLift.slice(0, 2).sort()).toEqual(truth.plantedPairs.map((p) => [...p].sort().join(' & ')).sort());
    expect(pairs[0].lift).toBeGreaterThan(2);
    expect(rules.some((r) => r.size === 3)).toBe(true);
    for (const r of rules) {
      expect(r.support).toBeGreaterThanOrEqual(0.01);
      expect(r.confidence).toBeLessThanOrEqual(1);
    }
    // A higher min support keeps fewer sets, each at least that frequent.
    const strict = (await insights.run('frequent_category_sets', { minSupport: 0.05 })) as { support: number }[];
    expect(strict.length).toBeGreaterThan(0);
    expect(strict.length).toBeLessThan(rules.length);
    expect(strict.every((r) => r.support >= 0.05)).toBe(true);
  });

  it('demographics by category show the Baby Care skew toward 25-34', async () => {
    const rows = (await insights.run('demographics_by_category')) as { category: string; dimension: string; value: string; skew_index: number }[];
    const baby = rows.filter((r) => r.category === truth.skew.category && r.dimension === 'age_band' && r.value !== 'unknown');
    const top = [...baby].sort((a, b) => b.skew_index - a.skew_index)[0];
    expect(top.value).toBe(truth.skew.ageBand);
    expect(top.skew_index).toBeGreaterThan(1.5);
    expect(new Set(rows.map((r) => r.dimension))).toEqual(new Set(['age_band', 'gender', 'income_band']));
  });

  it('browsing time shares each session among the categories viewed in it: the total is the time of sessions with a view', async () => {
    const rows = (await insights.run('browsing_time_by_category')) as { browsing_min: number }[];
    const total = rows.reduce((a, r) => a + r.browsing_min, 0);
    const [expected] = await queryParquet(
      `SELECT SUM(duration_s) / 60 AS m FROM read_parquet('${join(out, 'sessions.parquet')}') s
       WHERE EXISTS (SELECT 1 FROM read_parquet('${join(out, 'events.parquet')}') e WHERE e.session_id = s.session_id AND e.event = 'view' AND e.category IS NOT NULL)`,
    );
    // Each row is rounded to 0.1 minute.
    expect(Math.abs(total - Number(expected.m))).toBeLessThan(0.05 * rows.length + 0.01);
  });

  it('searches that found nothing list the planted dead-end terms first; conversion is a share', async () => {
    const empty = (await insights.run('searches_without_results', { topN: 3 })) as { search_term: string }[];
    expect(empty.map((r) => r.search_term).sort()).toEqual(['cheapest thing', 'gluten free unicorn', 'xq']);
    const conversion = (await insights.run('search_conversion_by_category')) as { conversion: number; searches: number; purchases: number }[];
    expect(conversion.every((r) => r.conversion >= 0 && r.conversion <= 1 && r.purchases <= r.searches)).toBe(true);
    const terms = (await insights.run('top_search_terms_by_category', { topN: 2 })) as { category: string; rank: number }[];
    expect(Math.max(...terms.map((t) => t.rank))).toBe(2);
  });
});

describe('aisle shoppers insights', () => {
  it('lists the queries, runs one as JSON, and rejects an unknown name', () => {
    const list = aisle('shoppers', 'insights', out, '--format', 'json');
    expect(list.status, list.stderr).toBe(0);
    expect(JSON.parse(list.stdout)).toContain('frequent_category_sets');
    const top = aisle('shoppers', 'insights', out, 'top_purchased_categories', '--format', 'json', '--top', '3');
    expect(top.status, top.stderr).toBe(0);
    expect(JSON.parse(top.stdout)).toHaveLength(3);
    const unknown = aisle('shoppers', 'insights', out, 'nope');
    expect(unknown.status).not.toBe(0);
    expect(unknown.stderr).toContain('no insight query named "nope"');
  });

  it('neutralises formula-like search terms in CSV output', () => {
    const small = join(dir, 'small');
    const logs = join(dir, 'formula-logs.csv');
    writeFileSync(
      logs,
      'user_id,timestamp,event,search_term,product_id,product_name\n' +
        'u1,2025-03-01T10:00:00Z,search,"=HYPERLINK(""http://x"")",,\n' +
        'u1,2025-03-01T10:01:00Z,view,,p1,Oat milk 1L\n' +
        'u1,2025-03-01T10:02:00Z,purchase,,p1,Oat milk 1L\n',
    );
    const processed = aisle('shoppers', logs, '--out', small, '--tiers', 'cache,rules', '-q');
    expect(processed.status, processed.stderr).toBe(0);
    const csv = aisle('shoppers', 'insights', small, 'searches_without_results', '--format', 'csv');
    expect(csv.status, csv.stderr).toBe(0);
    expect(csv.stdout).toContain(`"'=hyperlink(""http://x"")"`);
  });
});

/** A query of its own over the Parquet files, beside the named ones. */
async function queryParquet(sql: string): Promise<Row[]> {
  const instance = await DuckDBInstance.create(':memory:');
  const c = await instance.connect();
  try {
    return (await c.runAndReadAll(sql)).getRowObjectsJS() as Row[];
  } finally {
    c.closeSync();
    instance.closeSync();
  }
}
