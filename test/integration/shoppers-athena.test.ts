import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { AthenaClient, GetQueryExecutionCommand, ListQueryExecutionsCommand } from '@aws-sdk/client-athena';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AthenaShopperEngine,
  AthenaShopperInsights,
  AthenaSql,
  athenaShopperTable,
  sqlLiteral,
} from '../../functions/adapters/aws/athena-shoppers.ts';
import { S3BlobStore } from '../../functions/adapters/aws/s3.ts';
import { ATHENA_DIALECT, renderSql } from '../../functions/shoppers/dialect.ts';
import { ShopperInsights } from '../../functions/shoppers/insights.ts';
import { resolveShopperInsight, SHOPPER_TABLES, shopperInsightNames } from '../../functions/shoppers/registry.ts';
import { ATHENA_FUNCTIONS_ON_DUCKDB } from '../support/athena-on-duckdb.ts';
import { type Emulator, motoMissing, skipReason, startMoto, TEST_CREDENTIALS } from '../support/emulators.ts';
import { writeShopperTables } from '../support/shopper-fixture.ts';

/**
 * The shopper pipeline's engine and insights on Athena. moto runs no SQL (there is no Athena here), so:
 * - the insights' text as sent (the tenant's tables as CTEs before the registry's text) is run on DuckDB, with
 *   Trino's functions as macros (test/support/athena-on-duckdb.ts), over two tenants' tables in one: each tenant's
 *   answer must be what DuckDB gives over that tenant's tables alone;
 * - on moto_server (S3 and Athena's API): what the engine stages in S3 and the statements it sends.
 */
const root = mkdtempSync(join(tmpdir(), 'aisle-shoppers-athena-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('shopper insights as Athena is sent them, run on DuckDB', () => {
  const outOf = (tenant: string) => join(root, tenant, 'out');

  beforeAll(async () => {
    await writeShopperTables(join(root, 'acme'), outOf('acme'), { events: 6000, shoppers: 400, seed: 3 });
    await writeShopperTables(join(root, 'zeta'), outOf('zeta'), { events: 3000, shoppers: 200, seed: 8 });
  }, 120_000);

  it('gives each tenant the answer over its own tables alone, for every named insight', async () => {
    const instance = await DuckDBInstance.create(':memory:');
    const c = await instance.connect();
    for (const statement of ATHENA_FUNCTIONS_ON_DUCKDB) await c.run(statement);
    // The lake's tables: both tenants' rows in one, told apart by the tenant partition column.
    for (const table of SHOPPER_TABLES) {
      const part = (tenant: string) =>
        `SELECT *, '${tenant}' AS tenant, '2026-12-07' AS dt FROM read_parquet('${join(outOf(tenant), `${table}.parquet`)}')`;
      await c.run(`CREATE VIEW ${athenaShopperTable(table)} AS ${part('acme')} UNION ALL BY NAME ${part('zeta')}`);
    }
    const sql = new AthenaSql({ client: new AthenaClient({ region: 'us-east-1' }), workGroup: 'w', database: 'd' });
    try {
      for (const tenant of ['acme', 'zeta']) {
        const local = await ShopperInsights.open(outOf(tenant));
        const athena = new AthenaShopperInsights(sql).forTenant(tenant);
        for (const name of shopperInsightNames()) {
          const { query, values } = resolveShopperInsight(name, { topN: 5 });
          const reader = await c.runAndReadAll(athena.textOf(query.sql), values);
          const cols = reader.columnNames();
          const rows = reader.getRowsJS().map((r) => Object.fromEntries(r.map((v, i) => [cols[i], typeof v === 'bigint' ? Number(v) : v])));
          const expected = await local.run(name, { topN: 5 });
          expect(expected.length, `${tenant} ${name}`).toBeGreaterThan(0);
          expect(rows, `${tenant} ${name}`).toEqual(expected);
        }
        local.close();
      }
    } finally {
      c.closeSync();
      instance.closeSync();
    }
  });

  it('binds parameters as Trino literals: a fraction as a DOUBLE, text quoted', () => {
    expect([0.5, 3, "kellogg's", null].map(sqlLiteral)).toEqual(['0.5e0', '3', "'kellogg''s'", 'NULL']);
  });

  it('refuses a tenant that could break out of its literal', () => {
    const sql = new AthenaSql({ client: new AthenaClient({ region: 'us-east-1' }), workGroup: 'w', database: 'd' });
    expect(() => new AthenaShopperInsights(sql).forTenant("x' OR '1'='1")).toThrow(/characters a query cannot hold/);
  });
});

const skip = skipReason(motoMissing());

