/**
 * "Bought together" on both runtimes: the local adapter over each tenant's shopper output (events.parquet) and the
 * AWS one over the pairs the shopper run UNLOADs to S3 (s3rver), pass the same contract. Athena has no emulator that
 * runs SQL (moto records statements only), so the run's UNLOAD statement, exactly as sent, is run here by DuckDB
 * over a `shopper_events` table of every tenant's events and written as Athena writes it (gzip Parquet parts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3BlobStore } from '../../functions/adapters/aws/s3.ts';
import { S3CoPurchases, writeBoughtTogether } from '../../functions/adapters/aws/s3-co-purchases.ts';
import { ShopperCoPurchases } from '../../functions/adapters/local/bought-together.ts';
import { DEFAULT_TENANT } from '../../functions/core/api-keys.ts';
import { toCascadeItem } from '../../functions/core/normalize.ts';
import { clearFolder } from '../../functions/handlers/shoppers.ts';
import { SHOPPER_LAKE_PREFIXES } from '../../functions/handlers/shoppers-layout.ts';
import { coPurchasesContract, EVENTS, type ShopperEventRow } from '../contract/co-purchases.ts';
import { athenaOnDuckDb, eventValues, LAKE } from '../support/athena-pairs.ts';
import { type Emulator, startS3rver } from '../support/emulators.ts';

let s3: Emulator;
let root: string;
beforeAll(async () => {
  s3 = await startS3rver([LAKE]);
  root = mkdtempSync(join(tmpdir(), 'aisle-co-purchases-'));
});
afterAll(async () => {
  await s3.stop();
  rmSync(root, { recursive: true, force: true });
});

coPurchasesContract('local shopper output (events.parquet)', async (events) => {
  const dirs = new Map<string, string>();
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  for (const [tenant, rows] of Object.entries(events)) {
    const dir = mkdtempSync(join(root, `local-${tenant}-`));
    await c.run(
      `COPY (SELECT * FROM (VALUES ${eventValues(rows)}) AS e(session_id, event, product_name)) TO '${join(dir, 'events.parquet')}' (FORMAT PARQUET)`,
    );
    dirs.set(tenant, dir);
  }
  c.closeSync();
  return { coPurchases: new ShopperCoPurchases(dirs) };
});

coPurchasesContract('AWS: pairs unloaded to S3 by the shopper run (s3rver)', async (events) => {
  const lake = new S3BlobStore(s3.clients.s3, LAKE);
  const deps = { athena: await athenaOnDuckDb(events, lake, root), lake, lakeBucket: LAKE, clearLakeFolder: clearFolder(s3.clients.s3, LAKE) };
  await clearFolder(s3.clients.s3, LAKE)(SHOPPER_LAKE_PREFIXES.boughtTogether);
  for (const tenant of Object.keys(events)) await writeBoughtTogether(deps, tenant, 'r1');
  return { coPurchases: new S3CoPurchases(lake) };
});

describe('bought together on AWS', () => {
  const keyOf = (name: string) => toCascadeItem({ name }).key;

  it("writes a run's pairs over the tenant's events alone into the run's folder, then points the tenant at it", async () => {
    const lake = new S3BlobStore(s3.clients.s3, LAKE);
    const statements: string[] = [];
    const deps = {
      athena: await athenaOnDuckDb(EVENTS, lake, root, statements),
      lake,
      lakeBucket: LAKE,
      clearLakeFolder: clearFolder(s3.clients.s3, LAKE),
    };
    const folder = await writeBoughtTogether(deps, 'acme', 'r1');
    expect(folder).toBe('shoppers/bought-together/tenant=acme/run=r1/');
    expect(statements).toHaveLength(1);
    expect(statements[0]).toContain("FROM shopper_events WHERE tenant = 'acme'");
    expect(statements[0]).toMatch(new RegExp(`TO 's3://${LAKE}/${folder}' WITH \\(format = 'PARQUET'\\)$`));
    const latest = await lake.get('shoppers/bought-together/tenant=acme/latest.json');
    expect(JSON.parse(Buffer.concat((await latest!.toArray()) as Buffer[]).toString())).toEqual({ runId: 'r1', folder });
    // A tenant id that could break out of its literal never reaches the SQL.
    await expect(writeBoughtTogether(deps, "x' OR '1'='1", 'r2')).rejects.toThrow(/characters a query cannot hold/);
  });

  it("reads a tenant's newest pairs once a minute at most, and never a folder outside the tenant's", async () => {
    const lake = new S3BlobStore(s3.clients.s3, LAKE);
    const clear = clearFolder(s3.clients.s3, LAKE);
    await clear(SHOPPER_LAKE_PREFIXES.boughtTogether);
    let now = 1_000_000;
    const reader = new S3CoPurchases(lake, DEFAULT_TENANT, new Map(), () => now).forTenant('acme');
    const deps = (events: Record<string, ShopperEventRow[]>) =>
      athenaOnDuckDb(events, lake, root).then((athena) => ({ athena, lake, lakeBucket: LAKE, clearLakeFolder: clear }));
    await writeBoughtTogether(await deps(EVENTS), 'acme', 'r1');
    expect((await reader.boughtWith(keyOf('Oat Milk'), 5)).map((c) => c.sessions)).toEqual([2]);

    // A later run (one more session of oat milk and granola) is read after the minute, not before.
    const more: ShopperEventRow[] = [...EVENTS.acme, ['s9', 'purchase', 'Oat Milk'], ['s9', 'purchase', 'Granola']];
    await writeBoughtTogether(await deps({ acme: more }), 'acme', 'r2');
    now += 30_000;
    expect((await reader.boughtWith(keyOf('Oat Milk'), 5)).map((c) => c.sessions)).toEqual([2]);
    now += 31_000;
    expect((await reader.boughtWith(keyOf('Oat Milk'), 5)).map((c) => c.sessions)).toEqual([3]);

    // A third run leaves two generations: its own and the one a warm API may still be reading.
    await writeBoughtTogether(await deps({ acme: more }), 'acme', 'r3');
    const folders = new Set((await lake.list('shoppers/bought-together/tenant=acme/')).map((k) => k.split('/')[3]));
    expect([...folders].sort()).toEqual(['latest.json', 'run=r2', 'run=r3']);

    // A pointer naming another tenant's folder is refused, not read.
    await lake.put(
      'shoppers/bought-together/tenant=evil/latest.json',
      JSON.stringify({ runId: 'x', folder: 'shoppers/bought-together/tenant=acme/run=r2/' }),
    );
    await expect(reader.forTenant('evil').boughtWith(keyOf('Oat Milk'), 5)).rejects.toThrow(/names no folder of its tenant/);
  });
});
