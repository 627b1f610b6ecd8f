/**
 * The ECS LLM worker against local-aws-sqs (LLM queue + DLQ with a redrive policy, finalize queue), the
 * Ollama test server, DynamoDB stores on dynalite and a folder as the lake: the classify handler's message
 * format, batches, visibility kept while slow, chunks completed and counted once, only completed messages
 * deleted, failures left to redelivery and the DLQ.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DynamoJobStore } from '../../functions/adapters/aws/dynamo-jobs.ts';
import { DynamoCache, DynamoResultStore } from '../../functions/adapters/aws/dynamodb.ts';
import { SqsQueue } from '../../functions/adapters/aws/sqs.ts';
import { FolderBlobStore } from '../../functions/adapters/local/blob-store.ts';
import { OllamaLlm, ollamaConfig } from '../../functions/adapters/ollama.ts';
import { configOf } from '../../functions/config/deployables.ts';
import { LlmPrompt } from '../../functions/core/llm-prompt.ts';
import { createLlmTier } from '../../functions/core/llm-tier.ts';
import { toCascadeItem } from '../../functions/core/normalize.ts';
import { loadTaxonomy } from '../../functions/core/taxonomy.ts';
import { defaultTiers } from '../../functions/handlers/deps.ts';
import { type LlmWorkerDeps, makeWorker } from '../../functions/handlers/llm-worker.ts';
import type { PipelineDeps } from '../../functions/handlers/pipeline.ts';
import { classifyMessage, llmHandoffOf } from '../../functions/pipeline/classify-message.ts';
import { recordDeadLetter } from '../../functions/pipeline/dead-letters.ts';
import type { ClassifyMessage, LlmMessage } from '../../functions/pipeline/messages.ts';
import { cascadeFactory } from '../../functions/pipeline/queued.ts';
import { createTable, type Emulator, startDynalite, startLocalSqs } from '../support/emulators.ts';
import { OllamaTestServer } from '../support/ollama-test-server.ts';

const taxonomy = loadTaxonomy();
const leaves = taxonomy.leaves.map((c) => c.id);
const oracle = new Map<string, string>();
const TABLE = 'aisle-llm-worker';
const HEADER = ['sku', 'product_name', 'brand'];

let sqsEmu: Emulator;
let dyn: Emulator;
let sqs: SQSClient;
let ollama: OllamaTestServer;
let lakeDir: string;
let n = 0;

beforeAll(async () => {
  [sqsEmu, dyn] = await Promise.all([startLocalSqs(), startDynalite()]);
  await createTable(dyn.options, TABLE, false);
  sqs = sqsEmu.clients.sqs;
  ollama = await new OllamaTestServer({ oracle: (t) => oracle.get(t) ?? 'unknown' }).start();
  lakeDir = mkdtempSync(join(tmpdir(), 'aisle-llm-lake-'));
});
afterAll(async () => {
  await ollama.stop();
  await Promise.all([sqsEmu.stop(), dyn.stop()]);
  rmSync(lakeDir, { recursive: true, force: true });
});
beforeEach(() => {
  ollama.faults.length = 0;
  ollama.rule = undefined;
  ollama.chats.length = 0;
});

/** A fresh LLM queue with its DLQ, a finalize queue, and the pipeline over the emulators. */
async function setup(maxReceiveCount = 2) {
  n++;
  const dlq = (await sqs.send(new CreateQueueCommand({ QueueName: `llm-dlq-${n}` }))).QueueUrl!;
  const arn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlq, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
  const url = (
    await sqs.send(
      new CreateQueueCommand({
        QueueName: `llm-${n}`,
        Attributes: { VisibilityTimeout: '1', RedrivePolicy: JSON.stringify({ deadLetterTargetArn: arn, maxReceiveCount }) },
      }),
    )
  ).QueueUrl!;
  const finalize = (await sqs.send(new CreateQueueCommand({ QueueName: `finalize-${n}` }))).QueueUrl!;
  const cache = new DynamoCache(dyn.clients.dynamo, TABLE);
  const lake = new FolderBlobStore(join(lakeDir, String(n)));
  const pipeline: PipelineDeps = {
    taxonomy,
    bucket: () => lake,
    lake,
    jobs: new DynamoJobStore(dyn.clients.dynamo, TABLE),
    results: new DynamoResultStore(dyn.clients.dynamo, TABLE, cache),
    cache,
    tiers: async () => [],
    classifyQueue: new SqsQueue(sqs, url),
    finalizeQueue: new SqsQueue(sqs, finalize),
    logger: new Logger({ logLevel: 'SILENT' }),
    metrics: new Metrics({ namespace: 'AisleTest' }),
  };
  return { url, dlq, finalize, pipeline };
}

