/**
 * A state database made with version-1 item keys (before issue 15 item 1, when every name in a non-Latin script
 * shared one key): opening it re-keys every decision from its name, labels follow the item they were set on,
 * and cached decisions are dropped, so no label is lost and none is shared by two items any more.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DuckDbResultStore, LocalDb } from '../../functions/adapters/local/duckdb.ts';
import { DuckDbCache } from '../../functions/adapters/local/duckdb-cache.ts';
import { toCascadeItem } from '../../functions/core/normalize.ts';
import type { ItemRecord } from '../../functions/ports.ts';

const dir = mkdtempSync(join(tmpdir(), 'aisle-rekey-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const V = 'tax-1';
/** The one key version 1 gave every name without Latin letters or digits. */
const SHARED_V1_KEY = '85c6c0c79e9002fa';
const record = (key: string, name: string, brand: string | undefined, at: string): ItemRecord => ({
  decision: { key, classId: 'food.dairy-eggs', confidence: 0.4, tier: 'review', status: 'needs_review', taxonomyVersion: V },
  input: { name, brand },
  text: name.toLowerCase(),
  jobId: 'job-1',
  row: 1,
  at,
});

describe('a database made with version-1 item keys', () => {
  it('is re-keyed once on open: decisions under their names’ keys, labels kept on their items, the cache dropped', async () => {
    const path = join(dir, 'aisle.duckdb');
    const tmp = join(dir, 'tmp');
    const db = await LocalDb.open(path, tmp);
    const store = new DuckDbResultStore(db);
    await store.saveDecisions([
      record(SHARED_V1_KEY, 'Молоко 1 л', undefined, '2026-01-01T00:00:00Z'),
      record(SHARED_V1_KEY, 'Γάλα 1 λίτρο', undefined, '2026-01-02T00:00:00Z'),
      record('0123456789abcdef', 'Oat Milk 1 L', 'Brand, "Inc."', '2026-01-01T00:00:00Z'),
    ]);
    // The reviewer labelled the Greek milk (the latest item under the shared key) and the oat milk.
    await store.setHumanLabel(SHARED_V1_KEY, 'food.dairy-eggs', 'reviewer');
    await store.setHumanLabel('0123456789abcdef', 'food.beverages', 'reviewer');
    await new DuckDbCache(db).putMany([
      { key: 'cafecafecafecafe', classId: 'food.frozen', confidence: 0.9, tier: 'encoder', status: 'ok', taxonomyVersion: V },
    ]);
    // As version 1 left it: no key version recorded.
    await db.exclusive((c) => c.run('DROP TABLE IF EXISTS meta'));
    await db.close();

    const again = await LocalDb.open(path, tmp);
    try {
      const results = new DuckDbResultStore(again);
      const cache = new DuckDbCache(again);
      const russian = toCascadeItem({ name: 'Молоко 1 л' }).key;
      const greek = toCascadeItem({ name: 'Γάλα 1 λίτρο' }).key;
      const oat = toCascadeItem({ name: 'Oat Milk 1 L', brand: 'Brand, "Inc."' }).key;
      expect(new Set([russian, greek, oat, SHARED_V1_KEY]).size).toBe(4);
      expect(await results.getItem(SHARED_V1_KEY)).toBeNull();
      expect((await results.getItem(russian))?.current.input.name).toBe('Молоко 1 л');
      expect((await results.getItem(greek))?.current.input.name).toBe('Γάλα 1 λίτρο');
      const hits = await cache.getMany([russian, greek, oat, 'cafecafecafecafe', SHARED_V1_KEY], V);
      expect(hits.get(greek)).toMatchObject({ tier: 'human', classId: 'food.dairy-eggs' });
      expect(hits.get(oat)).toMatchObject({ tier: 'human', classId: 'food.beverages' });
      // The label was the Greek item's only: the Russian one is no longer labelled with it; the cache is gone.
      expect(hits.has(russian)).toBe(false);
      expect(hits.has('cafecafecafecafe')).toBe(false);
      expect(hits.has(SHARED_V1_KEY)).toBe(false);
    } finally {
      await again.close();
    }
    // Re-keyed once: a label set after the move stays where it is on the next open.
    const third = await LocalDb.open(path, tmp);
    try {
      const oat = toCascadeItem({ name: 'Oat Milk 1 L', brand: 'Brand, "Inc."' }).key;
      expect((await new DuckDbCache(third).getMany([oat], V)).get(oat)).toMatchObject({ tier: 'human' });
    } finally {
      await third.close();
    }
  });
});
