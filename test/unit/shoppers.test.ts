import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalRuntime, type LocalRuntime } from '../../functions/adapters/local/runtime.ts';
import { UserError } from '../../functions/core/errors.ts';
import { seededRandom } from '../../functions/core/random.ts';
import { cascadeClassifier } from '../../functions/shoppers/classify.ts';
import { matchLogColumns } from '../../functions/shoppers/columns.ts';
import { DuckDbShopperEngine } from '../../functions/shoppers/duckdb.ts';
import { searchTermFor } from '../../functions/shoppers/generator.ts';
import { DEFAULT_SHOPPER_OPTIONS, processShopperLogs, type ShopperOptions } from '../../functions/shoppers/pipeline.ts';
import { TfIdf } from '../../functions/shoppers/text-similarity.ts';

const dir = mkdtempSync(join(tmpdir(), 'aisle-shoppers-'));
let rt: LocalRuntime;

beforeAll(async () => {
  rt = await createLocalRuntime({ home: join(dir, 'home'), env: {}, tiers: ['cache', 'rules'], warn: () => undefined });
});
afterAll(async () => {
  await rt.close();
  rmSync(dir, { recursive: true, force: true });
});

const T0 = Date.UTC(2025, 8, 1, 10, 0, 0) / 1000;
const min = 60;

/** Runs the pipeline over `rows` (CSV lines after the header) and returns the engine's events and the summary. */
async function run(name: string, header: string, rows: string[], options: Partial<ShopperOptions> = {}) {
  const logs = join(dir, `${name}.csv`);
  writeFileSync(logs, [header, ...rows].join('\n') + '\n');
  const engine = await DuckDbShopperEngine.open({ tmpDir: join(dir, name, 'tmp') });
  try {
    const summary = await processShopperLogs(
      { logs, out: join(dir, name) },
      { engine, classify: cascadeClassifier(rt.cascade, rt.taxonomy) },
      { ...DEFAULT_SHOPPER_OPTIONS, ...options },
    );
    const events = await engine.query<{ event_id: bigint; user_id: string; session_id: string; ts_ms: bigint; event: string }>(
      'SELECT event_id, user_id, session_id, ts_ms, event FROM events ORDER BY event_id',
    );
    const links = await engine.query<{ search_term: string; link_rank: bigint; product_name: string; purchased: number }>(
      'SELECT search_term, link_rank, product_name, purchased FROM search_links ORDER BY search_id, link_rank',
    );
    const left = await engine.query<{ name: string }>(
      'SELECT table_name AS name FROM duckdb_tables() UNION ALL SELECT view_name FROM duckdb_views() WHERE NOT internal ORDER BY 1',
    );
    const tables = left.map((t) => t.name);
    return { summary, events, links, tables, rejects: readFileSync(join(dir, name, 'rejects.csv'), 'utf8') };
  } finally {
    await engine.close();
  }
}

