/**
 * Classify, the middle step of a queued job: a chunk of rows → the cascade (cache, rules, the encoder when
 * configured) → results stored → the job's counts bumped once per chunk → finalize sent once when the job
 * reconciles. With an LLM queue, the rows no cheaper tier was sure of go there instead of review (the LLM
 * worker completes them as chunk `<chunk>-llm`).
 */
import type { Cascade } from '../core/cascade.ts';
import { resolveColumns } from '../core/csv.ts';
import { itemsOf, recordOf } from './batch.ts';
import type { ClassifyMessage, LlmMessage } from './messages.ts';
import { chunkId, completeChunk, forTenant, type QueuedJobDeps } from './queued.ts';

export async function classifyMessage(shared: QueuedJobDeps, cascade: () => Promise<Cascade>, msg: ClassifyMessage): Promise<void> {
  const deps = forTenant(shared, msg.tenant);
  const items = itemsOf(msg.rows, resolveColumns(msg.header, msg.columns), msg.header.length);
  const decisions = await (await cascade()).forTenant(msg.tenant).classify(items);
  const at = (deps.now?.() ?? new Date()).toISOString();

  const done: Parameters<typeof completeChunk>[1]['rows'] = [];
  const toLlm: LlmMessage['rows'] = [];
  decisions.forEach((decision, i) => {
    const n = msg.rowNumbers[i];
    if (deps.llmQueue && decision.tier === 'review') {
      toLlm.push({ n, values: msg.rows[i], hints: decision.trace?.topK ?? [] });
      return;
    }
    done.push({ n, values: msg.rows[i], record: recordOf(items[i], decision, msg.jobId, n, at) });
  });
  if (toLlm.length) {
    await deps.llmQueue!.send([
      { tenant: msg.tenant, jobId: msg.jobId, chunkId: `${chunkId(msg.chunk)}-llm`, header: msg.header, columns: msg.columns, rows: toLlm },
    ]);
    deps.metrics.addMetric('RowsSentToLlm', 'Count', toLlm.length);
  }
  const counts = await completeChunk(deps, { jobId: msg.jobId, chunkId: chunkId(msg.chunk), rows: done });
  for (const [tier, n] of Object.entries(counts.tierCounts)) deps.metrics.addMetric(`Decided_${tier}`, 'Count', n);
}
