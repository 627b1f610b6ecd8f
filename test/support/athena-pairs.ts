/**
 * Athena as the shopper run uses it for its bought-together pairs (functions/adapters/aws/s3-co-purchases.ts): Athena
 * has no emulator that runs SQL (moto records statements only), so the run's UNLOAD statement, exactly as sent, is
 * run by DuckDB over a `shopper_events` table of every tenant's events, and written as Athena writes it (gzip Parquet
 * parts under the folder it names).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { AthenaSql } from '../../functions/adapters/aws/athena-shoppers.ts';
import type { S3BlobStore } from '../../functions/adapters/aws/s3.ts';
import type { ShopperEventRow } from '../contract/co-purchases.ts';

export const LAKE = 'aisle-lake';

/** Rows as a SQL VALUES list, each with its tenant first when given. */
export const eventValues = (rows: ShopperEventRow[], tenant?: string) =>
  rows.map((r) => `(${[...(tenant ? [tenant] : []), ...r].map((v) => `'${v.replace(/'/g, "''")}'`).join(', ')})`).join(', ');

/** Athena as the shopper run uses it for the pairs: its UNLOAD run by DuckDB, the Parquet put where Athena would put it. */
export async function athenaOnDuckDb(
  events: Record<string, ShopperEventRow[]>,
  lake: S3BlobStore,
  scratch: string,
  statements: string[] = [],
): Promise<AthenaSql> {
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  const all = Object.entries(events).map(([tenant, rows]) => eventValues(rows, tenant));
  await c.run(`CREATE TABLE shopper_events AS SELECT * FROM (VALUES ${all.join(', ')}) AS e(tenant, session_id, event, product_name)`);
  let part = 0;
  return {
    run: async (sql: string) => {
      statements.push(sql);
      const m = /^UNLOAD \((.*)\) TO 's3:\/\/([^/]+)\/(.*)' WITH \(format = 'PARQUET'\)$/s.exec(sql);
      if (!m || m[2] !== LAKE) throw new Error(`not an UNLOAD into the lake: ${sql}`);
      const file = join(scratch, `unload-${++part}-${Date.now()}.parquet`);
      await c.run(`COPY (${m[1]}) TO '${file}' (FORMAT PARQUET, COMPRESSION GZIP)`);
      await lake.put(`${m[3]}20261207_${part}_00000`, readFileSync(file));
      return `execution-${part}`;
    },
  } as unknown as AthenaSql;
}
