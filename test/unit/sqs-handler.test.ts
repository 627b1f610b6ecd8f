import type { SQSEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { type PipelineDeps, sqsHandler } from '../../functions/handlers/pipeline.ts';

const deps = { metrics: { publishStoredMetrics: () => undefined } } as unknown as PipelineDeps;
const event = (n: number): SQSEvent =>
  ({ Records: Array.from({ length: n }, (_, i) => ({ messageId: `m${i}`, body: String(i), eventSource: 'aws:sqs' })) }) as unknown as SQSEvent;

/** The most steps that were running at once while the handler took a batch of 4. */
async function mostAtOnce(opts?: { parallel?: boolean }): Promise<number> {
  let running = 0;
  let most = 0;
  const handler = sqsHandler(
    deps,
    async () => {
      most = Math.max(most, ++running);
      await new Promise((r) => setImmediate(r));
      running--;
    },
    opts,
  );
  const res = await handler(event(4));
  expect(res.batchItemFailures).toEqual([]);
  return most;
}

describe('sqsHandler', () => {
  it('takes a batch one message at a time when told parallel: false (moto needs it: no item locks)', async () => {
    expect(await mostAtOnce({ parallel: false })).toBe(1);
  });

  it('takes a batch in parallel by default, as Lambda should', async () => {
    expect(await mostAtOnce()).toBe(4);
  });
});
