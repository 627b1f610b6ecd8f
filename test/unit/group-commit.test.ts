import { describe, expect, it } from 'vitest';
import { GroupCommit } from '../../functions/adapters/local/duckdb.ts';

describe('GroupCommit', () => {
  it('coalesces writes that arrive while one runs, in order, resolving every caller after its records are written', async () => {
    const batches: number[][] = [];
    // The first write is held open until every add has been made: no timing decides what coalesces.
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const gc = new GroupCommit<number>(async (items) => {
      await held;
      batches.push(items);
    });
    const done: number[] = [];
    const all = Promise.all([1, 2, 3, 4, 5].map((n) => gc.add([n, n * 10]).then(() => done.push(n))));
    release();
    await all;
    expect(batches).toEqual([
      [1, 10],
      [2, 20, 3, 30, 4, 40, 5, 50],
    ]);
    expect(done.sort()).toEqual([1, 2, 3, 4, 5]);
  });

  it('rejects the callers of a failed write and keeps writing later ones', async () => {
    let calls = 0;
    const gc = new GroupCommit<string>(async (items) => {
      calls++;
      if (items.includes('bad')) throw new Error('disk full');
    });
    await expect(gc.add(['bad'])).rejects.toThrow('disk full');
    await expect(gc.add(['good'])).resolves.toBeUndefined();
    expect(calls).toBe(2);
  });
});
