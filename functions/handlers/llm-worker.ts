/**
 * The ECS LLM worker (a long-running process beside Ollama, not a Lambda): long-polls the LLM queue,
 * gathers a batch, keeps the messages invisible while the batch is slow, sends the items through the LLM
 * tier, writes the results through the ResultStore and deletes exactly the messages whose result it wrote.
 * Items the LLM could not be asked about (unreachable, 5xx after retries, breaker open) are neither written
 * nor deleted: SQS delivers them again and, after maxReceiveCount, moves them to the DLQ. Their stored
 * state meanwhile is the review guess the classify handler wrote, so nothing is lost.
 */
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { llmQueueMessageSchema, pendingRecord, type LlmQueueMessage } from '../core/llm-message.ts';
import { LLM_UNAVAILABLE, retryThroughLlm } from '../core/llm-tier.ts';
import type { Tier } from '../core/types.ts';
import type { Cache, ItemRecord, ResultStore } from '../ports.ts';

export interface LlmWorkerDeps {
  sqs: Pick<SQSClient, 'send'>;
  queueUrl: string;
  tier: Tier;
  store: ResultStore;
  /** LLM answers are cached under key + taxonomy version, so the same product is never sent twice. */
  cache?: Cache;
  /** Messages per LLM batch (default 20). */
  batchSize?: number;
  /** Long-poll wait of the first receive of a batch, seconds (default 20, the SQS maximum). */
  waitTimeS?: number;
  /** Visibility a received message gets, renewed every third of it while its batch runs (default 120 s). */
  visibilityTimeoutS?: number;
  log?: (message: string, extra?: Record<string, unknown>) => void;
}

export interface PollResult {
  received: number;
  written: number;
  deleted: number;
  /** Left for redelivery (and eventually the DLQ): unreadable messages and items the LLM could not be asked about. */
  leftForRedelivery: number;
}

export interface LlmWorker {
  pollOnce(): Promise<PollResult>;
  /** Polls until the signal aborts (SIGTERM on ECS), finishing the batch in hand. */
  run(signal: AbortSignal): Promise<void>;
}

