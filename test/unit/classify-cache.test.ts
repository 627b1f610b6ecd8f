/**
 * Issue 16 item 7: a classify run writes the cache in bulk (classify-cache.ts), not one commit per batch, and
 * decides every row as before: the same output as a run without the cache tier, but for the rows the cache
 * answered (tier cache instead of encoder, the rest of the row the same).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { writeCatalog } from '../../bench/catalog-generator.ts';
import { RunCache } from '../../functions/adapters/local/classify-cache.ts';
import { classifyFile } from '../../functions/adapters/local/classify-file.ts';
import { DuckDbCache } from '../../functions/adapters/local/duckdb-cache.ts';
import { createLocalRuntime } from '../../functions/adapters/local/runtime.ts';
import type { Decision } from '../../functions/core/types.ts';
import type { Cache } from '../../functions/ports.ts';

const home = mkdtempSync(join(tmpdir(), 'aisle-run-cache-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

const decision = (key: string, classId: string, tier: Decision['tier']): Decision => ({
  key,
  classId,
  confidence: 0.9,
  tier,
  status: 'ok',
  modelVersion: 'm1',
  reason: 'r',
  taxonomyVersion: 't1',
});

/** A cache in memory that counts its writes. */
class MemoryCache implements Cache {
  readonly held = new Map<string, Decision>();
  writes = 0;
  async getMany(keys: string[]): Promise<Map<string, Decision>> {
    return new Map(keys.filter((k) => this.held.has(k)).map((k) => [k, this.held.get(k)!]));
  }
  async putMany(decisions: Decision[]): Promise<void> {
    this.writes++;
    for (const d of decisions) this.held.set(d.key, d);
  }
  forTenant(): Cache {
    return this;
  }
}

describe('RunCache', () => {
  it('answers from what waits, writes it in one go, and lets a human label win', async () => {
    const store = new MemoryCache();
    store.held.set('b', decision('b', 'food.dairy', 'human'));
    const cache = new RunCache(store, 3);
    await cache.putMany([decision('a', 'food.snacks', 'encoder'), decision('b', 'food.snacks', 'encoder')]);
    expect(store.writes).toBe(0);
    const hits = await cache.getMany(['a', 'b', 'c'], 't1');
    expect(hits.get('a')).toMatchObject({ classId: 'food.snacks', tier: 'encoder' });
    expect(hits.get('b')).toMatchObject({ classId: 'food.dairy', tier: 'human' });
    expect(hits.has('c')).toBe(false);
    expect((await cache.getMany(['a'], 't2')).has('a')).toBe(false); // another taxonomy version
    await cache.putMany([decision('c', 'food.bakery', 'cache')]); // a cache answer is not written back
    await cache.putMany([decision('d', 'food.bakery', 'encoder')]); // the third waiting decision: written now
    expect(store.writes).toBe(1);
    expect([...store.held.keys()].sort()).toEqual(['a', 'b', 'd']);
    await cache.flush();
    expect(store.writes).toBe(1); // nothing was waiting
  });
});

describe('a classify run with the encoder', { timeout: 180_000 }, () => {
  it('commits the cache once per checkpoint, and decides every row as a run without the cache', async () => {
    const input = join(home, 'catalog.csv');
    await writeCatalog(input, 4000);
    const run = async (tiers: string[], output: string) => {
      const rt = await createLocalRuntime({ home: join(home, `home-${output}`), tiers, warn: () => undefined });
      try {
        return await classifyFile(rt, { input, output: join(home, output), lake: 'off', batchSize: 64, concurrency: 4 });
      } finally {
        await rt.close();
      }
    };
    const writes = vi.spyOn(DuckDbCache.prototype, 'putMany');
    const cached = await run(['cache', 'rules', 'encoder'], 'cached.csv');
    // 63 batches of 64 rows, most with an encoder decision; one checkpoint (the end of the run).
    expect(writes.mock.calls.length).toBe(1);
    writes.mockRestore();
    expect(cached.tierCounts.cache).toBeGreaterThan(0);
    const plain = await run(['rules', 'encoder'], 'plain.csv');
    expect(plain.tierCounts.encoder).toBe((cached.tierCounts.encoder ?? 0) + (cached.tierCounts.cache ?? 0));
    const rows = (name: string) => readFileSync(join(home, name), 'utf8').split('\n');
    const fromCache = rows('cached.csv').map((line) => line.replace(',cache,ok,', ',encoder,ok,'));
    expect(fromCache).toEqual(rows('plain.csv'));
  });
});
