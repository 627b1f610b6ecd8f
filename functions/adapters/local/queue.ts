import type { Queue } from '../../ports.ts';

/** What a consumer answers for a batch: nothing (all done) or the indexes that failed (SQS partial batch failure). */
export type BatchResult = void | { failed: number[] };

export interface InProcessQueueOptions<T> {
  handler: (batch: T[]) => Promise<BatchResult>;
  /** Batches handled at the same time. */
  concurrency?: number;
  batchSize?: number;
  /** Attempts per message before it goes to the dead letters. */
  maxAttempts?: number;
  /** Delay before the n-th retry: backoffMs * 2^(n-1). */
  backoffMs?: number;
  onDeadLetter?: (message: T, error: string) => void;
}

interface Envelope<T> {
  body: T;
  attempts: number;
}

/**
 * The local stand-in for SQS + an event source mapping: messages are handled in batches by at most
 * `concurrency` handlers at once; failed messages are retried with backoff, then dead-lettered.
 */
export class InProcessQueue<T> implements Queue<T> {
  readonly deadLetters: { message: T; error: string }[] = [];
  private readonly waiting: Envelope<T>[] = [];
  private running = 0;
  private delayed = 0;
  private idleWaiters: (() => void)[] = [];
  private readonly concurrency: number;
  private readonly batchSize: number;
  private readonly maxAttempts: number;
  private readonly backoffMs: number;

  constructor(private readonly opts: InProcessQueueOptions<T>) {
    this.concurrency = Math.max(1, opts.concurrency ?? 4);
    this.batchSize = Math.max(1, opts.batchSize ?? 10);
    this.maxAttempts = Math.max(1, opts.maxAttempts ?? 3);
    this.backoffMs = opts.backoffMs ?? 100;
  }

  async send(messages: T[]): Promise<void> {
    for (const body of messages) this.waiting.push({ body, attempts: 0 });
    this.pump();
  }

  /** Messages waiting or in flight. */
  get pending(): number {
    return this.waiting.length + this.running + this.delayed;
  }

  /** Resolves when every message sent so far is handled or dead-lettered. */
  drain(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private pump(): void {
    while (this.running < this.concurrency && this.waiting.length) {
      const batch = this.waiting.splice(0, this.batchSize);
      this.running++;
      void this.handle(batch).finally(() => {
        this.running--;
        this.pump();
        this.notifyIdle();
      });
    }
  }

  private async handle(batch: Envelope<T>[]): Promise<void> {
    let failed: number[];
    let error = 'handler failed';
    try {
      const result = await this.opts.handler(batch.map((e) => e.body));
      failed = result ? result.failed : [];
    } catch (err) {
      failed = batch.map((_, i) => i);
      error = (err as Error).message ?? String(err);
    }
    for (const i of new Set(failed)) {
      const env = batch[i];
      if (!env) continue;
      env.attempts++;
      if (env.attempts >= this.maxAttempts) {
        this.deadLetters.push({ message: env.body, error });
        this.opts.onDeadLetter?.(env.body, error);
      } else {
        this.delayed++;
        setTimeout(() => {
          this.delayed--;
          this.waiting.push(env);
          this.pump();
        }, this.backoffMs * 2 ** (env.attempts - 1));
      }
    }
  }

  private notifyIdle(): void {
    if (this.pending === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
  }
}
