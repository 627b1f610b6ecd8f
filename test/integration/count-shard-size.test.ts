/**
 * A job's count shards on dynalite: a shard counts 1,000 consecutive chunks and their LLM chunks, so its item
 * must stay far below DynamoDB's 400 KB item limit, and the write units of a chunk update (DynamoDB charges the
 * larger of the item before and after, per KB) small. Shards written before chunks were named by their place in
 * the shard still count a chunk once.
 */
import { randomUUID } from 'node:crypto';
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoJobStore } from '../../functions/adapters/aws/dynamo-jobs.ts';
import { chunkId } from '../../functions/pipeline/queued.ts';
import { createTable, type Emulator, startDynalite } from '../support/emulators.ts';

let e: Emulator;
beforeAll(async () => {
  e = await startDynalite();
});
afterAll(async () => {
  await e?.stop();
});

async function freshJobs(): Promise<{ table: string; jobs: DynamoJobStore }> {
  const table = `aisle-${randomUUID().slice(0, 8)}`;
  await createTable(e.options, table, false);
  return { table, jobs: new DynamoJobStore(e.clients.dynamo, table) };
}

describe('count shards', () => {
  it('a shard of 1,000 chunks and their 1,000 LLM chunks stays far below the item limit', async () => {
    const { table, jobs } = await freshJobs();
    await jobs.create({ id: 'big', input: 'inbox/big.csv', status: 'running', rowsIn: 200_000, totalKnown: true });
    const counts = { classified: 170, rejected: 0, needsReview: 12, tierCounts: { cache: 60, rules: 50, encoder: 60 } };
    const llm = { classified: 30, rejected: 0, needsReview: 4, tierCounts: { llm: 26, review: 4 } };
    // The store's own chunk updates, 20 at a time, without reading the job back after each (which addChunk does).
    const updates = Array.from({ length: 1000 }, (_, c) => [
      jobs.countUpdate('big', chunkId(c), counts),
      jobs.countUpdate('big', `${chunkId(c)}-llm`, llm),
    ]).flat();
    for (let i = 0; i < updates.length; i += 20) await Promise.all(updates.slice(i, i + 20).map((u) => e.clients.dynamo.send(new UpdateCommand(u))));
    const last = await jobs.addChunk('big', chunkId(999), counts); // a redelivery: not counted again
    expect(last.applied).toBe(false);
    expect(last.job).toMatchObject({ classified: 200_000, needsReview: 16_000, tierCounts: { cache: 60_000, llm: 26_000 } });

    const measured = await e.clients.dynamo.send(
      new UpdateCommand({
        TableName: table,
        Key: { pk: 'JOB#big', sk: 'COUNT#00000' },
        UpdateExpression: 'ADD classified :zero',
        ExpressionAttributeValues: { ':zero': 0 },
        ReturnConsumedCapacity: 'TOTAL',
      }),
    );
    const kb = measured.ConsumedCapacity?.CapacityUnits ?? Number.NaN;
    console.log(`a full count shard (1,000 + 1,000 chunks): ${kb} KB, ${kb} write units an update (limit 400 KB)`);
    expect(kb).toBeLessThanOrEqual(13); // ~20 KB when each chunk's whole id was kept
  });

  it('a shard written before chunks were named by their place still counts a redelivered chunk once', async () => {
    const { table, jobs } = await freshJobs();
    await jobs.create({ id: 'old', input: 'inbox/old.csv', status: 'running', rowsIn: 30, totalKnown: true });
    await e.clients.dynamo.send(
      new PutCommand({
        TableName: table,
        Item: { pk: 'JOB#old', sk: 'COUNT#00000', classified: 10, rejected: 0, needsReview: 0, tier_rules: 10, chunks: new Set(['00000000']) },
      }),
    );
    const counts = { classified: 10, rejected: 0, needsReview: 0, tierCounts: { rules: 10 } };
    expect((await jobs.addChunk('old', '00000000', counts)).applied).toBe(false);
    expect((await jobs.failChunk('old', { chunkId: '00000000', rows: 10 })).applied).toBe(false);
    expect((await jobs.addChunk('old', '00000001', counts)).applied).toBe(true);
    expect((await jobs.addChunk('old', '00000001', counts)).applied).toBe(false);
    expect((await jobs.failChunk('old', { chunkId: '00000001', rows: 10 })).applied).toBe(false);
    expect((await jobs.failChunk('old', { chunkId: '00000002-llm', rows: 10 })).job).toMatchObject({ classified: 20, failed: 10 });
  });
});
