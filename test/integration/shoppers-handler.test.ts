import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { AthenaClient, GetQueryExecutionCommand, ListQueryExecutionsCommand } from '@aws-sdk/client-athena';
import { CreateBucketCommand, PutBucketNotificationConfigurationCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand, type Message } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3BlobStore } from '../../functions/adapters/aws/s3.ts';
import { boughtTogetherFolder } from '../../functions/adapters/aws/s3-co-purchases.ts';
import { configOf } from '../../functions/config/deployables.ts';
import { makeHandler, shopperRunDeps } from '../../functions/handlers/shoppers.ts';
import { shopperRunFolders } from '../../functions/handlers/shoppers-layout.ts';
import { type ShopperRunRecord, shopperRunId } from '../../functions/handlers/shoppers-run.ts';
import { ATHENA_DIALECT } from '../../functions/shoppers/dialect.ts';
import { DuckDbShopperEngine } from '../../functions/shoppers/duckdb.ts';
import { generateShopperLogs } from '../../functions/shoppers/generator.ts';
import { processShopperLogs, type ShopperSummary } from '../../functions/shoppers/pipeline.ts';
import type { ShopperSqlEngine } from '../../functions/shoppers/ports.ts';
import { SHOPPER_TABLES } from '../../functions/shoppers/registry.ts';
import { coPurchasePairsSql } from '../../functions/similar/co-purchase-pairs.ts';
import { ATHENA_FUNCTIONS_ON_DUCKDB } from '../support/athena-on-duckdb.ts';
import { createTable, type Emulator, motoMissing, skipReason, startMoto } from '../support/emulators.ts';
import { truthClassifier } from '../support/shopper-fixture.ts';
import { pollOnce, type QueuePair, queueWithDlq } from '../support/sqs-lambda.ts';

/**
 * The shoppers Lambda on moto_server: a generated log and demographics dropped under the inbox's shoppers/ prefix
 * reach the handler through S3's notification to SQS; the handler stages the log in the lake, classifies its
 * products through the cascade (rules, DynamoDB cache) and sends every step to Athena. moto records the statements
 * but runs no SQL: its answers to the run's SELECTs (products, search-term pairs, counts, reject reasons) are queued
 * beforehand, and they are what DuckDB answered to the same SELECTs of the same pipeline, in the Athena spelling,
 * over the same files. So the counts reconcile as they do locally, and the statements show where each table goes.
 */
const skip = skipReason(motoMissing());
const SEED = 5;
const TENANT = 'acme';
const LOG_KEY = `shoppers/tenant=${TENANT}/logs/week-49.csv`;
const DEMOGRAPHICS_KEY = `shoppers/tenant=${TENANT}/demographics/2026-12-01.csv`;

/**
 * What Athena is to answer, statement by statement, for the engine's calls as the Athena engine sends them: one
 * statement per call but `csvHeader` and `append` (staged files, no statement), each SELECT with the rows the engine
 * gave. moto hands its queued answers to statements in the order they start, SELECT or not.
 */
function recording(engine: ShopperSqlEngine, answers: (Record<string, unknown>[] | undefined)[]): ShopperSqlEngine {
  const statement =
    <A extends unknown[]>(fn: (...args: A) => Promise<void>) =>
    async (...args: A) => {
      answers.push(undefined);
      await fn(...args);
    };
  return Object.assign(Object.create(engine) as ShopperSqlEngine, {
    csvView: statement(engine.csvView.bind(engine)),
    createTable: statement(engine.createTable.bind(engine)),
    tableOf: statement(engine.tableOf.bind(engine)),
    writeFile: statement(engine.writeFile.bind(engine)),
    query: async <T>(select: string, params?: (string | number | null)[]) => {
      const rows = await engine.query<T>(select, params);
      answers.push(rows as Record<string, unknown>[]);
      return rows;
    },
    forEachBatch: async <T>(select: string, fn: (rows: T[]) => Promise<void>) => {
      const all: Record<string, unknown>[] = [];
      answers.push(all);
      await engine.forEachBatch<T>(select, async (rows) => {
        all.push(...(rows as Record<string, unknown>[]));
        await fn(rows);
      });
    },
  });
}

