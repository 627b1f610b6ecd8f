import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyFile } from '../../functions/adapters/local/classify-file.ts';
import { DuckDbInsights } from '../../functions/adapters/local/insights.ts';
import { createLocalRuntime, type LocalRuntime } from '../../functions/adapters/local/runtime.ts';

describe('a finished local job lands in the lake and answers the named queries', () => {
  let home: string;
  let rt: LocalRuntime;
  let output: string;

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'aisle-lake-e2e-'));
    const names = ['Whole Milk 1 gal', 'Cheddar Cheese 8 oz', 'Paper Towels 6 ct', 'Dog Food 20 lb', 'Mystery Widget', 'Orange Juice 52 fl oz'];
    const lines = ['order_id;product_name;order_date;age_band;Gender;sku'];
    for (let i = 0; i < 60; i++) lines.push(`o${Math.floor(i / 3)};${names[i % names.length]};2026-0${1 + (i % 3)}-1${i % 9};${i % 2 ? '25-34' : '55+'};${i % 2 ? 'f' : 'm'};S${i}`);
    lines.push(';;2026-01-01;;;bad-row-empty-name');
    const input = join(home, 'orders.csv');
    writeFileSync(input, lines.join('\n') + '\n');
    output = join(home, 'orders.out.csv');
    rt = await createLocalRuntime({ home, tiers: ['cache', 'rules'], warn: () => undefined });
    await classifyFile(rt, { input, output, jobId: 'orders-1' });
  });
  afterAll(async () => {
    await rt?.close();
    rmSync(home, { recursive: true, force: true });
  });

  it('writes one row per classified item with the output labels, keys and promoted input columns', async () => {
    const out = parse(readFileSync(output), { columns: true }) as Record<string, string>[];
    expect(out).toHaveLength(60);
    const insights = new DuckDbInsights(join(home, 'lake'));
    try {
      const dist = await insights.run('category_distribution', { jobId: 'orders-1' });
      const expected = new Map<string, number>();
      for (const r of out) expected.set(`${r.level1}|${r.level2}`, (expected.get(`${r.level1}|${r.level2}`) ?? 0) + 1);
      expect(dist).toHaveLength(expected.size);
      for (const d of dist) expect(d.items).toBe(expected.get(`${d.level1}|${d.level2}`));

      const season = await insights.run('seasonality');
      expect(season.map((s) => s.month).sort()).toEqual(expect.arrayContaining(['2026-01', '2026-02', '2026-03']));
      expect(season.reduce((s, r) => s + (r.items as number), 0)).toBe(60);
      const demo = await insights.run('demographics');
      expect(new Set(demo.map((d) => d.gender))).toEqual(new Set(['f', 'm']));
      const pairs = await insights.run('basket_pairs');
      expect(pairs.length).toBeGreaterThan(0);

      const uncertain = await insights.run('top_uncertain', { jobId: 'orders-1' });
      const reviewKeys = new Set(out.filter((r) => r.status === 'needs_review').map((r) => r.item_key));
      expect(uncertain.length).toBe(Math.min(50, out.filter((r) => r.status === 'needs_review').length));
      for (const u of uncertain) expect(reviewKeys.has(u.item_key as string)).toBe(true);
    } finally {
      await insights.close();
    }
  });
});
