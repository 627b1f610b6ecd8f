/**
 * End to end on moto_server: a 10,000-row CSV dropped into the inbox bucket reaches the ingest queue through
 * the bucket's ObjectCreated notification; ingest → classify → finalize run as Lambda would run them (the
 * real handlers' makeHandler(deps), fed SQS events built from received messages, successes deleted, reported
 * failures left for redelivery). One poisoned message must end in the classify DLQ and nothing else may be lost.
 */

import { text } from 'node:stream/consumers';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { type Message, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AwsConfig } from '../../functions/adapters/aws/clients.ts';
import { itemText, keyOf } from '../../functions/core/normalize.ts';
import { makeHandler as makeClassify } from '../../functions/handlers/classify.ts';
import { pipelineDeps } from '../../functions/handlers/deps.ts';
import { makeHandler as makeFinalize } from '../../functions/handlers/finalize.ts';
import { makeHandler as makeIngest } from '../../functions/handlers/ingest.ts';
import { jobIdFor } from '../../functions/pipeline/queued.ts';
import { type Emulator, motoMissing, skipReason, startMoto } from '../support/emulators.ts';
import { motoPipeline } from '../support/moto-pipeline.ts';
import { depth, pollOnce, type QueuePair } from '../support/sqs-lambda.ts';

const ROWS = 10_000;
const noMoto = skipReason(motoMissing());

// Project-written vocabulary: product names a grocery catalog could hold, combined deterministically.
const BRANDS = ['Greenfield', 'Hillcrest', 'Bluewater', 'Sunmeadow', 'Northpine', 'Oakvale'];
const PRODUCTS = [
  'Whole Milk',
  'Sparkling Water',
  'Orange Juice',
  'Paper Towels',
  'Dish Soap',
  'Potato Chips',
  'Cheddar Cheese',
  'Frozen Peas',
  'Dog Food',
  'Shampoo',
  'Ground Coffee',
  'Spaghetti',
  'Toothpaste',
  'Greek Yogurt',
  'Bananas',
  'Laundry Detergent',
  'Trash Bags',
  'Peanut Butter',
  'Chocolate Bar',
  'Baby Wipes',
  'Vanilla Ice Cream',
  'Lightbulb',
];
const SIZES = ['12 oz', '1 gal', '500 ml', '6 ct', '2 lb', '24 pk', '16 fl oz', '1 kg'];

/** The CSV and which skus are valid; every 397th row is broken (wrong column count or an empty name). */
function catalog(): { csv: string; valid: string[]; bad: number } {
  const lines = ['sku,product_name,brand,price'];
  const valid: string[] = [];
  let bad = 0;
  for (let i = 0; i < ROWS; i++) {
    const sku = `SKU${String(i).padStart(6, '0')}`;
    const name = `${BRANDS[i % BRANDS.length]} ${PRODUCTS[(i * 7) % PRODUCTS.length]} ${SIZES[(i * 3) % SIZES.length]} #${i % 1500}`;
    if (i % 397 === 5) {
      bad++;
      lines.push(i % 2 ? `${sku},"${name}"` : `${sku},,${BRANDS[0]},1.00`);
      continue;
    }
    lines.push(`${sku},"${name}",${BRANDS[i % BRANDS.length]},${(1 + (i % 50) / 10).toFixed(2)}`);
    valid.push(sku);
  }
  return { csv: lines.join('\n') + '\n', valid, bad };
}

