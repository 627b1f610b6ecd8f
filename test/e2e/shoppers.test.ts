import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GeneratedTruth } from '../../functions/shoppers/generator.ts';

/**
 * `aisle shoppers generate` plants truths in a shopper log; `aisle shoppers` over it (cache, rules and the
 * starter encoder classifying the products) must recover each one that this slice owns.
 */
const CLI = fileURLToPath(new URL('../../bin/aisle.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'aisle-shoppers-e2e-'));
const env = { ...process.env, AISLE_HOME: join(dir, 'home') };
const aisle = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 180_000, env });

let truth: GeneratedTruth;
let stdout: string;
let query: <T>(sql: string) => Promise<T[]>;
let close: () => void;

beforeAll(async () => {
  const generated = aisle('shoppers', 'generate', '--events', '30000', '--shoppers', '1500', '--seed', '11', '--out', dir);
  expect(generated.status, generated.stderr).toBe(0);
  truth = JSON.parse(readFileSync(join(dir, 'truth.json'), 'utf8'));
  const out = join(dir, 'out');
  const processed = aisle(
    'shoppers',
    join(dir, 'shopper-logs.csv'),
    '--demographics',
    join(dir, 'demographics.csv'),
    '--out',
    out,
    '--tiers',
    'cache,rules,encoder',
  );
  expect(processed.status, processed.stderr).toBe(0);
  stdout = processed.stdout;
  const instance = await DuckDBInstance.create(':memory:');
  const c = await instance.connect();
  for (const table of ['events', 'sessions', 'searches', 'search_links']) {
    await c.run(`CREATE VIEW ${table} AS SELECT * FROM read_parquet('${join(out, `${table}.parquet`)}')`);
  }
  await c.run(`CREATE VIEW planted AS SELECT * FROM read_csv('${join(dir, 'planted-searches.csv')}', all_varchar = true, quote = '"', escape = '"')`);
  query = async <T>(sql: string) => (await c.runAndReadAll(sql)).getRowObjectsJS() as T[];
  close = () => {
    c.closeSync();
    instance.closeSync();
  };
}, 300_000);

afterAll(() => {
  close?.();
  rmSync(dir, { recursive: true, force: true });
});

const figure = (label: string) => Number(new RegExp(`^${label}\\s+([\\d,]+)`, 'm').exec(stdout)?.[1].replaceAll(',', ''));

describe('aisle shoppers over generated logs', () => {
  it('the counts reconcile and match what was planted: rejects by reason, duplicates, shoppers, sessions', () => {
    expect(figure('events in')).toBe(truth.rows);
    for (const [reason, n] of Object.entries(truth.rejects)) expect(stdout).toContain(`    ${reason}: ${n.toLocaleString('en-US')}`);
    const rejected = Object.values(truth.rejects).reduce((a, b) => a + b, 0);
    expect(figure('rejected')).toBe(rejected);
    expect(figure('duplicates dropped')).toBe(truth.exactDuplicates + truth.nearDuplicates);
    expect(figure('events in')).toBe(figure('events kept') + figure('duplicates dropped') + figure('rejected'));
    expect(figure('shoppers')).toBe(truth.shoppers);
    // Sessions are planted on distinct days, with pauses of up to 55 minutes before views inside them.
    expect(figure('sessions')).toBe(truth.sessions);
  });

  it('links planted searches to their intended product with precision >= 0.9', async () => {
    const [r] = await query<{ planted: bigint; found: bigint; hit: bigint }>(
      `SELECT COUNT(*) AS planted, COUNT(s.search_id) AS found, SUM(CASE WHEN s.top_product_key = p.product_id THEN 1 ELSE 0 END) AS hit
       FROM planted p LEFT JOIN searches s ON s.user_id = p.user_id AND s.ts_ms = CAST(p.ts_ms AS BIGINT) AND s.search_term = p.search_term`,
    );
    expect(Number(r.found)).toBe(Number(r.planted));
    expect(Number(r.hit) / Number(r.planted)).toBeGreaterThanOrEqual(0.9);
  });

  it('the planted category pairs are the two most lifted pairs of purchase sessions', async () => {
    const pairs = await query<{ a: string; b: string }>(
      `WITH baskets AS (SELECT DISTINCT session_id, category FROM events WHERE event = 'purchase' AND category <> 'unknown'),
       n AS (SELECT COUNT(DISTINCT session_id) AS n FROM baskets),
       singles AS (SELECT category, COUNT(*) AS c FROM baskets GROUP BY category),
       pairs AS (SELECT x.category AS a, y.category AS b, COUNT(*) AS c FROM baskets x JOIN baskets y
                 ON x.session_id = y.session_id AND x.category < y.category GROUP BY 1, 2)
       SELECT p.a, p.b FROM pairs p, n, singles sa, singles sb
       WHERE sa.category = p.a AND sb.category = p.b AND p.c >= 0.01 * n.n
       ORDER BY CAST(p.c AS DOUBLE) * n.n / (sa.c * sb.c) DESC LIMIT 2`,
    );
    const planted = truth.plantedPairs.map((pair) => [...pair].sort().join(' + ')).sort();
    expect(pairs.map((p) => `${p.a} + ${p.b}`).sort()).toEqual(planted);
  });

  it('keeps the seasonal spike and the demographic skew in the events it writes', async () => {
    const [season] = await query<{ spike: number }>(
      `SELECT AVG(CASE WHEN month(make_timestamp(ts_ms * 1000)) IN (9, 10, 11) THEN 1.0 ELSE 0.0 END) AS spike FROM sessions s
       JOIN (SELECT session_id, MIN(ts_ms) AS ts_ms FROM events GROUP BY 1) e USING (session_id)`,
    );
    // 3 of 12 months at 3x weight: 9/18 of sessions, against 3/12 without the spike.
    expect(season.spike).toBeGreaterThan(0.42);
    const shares = await query<{ in_band: boolean; share: number }>(
      `SELECT age_band = '${truth.skew.ageBand}' AS in_band, AVG(CASE WHEN category = '${truth.skew.category}' THEN 1.0 ELSE 0.0 END) AS share
       FROM events WHERE event = 'purchase' AND age_band <> 'unknown' GROUP BY 1`,
    );
    const share = (inBand: boolean) => shares.find((s) => s.in_band === inBand)!.share;
    expect(share(true)).toBeGreaterThan(2 * share(false));
  });
});
