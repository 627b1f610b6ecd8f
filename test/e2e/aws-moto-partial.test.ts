/**
 * Jobs always end, on moto_server: a CSV in 100 chunks, one of them (1% of the rows) poisoned, one chunk
 * delivered twice. The poisoned chunk fails on every try, reaches the classify DLQ, and the dead-letter handler
 * counts it as failed with the error the classify handler noted; the job ends `partial` with rows in =
 * classified + rejected + failed, every other row in the output once and one history item per job row (the
 * redelivery decided with a newer model and rewrote it). `aisle aws redrive`'s step then sends the chunk again
 * and the job ends `done` with every row.
 *
 * The poison is a fault put in front of the DynamoDB result store (the write of a poisoned row throws, as
 * DynamoDB does for an item over 400 KB); everything else is the real handlers on moto_server's S3, SQS and
 * DynamoDB. Size: AISLE_E2E_ROWS rows (default 2,000, in 100 chunks of 20; the 100,000 rows in 100
 * chunks of 1,000 is `AISLE_E2E_ROWS=100000`). moto_server answers one request at a time, so the time goes
 * with the number of requests: chunks, and rows / 25 for the batched writes.
 *
 * The job records live in a table of their own here (same item layout, DynamoJobStore): moto answers a Query by
 * sorting every item of the table (moto/dynamodb/models/table.py `all_items`), and the job is queried after each
 * chunk and on every poll. In one table with the rows' CURRENT and HIST items that took 500 of moto's 621 CPU
 * seconds at 10,000 rows and did not end; DynamoDB itself reads one partition. The one-table layout is run end to
 * end by aws-moto.test.ts.
 */
import { text } from 'node:stream/consumers';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { type Message, SendMessageCommand } from '@aws-sdk/client-sqs';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AwsConfig } from '../../functions/adapters/aws/clients.ts';
import { DynamoJobStore } from '../../functions/adapters/aws/dynamo-jobs.ts';
import { itemText, keyOf } from '../../functions/core/normalize.ts';
import type { Tier } from '../../functions/core/types.ts';
import { makeHandler as makeClassify } from '../../functions/handlers/classify.ts';
import { makeHandler as makeDeadLetters } from '../../functions/handlers/dead-letters.ts';
import { pipelineDeps } from '../../functions/handlers/deps.ts';
import { makeHandler as makeFinalize } from '../../functions/handlers/finalize.ts';
import { makeHandler as makeIngest } from '../../functions/handlers/ingest.ts';
import { unattributedKey } from '../../functions/pipeline/dead-letters.ts';
import { chunkId, jobIdFor } from '../../functions/pipeline/queued.ts';
import { redriveJob } from '../../functions/pipeline/redrive.ts';
import type { ItemRecord, ResultStore } from '../../functions/ports.ts';
import { createTable, type Emulator, motoMissing, skipReason, startMoto } from '../support/emulators.ts';
import { motoPipeline } from '../support/moto-pipeline.ts';
import { depth, pollOnce, type QueuePair } from '../support/sqs-lambda.ts';

const ROWS = Number(process.env.AISLE_E2E_ROWS ?? 2_000);
const CHUNKS = 100;
const ROWS_PER_CHUNK = Math.ceil(ROWS / CHUNKS);
/** The chunk whose rows are poisoned (1% of the rows), and the one delivered twice. */
const POISONED = 37;
const REDELIVERED = 12;
const POISON = 'POISON';
const noMoto = skipReason(motoMissing());
/** How long the job may take to end, each time: moto_server's pace on a busy machine, ~10 ms a row at worst. */
const END_WITHIN_MS = Math.max(600_000, ROWS * 20);

/** Valid rows only (rejects are ingest's test): every row's name is its own, so that its key is too. */
function catalog(): string {
  const lines = ['sku,product_name,brand'];
  for (let i = 0; i < ROWS; i++) {
    const poisoned = Math.floor(i / ROWS_PER_CHUNK) === POISONED;
    lines.push(`SKU${i},"${poisoned ? POISON : 'Greenfield'} pantry item ${i}",Greenfield`);
  }
  return `${lines.join('\n')}\n`;
}

/** The chunk a classify message carries (undefined for anything else). */
function chunkOf(m: Message): number | undefined {
  try {
    return (JSON.parse(m.Body!) as { chunk?: number }).chunk;
  } catch {
    return undefined;
  }
}

