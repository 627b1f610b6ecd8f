/**
 * The ECS LLM worker against local-aws-sqs (queue + DLQ with a redrive policy), the Ollama test server and
 * an in-memory store: batches, visibility kept while slow, results written, only written messages deleted,
 * failures left to redelivery and the DLQ.
 */
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { OllamaLlm, ollamaConfig } from '../../functions/adapters/ollama.ts';
import { LlmPrompt } from '../../functions/core/llm-prompt.ts';
import type { LlmQueueMessage } from '../../functions/core/llm-message.ts';
import { createLlmTier } from '../../functions/core/llm-tier.ts';
import { toCascadeItem } from '../../functions/core/normalize.ts';
import { loadTaxonomy } from '../../functions/core/taxonomy.ts';
import { makeWorker, type LlmWorkerDeps } from '../../functions/handlers/llm-worker.ts';
import { startLocalSqs, type Emulator } from '../support/emulators.ts';
import { MemoryStore } from '../support/memory-store.ts';
import { OllamaTestServer } from '../support/ollama-test-server.ts';

const taxonomy = loadTaxonomy();
const leaves = taxonomy.leaves.map((c) => c.id);
const oracle = new Map<string, string>();

function messages(n: number, tag: string): LlmQueueMessage[] {
  return Array.from({ length: n }, (_, i) => {
    const it = toCascadeItem({ name: `Worker ${tag}${i} Product` });
    oracle.set(it.text, leaves[i % leaves.length]);
    const hints = [{ classId: 'food.fresh', score: 0.41 }];
    return {
      key: it.key, text: it.text, input: { name: it.name }, jobId: `job-${tag}`, taxonomyVersion: taxonomy.version, hints,
      trace: { steps: [{ tier: 'rules', outcome: 'deferred', reason: 'no rule' }, { tier: 'encoder', outcome: 'deferred', reason: 'top 0.41 < 0.80' }], topK: hints, totalMs: 1, costUnits: 0 },
    };
  });
}

let sqsEmu: Emulator;
let sqs: SQSClient;
let ollama: OllamaTestServer;
let n = 0;

beforeAll(async () => {
  sqsEmu = await startLocalSqs();
  sqs = sqsEmu.clients.sqs;
  ollama = await new OllamaTestServer({ oracle: (t) => oracle.get(t) ?? 'unknown' }).start();
});
afterAll(async () => {
  await ollama.stop();
  await sqsEmu.stop();
});
beforeEach(() => {
  ollama.faults.length = 0;
  ollama.rule = undefined;
  ollama.chats.length = 0;
});

/** A fresh queue with its DLQ (maxReceiveCount 2), per test. */
async function queues(): Promise<{ url: string; dlq: string }> {
  n++;
  const dlq = (await sqs.send(new CreateQueueCommand({ QueueName: `llm-dlq-${n}` }))).QueueUrl!;
  const arn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlq, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
  const url = (await sqs.send(new CreateQueueCommand({
    QueueName: `llm-${n}`,
    Attributes: { VisibilityTimeout: '1', RedrivePolicy: JSON.stringify({ deadLetterTargetArn: arn, maxReceiveCount: 2 }) },
  }))).QueueUrl!;
  return { url, dlq };
}

async function send(url: string, bodies: string[]) {
  for (let i = 0; i < bodies.length; i += 10) {
    await sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: bodies.slice(i, i + 10).map((b, j) => ({ Id: String(j), MessageBody: b })) }));
  }
}

async function drain(url: string): Promise<string[]> {
  const out: string[] = [];
  for (;;) {
    const res = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
    if (!res.Messages?.length) return out;
    out.push(...res.Messages.map((m) => m.Body!));
  }
}

function worker(url: string, store: MemoryStore, over: Partial<LlmWorkerDeps> = {}, timeoutMs = 2_000) {
  const llm = new OllamaLlm(new LlmPrompt(taxonomy), ollamaConfig({}, { host: ollama.url, timeoutMs }));
  const tier = createLlmTier(llm, { taxonomy, batchSize: 20, retries: 1, backoffMs: 1, maxBackoffMs: 2 });
  return makeWorker({ sqs, queueUrl: url, tier, store, cache: store, batchSize: 20, waitTimeS: 0, visibilityTimeoutS: 1, log: () => {}, ...over });
}

