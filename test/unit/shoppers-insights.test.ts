import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DUCKDB_DIALECT, renderSql } from '../../functions/shoppers/dialect.ts';
import { ShopperInsights } from '../../functions/shoppers/insights.ts';

/**
 * The shopper insights over a handful of hand-made rows, written as the Parquet tables `aisle shoppers` writes:
 * every figure below is worked out by hand from the definitions in docs/shoppers.md.
 */
const dir = mkdtempSync(join(tmpdir(), 'aisle-shopper-insights-unit-'));
const at = (iso: string) => Date.parse(iso);
let insights: ShopperInsights;

// Purchase baskets: s1 {A,B,C}, s2 {A,B,C}, s3 {A,B}, s4 {C}. s1 also views Beverages 3 times and Snacks once over 10 minutes.
const EVENTS: [string, string, number, string, string | null][] = [
  ['s1', 'u1', at('2025-09-03T18:00:00Z'), 'view', 'Beverages'],
  ['s1', 'u1', at('2025-09-03T18:02:00Z'), 'view', 'Beverages'],
  ['s1', 'u1', at('2025-09-03T18:04:00Z'), 'view', 'Beverages'],
  ['s1', 'u1', at('2025-09-03T18:06:00Z'), 'view', 'Snacks'],
  ['s1', 'u1', at('2025-09-03T18:07:00Z'), 'purchase', 'A'],
  ['s1', 'u1', at('2025-09-03T18:08:00Z'), 'purchase', 'B'],
  ['s1', 'u1', at('2025-09-03T18:10:00Z'), 'purchase', 'C'],
  ['s2', 'u2', at('2025-12-29T09:00:00Z'), 'purchase', 'A'],
  ['s2', 'u2', at('2025-12-29T09:00:00Z'), 'purchase', 'B'],
  ['s2', 'u2', at('2025-12-29T09:00:00Z'), 'purchase', 'C'],
  ['s3', 'u3', at('2025-12-30T23:30:00Z'), 'purchase', 'A'],
  ['s3', 'u3', at('2025-12-30T23:30:00Z'), 'purchase', 'B'],
  ['s4', 'u4', at('2025-12-31T23:59:59Z'), 'purchase', 'C'],
  ['s4', 'u4', at('2025-12-31T23:59:59Z'), 'search', null],
];

beforeAll(async () => {
  const instance = await DuckDBInstance.create(':memory:');
  const c = await instance.connect();
  const write = (table: string, select: string) => c.run(`COPY (${select}) TO '${join(dir, `${table}.parquet`)}' (FORMAT parquet)`);
  const eventRows = EVENTS.map(
    ([session, user, ts, event, category], i) =>
      `(${i + 1}, '${user}', '${session}', ${ts}, '${event}', ${category ? `'${category}'` : 'NULL'}, 2.5, 1.0, ` +
      `'${user === 'u1' ? '25-34' : '45-54'}', '${user === 'u1' ? 'female' : 'male'}', '50k-75k')`,
  );
  await write(
    'events',
    `SELECT * FROM (VALUES ${eventRows.join(', ')}) e(event_id, user_id, session_id, ts_ms, event, category, price, quantity, age_band, gender, income_band)`,
  );
  await write(
    'sessions',
    "SELECT * FROM (VALUES ('s1', 'u1', 600.0, 'female'), ('s2', 'u2', 0.0, 'male'), ('s3', 'u3', 0.0, 'male'), ('s4', 'u4', 0.0, 'male')) s(session_id, user_id, duration_s, gender)",
  );
  await write(
    'searches',
    `SELECT * FROM (VALUES (14, 's4', 'u4', 'xq', 0, NULL, false), (15, 's1', 'u1', '=SUM(A1)', 0, NULL, false),
       (16, 's1', 'u1', 'Cola ', 1, 'Beverages', true), (17, 's2', 'u2', 'cola', 1, 'Beverages', false))
     s(search_id, session_id, user_id, search_term, linked_products, top_category, led_to_purchase)`,
  );
  await write('search_links', 'SELECT 16 AS search_id');
  await write('product_categories', "SELECT 'p1' AS product_key");
  // The rollups, built from those rows by the pipeline's own SQL.
  for (const table of ['events', 'sessions']) await c.run(`CREATE VIEW ${table} AS SELECT * FROM '${join(dir, `${table}.parquet`)}'`);
  for (const rollup of ['session_categories', 'calendar_activity']) {
    const sql = readFileSync(new URL(`../../functions/core/shoppers/${rollup}.sql`, import.meta.url), 'utf8');
    await write(rollup, renderSql(sql, DUCKDB_DIALECT));
  }
  c.closeSync();
  instance.closeSync();
  insights = await ShopperInsights.open(dir);
});

