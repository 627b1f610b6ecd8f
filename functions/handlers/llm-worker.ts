/**
 * The ECS LLM worker (a long-running process beside Ollama, not a Lambda). The classify handler sends the
 * rows of a chunk that no cheaper tier was sure of as one message ({jobId, chunkId `<chunk>-llm`, header,
 * rows}); the worker long-polls that queue, sends the rows of the messages it holds through the LLM tier in
 * batches, keeps the messages invisible while that is slow, and completes each message's chunk (results,
 * work part, counts once, finalize when the job reconciles) before deleting exactly that message.
 *
 * A message whose rows the LLM could not be asked about (unreachable, 5xx after retries, breaker open) is
 * neither completed nor deleted: SQS delivers it again and, after maxReceiveCount, moves it to the DLQ.
 * Answers already given are cached first, so a redelivery does not send them again. Why a message was left is
 * noted on its chunk (as the classify Lambda does), so that when the dead-letter step counts the chunk as
 * failed, the job's failedChunks say why.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { reviewDecision } from '../core/cascade.ts';
import { cascadeItemOf, resolveColumns } from '../core/csv.ts';
import { createLlmTier, LLM_UNAVAILABLE, retryThroughLlm } from '../core/llm-tier.ts';
import type { Decision, Tier, Trace } from '../core/types.ts';
import { recordOf } from '../pipeline/batch.ts';
import { type LlmMessage, llmMessageSchema, parseMessage } from '../pipeline/messages.ts';
import { completeChunk, forTenant } from '../pipeline/queued.ts';
import type { ItemRecord } from '../ports.ts';
import type { PipelineDeps } from './pipeline.ts';

export interface LlmWorkerDeps {
  pipeline: PipelineDeps;
  sqs: Pick<SQSClient, 'send'>;
  queueUrl: string;
  tier: Tier;
  /** Long-poll wait, seconds (default 20, the SQS maximum). */
  waitTimeS?: number;
  /** Visibility a received message gets, renewed every third of it while its rows are with the LLM (default 300 s). */
  visibilityTimeoutS?: number;
}

export interface PollResult {
  received: number;
  /** Messages whose chunk was completed (results written, counted) and deleted. */
  completed: number;
  /** Left for redelivery and eventually the DLQ: unreadable messages, rows the LLM could not be asked about. */
  leftForRedelivery: number;
}

export interface LlmWorker {
  pollOnce(): Promise<PollResult>;
  /** Polls until the signal aborts (SIGTERM on ECS), finishing the messages in hand. */
  run(signal: AbortSignal): Promise<void>;
}

/** Rows by their tenant: a batch may hold messages of several tenants' jobs. */
function byTenant(rows: Row[]): Map<string, Row[]> {
  const out = new Map<string, Row[]>();
  for (const row of rows) out.set(row.tenant, [...(out.get(row.tenant) ?? []), row]);
  return out;
}

interface Row {
  message: number;
  /** The tenant of the row's job: its cache answers it, its store keeps it. */
  tenant: string;
  n: number;
  values: string[];
  record: ItemRecord;
  unavailable?: boolean;
}

/**
 * Long on purpose: one closure; pollOnce, run and their helpers share the deps, the wait and visibility settings
 * and the taxonomy.
 */
