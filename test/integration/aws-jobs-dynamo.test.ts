/**
 * The DynamoDB write path of a bulk job and its failed chunks, on dynalite: a job row's history item is
 * rewritten by a redelivery whatever it decides, machine history expires, the review queue is spread over
 * shards and read back whole in time order, and a chunk counts once, as classified or as failed.
 */
import { randomUUID } from 'node:crypto';
import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoJobStore } from '../../functions/adapters/aws/dynamo-jobs.ts';
import { DynamoResultStore, REVIEW_SHARDS, reviewShard } from '../../functions/adapters/aws/dynamodb.ts';
import { reconciled } from '../../functions/pipeline/accounting.ts';
import type { ItemRecord } from '../../functions/ports.ts';
import { record } from '../contract/stores.ts';
import { createTable, type Emulator, startDynalite } from '../support/emulators.ts';

let e: Emulator;
beforeAll(async () => {
  e = await startDynalite();
});
afterAll(async () => {
  await e?.stop();
});

async function freshTable(): Promise<string> {
  const name = `aisle-${randomUUID().slice(0, 8)}`;
  await createTable(e.options, name, false);
  return name;
}

const itemsOf = async (table: string, pk: string) =>
  (await e.clients.dynamo.send(new QueryCommand({ TableName: table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': pk } })))
    .Items ?? [];

describe('history items of job rows', () => {
  const now = Date.parse('2026-06-01T00:00:00.000Z');

  it('a redelivered chunk that decides differently rewrites the row’s history item instead of adding one', async () => {
    const table = await freshTable();
    const results = new DynamoResultStore(e.clients.dynamo, table);
    const row = (at: string, tier: 'rules' | 'cache'): ItemRecord => ({ ...record('r1', at, { tier }), jobId: 'job-9', row: 42 });
    // First delivery ran the rules; the redelivery found the decision in the cache (another tier, another signature).
    await results.saveDecisions([row('2026-06-01T00:00:00.000Z', 'rules')]);
    await results.saveDecisions([row('2026-06-01T00:00:05.000Z', 'cache')]);
    const hist = (await itemsOf(table, 'ITEM#r1')).filter((i) => String(i.sk).startsWith('HIST#'));
    expect(hist.map((i) => i.sk)).toEqual(['HIST#job-9#42']);
    expect((await results.getItem('r1'))?.history).toEqual([]);
  });

  it('machine history carries expiresAt (TTL); a human label’s never expires', async () => {
    const table = await freshTable();
    const results = new DynamoResultStore(e.clients.dynamo, table, undefined, undefined, undefined, { historyTtlSeconds: 3600, now: () => now });
    await results.saveDecisions([{ ...record('r2', '2026-06-01T00:00:00.000Z', { tier: 'review', status: 'needs_review' }), row: 1 }]);
    await results.setHumanLabel('r2', 'food.produce', 'tester');
    const hist = (await itemsOf(table, 'ITEM#r2')).filter((i) => String(i.sk).startsWith('HIST#'));
    const byTier = Object.fromEntries(hist.map((i) => [JSON.parse(String(i.record)).decision.tier, i.expiresAt]));
    expect(byTier).toEqual({ review: now / 1000 + 3600, human: undefined });
  });
});

describe('the review queue over shards', () => {
  it('spreads review items over the shards and lists them all, oldest first, page by page, the unsharded ones of older tables too', async () => {
    const table = await freshTable();
    const results = new DynamoResultStore(e.clients.dynamo, table);
    const at = (i: number) => new Date(Date.parse('2026-06-01T00:00:00.000Z') + i * 1000).toISOString();
    const keys = Array.from({ length: 40 }, (_, i) => `k${String(i).padStart(3, '0')}`);
    await results.saveDecisions(keys.map((k, i) => ({ ...record(k, at(i), { tier: 'review', status: 'needs_review', classId: null }), row: i + 1 })));
    // A review item written before the queue was sharded, under the one REVIEW partition.
    const legacy = record('old', at(20.5), { tier: 'review', status: 'needs_review', classId: null });
    await e.clients.dynamo.send(
      new PutCommand({
        TableName: table,
        Item: { pk: 'ITEM#old', sk: 'CURRENT', record: JSON.stringify(legacy), gsi1pk: 'REVIEW', gsi1sk: `${legacy.at}#old` },
      }),
    );

    const shards = new Set(keys.map(reviewShard));
    expect(shards.size).toBeGreaterThan(REVIEW_SHARDS / 2);
    const partitions = await Promise.all(
      [...shards].map(async (n) => {
        const out = await e.clients.dynamo.send(
          new QueryCommand({
            TableName: table,
            IndexName: 'gsi1',
            KeyConditionExpression: 'gsi1pk = :p',
            ExpressionAttributeValues: { ':p': `REVIEW#${n}` },
          }),
        );
        return out.Items?.length ?? 0;
      }),
    );
    expect(partitions.reduce((a, b) => a + b, 0)).toBe(40);

    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await results.listReview({ limit: 7, cursor });
      expect(page.items.length).toBeLessThanOrEqual(7);
      seen.push(...page.items.map((r) => r.decision.key));
      cursor = page.next;
      pages++;
    } while (cursor && pages < 20);
    expect(seen).toEqual([...keys.slice(0, 21), 'old', ...keys.slice(21)]);
    await expect(results.listReview({ limit: 5, cursor: 'not-a-cursor' })).rejects.toThrow(/cursor/);
  });

  it('keeps tenants apart', async () => {
    const table = await freshTable();
    const results = new DynamoResultStore(e.clients.dynamo, table);
    await results
      .forTenant('acme')
      .saveDecisions([record('a1', '2026-06-01T00:00:00.000Z', { tier: 'review', status: 'needs_review', classId: null })]);
    expect((await results.listReview({ limit: 10 })).items).toEqual([]);
    expect((await results.forTenant('acme').listReview({ limit: 10 })).items.map((r) => r.decision.key)).toEqual(['a1']);
  });
});

describe('failed chunks', () => {
  const counts = (n: number) => ({ classified: n, rejected: 0, needsReview: 0, tierCounts: { rules: n } });

  it('counts a chunk once, as classified or as failed, with the reason noted while it was retried', async () => {
    const jobs = new DynamoJobStore(e.clients.dynamo, await freshTable());
    await jobs.create({ id: 'f1', input: 'inbox/f.csv', status: 'running', rowsIn: 30, totalKnown: true });
    await jobs.addChunk('f1', '00000000', counts(10));
    await jobs.noteError('f1', '00000001', 'SageMaker endpoint answered 500');
    await jobs.noteError('f1', '00000001', 'SageMaker endpoint answered 503');

    const failed = await jobs.failChunk('f1', { chunkId: '00000001', rows: 10 });
    expect(failed.applied).toBe(true);
    expect(failed.job).toMatchObject({ classified: 10, failed: 10 });
    expect(failed.job.failedChunks).toEqual([{ chunkId: '00000001', rows: 10, reason: 'SageMaker endpoint answered 503', at: expect.any(String) }]);
    // A redelivered dead letter counts once; a failed chunk's late success does not count; a counted chunk never fails.
    expect((await jobs.failChunk('f1', { chunkId: '00000001', rows: 10 })).applied).toBe(false);
    expect((await jobs.addChunk('f1', '00000001', counts(10))).applied).toBe(false);
    expect((await jobs.failChunk('f1', { chunkId: '00000000', rows: 10 })).applied).toBe(false);

    const last = await jobs.failChunk('f1', { chunkId: '00000002-llm', rows: 10 });
    expect(last.job).toMatchObject({ classified: 10, failed: 20 });
    expect(last.job.failedChunks?.map((f) => [f.chunkId, f.reason])).toEqual([
      ['00000001', 'SageMaker endpoint answered 503'],
      ['00000002-llm', expect.stringMatching(/no error was recorded/)],
    ]);
    expect(reconciled(last.job)).toBe(true);
  });

  it('reopens failed chunks for a redrive: out of the failed count, then counted when classified', async () => {
    const jobs = new DynamoJobStore(e.clients.dynamo, await freshTable());
    await jobs.create({ id: 'f2', input: 'inbox/f.csv', status: 'partial', rowsIn: 20, totalKnown: true });
    await jobs.addChunk('f2', '00000000', counts(10));
    await jobs.failChunk('f2', { chunkId: '00000001', rows: 10, reason: 'boom' });

    const reopened = await jobs.reopenChunks('f2', ['00000001', '00000009']);
    expect(reopened.map((f) => [f.chunkId, f.rows, f.reason])).toEqual([['00000001', 10, 'boom']]);
    const between = (await jobs.get('f2'))!;
    expect(between.failed ?? 0).toBe(0);
    expect(between.failedChunks ?? []).toEqual([]);
    expect(reconciled(between)).toBe(false);
    expect(await jobs.reopenChunks('f2', ['00000001'])).toEqual([]);

    const { applied, job } = await jobs.addChunk('f2', '00000001', counts(10));
    expect(applied).toBe(true);
    expect(job.classified).toBe(20);
    expect(job.failed ?? 0).toBe(0);
    expect(reconciled(job)).toBe(true);
  });
});