/** A job whose cheaper-tier chunk is counted, and the classify handler's LLM message for the rest. */
async function job(pipeline: PipelineDeps, tag: string, llmRows: number, decidedRows = 5): Promise<{ id: string; msg: LlmMessage; keys: string[] }> {
  const id = `job-${tag}`;
  await pipeline.jobs.create({ id, input: `inbox/${tag}.csv`, status: 'running', rowsIn: decidedRows + llmRows, totalKnown: true });
  await pipeline.jobs.addChunk(id, '00000000', { classified: decidedRows, rejected: 0, needsReview: 0, tierCounts: { rules: decidedRows } });
  const rows = Array.from({ length: llmRows }, (_, i) => {
    const values = [`SKU-${i}`, `Worker ${tag}${i} Product`, ''];
    oracle.set(toCascadeItem({ name: values[1] }).text, leaves[i % leaves.length]);
    return { n: decidedRows + i + 1, values, hints: [{ classId: 'food.fresh', score: 0.41 }] };
  });
  const msg: LlmMessage = { tenant: 'default', jobId: id, chunkId: '00000000-llm', header: HEADER, rows };
  return { id, msg, keys: rows.map((r) => toCascadeItem({ name: r.values[1] }).key) };
}

async function drain(url: string): Promise<string[]> {
  const out: string[] = [];
  for (;;) {
    const res = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
    if (!res.Messages?.length) return out;
    out.push(...res.Messages.map((m) => m.Body!));
  }
}

function worker(url: string, pipeline: PipelineDeps, over: Partial<LlmWorkerDeps> = {}, timeoutMs = 2_000) {
  const llm = new OllamaLlm(new LlmPrompt(taxonomy), ollamaConfig(configOf('local', {}), { host: ollama.url, timeoutMs }));
  const tier = createLlmTier(llm, { taxonomy, batchSize: 20, retries: 1, backoffMs: 1, maxBackoffMs: 2 });
  return makeWorker({ pipeline, sqs, queueUrl: url, tier, waitTimeS: 0, visibilityTimeoutS: 1, ...over });
}