export function makeWorker(deps: LlmWorkerDeps): LlmWorker {
  const { pipeline } = deps;
  const waitTimeS = deps.waitTimeS ?? 20;
  const visibility = deps.visibilityTimeoutS ?? 300;
  const taxonomy = pipeline.taxonomy;

  /** Renews the visibility of the messages every third of the timeout until stopped. */
  function keepInvisible(messages: Message[]): () => void {
    const entries = messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle!, VisibilityTimeout: visibility }));
    const timer = setInterval(
      () => {
        deps.sqs
          .send(new ChangeMessageVisibilityBatchCommand({ QueueUrl: deps.queueUrl, Entries: entries }))
          .catch((err: Error) => pipeline.logger.warn('could not extend message visibility', { error: err.message }));
      },
      (visibility * 1000) / 3,
    );
    return () => clearInterval(timer);
  }

  /** The row as it waits for the LLM: in review with the best hint, so a failure still has a guess. */
  function pendingRecord(msg: LlmMessage, row: LlmMessage['rows'][number], at: string): ItemRecord {
    if (row.values.length !== msg.header.length)
      throw new Error(`row ${row.n} has ${row.values.length} fields under a header of ${msg.header.length}`);
    const item = cascadeItemOf(row.values, resolveColumns(msg.header, msg.columns));
    const trace = { steps: [], topK: row.hints, totalMs: 0, costUnits: 0 };
    const decision = reviewDecision(item.key, trace, taxonomy.version, 'no tier was confident: best guess kept for review');
    return recordOf(item, decision, msg.jobId, undefined, at);
  }

  /** Keeps why a message's chunk was left for redelivery; a failure to note it must not hide the error itself. */
  async function noteError(msg: LlmMessage, reason: string): Promise<void> {
    try {
      await pipeline.jobs.forTenant(msg.tenant).noteError(msg.jobId, msg.chunkId, reason);
    } catch (err) {
      pipeline.logger.warn('could not note the chunk error', { jobId: msg.jobId, chunkId: msg.chunkId, error: (err as Error).message });
    }
  }

  /** Completes and deletes each message whose rows all have their result: a chunk counts once and whole. */
  async function completeAnswered(messages: Message[], parsed: (LlmMessage | undefined)[], rows: Row[]): Promise<Message[]> {
    const done: Message[] = [];
    for (let i = 0; i < messages.length; i++) {
      const msg = parsed[i];
      if (!msg) continue;
      const mine = rows.filter((r) => r.message === i);
      const unanswered = mine.find((r) => r.unavailable);
      if (unanswered) {
        await noteError(msg, unanswered.record.decision.trace?.steps.at(-1)?.reason ?? LLM_UNAVAILABLE);
        continue;
      }
      try {
        await completeChunk(forTenant(pipeline, msg.tenant), {
          jobId: msg.jobId,
          chunkId: msg.chunkId,
          rows: mine.map(({ n, values, record }) => ({ n, values, record })),
        });
        done.push(messages[i]);
      } catch (err) {
        pipeline.logger.error('could not complete an LLM chunk; it will be delivered again', {
          jobId: msg.jobId,
          chunkId: msg.chunkId,
          error: (err as Error).message,
        });
        await noteError(msg, (err as Error).message);
      }
    }
    if (done.length) {
      const del = await deps.sqs.send(
        new DeleteMessageBatchCommand({ QueueUrl: deps.queueUrl, Entries: done.map((m, j) => ({ Id: String(j), ReceiptHandle: m.ReceiptHandle! })) }),
      );
      // A failed delete means a redelivery: completing again is idempotent (same records, chunk counted once).
      for (const f of del.Failed ?? []) pipeline.logger.warn('could not delete a completed message', { id: f.Id, code: f.Code });
    }
    return done;
  }

  /**
   * Each message's rows as pending records; an unreadable message is logged and left for the DLQ, and when it
   * names its chunk (rows that do not fit its header), the reason is noted there.
   */
  async function parseMessages(messages: Message[], at: string): Promise<{ parsed: (LlmMessage | undefined)[]; rows: Row[] }> {
    const parsed: (LlmMessage | undefined)[] = [];
    const rows: Row[] = [];
    for (const [i, m] of messages.entries()) {
      const left = (error: string, jobId?: string) =>
        pipeline.logger.error('unreadable LLM queue message left for the DLQ', { messageId: m.MessageId, jobId, error });
      let msg: LlmMessage;
      try {
        msg = parseMessage(llmMessageSchema, m.Body ?? '');
      } catch (err) {
        left((err as Error).message);
        continue;
      }
      try {
        rows.push(...msg.rows.map((r) => ({ message: i, tenant: msg.tenant, n: r.n, values: r.values, record: pendingRecord(msg, r, at) })));
        parsed[i] = msg;
      } catch (err) {
        left((err as Error).message, msg.jobId);
        await noteError(msg, `unreadable LLM queue message: ${(err as Error).message}`);
      }
    }
    return { parsed, rows };
  }

  /** Gives each row its result: from the cache if answered since it was queued, otherwise from the LLM tier. */
  async function answer(rows: Row[]): Promise<void> {
    // Answered since they were queued (a redelivery, the same product in another job of the tenant): from its cache.
    const hits = new Map<string, Map<string, Decision>>();
    for (const [tenant, mine] of byTenant(rows)) {
      hits.set(
        tenant,
        await pipeline.cache.forTenant(tenant).getMany(
          mine.map((r) => r.record.decision.key),
          taxonomy.version,
        ),
      );
    }
    const ask: Row[] = [];
    for (const row of rows) {
      const hit = hits.get(row.tenant)!.get(row.record.decision.key);
      // An answer of another LLM model than this worker runs is retired: asked again (as in the cascade).
      if (!hit || (hit.tier === 'llm' && hit.modelVersion !== deps.tier.version)) {
        ask.push(row);
        continue;
      }
      const reason = `cached decision of tier ${hit.tier}`;
      const trace: Trace = { steps: [{ tier: 'cache', outcome: 'decided', reason }], topK: [], totalMs: 0, costUnits: 0 };
      row.record = { ...row.record, decision: { ...hit, key: row.record.decision.key, tier: 'cache', reason, trace } };
    }
    const answered = await retryThroughLlm(
      ask.map((r) => r.record),
      deps.tier,
      taxonomy.version,
    );
    answered.forEach((record, j) => {
      const last = record.decision.trace?.steps.at(-1);
      ask[j].record = record;
      ask[j].unavailable = last?.outcome === 'error' && !!last.reason?.startsWith(LLM_UNAVAILABLE);
    });
    const fresh = ask.filter((r) => r.record.decision.tier === 'llm');
    for (const [tenant, mine] of byTenant(fresh)) {
      await pipeline.cache.forTenant(tenant).putMany(mine.map((r) => r.record.decision));
    }
  }

  async function pollOnce(): Promise<PollResult> {
    const res = await deps.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: deps.queueUrl,
        MaxNumberOfMessages: 10, // the SQS maximum: their rows are batched together for the LLM
        WaitTimeSeconds: waitTimeS,
        VisibilityTimeout: visibility,
      }),
    );
    const messages = res.Messages ?? [];
    if (!messages.length) return { received: 0, completed: 0, leftForRedelivery: 0 };
    const at = new Date().toISOString();

    const { parsed, rows } = await parseMessages(messages, at);

    const stop = keepInvisible(messages);
    try {
      await answer(rows);
    } catch (err) {
      // The cache or the tier failing as a whole: every message is delivered again; each chunk keeps why.
      for (const msg of parsed) if (msg) await noteError(msg, (err as Error).message);
      throw err;
    } finally {
      stop();
    }

    const done = await completeAnswered(messages, parsed, rows);
    const result = { received: messages.length, completed: done.length, leftForRedelivery: messages.length - done.length };
    pipeline.logger.info('llm messages handled', { ...result, rows: rows.length });
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
        pipeline.logger.error('llm worker poll failed', { error: (err as Error).message, failures });
        await new Promise((r) => setTimeout(r, Math.min(30_000, 500 * 2 ** failures)));
      }
    }
  }

  return { pollOnce, run };
}