/** An answer as Athena's GetQueryResults gives it: a header row, then text values, the columns typed. */
function athenaResult(rows: Record<string, unknown>[], columns: string[]) {
  const typeOf = (col: string) => {
    const v = rows.map((r) => r[col]).find((x) => x !== null && x !== undefined);
    if (typeof v === 'bigint' || (typeof v === 'number' && Number.isInteger(v))) return 'bigint';
    if (typeof v === 'number') return 'double';
    return typeof v === 'boolean' ? 'boolean' : 'varchar';
  };
  const cell = (v: unknown) => (v === null || v === undefined ? {} : { VarCharValue: String(v) });
  return {
    column_info: columns.map((Name) => ({ Name, Label: Name, Type: typeOf(Name), Nullable: 'UNKNOWN', CaseSensitive: true })),
    rows: [{ Data: columns.map((c) => ({ VarCharValue: c })) }, ...rows.map((r) => ({ Data: columns.map((c) => cell(r[c])) }))],
  };
}

describe.skipIf(!!skip)('the shoppers Lambda on moto_server', () => {
  const root = mkdtempSync(join(tmpdir(), 'aisle-shoppers-handler-'));
  let moto: Emulator;
  let athena: AthenaClient;
  let queue: QueuePair;
  let local: ShopperSummary;
  let csvRows: number;
  let logEtag: string;
  const names = { inbox: 'inbox', lake: 'lake', table: 'aisle' };

  beforeAll(async () => {
    const dir = join(root, 'in');
    mkdirSync(dir, { recursive: true });
    const files = { logs: join(dir, 'logs.csv'), demographics: join(dir, 'demographics.csv'), searches: join(dir, 'searches.csv') };
    generateShopperLogs({ events: 1500, shoppers: 80, seed: SEED }, files);
    csvRows = readFileSync(files.logs, 'utf8').trimEnd().split('\n').length - 1;

    // The same pipeline locally, in the Athena spelling, its SELECTs' answers recorded.
    const answers: (Record<string, unknown>[] | undefined)[] = [];
    const engine = await DuckDbShopperEngine.open({ tmpDir: join(root, 'tmp'), dialect: ATHENA_DIALECT, setup: ATHENA_FUNCTIONS_ON_DUCKDB });
    try {
      local = await processShopperLogs(
        { logs: files.logs, demographics: files.demographics, out: join(root, 'out') },
        { engine: recording(engine, answers), classify: truthClassifier(SEED) },
      );
    } finally {
      await engine.close();
    }
    const selects = answers.filter((a) => a !== undefined);
    expect(selects.map((rows) => rows.length > 0)).toEqual([true, true, true, true]); // products, term pairs, counts, reasons
    // The Athena engine's first statement makes the run's database, its last drops it.
    const results = [undefined, ...answers, undefined].map((rows) => (rows ? athenaResult(rows, Object.keys(rows[0])) : athenaResult([], [])));

    moto = await startMoto();
    const { s3, sqs } = moto.clients;
    athena = new AthenaClient(moto.options);
    const seeded = await fetch(`${moto.endpoint}/moto-api/static/athena/query-results`, {
      method: 'POST',
      body: JSON.stringify({ results }),
    });
    expect(seeded.status).toBe(201);

    for (const bucket of [names.inbox, names.lake]) await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await createTable(moto.options, names.table, true);
    queue = await queueWithDlq(sqs, 'shoppers');
    const arn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queue.url, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn;
    await s3.send(
      new PutBucketNotificationConfigurationCommand({
        Bucket: names.inbox,
        NotificationConfiguration: {
          QueueConfigurations: [
            { QueueArn: arn, Events: ['s3:ObjectCreated:*'], Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'shoppers/' }] } } },
          ],
        },
      }),
    );
    await s3.send(new PutObjectCommand({ Bucket: names.inbox, Key: DEMOGRAPHICS_KEY, Body: readFileSync(files.demographics) }));
    const put = await s3.send(new PutObjectCommand({ Bucket: names.inbox, Key: LOG_KEY, Body: readFileSync(files.logs) }));
    logEtag = put.ETag!.replaceAll('"', '');
  }, 180_000);

  afterAll(async () => {
    await moto?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  const deps = () =>
    shopperRunDeps(
      { ...moto.clients, athena },
      configOf('shoppers', {
        TABLE_NAME: names.table,
        LAKE_BUCKET: names.lake,
        INBOX_BUCKET: names.inbox,
        ATHENA_WORKGROUP: 'primary',
        GLUE_DATABASE: 'aisle',
      }),
      { logger: new Logger({ logLevel: 'ERROR' }), metrics: new Metrics({ namespace: 'AisleTest' }) },
    );
  const lake = () => new S3BlobStore(moto.clients.s3, names.lake);
  const text = async (key: string) => Buffer.concat((await (await lake().get(key))!.toArray()) as Buffer[]).toString();
  async function statements(): Promise<string[]> {
    const { QueryExecutionIds = [] } = await athena.send(new ListQueryExecutionsCommand({}));
    return Promise.all(
      QueryExecutionIds.map(async (id) => (await athena.send(new GetQueryExecutionCommand({ QueryExecutionId: id }))).QueryExecution?.Query ?? ''),
    );
  }

  it('runs a dropped log: staged in the lake, products classified, each step an Athena statement, the tables unloaded into the tenant and day', async () => {
    const seen: Message[] = [];
    // A file left by an earlier, failed attempt at this run: the run starts from empty folders.
    const stale = `${shopperRunFolders(TENANT, new Date().toISOString().slice(0, 10), shopperRunId({ key: LOG_KEY, etag: logEtag })).table('events')}stale.parquet`;
    await lake().put(stale, 'left by a failed attempt');
    const handler = makeHandler(deps());
    while ((await pollOnce(moto.clients.sqs, queue.url, handler, seen)) > 0);
    // The demographics file and the log, one notification each (and S3's test event when the notification was set).
    expect(seen.filter((m) => !m.Body!.includes('s3:TestEvent'))).toHaveLength(2);

    const runs = await lake().list(`shoppers/runs/tenant=${TENANT}/`);
    expect(runs).toHaveLength(1);
    const record = JSON.parse(await text(runs[0])) as ShopperRunRecord;
    expect(record.runId).toBe(shopperRunId({ key: LOG_KEY, etag: logEtag }));
    expect(await lake().exists(stale)).toBe(false);
    const folders = shopperRunFolders(TENANT, record.dt, record.runId);
    expect(record.dt).toBe(new Date().toISOString().slice(0, 10));
    expect(record.demographics).toBe(`s3://${names.inbox}/${DEMOGRAPHICS_KEY}`);

    // Counts reconcile: every row of the file is kept, a duplicate, or rejected with a reason (as locally).
    const { outputs: _, ...localCounts } = local;
    const { runId: _r, tenant: _t, dt: _d, source: _s, demographics: _g, outputs, ...counts } = record;
    expect(counts).toEqual(localCounts);
    const rejected = Object.values(counts.rejected).reduce((a, b) => a + b, 0);
    expect(rejected).toBeGreaterThan(0);
    expect(counts.eventsIn).toBe(csvRows);
    expect(counts.eventsKept + counts.duplicatesDropped + rejected).toBe(counts.eventsIn);

    // The log was staged whole, each row numbered by its place in the file; the demographics beside it.
    const staged = (await text(`${folders.work}shopper_log/rows.json`)).trimEnd().split('\n');
    expect(staged).toHaveLength(csvRows);
    expect(JSON.parse(staged.at(-1)!).row_no).toBe(csvRows);
    expect(await lake().list(`${folders.work}demographics_raw/`)).toHaveLength(1);
    // The distinct products, classified by the cascade (the shipped rules here), staged for Athena's joins.
    const parts = await lake().list(`${folders.work}product_categories/`);
    const categories = (await Promise.all(parts.map(text))).flatMap((t) =>
      t
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l)),
    );
    expect(categories).toHaveLength(local.products);
    expect(categories.filter((c) => c.class_id !== null).length).toBeGreaterThan(0);
    expect(categories.every((c) => c.tier && typeof c.confidence === 'number')).toBe(true);

    const sent = await statements();
    const db = `shoppers_run_${record.runId}`;
    expect(sent[0]).toBe(`CREATE DATABASE IF NOT EXISTS ${db}`);
    expect(sent.at(-1)).toBe(`DROP DATABASE IF EXISTS ${db} CASCADE`);
    // Sessions, search links and the rest are CTAS in Athena over the staged rows, in the run's work folder.
    for (const table of ['parsed_events', 'clean_events', 'events', 'sessions', 'link_candidates', 'search_links', 'searches']) {
      expect(
        sent.some((s) =>
          s.startsWith(`CREATE TABLE ${table} WITH (format = 'PARQUET', external_location = 's3://${names.lake}/${folders.work}${table}/')`),
        ),
      ).toBe(true);
    }
    expect(sent.find((s) => s.startsWith('CREATE TABLE clean_events'))).toMatch(/OVER \(/); // sessions are cut by window functions
    // Each table as Parquet into its tenant and day; the rejects with their reasons as text.
    for (const table of SHOPPER_TABLES) {
      const to = `s3://${names.lake}/${folders.table(table)}`;
      expect(outputs[table]).toBe(to);
      expect(sent).toContain(`UNLOAD (SELECT * FROM ${table}) TO '${to}' WITH (format = 'PARQUET')`);
    }
    expect(folders.table('events')).toBe(`shoppers/tables/events/tenant=${TENANT}/dt=${record.dt}/run=${record.runId}/`);
    const rejects = sent.find((s) => s.includes(`TO 's3://${names.lake}/${folders.rejects}'`));
    expect(rejects).toMatch(/^UNLOAD \(SELECT row_no AS row, reject_reason AS reason.*WITH \(format = 'TEXTFILE', field_delimiter = ','\)$/);
    // The tenant's bought-together pairs, over every run's events of the tenant, for the API's recommendations; the pointer last.
    const pairs = boughtTogetherFolder(TENANT, record.runId);
    expect(outputs.bought_together).toBe(`s3://${names.lake}/${pairs}`);
    const events = `(SELECT event, session_id, product_name FROM shopper_events WHERE tenant = '${TENANT}')`;
    expect(sent).toContain(
      `UNLOAD (SELECT * FROM (${coPurchasePairsSql(events)}) AS pairs) TO 's3://${names.lake}/${pairs}' WITH (format = 'PARQUET')`,
    );
    expect(JSON.parse(await text(`shoppers/bought-together/tenant=${TENANT}/latest.json`))).toEqual({ runId: record.runId, folder: pairs });
  }, 180_000);

  it('does a redelivered notification once: the run with a summary is done', async () => {
    const before = (await statements()).length;
    const body = JSON.stringify({
      Records: [{ eventName: 'ObjectCreated:Put', s3: { bucket: { name: names.inbox }, object: { key: LOG_KEY, eTag: logEtag } } }],
    });
    const res = await makeHandler(deps())({ Records: [{ messageId: 'm1', body } as never] });
    expect(res.batchItemFailures).toEqual([]);
    expect((await statements()).length).toBe(before);
  });
});