afterAll(() => {
  insights?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('shopper insights on hand-made rows', () => {
  it('browsing time shares a session among the categories viewed in proportion to their views', async () => {
    expect(await insights.run('browsing_time_by_category')).toEqual([
      { category: 'Beverages', gender: 'female', sessions: 1, browsing_min: 7.5, avg_min_per_session: 7.5 },
      { category: 'Snacks', gender: 'female', sessions: 1, browsing_min: 2.5, avg_min_per_session: 2.5 },
    ]);
  });

  it('calendar parts are UTC; the week is ISO (29 December 2025 is in 2026-W01)', async () => {
    const months = await insights.run('seasonality_by_month');
    expect(months.map((m) => [m.month, m.sessions])).toEqual([
      ['2025-09', 1],
      ['2025-12', 3],
    ]);
    const weeks = await insights.run('seasonality_by_week');
    expect(weeks.map((w) => [w.week, w.sessions])).toEqual([
      ['2025-W36', 1],
      ['2026-W01', 3],
    ]);
    const hours = await insights.run('seasonality_by_hour');
    expect(hours.map((h) => [h.hour, h.events])).toEqual([
      [9, 3],
      [18, 7],
      [23, 4],
    ]);
  });

  it('frequent sets: support, confidence and lift as defined, triples only over frequent pairs', async () => {
    const rules = (await insights.run('frequent_category_sets', { minSupport: 0.5 })).map((r) => [
      r.antecedent,
      r.consequent,
      r.support,
      r.confidence,
      r.lift,
    ]);
    // n = 4 baskets; A, B, C in 3 each; AB in 3, AC and BC in 2, ABC in 2.
    expect(rules).toEqual([
      ['A', 'B', 0.75, 1, 1.3333],
      ['B', 'A', 0.75, 1, 1.3333],
      ['A', 'C', 0.5, 0.6667, 0.8889],
      ['B', 'C', 0.5, 0.6667, 0.8889],
      ['C', 'A', 0.5, 0.6667, 0.8889],
      ['C', 'B', 0.5, 0.6667, 0.8889],
      ['A + C', 'B', 0.5, 1, 1.3333],
      ['B + C', 'A', 0.5, 1, 1.3333],
      ['A + B', 'C', 0.5, 0.6667, 0.8889],
    ]);
    // At 0.6 only AB is frequent, so no triple is counted.
    const strict = await insights.run('frequent_category_sets', { minSupport: 0.6 });
    expect(strict.map((r) => [r.size, r.antecedent, r.consequent])).toEqual([
      [2, 'A', 'B'],
      [2, 'B', 'A'],
    ]);
  });

  it('searches: terms lower-cased and trimmed per category, dead ends, conversion', async () => {
    expect(await insights.run('top_search_terms_by_category')).toEqual([
      { category: 'Beverages', rank: 1, search_term: 'cola', searches: 2, led_to_purchase: 1 },
    ]);
    expect((await insights.run('searches_without_results')).map((r) => r.search_term)).toEqual(['=sum(a1)', 'xq']);
    expect(await insights.run('search_conversion_by_category')).toEqual([{ category: 'Beverages', searches: 2, purchases: 1, conversion: 0.5 }]);
  });

  it('demographics and top categories count purchase events', async () => {
    const top = await insights.run('top_purchased_categories', { topN: 2 });
    expect(top.map((r) => [r.rank, r.category, r.purchases, r.buyers])).toEqual([
      [1, 'A', 3, 3],
      [2, 'B', 3, 3],
    ]);
    const ages = (await insights.run('demographics_by_category')).filter((r) => r.category === 'A' && r.dimension === 'age_band');
    // A: 1 of 3 purchases by 25-34, against 3 of 9 purchases overall: index 1.
    expect(ages.map((r) => [r.value, r.purchases, r.share, r.skew_index])).toEqual([
      ['25-34', 1, 0.3333, 1],
      ['45-54', 2, 0.6667, 1],
    ]);
  });
});

describe('the calendar rollup (calendar_activity) counts a session once per month and once per week', () => {
  it('a session over several hours counts once; one across midnight of 30 November counts in both months and both weeks', async () => {
    const instance = await DuckDBInstance.create(':memory:');
    const c = await instance.connect();
    try {
      // t1: three hours of one session on 3 September; t2: Sunday 30 November (2025-W48) into Monday 1 December (W49);
      // t3: one event before 1970, whose hour is the floor of its time.
      const rows = [
        ['t1', '2025-09-03T08:10:00Z', 'view'],
        ['t1', '2025-09-03T09:10:00Z', 'view'],
        ['t1', '2025-09-03T10:10:00Z', 'purchase'],
        ['t2', '2025-11-30T23:50:00Z', 'view'],
        ['t2', '2025-12-01T00:10:00Z', 'purchase'],
        ['t3', '1969-12-31T23:30:00Z', 'view'],
      ].map(([s, iso, event]) => `('${s}', ${Date.parse(iso)}, '${event}')`);
      await c.run(`CREATE VIEW events AS SELECT * FROM (VALUES ${rows.join(', ')}) e(session_id, ts_ms, event)`);
      const sql = renderSql(readFileSync(new URL('../../functions/core/shoppers/calendar_activity.sql', import.meta.url), 'utf8'), DUCKDB_DIALECT);
      const read = async (q: string) => (await c.runAndReadAll(q)).getRowsJS().map((r) => r.map((v) => (typeof v === 'bigint' ? Number(v) : v)));
      await c.run(`CREATE TABLE calendar_activity AS ${sql}`);
      expect(await read('SELECT event_month, SUM(month_sessions), SUM(events), SUM(purchases) FROM calendar_activity GROUP BY 1 ORDER BY 1')).toEqual(
        [
          ['1969-12', 1, 1, 0],
          ['2025-09', 1, 3, 1],
          ['2025-11', 1, 1, 0],
          ['2025-12', 1, 1, 1],
        ],
      );
      expect(await read('SELECT event_week, SUM(week_sessions) FROM calendar_activity GROUP BY 1 ORDER BY 1')).toEqual([
        ['1970-W01', 1],
        ['2025-W36', 1],
        ['2025-W48', 1],
        ['2025-W49', 1],
      ]);
      expect(await read("SELECT event_hour, SUM(events) FROM calendar_activity WHERE event_month <> '1969-12' GROUP BY 1 ORDER BY 1")).toEqual([
        [0, 1],
        [8, 1],
        [9, 1],
        [10, 1],
        [23, 1],
      ]);
      expect(await read("SELECT event_hour FROM calendar_activity WHERE event_month = '1969-12'")).toEqual([[23]]);
    } finally {
      c.closeSync();
      instance.closeSync();
    }
  });
});