/** ECS entry: the pipeline's AWS wiring (DynamoDB, S3, SQS) and the Ollama tier beside the worker. */
export async function main(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const { makeClients } = await import('../adapters/aws/clients.ts');
  const { configOf } = await import('../config/deployables.ts');
  const { pipelineDeps } = await import('./deps.ts');
  const { createOllamaLlm } = await import('../adapters/ollama.ts');
  const { loadFewShotExamples } = await import('../tiers/few-shot.ts');
  const config = configOf('llm-worker', env);
  const clients = makeClients();
  const wired = pipelineDeps(clients, config);
  // The items it decides go into the similar-products index as it saves them, as classify's do.
  const { indexedOnS3Vectors } = await import('./item-vectors.ts');
  const pipeline = config.vectorIndexArn ? { ...wired, results: indexedOnS3Vectors(wired.results, config.vectorIndexArn, wired.lake) } : wired;
  const { llm, ...batching } = createOllamaLlm(pipeline.taxonomy, await loadFewShotExamples(pipeline.taxonomy, { store: pipeline.results }), config);
  const tier = createLlmTier(llm, { ...batching, taxonomy: pipeline.taxonomy, notify: (m) => pipeline.logger.warn(m) });
  pipeline.logger.info('llm worker starting', { ollama: llm.where, model: llm.model, queue: config.llmQueueUrl });
  const stop = new AbortController();
  process.once('SIGTERM', () => stop.abort());
  process.once('SIGINT', () => stop.abort());
  await makeWorker({ pipeline, sqs: clients.sqs, queueUrl: config.llmQueueUrl, tier }).run(stop.signal);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main().catch((err: unknown) => {
    console.error(JSON.stringify({ level: 'ERROR', message: 'llm worker failed', error: (err as Error).stack ?? String(err) }));
    process.exit(1);
  });
}
