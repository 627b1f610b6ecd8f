/**
 * Local databases made before tenants existed: opening them moves every row to the default tenant (the state
 * database's tables are rebuilt with a tenant column in their primary keys), and a key without a tenant is a
 * key of the default tenant.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterEach, describe, expect, it } from 'vitest';
import { DuckDbJobStore, DuckDbResultStore, LocalDb } from '../../functions/adapters/local/duckdb.ts';
import { DuckDbCache } from '../../functions/adapters/local/duckdb-cache.ts';
import { DuckDbKeyStore } from '../../functions/adapters/local/keys.ts';
import { toCascadeItem } from '../../functions/core/normalize.ts';

const dirs: string[] = [];
const home = () => {
  const dir = mkdtempSync(join(tmpdir(), 'aisle-tenant-migration-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** Runs statements on a DuckDB file as an older aisle would have. */
async function asBefore(path: string, statements: string[]): Promise<void> {
  const instance = await DuckDBInstance.create(path);
  const c = await instance.connect();
  for (const sql of statements) await c.run(sql);
  c.closeSync();
  instance.closeSync();
}

describe('tenants in databases made before them', () => {
  it("the state database's decisions, labels, cache and jobs become the default tenant's", async () => {
    const dir = home();
    const path = join(dir, 'aisle.duckdb');
    // The schema before tenants (git show main~:functions/adapters/local/duckdb.ts), with one row in each table.
    await asBefore(path, [
      `CREATE TABLE decisions (key VARCHAR NOT NULL, job_id VARCHAR, row_no BIGINT, decided_at TIMESTAMP NOT NULL,
        name VARCHAR NOT NULL, brand VARCHAR, search_term VARCHAR, description VARCHAR, text VARCHAR NOT NULL,
        class_id VARCHAR, confidence DOUBLE NOT NULL, tier VARCHAR NOT NULL, status VARCHAR NOT NULL,
        rule_id VARCHAR, model_version VARCHAR, reason VARCHAR, taxonomy_version VARCHAR NOT NULL, trace VARCHAR)`,
      `CREATE TABLE labels (key VARCHAR PRIMARY KEY, class_id VARCHAR NOT NULL, labelled_by VARCHAR NOT NULL,
        labelled_at TIMESTAMP NOT NULL, taxonomy_version VARCHAR NOT NULL)`,
      `CREATE TABLE cache (key VARCHAR NOT NULL, taxonomy_version VARCHAR NOT NULL, class_id VARCHAR, confidence DOUBLE NOT NULL,
        tier VARCHAR NOT NULL, status VARCHAR NOT NULL, rule_id VARCHAR, model_version VARCHAR, reason VARCHAR,
        cached_at TIMESTAMP NOT NULL, expires_at TIMESTAMP, PRIMARY KEY (key, taxonomy_version))`,
      'CREATE TABLE jobs (id VARCHAR PRIMARY KEY, created_at VARCHAR NOT NULL, updated_at VARCHAR NOT NULL, doc VARCHAR NOT NULL)',
      `INSERT INTO decisions VALUES ('k1', NULL, NULL, '2026-01-01', 'Old Milk', NULL, NULL, NULL, 'old milk', 'food.beverages', 0.4,
        'review', 'needs_review', NULL, NULL, NULL, 'tax-1', NULL)`,
      `INSERT INTO labels VALUES ('k2', 'food.produce', 'someone', '2026-01-01', 'tax-1')`,
      `INSERT INTO cache VALUES ('k3', 'tax-1', 'food.beverages', 0.9, 'encoder', 'ok', NULL, 'm1', NULL, '2026-01-01', NULL)`,
      `INSERT INTO jobs VALUES ('job-old', '2026-01-01', '2026-01-01', '{"id":"job-old","input":"old.csv","status":"done"}')`,
    ]);
    const db = await LocalDb.open(path, join(dir, 'tmp'));
    try {
      const results = new DuckDbResultStore(db);
      const cache = new DuckDbCache(db);
      const jobs = new DuckDbJobStore(db);
      // Made before key version 2 as well: its decision is found under the current key of its name, and its
      // cached decisions are dropped (functions/adapters/local/rekey.ts); a label without decisions stays.
      const k1 = toCascadeItem({ name: 'Old Milk' }).key;
      expect((await results.getItem(k1))?.current.input.name).toBe('Old Milk');
      expect((await results.listReview({ limit: 10 })).items).toHaveLength(1);
      expect([...(await cache.getMany(['k2', 'k3'], 'tax-1')).values()].map((d) => d.tier)).toEqual(['human']);
      expect((await jobs.get('job-old'))?.input).toBe('old.csv');
      // …and none of it is another tenant's, which may now use the same keys and ids.
      expect(await results.forTenant('acme').getItem(k1)).toBeNull();
      expect((await cache.forTenant('acme').getMany(['k2', 'k3'], 'tax-1')).size).toBe(0);
      expect(await jobs.forTenant('acme').get('job-old')).toBeNull();
      await jobs.forTenant('acme').create({ id: 'job-old', input: 'acme.csv' });
      expect((await jobs.get('job-old'))?.input).toBe('old.csv');
    } finally {
      await db.close();
    }
    // Opened again: migrated once, nothing moves twice.
    const again = await LocalDb.open(path, join(dir, 'tmp'));
    expect((await new DuckDbJobStore(again).forTenant('acme').get('job-old'))?.input).toBe('acme.csv');
    await again.close();
  });

  it('a key stored without a tenant is a key of the default tenant', async () => {
    const path = join(home(), 'keys.duckdb');
    await asBefore(path, [
      `CREATE TABLE api_keys (id VARCHAR PRIMARY KEY, name VARCHAR NOT NULL, role VARCHAR NOT NULL, hash VARCHAR NOT NULL,
        created_at VARCHAR NOT NULL, revoked_at VARCHAR)`,
      `INSERT INTO api_keys VALUES ('0123abcd', 'old key', 'write', 'ff', '2026-01-01T00:00:00.000Z', NULL)`,
    ]);
    const keys = new DuckDbKeyStore(path);
    expect(await keys.get('0123abcd')).toMatchObject({ name: 'old key', tenant: 'default' });
    await keys.put({ id: '4567cdef', name: 'acme key', role: 'read', tenant: 'acme', hash: 'ee', createdAt: '2026-02-01T00:00:00.000Z' });
    expect((await keys.list()).map((k) => `${k.name}:${k.tenant}`)).toEqual(['old key:default', 'acme key:acme']);
  });
});