describe('columns', () => {
  it('matches headers case-insensitively, through aliases, ignoring spaces, _ and -', () => {
    expect(matchLogColumns(['Customer ID', 'Event-Time', 'Action', 'Query', 'SKU', 'Title'], 'f.csv')).toEqual({
      user_id: 'Customer ID',
      timestamp: 'Event-Time',
      event: 'Action',
      search_term: 'Query',
      product_id: 'SKU',
      product_name: 'Title',
    });
  });

  it('names the columns it cannot find', () => {
    expect(() => matchLogColumns(['user_id', 'event', 'product_id'], 'f.csv')).toThrow(UserError);
    expect(() => matchLogColumns(['user_id', 'event', 'product_id'], 'f.csv')).toThrow(/timestamp \(one of: timestamp, ts/);
  });
});

describe('text similarity', () => {
  const tfidf = new TfIdf(['Organic Whole Milk 1 gal', 'Chocolate Milk 16 oz', 'Purina Dog Chow 20 lb', 'Whole Wheat Bread']);
  it('ranks the product a term names above the others, typos included', () => {
    const names = ['Organic Whole Milk 1 gal', 'Chocolate Milk 16 oz', 'Purina Dog Chow 20 lb'];
    const best = (term: string) => names.map((n) => [n, tfidf.similarity(term, n)] as const).sort((a, b) => b[1] - a[1])[0][0];
    expect(best('organic milk')).toBe('Organic Whole Milk 1 gal');
    expect(best('purna dog chow')).toBe('Purina Dog Chow 20 lb');
    expect(tfidf.similarity('milk', 'milk')).toBeCloseTo(1);
    expect(tfidf.similarity('!!', 'Whole Wheat Bread')).toBe(0);
  });

  it('generated terms come from the product name', () => {
    const term = searchTermFor('Guinness Wheat Beer Hazy (11.15 fl oz)', seededRandom(1));
    expect(term.split(' ').length).toBeGreaterThanOrEqual(2);
    expect('guinness wheat beer hazy').toContain(term.split(' ')[0].slice(0, 3));
  });
});

describe('sessions', () => {
  it('cut after 30 minutes of inactivity before a search and 60 before other events', async () => {
    const at = (s: number) => String(T0 + s);
    const { events, summary } = await run('gaps', 'user_id,timestamp,event,search_term,product_name', [
      `a,${at(0)},search,milk,`,
      `a,${at(29 * min)},view,,Organic Whole Milk 1 gal`, // 29 min: same session
      `a,${at(88 * min)},view,,Chocolate Milk 16 oz`, // 59 min before a view: same session
      `a,${at(119 * min)},search,bread,`, // 31 min before a search: new session
      `a,${at(149 * min)},search,wheat bread,`, // exactly 30 min: same session
      `a,${at(210 * min)},purchase,,Whole Wheat Bread`, // 61 min: new session
      `b,${at(0)},view,,Whole Wheat Bread`, // another user: own sessions
    ]);
    const sessionOf = events.map((e) => `${e.user_id}:${e.session_id}`);
    expect(sessionOf).toEqual(['a:a#1', 'a:a#1', 'a:a#1', 'a:a#2', 'a:a#2', 'a:a#3', 'b:b#1']);
    expect(summary.sessions).toBe(4);
  });

  it('follow the configured gaps', async () => {
    const { events } = await run(
      'gaps-configured',
      'user_id,timestamp,event,product_name',
      [`a,${T0},view,Whole Wheat Bread`, `a,${T0 + 11 * min},view,Chocolate Milk 16 oz`],
      { otherGapMin: 10 },
    );
    expect(events.map((e) => e.session_id)).toEqual(['a#1', 'a#2']);
  });
});

describe('parsing, duplicates and rejects', () => {
  it('reads epoch seconds, epoch milliseconds and ISO times with an offset as the same instant', async () => {
    const { events } = await run('times', 'user_id,timestamp,event,product_name', [
      `a,${T0},view,Whole Wheat Bread`,
      `b,${T0 * 1000},view,Whole Wheat Bread`,
      `c,2025-09-01T12:00:00+02:00,view,Whole Wheat Bread`,
      `d,2025-09-01 10:00:00,view,Whole Wheat Bread`,
    ]);
    expect(new Set(events.map((e) => Number(e.ts_ms)))).toEqual(new Set([T0 * 1000]));
  });

  it('maps event aliases, drops exact and near duplicates, rejects bad rows with the reason, and the counts reconcile', async () => {
    const { events, summary, rejects, tables } = await run('rejects', 'user,time,action,query,sku,product', [
      `a,${T0},Add-To-Cart,,P1,Whole Wheat Bread`,
      `a,${T0},cart,,P1,Whole Wheat Bread`, // exact duplicate
      `a,${T0 + 4},add_to_cart,,P1,Whole Wheat Bread`, // near duplicate (5 s window)
      `a,${T0 + 20},add_to_cart,,P1,Whole Wheat Bread`, // 16 s after the last: kept
      `a,${T0 + 30},BUY,,P1,Whole Wheat Bread`,
      `,${T0},view,,P1,Whole Wheat Bread`,
      `a,yesterday,view,,P1,Whole Wheat Bread`,
      `a,${T0},wishlist,,P1,Whole Wheat Bread`,
      `a,${T0},search,,,`,
      `a,${T0},view,,,`,
    ]);
    expect(events.map((e) => e.event)).toEqual(['add_to_cart', 'add_to_cart', 'purchase']);
    expect(summary.duplicatesDropped).toBe(2);
    expect(summary.rejected).toEqual({
      'missing user_id': 1,
      'unparseable timestamp': 1,
      'unknown event': 1,
      'search without search_term': 1,
      'no product_id or product_name': 1,
    });
    const rejected = Object.values(summary.rejected).reduce((a, b) => a + b, 0);
    expect(summary.eventsIn).toBe(10);
    expect(summary.eventsIn).toBe(summary.eventsKept + summary.duplicatesDropped + rejected);
    expect(rejects.split('\n')[0]).toBe('row,reason,user_id,timestamp,event,search_term,product_id,product_name');
    expect(rejects).toContain('7,unparseable timestamp,a,yesterday,view');
    expect(rejects).toContain('8,unknown event,a');
    // The raw log and every step's intermediate table are dropped once read (memory at ten million events): what is
    // left is the output tables and the small lookups they were made with.
    expect(tables).toEqual([
      'calendar_activity',
      'demographics',
      'event_aliases',
      'events',
      'product_categories',
      'products',
      'search_links',
      'searches',
      'session_categories',
      'sessions',
    ]);
  });
});

describe('search links', () => {
  it('keep apostrophes in terms and names', async () => {
    const { links } = await run('apostrophes', 'user_id,timestamp,event,search_term,product_name', [
      `a,${T0},search,kellogg's muesli,`,
      `a,${T0 + 60},view,,Kellogg's Muesli Raisin 16 oz`,
      `b,${T0},search,mrs butterworth's,`,
      `b,${T0 + 60},view,,Mrs. Butterworth's Syrup 24 oz`,
    ]);
    expect(links.map((l) => [l.search_term, l.product_name])).toEqual([
      ["kellogg's muesli", "Kellogg's Muesli Raisin 16 oz"],
      ["mrs butterworth's", "Mrs. Butterworth's Syrup 24 oz"],
    ]);
  });

  it('link a search to the product it names, not to the one seen sooner, and say whether it was bought', async () => {
    const { summary, links } = await run('links', 'user_id,timestamp,event,search_term,product_name', [
      `a,${T0},search,purina dog chow,`,
      `a,${T0 + 30},view,,Chocolate Milk 16 oz`,
      `a,${T0 + 120},view,,Purina Dog Chow 20 lb`,
      `a,${T0 + 300},purchase,,Purina Dog Chow 20 lb`,
      `a,${T0 + 400},search,unicorn glitter,`,
    ]);
    expect(links[0]).toMatchObject({ search_term: 'purina dog chow', link_rank: 1n, product_name: 'Purina Dog Chow 20 lb', purchased: 1 });
    expect(links.every((l) => l.search_term !== 'unicorn glitter')).toBe(true);
    expect(summary.searches).toBe(2);
    expect(summary.searchesLinked).toBe(1);
    expect(summary.searchesLeadingToPurchase).toBe(1);
  });
});