describe('llm worker', () => {
  it('batches messages, writes tier=llm results keeping earlier trace steps, deletes what it wrote', async () => {
    const { url } = await queues();
    const msgs = messages(25, 'a');
    await send(url, msgs.map((m) => JSON.stringify(m)));
    const store = new MemoryStore();
    const w = worker(url, store);
    const first = await w.pollOnce();
    const second = await w.pollOnce();
    expect(first).toMatchObject({ received: 20, written: 20, deleted: 20, leftForRedelivery: 0 });
    expect(second).toMatchObject({ received: 5, written: 5, deleted: 5 });
    expect(ollama.chats.map((c) => c.texts.length)).toEqual([20, 5]);
    for (const m of msgs) {
      expect(store.items.get(m.key)).toHaveLength(1);
      const rec = store.current(m.key)!;
      expect(rec).toMatchObject({ jobId: 'job-a', decision: { tier: 'llm', status: 'ok', classId: oracle.get(m.text), taxonomyVersion: taxonomy.version } });
      expect(rec.decision.trace!.steps.map((s) => s.tier)).toEqual(['rules', 'encoder', 'llm']);
    }
    expect(store.cache.size).toBe(25);
    expect(await drain(url)).toEqual([]);
  });

  it('leaves what the LLM could not answer, and unreadable messages, to redelivery and then the DLQ', async () => {
    const { url, dlq } = await queues();
    const msgs = messages(3, 'b');
    await send(url, [...msgs.map((m) => JSON.stringify(m)), 'not json', JSON.stringify({ key: 'x' })]);
    ollama.rule = () => ({ kind: 'status', status: 503 });
    const store = new MemoryStore();
    const w = worker(url, store);
    const first = await w.pollOnce();
    expect(first).toMatchObject({ received: 5, written: 0, deleted: 0, leftForRedelivery: 5 });
    expect(store.items.size).toBe(0);
    await new Promise((r) => setTimeout(r, 1_200)); // visibility runs out: delivered again
    expect(await w.pollOnce()).toMatchObject({ received: 5, written: 0, deleted: 0 });
    await new Promise((r) => setTimeout(r, 1_200)); // a third receive exceeds maxReceiveCount: to the DLQ
    expect(await w.pollOnce()).toMatchObject({ received: 0 });
    const dead = await drain(dlq);
    expect(dead.sort()).toEqual([...msgs.map((m) => JSON.stringify(m)), 'not json', JSON.stringify({ key: 'x' })].sort());
  });

  it('keeps a slow batch invisible (no second delivery while it runs) and writes each item once', async () => {
    const { url } = await queues();
    const msgs = messages(4, 'c');
    await send(url, msgs.map((m) => JSON.stringify(m)));
    ollama.faults.push({ kind: 'slow', ms: 2_500 });
    const store = new MemoryStore();
    const w = worker(url, store, {}, 10_000);
    const running = w.pollOnce();
    await new Promise((r) => setTimeout(r, 1_800)); // past the 1 s visibility timeout
    const meanwhile = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
    expect(meanwhile.Messages ?? []).toHaveLength(0);
    expect(await running).toMatchObject({ received: 4, written: 4, deleted: 4 });
    for (const m of msgs) expect(store.items.get(m.key)).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 1_200));
    expect(await drain(url)).toEqual([]);
  });

  it('writes unusable answers as needs_review with the reason, and answers already cached without asking', async () => {
    const { url } = await queues();
    const msgs = messages(3, 'd');
    const store = new MemoryStore();
    await store.putMany([{ key: msgs[0].key, classId: 'food.frozen', confidence: 0.9, tier: 'llm', status: 'ok', taxonomyVersion: taxonomy.version }]);
    ollama.rule = (texts) => (texts.includes(msgs[1].text) ? { kind: 'off-taxonomy', texts: [msgs[1].text] } : undefined);
    await send(url, msgs.map((m) => JSON.stringify(m)));
    expect(await worker(url, store).pollOnce()).toMatchObject({ received: 3, written: 3, deleted: 3 });
    expect(ollama.asked).not.toContain(msgs[0].text);
    expect(store.current(msgs[0].key)!.decision).toMatchObject({ tier: 'cache', classId: 'food.frozen' });
    expect(store.current(msgs[1].key)!.decision).toMatchObject({ tier: 'review', status: 'needs_review', classId: 'food.fresh' });
    expect(store.current(msgs[1].key)!.decision.trace!.steps.at(-1)!.reason).toMatch(/llm failed: .*corrective retry/);
    expect(store.current(msgs[2].key)!.decision).toMatchObject({ tier: 'llm', classId: oracle.get(msgs[2].text) });
  });
});