describe.skipIf(noMoto)('AWS pipeline on moto_server: S3 → ingest → classify → finalize', () => {
  let moto: Emulator;
  let config: AwsConfig;
  let queues: { ingest: QueuePair; classify: QueuePair; finalize: QueuePair };
  const inbox = 'aisle-inbox';
  const lake = 'aisle-lake';
  const table = 'aisle-table';

  beforeAll(async () => {
    moto = await startMoto();
    ({ config, queues } = await motoPipeline(moto, { inbox, lake, table }));
  });

  afterAll(async () => {
    await moto?.stop();
  });

  it('reconciles every row, lands the poisoned message in the DLQ and loses nothing else', async () => {
    process.env.POWERTOOLS_METRICS_DISABLED = 'true';
    const deps = pipelineDeps(moto.clients, config, { logger: new Logger({ logLevel: 'ERROR' }), metrics: new Metrics({ namespace: 'AisleTest' }) });
    const ingest = makeIngest(deps);
    // moto updates one DynamoDB item from concurrent requests without a lock (lost counter updates); DynamoDB
    // does not, so only here are a batch's chunks classified one after the other.
    const classify = makeClassify(deps, { parallel: false });
    const finalize = makeFinalize(deps);

    const { csv, valid, bad } = catalog();
    const put = await moto.clients.s3.send(new PutObjectCommand({ Bucket: inbox, Key: 'inbox/catalog.csv', Body: csv, ContentType: 'text/csv' }));
    const jobId = jobIdFor(inbox, 'inbox/catalog.csv', put.ETag!.replace(/"/g, ''));
    const poison = '{"jobId": "not-a-chunk", "rows": "oops"}';
    await moto.clients.sqs.send(new SendMessageCommand({ QueueUrl: queues.classify.url, MessageBody: poison }));

    const seen = { ingest: [] as Message[], classify: [] as Message[], finalize: [] as Message[] };
    const deadline = Date.now() + 270_000;
    for (;;) {
      const n =
        (await pollOnce(moto.clients.sqs, queues.ingest.url, ingest, seen.ingest)) +
        (await pollOnce(moto.clients.sqs, queues.classify.url, classify, seen.classify)) +
        (await pollOnce(moto.clients.sqs, queues.finalize.url, finalize, seen.finalize));
      const job = await deps.jobs.get(jobId);
      const pending =
        (await depth(moto.clients.sqs, queues.ingest.url)) +
        (await depth(moto.clients.sqs, queues.classify.url)) +
        (await depth(moto.clients.sqs, queues.finalize.url));
      if (job?.status === 'done' && pending === 0) break;
      if (Date.now() > deadline) throw new Error(`not done in time: job ${JSON.stringify(job)}; ${pending} messages pending`);
      if (!n) await new Promise((r) => setTimeout(r, 200));
    }

    const job = (await deps.jobs.get(jobId))!;
    expect(job).toMatchObject({ status: 'done', totalKnown: true, rowsIn: ROWS, rejected: bad, classified: ROWS - bad });
    expect(job.classified + job.rejected).toBe(ROWS);
    expect(Object.values(job.tierCounts).reduce((s, n) => s + n, 0)).toBe(job.classified);
    expect(bad).toBeGreaterThan(10);

    // The S3 notification (and moto's s3:TestEvent) drove ingest; exactly one finalize message was sent for the job,
    // and it fanned out to one segment (a count shard holds 1,000 chunks) and one compose.
    expect(seen.ingest.some((m) => m.Body!.includes('ObjectCreated'))).toBe(true);
    const kinds = seen.finalize.map((m) => (JSON.parse(m.Body!) as { kind?: string }).kind ?? 'finalize');
    expect(kinds).toEqual(['finalize', 'segment', 'compose']);

    const result = parse(await text((await deps.lake.get(`outbox/${jobId}/result.csv`))!), { columns: true }) as Record<string, string>[];
    expect(result).toHaveLength(ROWS - bad);
    const skus = result.map((r) => r.sku);
    expect(new Set(skus).size).toBe(skus.length);
    expect([...skus].sort()).toEqual([...valid].sort());
    expect(Object.keys(result[0])).toEqual(expect.arrayContaining(['sku', 'product_name', 'brand', 'price', 'tier', 'status', 'confidence']));
    for (const r of result) expect(['cache', 'rules', 'encoder', 'llm', 'review']).toContain(r.tier);

    const rejects = parse(await text((await deps.lake.get(`outbox/${jobId}/rejects.csv`))!), { columns: true, relax_column_count: true }) as Record<
      string,
      string
    >[];
    expect(rejects).toHaveLength(bad);
    expect(rejects.every((r) => r.reason.length > 0)).toBe(true);

    // DynamoDB holds the current decision of products from the file.
    const first = result[0];
    const stored = await deps.results.getItem(keyOf(itemText({ name: first.product_name, brand: first.brand })));
    expect(stored?.current.jobId).toBe(jobId);
    expect(stored?.current.decision.tier).toBeDefined();

    const lakeParts = await deps.lake.list(`results/`);
    expect(lakeParts.some((k) => k.includes(`/job=${jobId}/part-0.parquet`))).toBe(true);

    // The poisoned message, and only it, is in a DLQ.
    const dlq = await moto.clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: queues.classify.dlqUrl, MaxNumberOfMessages: 10 }));
    expect((dlq.Messages ?? []).map((m) => m.Body)).toEqual([poison]);
    expect(await depth(moto.clients.sqs, queues.ingest.dlqUrl)).toBe(0);
    expect(await depth(moto.clients.sqs, queues.finalize.dlqUrl)).toBe(0);
  }, 300_000);
});
