/**
 * Issue 16 item 7: the local store's DuckDB buffers are most of a classify run's peak RSS (target ≤ 500 MB for
 * the whole process); they are held to 128 MB (docs/benchmarks.md has the measurement).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { LocalDb, STORE_ROW_GROUP_ROWS } from '../../functions/adapters/local/duckdb.ts';

const home = mkdtempSync(join(tmpdir(), 'aisle-store-memory-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

it('opens the store with at most 128 MB of DuckDB memory, and 8 MB kept by its allocator after a task', async () => {
  const db = await LocalDb.open(join(home, 'aisle.duckdb'), join(home, 'tmp'));
  try {
    const [{ limit }] = await db.query<{ limit: string }>("SELECT current_setting('memory_limit') AS limit");
    const [, amount, unit] = /^([\d.]+) (\w+)$/.exec(limit)!;
    const mib = Number(amount) * ({ KiB: 1 / 1024, MiB: 1, GiB: 1024 } as Record<string, number>)[unit];
    expect(mib).toBeLessThanOrEqual(128);
    // What its allocator keeps after a task counts too (DuckDB's defaults: 128 MB, 512 MB after a bulk free).
    const kept = await db.query<{ v: string }>(
      "SELECT value AS v FROM duckdb_settings() WHERE name IN ('allocator_flush_threshold', 'allocator_bulk_deallocation_flush_threshold')",
    );
    expect(kept.map((k) => k.v)).toEqual(['8.0 MiB', '8.0 MiB']);
  } finally {
    await db.close();
  }
});

it('keeps the store in row groups of STORE_ROW_GROUP_ROWS rows each time it is opened (checkpoints of a filling row group cost memory)', async () => {
  const path = join(home, 'row-groups.duckdb');
  const rowGroups = async (db: LocalDb) => {
    await db.exec('CHECKPOINT');
    const [{ groups }] = await db.query<{ groups: number }>(
      "SELECT count(DISTINCT row_group_id)::INTEGER AS groups FROM pragma_storage_info('decisions')",
    );
    return groups;
  };
  const add = (db: LocalDb, rows: number) =>
    db.exec(`INSERT INTO decisions (key, decided_at, name, text, confidence, tier, status, taxonomy_version)
      SELECT 'k' || i, now()::TIMESTAMP, 'n', 't', 0.5, 'review', 'needs_review', 'v' FROM range(${rows}) r(i)`);
  let db = await LocalDb.open(path, join(home, 'tmp'));
  try {
    await add(db, STORE_ROW_GROUP_ROWS + 1);
    expect(await rowGroups(db)).toBe(2);
  } finally {
    await db.close();
  }
  db = await LocalDb.open(path, join(home, 'tmp'));
  try {
    await add(db, STORE_ROW_GROUP_ROWS * 2);
    expect(await rowGroups(db)).toBe(4);
  } finally {
    await db.close();
  }
});