/** A model tier (after the rules) whose version the test moves, as a promotion between two deliveries would. */
const model = { version: 'm1' };
const modelTier: Tier = {
  name: 'encoder',
  cacheable: false,
  get version() {
    return model.version;
  },
  decide: (items) => items.map(() => ({ kind: 'decided' as const, classId: 'food.snacks-sweets', confidence: 0.99, modelVersion: model.version })),
};

/** The result store with a fault in front: saving a poisoned row throws while `poison.on`. */
const poison = { on: true };
function poisoned(store: ResultStore): ResultStore {
  const wrap = (view: ResultStore): ResultStore =>
    new Proxy(view, {
      get(target, prop, receiver) {
        if (prop === 'forTenant') return (tenant: string) => wrap(target.forTenant(tenant));
        if (prop === 'saveDecisions')
          return async (records: ItemRecord[]) => {
            if (poison.on && records.some((r) => r.input.name.startsWith(POISON)))
              throw new Error('ValidationException: Item size has exceeded the maximum allowed size');
            return target.saveDecisions(records);
          };
        return Reflect.get(target, prop, receiver);
      },
    });
  return wrap(store);
}

describe.skipIf(noMoto)(`a job with a poisoned chunk ends partial and is redriven (moto_server, ${ROWS} rows)`, () => {
  let moto: Emulator;
  let config: AwsConfig;
  let queues: { ingest: QueuePair; classify: QueuePair; finalize: QueuePair };
  const inbox = 'aisle-inbox';
  const lake = 'aisle-lake';
  const table = 'aisle-table';
  const jobsTable = 'aisle-jobs';

  beforeAll(async () => {
    moto = await startMoto();
    ({ config, queues } = await motoPipeline(moto, { inbox, lake, table }));
    await createTable(moto.options, jobsTable, true);
  });

  afterAll(async () => {
    await moto?.stop();
  });

  it(
    'ends partial with reconciled counts and the failed chunk listed, then done after a redrive',
    async () => {
      process.env.POWERTOOLS_METRICS_DISABLED = 'true';
      const sqs = moto.clients.sqs;
      const base = pipelineDeps(moto.clients, config, {
        logger: new Logger({ logLevel: 'CRITICAL' }),
        metrics: new Metrics({ namespace: 'AisleTest' }),
        tiers: async () => [modelTier],
      });
      const deps = { ...base, results: poisoned(base.results), jobs: new DynamoJobStore(moto.clients.dynamo, jobsTable) };
      const ingest = makeIngest(deps, { rowsPerChunk: ROWS_PER_CHUNK });
      // moto applies concurrent updates to one item without a lock: a batch's chunks one after the other here.
      const classify = makeClassify(deps, { parallel: false });
      const finalize = makeFinalize(deps);
      const deadLetters = makeDeadLetters(deps);

      const put = await moto.clients.s3.send(
        new PutObjectCommand({ Bucket: inbox, Key: 'inbox/pantry.csv', Body: catalog(), ContentType: 'text/csv' }),
      );
      const jobId = jobIdFor(inbox, 'inbox/pantry.csv', put.ETag!.replace(/"/g, ''));
      const unattributed = '{"jobId": "not-a-chunk", "rows": "oops"}';
      await sqs.send(new SendMessageCommand({ QueueUrl: queues.classify.url, MessageBody: unattributed }));

      const seen = { ingest: [] as Message[], classify: [] as Message[], finalize: [] as Message[], dead: [] as Message[] };
      let redelivered = false;
      // The chunk delivered twice: its first delivery succeeds but is not deleted (the Lambda died after the work),
      // and the model is promoted before SQS delivers it again.
      const keepOnce = (m: Message) => {
        if (redelivered || chunkOf(m) !== REDELIVERED) return false;
        redelivered = true;
        model.version = 'm2';
        return true;
      };
      const runUntil = async (ended: (status: string | undefined) => boolean) => {
        const deadline = Date.now() + END_WITHIN_MS;
        for (;;) {
          const n =
            (await pollOnce(sqs, queues.ingest.url, ingest, seen.ingest)) +
            (await pollOnce(sqs, queues.classify.url, classify, seen.classify, keepOnce)) +
            (await pollOnce(sqs, queues.classify.dlqUrl, deadLetters, seen.dead)) +
            (await pollOnce(sqs, queues.finalize.url, finalize, seen.finalize));
          const job = await deps.jobs.get(jobId);
          const pending =
            (await depth(sqs, queues.classify.url)) + (await depth(sqs, queues.classify.dlqUrl)) + (await depth(sqs, queues.finalize.url));
          if (ended(job?.status) && pending === 0) return job!;
          if (Date.now() > deadline) throw new Error(`not ended in time: ${JSON.stringify(job)}; ${pending} messages pending`);
          if (!n) await new Promise((r) => setTimeout(r, 100));
        }
      };

      const started = Date.now();
      const job = await runUntil((s) => s === 'partial' || s === 'done' || s === 'failed');
      console.log(`${ROWS} rows, ${CHUNKS} chunks: partial after ${((Date.now() - started) / 1000).toFixed(1)} s`);
      const poisonedRows = Math.min(ROWS_PER_CHUNK, ROWS - POISONED * ROWS_PER_CHUNK);
      expect(job).toMatchObject({ status: 'partial', rowsIn: ROWS, rejected: 0, classified: ROWS - poisonedRows, failed: poisonedRows });
      expect(job.classified + job.rejected + job.failed!).toBe(job.rowsIn);
      expect(job.failedChunks).toEqual([
        { chunkId: chunkId(POISONED), rows: poisonedRows, reason: expect.stringMatching(/Item size has exceeded/), at: expect.any(String) },
      ]);
      expect(redelivered).toBe(true);
      expect(seen.classify.filter((m) => chunkOf(m) === REDELIVERED)).toHaveLength(2);
      // The poisoned chunk and the message that names no job reached the DLQ; the latter is kept in the lake.
      expect(seen.dead).toHaveLength(2);
      const stray = seen.dead.find((m) => m.Body === unattributed)!;
      expect(await text((await deps.lake.get(unattributedKey(stray.MessageId!)))!)).toBe(unattributed);

      // The output holds every row but the failed chunk's, once; the result is downloadable although partial.
      const result = parse(await text((await deps.lake.get(`outbox/${jobId}/result.csv`))!), { columns: true }) as Record<string, string>[];
      expect(result).toHaveLength(ROWS - poisonedRows);
      expect(new Set(result.map((r) => r.sku)).size).toBe(result.length);
      expect(result.some((r) => r.product_name.startsWith(POISON))).toBe(false);

      // One history item per job row, the redelivered chunk's too (decided again by m2: its item was rewritten).
      const first = REDELIVERED * ROWS_PER_CHUNK;
      for (const i of [first, first + 1, first + ROWS_PER_CHUNK - 1, 0, ROWS - 1]) {
        const key = keyOf(itemText({ name: `Greenfield pantry item ${i}`, brand: 'Greenfield' }));
        const items = await moto.clients.dynamo.send(
          new QueryCommand({
            TableName: table,
            KeyConditionExpression: 'pk = :pk AND begins_with(sk, :h)',
            ExpressionAttributeValues: { ':pk': `ITEM#${key}`, ':h': `HIST#${jobId}#` },
          }),
        );
        expect(items.Items, `history of row ${i + 1}`).toHaveLength(1);
        const version = JSON.parse(String(items.Items![0].record)).decision.modelVersion;
        if (i >= first && i < first + ROWS_PER_CHUNK) expect(version).toBe('m2');
      }

      // The redrive: the fault is gone, the chunk goes back to the classify queue, the job ends done with every row.
      poison.on = false;
      const { sent, skipped } = await redriveJob(deps, 'default', jobId);
      expect(skipped).toEqual([]);
      expect(sent.map((f) => f.chunkId)).toEqual([chunkId(POISONED)]);
      const after = await runUntil((s) => s === 'done' || s === 'partial' || s === 'failed');
      expect(after).toMatchObject({ status: 'done', classified: ROWS, rejected: 0 });
      expect(after.failed ?? 0).toBe(0);
      const whole = parse(await text((await deps.lake.get(`outbox/${jobId}/result.csv`))!), { columns: true }) as Record<string, string>[];
      expect(whole).toHaveLength(ROWS);
    },
    2 * END_WITHIN_MS + 60_000,
  );
});
