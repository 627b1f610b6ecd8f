/**
 * Classify Lambda: SQS batch of row chunks → cascade (DynamoDB cache, rules, the SageMaker encoder when
 * configured) → results stored → the job's counts bumped once per chunk → finalize sent once when the job
 * reconciles. With LLM_ENABLED=true the rows no cheaper tier was sure of go to the LLM queue (the LLM worker
 * completes them as chunk `<chunk>-llm`) instead of review. A failing message is reported in
 * batchItemFailures: only it is retried, and after maxReceiveCount it lands in the DLQ.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { cascadeItemOf, resolveColumns } from '../core/csv.ts';
import type { ProductInput } from '../core/types.ts';
import { awsDeps } from './deps.ts';
import { classifyMessageSchema, parseMessage, type LlmMessage } from './messages.ts';
import { cascadeFactory, chunkId, completeChunk, type PipelineDeps } from './pipeline.ts';

export async function classifyChunk(deps: PipelineDeps, cascade: ReturnType<typeof cascadeFactory>, body: string): Promise<void> {
  const msg = parseMessage(classifyMessageSchema, body);
  const columns = resolveColumns(msg.header);
  const items = msg.rows.map((values) => {
    if (values.length !== msg.header.length) throw new Error(`row of ${values.length} fields under a header of ${msg.header.length}`);
    return cascadeItemOf(values, columns);
  });
  const inputs: ProductInput[] = items.map(({ name, brand, searchTerm, description }) => ({ name, brand, searchTerm, description }));
  const decisions = await (await cascade()).classify(items);
  const at = (deps.now?.() ?? new Date()).toISOString();

  const done: Parameters<typeof completeChunk>[1]['rows'] = [];
  const toLlm: LlmMessage['rows'] = [];
  decisions.forEach((decision, i) => {
    const n = msg.rowNumbers[i];
    if (deps.llmQueue && decision.tier === 'review') {
      toLlm.push({ n, values: msg.rows[i], hints: decision.trace?.topK ?? [] });
      return;
    }
    done.push({ n, values: msg.rows[i], record: { decision, input: inputs[i], text: items[i].text, jobId: msg.jobId, row: n, at } });
  });
  if (toLlm.length) {
    await deps.llmQueue!.send([{ jobId: msg.jobId, chunkId: `${chunkId(msg.chunk)}-llm`, header: msg.header, rows: toLlm }]);
    deps.metrics.addMetric('RowsSentToLlm', MetricUnit.Count, toLlm.length);
  }
  await completeChunk(deps, { jobId: msg.jobId, chunkId: chunkId(msg.chunk), rows: done });
  const byTier = new Map<string, number>();
  for (const d of done) byTier.set(d.record.decision.tier, (byTier.get(d.record.decision.tier) ?? 0) + 1);
  for (const [tier, n] of byTier) deps.metrics.addMetric(`Decided_${tier}`, MetricUnit.Count, n);
}

/**
 * `parallel` (default true) classifies a batch's chunks concurrently, as Lambda should: DynamoDB applies each
 * chunk's counter update atomically. moto_server does not (it applies concurrent updates to one item without a
 * lock), so the moto end-to-end test turns it off.
 */
export function makeHandler(deps: PipelineDeps | (() => PipelineDeps), opts: { parallel?: boolean } = {}) {
  const resolve = typeof deps === 'function' ? deps : () => deps;
  let cascade: ReturnType<typeof cascadeFactory> | undefined;
  return async (event: SQSEvent, context?: Context): Promise<SQSBatchResponse> => {
    const d = resolve();
    cascade ??= cascadeFactory(d);
    const processor = new BatchProcessor(EventType.SQS);
    const record = async (r: SQSRecord) => {
      try {
        await classifyChunk(d, cascade!, r.body);
      } catch (err) {
        d.logger.error('chunk failed', { messageId: r.messageId, error: (err as Error).message });
        throw err;
      }
    };
    try {
      return await processPartialResponse(event, record, processor, {
        context: context as Context,
        throwOnFullBatchFailure: false,
        processInParallel: opts.parallel ?? true,
      });
    } finally {
      d.metrics.publishStoredMetrics();
    }
  };
}

export const handler = makeHandler(() => awsDeps('classify'));
