/**
 * Classify, the middle step of a queued job: a chunk of rows → the cascade (cache, rules, the encoder when
 * configured) → results stored → the job's counts bumped once per chunk → finalize sent once when the job
 * reconciles. With an LLM queue, the rows no cheaper tier was sure of go there instead of review (the LLM
 * worker completes them as chunk `<chunk>-llm`).
 *
 * Which rows a chunk hands to the LLM is kept (llmHandoffKey) before they are sent: a redelivered chunk hands off
 * the same rows again rather than counting them itself (the cache may know them by then, and they count in the
 * LLM chunk), and a chunk that fails for good counts only the rest as failed (dead-letters.ts).
 */
import { text } from 'node:stream/consumers';
import type { Cascade } from '../core/cascade.ts';
import { resolveColumns } from '../core/csv.ts';
import type { BlobStore } from '../ports.ts';
import { itemsOf, recordOf } from './batch.ts';
import { type ClassifyMessage, type LlmMessage, llmMessageSchema } from './messages.ts';
import { chunkId, completeChunk, forTenant, type QueuedJobDeps } from './queued.ts';

export const llmHandoffKey = (jobId: string, chunk: number) => `outbox/${jobId}/work/llm-${chunkId(chunk)}.json`;

/** The LLM message a chunk sent on an earlier delivery, if it sent one. */
export async function llmHandoffOf(lake: BlobStore, jobId: string, chunk: number): Promise<LlmMessage | undefined> {
  const body = await lake.get(llmHandoffKey(jobId, chunk));
  return body ? llmMessageSchema.parse(JSON.parse(await text(body))) : undefined;
}

export async function classifyMessage(shared: QueuedJobDeps, cascade: () => Promise<Cascade>, msg: ClassifyMessage): Promise<void> {
  const deps = forTenant(shared, msg.tenant);
  const handedOff = deps.llmQueue ? await llmHandoffOf(deps.lake, msg.jobId, msg.chunk) : undefined;
  const gone = new Set(handedOff?.rows.map((r) => r.n));
  const mine = msg.rowNumbers.flatMap((n, i) => (gone.has(n) ? [] : [i]));
  const rows = mine.map((i) => msg.rows[i]);
  const items = itemsOf(rows, resolveColumns(msg.header, msg.columns), msg.header.length);
  const decisions = await (await cascade()).forTenant(msg.tenant).classify(items);
  const at = (deps.now?.() ?? new Date()).toISOString();

  const done: Parameters<typeof completeChunk>[1]['rows'] = [];
  const toLlm: LlmMessage['rows'] = [];
  decisions.forEach((decision, j) => {
    const n = msg.rowNumbers[mine[j]];
    if (deps.llmQueue && !handedOff && decision.tier === 'review') {
      toLlm.push({ n, values: rows[j], hints: decision.trace?.topK ?? [] });
      return;
    }
    done.push({ n, values: rows[j], record: recordOf(items[j], decision, msg.jobId, n, at) });
  });
  // Sent again on a redelivery (the first send may have failed): the LLM worker counts its chunk once.
  const llm =
    handedOff ??
    (toLlm.length
      ? { tenant: msg.tenant, jobId: msg.jobId, chunkId: `${chunkId(msg.chunk)}-llm`, header: msg.header, columns: msg.columns, rows: toLlm }
      : undefined);
  if (llm) {
    if (!handedOff) await deps.lake.put(llmHandoffKey(msg.jobId, msg.chunk), JSON.stringify(llm), 'application/json');
    await deps.llmQueue!.send([llm]);
    deps.metrics.addMetric('RowsSentToLlm', 'Count', llm.rows.length);
  }
  const counts = await completeChunk(deps, { jobId: msg.jobId, chunkId: chunkId(msg.chunk), rows: done });
  for (const [tier, n] of Object.entries(counts.tierCounts)) deps.metrics.addMetric(`Decided_${tier}`, 'Count', n);
}