export function makeWorker(deps: LlmWorkerDeps): LlmWorker {
  const batchSize = deps.batchSize ?? 20;
  const waitTimeS = deps.waitTimeS ?? 20;
  const visibility = deps.visibilityTimeoutS ?? 120;
  const log = deps.log ?? ((m, extra) => console.log(JSON.stringify({ level: 'info', message: m, ...extra })));

  async function receive(): Promise<Message[]> {
    const out: Message[] = [];
    while (out.length < batchSize) {
      const res = await deps.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: deps.queueUrl,
          MaxNumberOfMessages: Math.min(10, batchSize - out.length),
          // Wait on the first call only; then take what is already there and go.
          WaitTimeSeconds: out.length ? 0 : waitTimeS,
          VisibilityTimeout: visibility,
        }),
      );
      const got = res.Messages ?? [];
      out.push(...got);
      if (!got.length) break;
    }
    return out;
  }

  /** Renews the visibility of the batch's messages every third of the timeout until stopped. */
  function keepInvisible(messages: Message[]): () => void {
    const timer = setInterval(() => {
      const entries = messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle!, VisibilityTimeout: visibility }));
      void (async () => {
        for (let i = 0; i < entries.length; i += 10) {
          await deps.sqs.send(new ChangeMessageVisibilityBatchCommand({ QueueUrl: deps.queueUrl, Entries: entries.slice(i, i + 10) }));
        }
      })().catch((err: Error) => log('could not extend message visibility', { error: err.message }));
    }, (visibility * 1000) / 3);
    return () => clearInterval(timer);
  }

  async function pollOnce(): Promise<PollResult> {
    const messages = await receive();
    if (!messages.length) return { received: 0, written: 0, deleted: 0, leftForRedelivery: 0 };
    const valid: { message: Message; body: LlmQueueMessage }[] = [];
    for (const message of messages) {
      let body: unknown;
      try {
        body = JSON.parse(message.Body ?? '');
      } catch {
        body = undefined;
      }
      const parsed = llmQueueMessageSchema.safeParse(body);
      if (parsed.success) valid.push({ message, body: parsed.data });
      else log('unreadable LLM queue message left for the DLQ', { messageId: message.MessageId, error: parsed.error?.issues[0]?.message ?? 'not JSON' });
    }

    // A product answered since it was queued (a duplicate, another job) is answered from the cache, not sent again.
    const cached = new Map<number, ItemRecord>();
    if (deps.cache && valid.length) {
      for (const version of new Set(valid.map((v) => v.body.taxonomyVersion))) {
        const hits = await deps.cache.getMany(valid.filter((v) => v.body.taxonomyVersion === version).map((v) => v.body.key), version);
        valid.forEach((v, i) => {
          const hit = hits.get(v.body.key);
          if (!hit || v.body.taxonomyVersion !== version) return;
          const rec = pendingRecord(v.body);
          const reason = `cached decision of tier ${hit.tier}`;
          const trace = rec.decision.trace!;
          cached.set(i, { ...rec, decision: { ...hit, key: v.body.key, tier: 'cache', reason, trace: { ...trace, steps: [...trace.steps, { tier: 'cache', outcome: 'decided', reason }] } } });
        });
      }
    }
    const toAsk = valid.map((_, i) => i).filter((i) => !cached.has(i));

    const stop = keepInvisible(messages);
    let results: ItemRecord[];
    try {
      const asked = await retryThroughLlm(toAsk.map((i) => pendingRecord(valid[i].body)), deps.tier, valid[0]?.body.taxonomyVersion ?? '');
      results = valid.map((_, i) => cached.get(i) ?? asked[toAsk.indexOf(i)]);
    } finally {
      stop();
    }

    // Written: labelled items and items the LLM answered unusably (in review with the reason). Not written:
    // items it could not be asked about — they come back from SQS, or go to the DLQ.
    const write: { message: Message; record: ItemRecord }[] = [];
    results.forEach((record, i) => {
      const last = record.decision.trace?.steps.at(-1);
      if (last?.outcome === 'error' && last.reason?.startsWith(LLM_UNAVAILABLE)) return;
      write.push({ message: valid[i].message, record: { ...record, decision: { ...record.decision, taxonomyVersion: valid[i].body.taxonomyVersion } } });
    });
    if (write.length) {
      await deps.store.saveDecisions(write.map((w) => w.record));
      const decided = write.map((w) => w.record.decision).filter((d) => d.tier === 'llm');
      if (decided.length) await deps.cache?.putMany(decided);
    }

    let deleted = 0;
    for (let i = 0; i < write.length; i += 10) {
      const chunk = write.slice(i, i + 10);
      const res = await deps.sqs.send(
        new DeleteMessageBatchCommand({ QueueUrl: deps.queueUrl, Entries: chunk.map((w, j) => ({ Id: String(j), ReceiptHandle: w.message.ReceiptHandle! })) }),
      );
      deleted += res.Successful?.length ?? 0;
      // A failed delete means a redelivery: the result is written again, idempotently (same key, same answer from the cache).
      for (const f of res.Failed ?? []) log('could not delete a written message', { id: f.Id, code: f.Code });
    }
    const result = { received: messages.length, written: write.length, deleted, leftForRedelivery: messages.length - write.length };
    log('llm batch done', { ...result });
    return result;
  }

  async function run(signal: AbortSignal): Promise<void> {
    let failures = 0;
    while (!signal.aborted) {
      try {
        await pollOnce();
        failures = 0;
      } catch (err) {
        // SQS or the store failing: nothing was deleted, so nothing is lost; wait a little and go on.
        failures++;
        log('llm worker poll failed', { error: (err as Error).message, failures });
        await new Promise((r) => setTimeout(r, Math.min(30_000, 500 * 2 ** failures)));
      }
    }
  }

  return { pollOnce, run };
}

/** ECS entry: AWS clients and the DynamoDB store, Ollama beside the worker in the same task. */
export async function main(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const { configFromEnv, makeClients } = await import('../adapters/aws/clients.ts');
  const { DynamoCache, DynamoResultStore } = await import('../adapters/aws/dynamodb.ts');
  const { createOllamaTier } = await import('../adapters/ollama.ts');
  const { loadTaxonomy } = await import('../core/taxonomy.ts');
  const config = configFromEnv(env);
  if (!config.llmQueueUrl) throw new Error('environment variable LLM_QUEUE_URL is not set');
  const clients = makeClients();
  const cache = new DynamoCache(clients.dynamo, config.tableName);
  const store = new DynamoResultStore(clients.dynamo, config.tableName, cache);
  const taxonomy = loadTaxonomy();
  const log = (message: string, extra?: Record<string, unknown>) => console.log(JSON.stringify({ level: 'info', message, ...extra }));
  const { tier, llm } = await createOllamaTier({ taxonomy, env, examples: { store }, tier: { notify: (m) => log(m) } });
  log('llm worker starting', { ollama: llm.where, model: llm.model, queue: config.llmQueueUrl });
  const stop = new AbortController();
  process.once('SIGTERM', () => stop.abort());
  process.once('SIGINT', () => stop.abort());
  await makeWorker({ sqs: clients.sqs, queueUrl: config.llmQueueUrl, tier, store, cache, batchSize: llm.config.batchSize, log }).run(stop.signal);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main().catch((err: unknown) => {
    console.error(JSON.stringify({ level: 'error', message: 'llm worker failed', error: (err as Error).stack ?? String(err) }));
    process.exit(1);
  });
}