describe('llm worker', () => {
  it('batches the rows of several messages, completes each chunk once, finalizes the job, deletes what it completed', async () => {
    const { url, finalize, pipeline } = await setup();
    const a = await job(pipeline, 'a', 25);
    const b = await job(pipeline, 'b', 3);
    for (const m of [a.msg, b.msg]) await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: JSON.stringify(m) }));
    expect(await worker(url, pipeline).pollOnce()).toEqual({ received: 2, completed: 2, leftForRedelivery: 0 });
    expect(ollama.chats.map((c) => c.texts.length).sort((x, y) => x - y)).toEqual([8, 20]); // 28 rows, batches of 20
    for (const [j, { keys }] of [a, b].entries()) {
      for (const [i, key] of keys.entries()) {
        const got = await pipeline.results.getItem(key);
        expect(got!.current).toMatchObject({
          jobId: j ? 'job-b' : 'job-a',
          decision: { tier: 'llm', status: 'ok', classId: leaves[i % leaves.length] },
        });
      }
    }
    expect(await pipeline.jobs.get('job-a')).toMatchObject({ classified: 30, status: 'finalizing', tierCounts: { rules: 5, llm: 25 } });
    expect((await drain(finalize)).sort()).toEqual([
      JSON.stringify({ tenant: 'default', jobId: 'job-a' }),
      JSON.stringify({ tenant: 'default', jobId: 'job-b' }),
    ]);
    expect(await pipeline.lake.exists('outbox/job-a/work/part-00000000-llm.jsonl')).toBe(true);
    expect(await drain(url)).toEqual([]);
  });

  it('leaves what the LLM could not answer, and unreadable messages, to redelivery and then the DLQ', async () => {
    const { url, dlq, pipeline } = await setup();
    const c = await job(pipeline, 'c', 3);
    const bodies = [JSON.stringify(c.msg), 'not json', JSON.stringify({ jobId: 'x' })];
    for (const body of bodies) await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: body }));
    ollama.rule = () => ({ kind: 'status', status: 503 });
    const w = worker(url, pipeline);
    expect(await w.pollOnce()).toEqual({ received: 3, completed: 0, leftForRedelivery: 3 });
    expect(await pipeline.results.getItem(c.keys[0])).toBeNull();
    expect(await pipeline.jobs.get('job-c')).toMatchObject({ classified: 5, status: 'running' });
    await new Promise((r) => setTimeout(r, 1_200)); // visibility runs out: delivered again
    expect(await w.pollOnce()).toMatchObject({ received: 3, completed: 0 });
    await new Promise((r) => setTimeout(r, 1_200)); // a third receive exceeds maxReceiveCount: to the DLQ
    expect(await w.pollOnce()).toMatchObject({ received: 0 });
    expect((await drain(dlq)).sort()).toEqual([...bodies].sort());
  });

  it('keeps a slow batch invisible (no second delivery while it runs) and counts the chunk once', async () => {
    const { url, pipeline } = await setup();
    const d = await job(pipeline, 'd', 4);
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: JSON.stringify(d.msg) }));
    ollama.faults.push({ kind: 'slow', ms: 2_500 });
    const running = worker(url, pipeline, {}, 10_000).pollOnce();
    await new Promise((r) => setTimeout(r, 1_800)); // past the 1 s visibility timeout
    const meanwhile = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
    expect(meanwhile.Messages ?? []).toHaveLength(0);
    expect(await running).toEqual({ received: 1, completed: 1, leftForRedelivery: 0 });
    expect(await pipeline.jobs.get('job-d')).toMatchObject({ classified: 9, tierCounts: { rules: 5, llm: 4 } });
    await new Promise((r) => setTimeout(r, 1_200));
    expect(await drain(url)).toEqual([]);
  });

  it('writes unusable answers to review with the reason, answers products cached by its model without asking, asks again what a retired model answered', async () => {
    const { url, pipeline } = await setup();
    const e = await job(pipeline, 'e', 3);
    const texts = e.msg.rows.map((r) => toCascadeItem({ name: r.values[1] }).text);
    // Answered by the model the worker runs (its current version) and by a retired one.
    const llmVersion = `ollama:${configOf('local', {}).ollamaModel}`;
    await pipeline.cache.putMany([
      {
        key: e.keys[0],
        classId: 'food.frozen',
        confidence: 0.9,
        tier: 'llm',
        status: 'ok',
        taxonomyVersion: taxonomy.version,
        modelVersion: llmVersion,
      },
      {
        key: e.keys[2],
        classId: 'food.frozen',
        confidence: 0.9,
        tier: 'llm',
        status: 'ok',
        taxonomyVersion: taxonomy.version,
        modelVersion: 'ollama:retired',
      },
    ]);
    ollama.rule = (asked) => (asked.includes(texts[1]) ? { kind: 'off-taxonomy', texts: [texts[1]] } : undefined);
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: JSON.stringify(e.msg) }));
    expect(await worker(url, pipeline).pollOnce()).toMatchObject({ received: 1, completed: 1 });
    expect(ollama.asked).not.toContain(texts[0]);
    expect(ollama.asked).toContain(texts[2]);
    expect((await pipeline.results.getItem(e.keys[0]))!.current.decision).toMatchObject({ tier: 'cache', classId: 'food.frozen' });
    const bad = (await pipeline.results.getItem(e.keys[1]))!.current.decision;
    expect(bad).toMatchObject({ tier: 'review', status: 'needs_review', classId: 'food.fresh' });
    expect(bad.trace!.steps.at(-1)!.reason).toMatch(/llm failed: .*corrective retry/);
    expect((await pipeline.results.getItem(e.keys[2]))!.current.decision).toMatchObject({ tier: 'llm', classId: leaves[2] });
    expect(await pipeline.jobs.get('job-e')).toMatchObject({ classified: 8, needsReview: 1 });
  });

  it('a message half answered before a failure is redelivered, and only the unanswered rows are sent again', async () => {
    const { url, pipeline } = await setup(5);
    const f = await job(pipeline, 'f', 25);
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: JSON.stringify(f.msg) }));
    ollama.rule = (asked) => (asked.length === 5 ? { kind: 'status', status: 503 } : undefined);
    const w = worker(url, pipeline, {
      tier: createLlmTier(new OllamaLlm(new LlmPrompt(taxonomy), ollamaConfig(configOf('local', {}), { host: ollama.url })), {
        taxonomy,
        batchSize: 20,
        concurrency: 1,
        retries: 1,
        backoffMs: 1,
      }),
    });
    expect(await w.pollOnce()).toEqual({ received: 1, completed: 0, leftForRedelivery: 1 });
    expect(await pipeline.jobs.get('job-f')).toMatchObject({ classified: 5 });
    ollama.rule = undefined;
    ollama.chats.length = 0;
    let again = { received: 0, completed: 0, leftForRedelivery: 0 };
    for (let waited = 0; !again.received && waited < 5_000; waited += 300) {
      await new Promise((r) => setTimeout(r, 300)); // until the visibility timeout lets it come back
      again = await w.pollOnce();
    }
    expect(again).toEqual({ received: 1, completed: 1, leftForRedelivery: 0 });
    expect(ollama.asked).toHaveLength(5);
    expect(await pipeline.jobs.get('job-f')).toMatchObject({ classified: 30, tierCounts: { rules: 5, cache: 20, llm: 5 } });
  });

  it('a message the LLM never answers reaches the DLQ, and its chunk ends failed once, with the reason the worker noted', async () => {
    const { url, dlq, finalize, pipeline } = await setup();
    const g = await job(pipeline, 'g', 3);
    // A second job whose message cannot be read: one row does not fit the header.
    const h = await job(pipeline, 'h', 2);
    const misfit = { ...h.msg, rows: [h.msg.rows[0], { ...h.msg.rows[1], values: ['only', 'two'] }] };
    for (const m of [g.msg, misfit]) await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: JSON.stringify(m) }));
    ollama.rule = () => ({ kind: 'status', status: 503 });
    const w = worker(url, pipeline);
    for (let receives = 0; receives < 3; receives++) {
      if (receives) await new Promise((r) => setTimeout(r, 1_200)); // visibility runs out; the third receive moves them to the DLQ
      await w.pollOnce();
    }
    const dead = await drain(dlq);
    expect(dead).toHaveLength(2);
    // The dead-letter step, twice (a dead letter delivered again), then a late redelivery the worker completes.
    for (const body of [...dead, ...dead]) await recordDeadLetter(pipeline, body, 'dl');
    ollama.rule = undefined;
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: JSON.stringify(g.msg) }));
    expect(await w.pollOnce()).toMatchObject({ received: 1, completed: 1 });

    const jobG = (await pipeline.jobs.get('job-g'))!;
    expect(jobG).toMatchObject({ status: 'finalizing', rowsIn: 8, classified: 5, rejected: 0, failed: 3 });
    expect(jobG.classified + jobG.rejected + jobG.failed!).toBe(jobG.rowsIn);
    expect(jobG.failedChunks).toEqual([
      { chunkId: '00000000-llm', rows: 3, reason: expect.stringMatching(/^llm unavailable: .*503/), at: expect.any(String) },
    ]);
    const jobH = (await pipeline.jobs.get('job-h'))!;
    expect(jobH).toMatchObject({ status: 'finalizing', classified: 5, failed: 2 });
    expect(jobH.failedChunks?.[0].reason).toMatch(/^unreadable LLM queue message: row 7 has 2 fields under a header of 3/);
    expect((await drain(finalize)).sort()).toEqual([
      JSON.stringify({ tenant: 'default', jobId: 'job-g' }),
      JSON.stringify({ tenant: 'default', jobId: 'job-h' }),
    ]);
  });

  describe('a classify chunk that handed rows to the LLM and then failed', () => {
    // Two the shipped rules decide, two no cheaper tier is sure of (the table's cache is shared: new names each time).
    const names = () => ['Organic Whole Milk 1 gal', `Zorblax Quantum Widget ${n}`, 'Sea Salt Kettle Chips 8 oz', `Frobnicator Deluxe Mk ${n}`];
    /** The classify step over the pipeline, with an LLM queue and the shipped rules, and a lake whose part writes fail `failures` times. */
    async function classifying(failures: number) {
      const { url, dlq, finalize, pipeline } = await setup();
      let left = failures;
      const flaky = new (class extends FolderBlobStore {
        override async put(key: string, body: Parameters<FolderBlobStore['put']>[1]): Promise<void> {
          if (key.includes('/work/part-00000000.jsonl') && left-- > 0) throw new Error('S3 answered 500 (InternalError)');
          return super.put(key, body);
        }
      })((pipeline.lake as FolderBlobStore).root);
      const deps: PipelineDeps = { ...pipeline, lake: flaky, llmQueue: new SqsQueue(sqs, url), tiers: () => defaultTiers(taxonomy, {}) };
      const id = `job-handoff-${n}`;
      const NAMES = names();
      await deps.jobs.create({ id, input: `inbox/${id}.csv`, status: 'running', rowsIn: NAMES.length, totalKnown: true });
      const msg: ClassifyMessage = {
        tenant: 'default',
        jobId: id,
        chunk: 0,
        header: ['product_name'],
        rows: NAMES.map((x) => [x]),
        rowNumbers: [1, 2, 3, 4],
      };
      for (const name of NAMES) oracle.set(toCascadeItem({ name }).text, 'non-food.household');
      return { url, dlq, finalize, deps, id, msg, classify: () => classifyMessage(deps, cascadeFactory(deps), msg) };
    }
    const handedOff = async (deps: PipelineDeps, id: string) => (await llmHandoffOf(deps.lake, id, 0))!;

    it('redelivered after the LLM chunk was counted, it counts only the rows it kept: every row once', async () => {
      const { url, finalize, deps, id, classify } = await classifying(1);
      await expect(classify()).rejects.toThrow(/S3 answered 500/);
      const sent = (await handedOff(deps, id)).rows.length;
      expect(sent).toBeGreaterThan(0);
      expect(sent).toBeLessThan(4);
      expect(await worker(url, deps).pollOnce()).toMatchObject({ completed: 1 }); // the LLM chunk, answered and cached
      await classify(); // SQS delivers the chunk again
      await worker(url, deps).pollOnce(); // the LLM message sent again is completed again, and not counted
      const job = (await deps.jobs.get(id))!;
      expect(job).toMatchObject({ status: 'finalizing', rowsIn: 4, classified: 4, rejected: 0 });
      expect(job.tierCounts.llm).toBe(sent);
      expect(await drain(finalize)).toEqual([JSON.stringify({ tenant: 'default', jobId: id })]);
    });

    it('dead, it counts as failed only the rows it kept; the rows it handed off count in the LLM chunk', async () => {
      const { url, deps, id, msg, classify } = await classifying(99);
      await expect(classify()).rejects.toThrow(/S3 answered 500/);
      const sent = (await handedOff(deps, id)).rows.length;
      await recordDeadLetter(deps, JSON.stringify(msg), 'dl-classify');
      expect(await worker(url, deps).pollOnce()).toMatchObject({ completed: 1 });
      const job = (await deps.jobs.get(id))!;
      expect(job).toMatchObject({ status: 'finalizing', rowsIn: 4, classified: sent, failed: 4 - sent });
      expect(job.failedChunks?.map((f) => [f.chunkId, f.rows])).toEqual([['00000000', 4 - sent]]);
    });
  });
});
