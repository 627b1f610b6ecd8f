/**
 * The AWS adapters against emulators: the shared contract suites on dynalite, s3rver and local-aws-sqs;
 * TTL, which dynalite lacks, on moto_server.
 */
import { randomUUID } from 'node:crypto';
import { DescribeTimeToLiveCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, DeleteMessageBatchCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoJobStore } from '../../functions/adapters/aws/dynamo-jobs.ts';
import { batchPut, DynamoCache, DynamoResultStore } from '../../functions/adapters/aws/dynamodb.ts';
import { S3BlobStore } from '../../functions/adapters/aws/s3.ts';
import { planBatches, SqsQueue } from '../../functions/adapters/aws/sqs.ts';
import {
  decision,
  describeBlobStoreContract,
  describeCacheContract,
  describeHistoryContract,
  describeJobProgressContract,
  describeJobStoreContract,
  describeLabelContract,
  describeQueueContract,
  describeResultStoreContract,
  describeTenantContract,
  record,
} from '../contract/stores.ts';
import { createTable, type Emulator, motoMissing, skipReason, startDynalite, startLocalSqs, startMoto, startS3rver } from '../support/emulators.ts';

/** One emulator of each kind per file, started on first use and stopped after every suite ran; each suite
 * gets its own table/bucket/queue so suites stay independent. */
const started: Promise<Emulator>[] = [];
function shared(start: () => Promise<Emulator>) {
  let emulator: Promise<Emulator> | undefined;
  return {
    get() {
      if (!emulator) started.push((emulator = start()));
      return emulator;
    },
  };
}
afterAll(async () => {
  for (const e of started) await (await e).stop();
});

const dynalite = shared(startDynalite);
const noMoto = skipReason(motoMissing());
const moto = shared(startMoto);
const s3rver = shared(() => startS3rver(['blobs']));
const sqs = shared(startLocalSqs);

async function freshTable(emulator: Emulator, withTtl = false): Promise<string> {
  const name = `aisle-${randomUUID().slice(0, 8)}`;
  await createTable(emulator.options, name, withTtl);
  return name;
}

describeCacheContract('DynamoDB (dynalite)', async () => {
  const e = await dynalite.get();
  return { value: new DynamoCache(e.clients.dynamo, await freshTable(e)) };
});

describeResultStoreContract('DynamoDB (dynalite)', async () => {
  const e = await dynalite.get();
  return { value: new DynamoResultStore(e.clients.dynamo, await freshTable(e)) };
});

describeLabelContract('DynamoDB (dynalite)', async ({ ttlSeconds, now }) => {
  const e = await dynalite.get();
  const table = await freshTable(e);
  const cache = new DynamoCache(e.clients.dynamo, table, { ttlSeconds, now });
  return { value: { results: new DynamoResultStore(e.clients.dynamo, table, cache), cache } };
});

describeJobStoreContract('DynamoDB (dynalite)', async () => {
  const e = await dynalite.get();
  return { value: new DynamoJobStore(e.clients.dynamo, await freshTable(e)) };
});

/** Tenant scoping on DynamoDB: moto_server where it is installed (the brief's emulator), dynalite otherwise. */
describeTenantContract(noMoto ? 'DynamoDB (dynalite)' : 'DynamoDB (moto_server)', async () => {
  const e = noMoto ? await dynalite.get() : await moto.get();
  const table = await freshTable(e);
  const cache = new DynamoCache(e.clients.dynamo, table);
  return { value: { results: new DynamoResultStore(e.clients.dynamo, table, cache), cache, jobs: new DynamoJobStore(e.clients.dynamo, table) } };
});

describeJobProgressContract('DynamoDB (dynalite)', async () => {
  const e = await dynalite.get();
  return { value: new DynamoJobStore(e.clients.dynamo, await freshTable(e)) };
});

describeBlobStoreContract('S3 (s3rver)', async () => {
  const e = await s3rver.get();
  return { value: new S3BlobStore(e.clients.s3, 'blobs') };
});

describeQueueContract('SQS (local-aws-sqs)', async () => {
  const e = await sqs.get();
  const { QueueUrl } = await e.clients.sqs.send(new CreateQueueCommand({ QueueName: `q-${randomUUID().slice(0, 8)}` }));
  const url = QueueUrl!;
  return {
    value: {
      queue: new SqsQueue(e.clients.sqs, url),
      async receiveAll() {
        const out: { n: number; pad: string }[] = [];
        for (let empty = 0; empty < 2; ) {
          const got = await e.clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
          const messages = got.Messages ?? [];
          if (!messages.length) {
            empty++;
            continue;
          }
          out.push(...messages.map((m) => JSON.parse(m.Body!)));
          await e.clients.sqs.send(
            new DeleteMessageBatchCommand({ QueueUrl: url, Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })) }),
          );
        }
        return out;
      },
    },
  };
});

