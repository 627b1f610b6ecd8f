/**
 * Issue 16 item 7: the local store's DuckDB buffers are most of a classify run's peak RSS (target ≤ 500 MB for
 * the whole process); they are held to 128 MB (docs/benchmarks.md has the measurement).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { LocalDb } from '../../functions/adapters/local/duckdb.ts';

const home = mkdtempSync(join(tmpdir(), 'aisle-store-memory-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

it('opens the store with at most 128 MB of DuckDB memory', async () => {
  const db = await LocalDb.open(join(home, 'aisle.duckdb'), join(home, 'tmp'));
  try {
    const [{ limit }] = await db.query<{ limit: string }>("SELECT current_setting('memory_limit') AS limit");
    const [, amount, unit] = /^([\d.]+) (\w+)$/.exec(limit)!;
    const mib = Number(amount) * ({ KiB: 1 / 1024, MiB: 1, GiB: 1024 } as Record<string, number>)[unit];
    expect(mib).toBeLessThanOrEqual(128);
  } finally {
    await db.close();
  }
});