describe.skipIf(!!skip)('the Athena shopper engine on moto_server', () => {
  let moto: Emulator;
  let athena: AthenaClient;
  let s3: S3Client;
  const bucket = 'lake';

  beforeAll(async () => {
    moto = await startMoto();
    const conf = { endpoint: moto.endpoint, region: 'us-east-1', credentials: TEST_CREDENTIALS, forcePathStyle: true };
    athena = new AthenaClient(conf);
    s3 = new S3Client(conf);
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  });
  afterAll(async () => {
    await moto?.stop();
  });

  async function sent(): Promise<string[]> {
    const { QueryExecutionIds = [] } = await athena.send(new ListQueryExecutionsCommand({}));
    const texts = await Promise.all(
      QueryExecutionIds.map(async (id) => (await athena.send(new GetQueryExecutionCommand({ QueryExecutionId: id }))).QueryExecution?.Query ?? ''),
    );
    return texts;
  }

  it('stages the upload as rows numbered by their place in the file and runs each step as a CTAS of the Athena text', async () => {
    const csv = 'Customer ID,Event-Time,Action,Query\r\nu1,2025-09-03T18:22:10Z,search,"milk, whole"\r\n,bad,view,\r\nu2,1756916530,purchase\r\n';
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'shoppers/tenant=acme/logs/a.csv', Body: csv }));
    const lake = new S3BlobStore(s3, bucket);
    const engine = await AthenaShopperEngine.open({
      sql: new AthenaSql({ client: athena, workGroup: 'primary', database: 'aisle', pollMs: 5 }),
      lake,
      lakeBucket: bucket,
      workPrefix: 'shoppers/work/run1/',
      runDatabase: 'shoppers_run1',
      outputFolder: (file) => `s3://${bucket}/shoppers/tables/${file.replace(/\.\w+$/, '')}/tenant=acme/dt=2026-12-07/`,
      read: async (uri) => (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: uri.replace(`s3://${bucket}/`, '') }))).Body as Readable,
    });
    const uri = `s3://${bucket}/shoppers/tenant=acme/logs/a.csv`;
    expect(await engine.csvHeader(uri)).toEqual(['Customer ID', 'Event-Time', 'Action', 'Query']);
    await engine.csvView('shopper_log', uri, {
      user_raw: 'Customer ID',
      ts_raw: 'Event-Time',
      event_raw: 'Action',
      search_term_raw: 'Query',
      price_raw: undefined,
    });
    const staged = await (await lake.get('shoppers/work/run1/shopper_log/rows.json'))!.toArray();
    expect(
      Buffer.concat(staged)
        .toString()
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l)),
    ).toEqual([
      { row_no: 1, user_raw: 'u1', ts_raw: '2025-09-03T18:22:10Z', event_raw: 'search', search_term_raw: 'milk, whole', price_raw: null },
      { row_no: 2, user_raw: '', ts_raw: 'bad', event_raw: 'view', search_term_raw: '', price_raw: null },
      { row_no: 3, user_raw: 'u2', ts_raw: '1756916530', event_raw: 'purchase', search_term_raw: null, price_raw: null },
    ]);
    const parse = renderSql("SELECT row_no FROM shopper_log WHERE {{full_match(ts_raw, '[0-9]{1,11}')}}", ATHENA_DIALECT);
    await engine.createTable('parsed_events', parse);
    await engine.createTable('clean_events', 'SELECT * FROM parsed_events WHERE row_no > ?', [0.5]);
    await engine.writeFile('SELECT * FROM clean_events', '/tmp/out/events.parquet');
    await engine.close();
    const texts = await sent();
    expect(texts).toContain('CREATE DATABASE IF NOT EXISTS shoppers_run1');
    expect(
      texts.some(
        (t) =>
          t.startsWith('CREATE EXTERNAL TABLE shopper_log (row_no bigint, user_raw string,') &&
          t.includes(`LOCATION 's3://${bucket}/shoppers/work/run1/shopper_log/'`),
      ),
    ).toBe(true);
    expect(texts).toContain(
      `CREATE TABLE parsed_events WITH (format = 'PARQUET', external_location = 's3://${bucket}/shoppers/work/run1/parsed_events/') AS ${parse}`,
    );
    expect(texts).toContain(
      `UNLOAD (SELECT * FROM clean_events) TO 's3://${bucket}/shoppers/tables/events/tenant=acme/dt=2026-12-07/' WITH (format = 'PARQUET')`,
    );
    expect(texts).toContain('DROP DATABASE IF EXISTS shoppers_run1 CASCADE');
  });
});
