import { describe, expect, it } from 'vitest';
import { InProcessQueue } from '../../functions/adapters/local/queue.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('in-process queue', () => {
  it('handles every message in batches with at most `concurrency` handlers at once', async () => {
    let running = 0;
    let peak = 0;
    const seen: number[] = [];
    const q = new InProcessQueue<number>({
      concurrency: 3,
      batchSize: 4,
      handler: async (batch) => {
        running++;
        peak = Math.max(peak, running);
        expect(batch.length).toBeLessThanOrEqual(4);
        await sleep(5);
        seen.push(...batch);
        running--;
      },
    });
    await q.send(Array.from({ length: 50 }, (_, i) => i));
    await q.drain();
    expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(peak).toBe(3);
    expect(q.pending).toBe(0);
  });

  it('retries failed messages (partial batch failures) and dead-letters them after maxAttempts', async () => {
    const attempts = new Map<string, number>();
    const dead: string[] = [];
    const q = new InProcessQueue<string>({
      batchSize: 10,
      maxAttempts: 3,
      backoffMs: 1,
      onDeadLetter: (m) => dead.push(m),
      handler: async (batch) => {
        const failed: number[] = [];
        batch.forEach((m, i) => {
          const n = (attempts.get(m) ?? 0) + 1;
          attempts.set(m, n);
          if (m === 'poison' || (m === 'flaky' && n < 2)) failed.push(i);
        });
        return { failed };
      },
    });
    await q.send(['ok', 'flaky', 'poison']);
    await q.drain();
    expect(attempts.get('ok')).toBe(1);
    expect(attempts.get('flaky')).toBe(2);
    expect(attempts.get('poison')).toBe(3);
    expect(dead).toEqual(['poison']);
    expect(q.deadLetters.map((d) => d.message)).toEqual(['poison']);
  });

  it('treats a throwing handler as a failure of the whole batch', async () => {
    const tries: number[] = [];
    const q = new InProcessQueue<number>({
      maxAttempts: 2,
      backoffMs: 1,
      handler: async (batch) => {
        tries.push(...batch);
        throw new Error('boom');
      },
    });
    await q.send([1, 2]);
    await q.drain();
    expect(tries.sort()).toEqual([1, 1, 2, 2]);
    expect(q.deadLetters).toEqual([{ message: 1, error: 'boom' }, { message: 2, error: 'boom' }]);
  });
});
