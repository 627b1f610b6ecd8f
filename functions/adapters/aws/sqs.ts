/** SQS as a Queue: SendMessageBatch within SQS's limits, failed entries retried with backoff. */
import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { Queue } from '../../ports.ts';
import { backoff } from './clients.ts';

/** SQS limits: 10 entries and 256 KiB (sum of bodies) per SendMessageBatch; 256 KiB per message. */
export const SQS_MAX_ENTRIES = 10;
export const SQS_MAX_BATCH_BYTES = 256 * 1024;
const MAX_ATTEMPTS = 6;

export class MessageTooLargeError extends Error {}

/** Groups bodies into batches of at most 10 entries and 256 KiB each, keeping their order. */
export function planBatches(bodies: string[], maxEntries = SQS_MAX_ENTRIES, maxBytes = SQS_MAX_BATCH_BYTES): string[][] {
  const batches: string[][] = [];
  let current: string[] = [];
  let bytes = 0;
  for (const body of bodies) {
    const size = Buffer.byteLength(body);
    if (size > maxBytes) throw new MessageTooLargeError(`a message of ${size} bytes exceeds the SQS limit of ${maxBytes}`);
    if (current.length === maxEntries || bytes + size > maxBytes) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(body);
    bytes += size;
  }
  if (current.length) batches.push(current);
  return batches;
}

export class SqsQueue<T> implements Queue<T> {
  constructor(
    private readonly sqs: SQSClient,
    readonly url: string,
  ) {}

  async send(messages: T[]): Promise<void> {
    for (const batch of planBatches(messages.map((m) => JSON.stringify(m)))) {
      let entries = batch.map((MessageBody, i) => ({ Id: String(i), MessageBody }));
      for (let attempt = 0; entries.length; attempt++) {
        if (attempt >= MAX_ATTEMPTS) throw new Error(`SendMessageBatch: ${entries.length} entries still failing after ${MAX_ATTEMPTS} attempts`);
        if (attempt) await backoff(attempt);
        const out = await this.sqs.send(new SendMessageBatchCommand({ QueueUrl: this.url, Entries: entries }));
        const failed = out.Failed ?? [];
        const fatal = failed.find((f) => f.SenderFault);
        if (fatal) throw new Error(`SendMessageBatch rejected entry ${fatal.Id}: ${fatal.Code} ${fatal.Message ?? ''}`.trim());
        const retry = new Set(failed.map((f) => f.Id));
        entries = entries.filter((e) => retry.has(e.Id));
      }
    }
  }
}
