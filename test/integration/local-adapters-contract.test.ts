/**
 * The local adapters (DuckDB store/cache/jobs, folder blobs) against the same contract
 * suites as the AWS adapters (test/integration/aws-adapters.test.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FolderBlobStore } from '../../functions/adapters/local/blob-store.ts';
import { DuckDbJobStore, DuckDbResultStore, LocalDb } from '../../functions/adapters/local/duckdb.ts';
import { DuckDbCache } from '../../functions/adapters/local/duckdb-cache.ts';
import {
  describeBlobStoreContract,
  describeCacheContract,
  describeJobStoreContract,
  describeLabelContract,
  describeResultStoreContract,
  describeTenantContract,
  type Fixture,
} from '../contract/stores.ts';

async function withDb<T>(make: (db: LocalDb) => T): Promise<Fixture<T>> {
  const dir = mkdtempSync(join(tmpdir(), 'aisle-contract-'));
  const db = await LocalDb.open(join(dir, 'aisle.duckdb'), join(dir, 'tmp'));
  return {
    value: make(db),
    cleanup: async () => {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

describeCacheContract('DuckDB', () => withDb((db) => new DuckDbCache(db)));
describeResultStoreContract('DuckDB', () => withDb((db) => new DuckDbResultStore(db)));
describeLabelContract('DuckDB', ({ ttlSeconds, now }) =>
  withDb((db) => ({ results: new DuckDbResultStore(db), cache: new DuckDbCache(db, ttlSeconds, now) })),
);
describeJobStoreContract('DuckDB', () => withDb((db) => new DuckDbJobStore(db)));
describeTenantContract('DuckDB', () =>
  withDb((db) => {
    const cache = new DuckDbCache(db);
    return { results: new DuckDbResultStore(db), cache, jobs: new DuckDbJobStore(db) };
  }),
);

describeBlobStoreContract('folder', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'aisle-blobs-'));
  return { value: new FolderBlobStore(dir), cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
});