describe('SQS batch planning', () => {
  it('never exceeds 10 entries or 256 KiB per batch and keeps order', () => {
    const bodies = Array.from({ length: 57 }, (_, i) => 'y'.repeat(i % 3 === 0 ? 100_000 : 1_000));
    const batches = planBatches(bodies);
    for (const b of batches) {
      expect(b.length).toBeLessThanOrEqual(10);
      expect(b.reduce((s, x) => s + Buffer.byteLength(x), 0)).toBeLessThanOrEqual(256 * 1024);
    }
    expect(batches.flat()).toEqual(bodies);
    expect(() => planBatches(['z'.repeat(256 * 1024 + 1)])).toThrow(/exceeds/);
  });
});

describe('BatchWriteItem beyond 25 items (dynalite)', () => {
  let e: Emulator;
  let table: string;
  beforeAll(async () => {
    e = await dynalite.get();
    table = await freshTable(e);
  });

  it('writes every item of a large batch, the last of duplicate keys winning', async () => {
    const items = Array.from({ length: 260 }, (_, i) => ({ pk: `P#${i % 130}`, sk: 'S', n: i }));
    await batchPut(e.clients.dynamo, table, items);
    const got = await e.clients.dynamo.send(new GetCommand({ TableName: table, Key: { pk: 'P#7', sk: 'S' } }));
    expect(got.Item?.n).toBe(137);
    const last = await e.clients.dynamo.send(new GetCommand({ TableName: table, Key: { pk: 'P#129', sk: 'S' } }));
    expect(last.Item?.n).toBe(259);
  });
});

describeHistoryContract(
  'DynamoDB (moto_server)',
  async () => {
    const e = await moto.get();
    return { value: new DynamoResultStore(e.clients.dynamo, await freshTable(e)) };
  },
  noMoto,
);

describe.skipIf(noMoto)('DynamoDB TTL, which dynalite lacks (moto_server)', () => {
  let moto: Emulator;
  const ready = (async () => {
    if (noMoto) return null;
    moto = await startMoto();
    return moto;
  })();
  afterAll(async () => {
    await (await ready)?.stop();
  });

  it('puts cache items with expiresAt for TTL, human labels without, and treats expired items as misses', async () => {
    const e = (await ready)!;
    const table = await freshTable(e, true);
    const ttl = await new DynamoDBClient(e.options).send(new DescribeTimeToLiveCommand({ TableName: table }));
    expect(ttl.TimeToLiveDescription?.AttributeName).toBe('expiresAt');

    let now = Date.parse('2026-06-01T00:00:00Z');
    const cache = new DynamoCache(e.clients.dynamo, table, { ttlSeconds: 3600, now: () => now });
    await cache.putMany([decision('t1'), decision('t2', { tier: 'human', classId: 'food.produce' })]);
    const machine = await e.clients.dynamo.send(new GetCommand({ TableName: table, Key: { pk: 'ITEM#t1', sk: 'CACHE#tax-1' } }));
    expect(machine.Item?.expiresAt).toBe(now / 1000 + 3600);
    const human = await e.clients.dynamo.send(new GetCommand({ TableName: table, Key: { pk: 'ITEM#t2', sk: 'CACHE#tax-1' } }));
    expect(human.Item?.human).toBe(true);
    expect(human.Item?.expiresAt).toBeUndefined();

    now += 7200 * 1000;
    const later = await cache.getMany(['t1', 't2'], 'tax-1');
    expect(later.has('t1')).toBe(false);
    expect(later.get('t2')?.tier).toBe('human');

    // A machine decision never replaces a human label.
    await cache.putMany([decision('t2', { tier: 'encoder', classId: 'food.beverages' })]);
    expect((await cache.getMany(['t2'], 'tax-1')).get('t2')).toMatchObject({ tier: 'human', classId: 'food.produce' });

    // A label given through the result store: its current item, cache entry and history item carry no TTL; only the
    // machine decision's history item before it does.
    const results = new DynamoResultStore(e.clients.dynamo, table, cache);
    await results.saveDecisions([record('t3', '2026-05-01T00:00:00.000Z', { tier: 'review', status: 'needs_review' })]);
    await results.setHumanLabel('t3', 'food.produce', 'tester');
    const items = await e.clients.dynamo.send(
      new QueryCommand({ TableName: table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': 'ITEM#t3' } }),
    );
    expect(items.Items?.map((i) => String(i.sk).replace(/^HIST#.*/, 'HIST')).sort()).toEqual(['CACHE#tax-1', 'CURRENT', 'HIST', 'HIST']);
    const expiring = items.Items?.filter((i) => i.expiresAt !== undefined) ?? [];
    expect(expiring.map((i) => JSON.parse(String(i.record)).decision.tier)).toEqual(['review']);
  });
});
