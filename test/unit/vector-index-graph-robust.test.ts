/**
 * The similar index's graph survives a dead thread and a bad file (issue 18): the graph thread started again with
 * each graph reopened (its last save, plus what changed since), a bounded number of times; a saved graph that is
 * not one (truncated, zeroed, other bytes) refused before usearch reads it, and built again from the vectors.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { vectorGraphWorkerScript } from '../../bin/commands/serve.ts';
import { LocalVectorIndex } from '../../functions/adapters/local/vector-index.ts';
import { AnnGraph, DEFAULT_GRAPH, GraphThread, MAX_RESTARTS } from '../../functions/adapters/local/vector-index-ann.ts';
import { graphFileProblem } from '../../functions/adapters/local/vector-index-graph-file.ts';
import { UnavailableError } from '../../functions/core/errors.ts';
import type { VectorMatch } from '../../functions/ports.ts';

const DIMS = 16;
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'aisle-graph-robust-'));
  dirs.push(dir);
  return dir;
};

/** Deterministic pseudo-random numbers in [0, 1). */
function randoms(seed: number) {
  let s = seed;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function unitVectors(n: number, seed: number): Float32Array[] {
  const next = randoms(seed);
  return Array.from({ length: n }, () => {
    const v = Float32Array.from({ length: DIMS }, () => next() - 0.5);
    const norm = Math.hypot(...v);
    return v.map((x) => x / norm);
  });
}

const entries = unitVectors(100, 3).map((vector, i) => ({ key: i.toString(16).padStart(16, '0'), vector, classId: null, name: String(i) }));
const queries = unitVectors(12, 29);
/** Every item a candidate (k × rescore ≥ the items): a graph's answers are the exact scan's over the slots it reaches. */
const WHOLE = { rescore: 40 };
const answersTo = (index: LocalVectorIndex) => Promise.all(queries.map((q) => index.query(q, { k: 10 })));

/**
 * The answers are the exact scan's, but for what the graph cannot reach: usearch's build on every core leaves a
 * node of these 100 without a way in about twice in 100 builds (tried: 7 of 300 on main 03ce8a1, 4 of 300 here), a
 * node that may be in several queries' top 10. ≥ 90 % of the matches, each with its exact score.
 */
function expectNearlyExact(got: VectorMatch[][], want: VectorMatch[][], what = '') {
  const matches = (answers: VectorMatch[][]) => answers.flatMap((list, i) => list.map((m) => `${i} ${m.key} ${m.score}`));
  const wanted = new Set(matches(want));
  expect(matches(got).filter((m) => wanted.has(m)).length / wanted.size, what).toBeGreaterThanOrEqual(0.9);
}
const graphFile = (dir: string) => join(dir, Buffer.from('default').toString('hex'), 'graph.usearch');
/** The answers of an exact scan over the same folder (no graph below 10^9 items). */
const exactAnswers = (dir: string) => answersTo(new LocalVectorIndex(dir, { dimensions: DIMS, annFrom: 1e9 }));

/**
 * The graph thread with a stand-in for a crash: a search for k = 13 throws out of the thread's message listener
 * (uncaught, as a fault in usearch would end it), one for k = 14 exits it, each before the thread answers it.
 */
async function crashableWorker(dir: string): Promise<string> {
  const script = join(dir, 'crashable-graph-thread.mjs');
  writeFileSync(
    script,
    `import { parentPort } from 'node:worker_threads';
const on = parentPort.on.bind(parentPort);
parentPort.on = (event, listener) =>
  on(event, (m) => {
    if (m.op === 'candidates' && m.k === 13) throw new Error('stand-in for a crash in usearch');
    if (m.op === 'candidates' && m.k === 14) process.exit(7);
    listener(m);
  });
await import(${JSON.stringify(pathToFileURL(await vectorGraphWorkerScript()).href)});
`,
  );
  return script;
}

describe('the graph thread dies', () => {
  it('fails the calls in flight with the cause, starts again, and answers as before with every change since the last save', async () => {
    const dir = tempDir();
    const said: string[] = [];
    const thread = new GraphThread(await crashableWorker(dir), (m) => said.push(m));
    try {
      const index = new LocalVectorIndex(dir, { dimensions: DIMS, annFrom: 1, graph: WHOLE, graphThread: thread, warn: (m) => said.push(m) });
      // The same changes in an index without a graph: what every answer must be.
      const exact = new LocalVectorIndex(tempDir(), { dimensions: DIMS, annFrom: 1e9 });
      await index.upsert(entries);
      await exact.upsert(entries);
      await index.query(queries[0], { k: 10 });
      await index.flush();
      // After the save: an upsert (the first query's best match) and a removal, which the saved graph lacks.
      const added = { key: 'ffffffffffffffff', vector: queries[0], classId: null, name: 'added' };
      for (const changed of [index, exact]) {
        await changed.upsert([added]);
        await changed.remove([entries[7].key]);
      }
      const before = await answersTo(index);
      expect(before[0][0].key).toBe(added.key);
      expectNearlyExact(before, await answersTo(exact));

      // A search that ends the thread, posted between two others: it and the one after it are never answered.
      const inFlight = await Promise.allSettled([
        index.query(queries[1], { k: 10 }),
        index.query(queries[1], { k: 13 }),
        index.query(queries[2], { k: 10 }),
      ]);
      for (const settled of inFlight.slice(1)) {
        expect(settled.status).toBe('rejected');
        const reason = (settled as PromiseRejectedResult).reason;
        expect(reason).toBeInstanceOf(UnavailableError);
        expect(reason.message).toMatch(/thread died \(Error: stand-in for a crash in usearch\) before answering/);
      }
      const after = await answersTo(index);
      expect(after[0][0].key).toBe(added.key);
      expect(after.flat().map((m) => m.key)).not.toContain(entries[7].key);
      expectNearlyExact(after, before);
      expect(said).toEqual([expect.stringMatching(/graph thread died \(Error: stand-in for a crash in usearch\): started again \(1 of 3/)]);

      // An exit without an error, with an upsert not yet added when it comes: named by its code, the upsert kept.
      const late = { key: 'eeeeeeeeeeeeeeee', vector: queries[3], classId: null, name: 'late' };
      const upserted = index.upsert([late]);
      await expect(index.query(queries[3], { k: 14 })).rejects.toThrow(/thread died \(exit code 7\)/);
      await upserted;
      await exact.upsert([late]);
      expect((await index.query(queries[3], { k: 1 }))[0].key).toBe(late.key);
      expectNearlyExact(await answersTo(index), await answersTo(exact));
      expect(said).toHaveLength(2);
      await expect(thread.check()).resolves.toBeUndefined();
    } finally {
      await thread.close();
    }
  });

  it('is started again at most MAX_RESTARTS times when it dies on start: then every call and the readiness check say why', async () => {
    const dir = tempDir();
    const script = join(dir, 'dies-on-start.mjs');
    writeFileSync(script, "throw new Error('cannot start');\n");
    const said: string[] = [];
    const thread = new GraphThread(script, (m) => said.push(m));
    const given = /died 4 times in a row \(last: Error: cannot start\)/;
    await vi.waitFor(() => expect(thread.check()).rejects.toThrow(given), { timeout: 15_000, interval: 50 });
    // No start after the last: the count stays.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(said.filter((m) => m.includes(': started again'))).toHaveLength(MAX_RESTARTS);
    expect(said.at(-1)).toMatch(/not started again, similar products are unavailable/);
    expect(said).toHaveLength(MAX_RESTARTS + 1);
    const index = new LocalVectorIndex(dir, { dimensions: DIMS, annFrom: 1, graphThread: thread });
    await index.upsert(entries.slice(0, 20));
    const refused = index.query(queries[0], { k: 5 });
    await expect(refused).rejects.toBeInstanceOf(UnavailableError);
    await expect(refused).rejects.toThrow(given);
    await thread.close();
  }, 20_000);
});

describe('a saved graph that is not one', () => {
  /** A valid saved graph of `entries` in a new folder, and its bytes. */
  async function savedGraph() {
    const dir = tempDir();
    const index = new LocalVectorIndex(dir, { dimensions: DIMS, annFrom: 1 });
    await index.upsert(entries);
    await index.query(queries[0], { k: 10 });
    await index.flush();
    return { dir, bytes: readFileSync(graphFile(dir)) };
  }

  const random = randoms(11);
  const bad = (good: Buffer): [string, Buffer][] => [
    ['truncated in the nodes', good.subarray(0, good.length - 100)],
    ['truncated in the vectors', good.subarray(0, 1000)],
    ['truncated to a few bytes', good.subarray(0, 6)],
    ['empty', Buffer.alloc(0)],
    ['zeroed', Buffer.alloc(good.length)],
    ['random bytes', Buffer.from(Array.from({ length: good.length }, () => Math.floor(random() * 256)))],
    [
      'random bytes after a valid matrix size',
      Buffer.concat([good.subarray(0, 8), Buffer.from(Array.from({ length: good.length - 8 }, () => Math.floor(random() * 256)))]),
    ],
    ['one byte more', Buffer.concat([good, Buffer.alloc(1)])],
  ];

  it('is named by graphFileProblem, refused by AnnGraph.load, and a valid one loads', async () => {
    const { dir, bytes } = await savedGraph();
    const file = join(dir, 'check.usearch');
    writeFileSync(file, bytes);
    expect(graphFileProblem(file, DIMS)).toBeNull();
    expect(graphFileProblem(file, DIMS * 2)).toMatch(/vectors of 16 bytes where the index has 32/);
    expect(() => AnnGraph.load(DIMS, file, DEFAULT_GRAPH)).not.toThrow();
    for (const [what, content] of bad(bytes)) {
      writeFileSync(file, content);
      expect(graphFileProblem(file, DIMS), what).toEqual(expect.any(String));
      expect(() => AnnGraph.load(DIMS, file, DEFAULT_GRAPH), what).toThrow(file);
    }
  }, 20_000);

  for (const where of ['on the calling thread', 'in the graph thread'] as const) {
    it(`makes the index build its graph again from the stored vectors, with a warning, ${where}`, async () => {
      const { dir, bytes } = await savedGraph();
      const expected = await exactAnswers(dir);
      const thread = where === 'in the graph thread' ? new GraphThread(await vectorGraphWorkerScript()) : undefined;
      try {
        for (const [what, content] of bad(bytes)) {
          writeFileSync(graphFile(dir), content);
          const said: string[] = [];
          const index = new LocalVectorIndex(dir, { dimensions: DIMS, annFrom: 1, graph: WHOLE, graphThread: thread, warn: (m) => said.push(m) });
          expectNearlyExact(await answersTo(index), expected, what);
          expect(said, what).toEqual([expect.stringMatching(/graph\.usearch: not a usable graph \(.+\): built again from the stored vectors/)]);
          // The graph built is saved over the bad file.
          await index.flush();
          expect(graphFileProblem(graphFile(dir), DIMS), what).toBeNull();
        }
        // A valid file loads: no warning.
        writeFileSync(graphFile(dir), bytes);
        const said: string[] = [];
        const index = new LocalVectorIndex(dir, { dimensions: DIMS, annFrom: 1, graph: WHOLE, graphThread: thread, warn: (m) => said.push(m) });
        expectNearlyExact(await answersTo(index), expected);
        expect(said).toEqual([]);
      } finally {
        await thread?.close();
      }
    }, 30_000);
  }
});

describe('a saved graph and the changes made after it', () => {
  it('are one graph: upserts and removals made before the first query are applied to the graph loaded', async () => {
    const dir = tempDir();
    const first = new LocalVectorIndex(dir, { dimensions: DIMS, annFrom: 1 });
    await first.upsert(entries);
    await first.query(queries[0], { k: 10 });
    await first.flush();
    const reopened = new LocalVectorIndex(dir, { dimensions: DIMS, annFrom: 1, warn: (m) => expect.fail(m) });
    const moved = { ...entries[9], vector: queries[1] };
    await reopened.upsert([{ key: 'ffffffffffffffff', vector: queries[0], classId: null, name: 'added' }, moved]);
    await reopened.remove([entries[7].key]);
    const answers = await answersTo(reopened);
    expect(answers[0][0].key).toBe('ffffffffffffffff');
    expect((await reopened.query(queries[1], { k: 1 }))[0].key).toBe(moved.key);
    expect(answers.flat().map((m) => m.key)).not.toContain(entries[7].key);
    await reopened.flush();
    expectNearlyExact(answers, await exactAnswers(dir));
  });

  it('are saved as one by a flush before any query: the file is brought up to date, not removed', async () => {
    const dir = tempDir();
    const first = new LocalVectorIndex(dir, { dimensions: DIMS, annFrom: 1 });
    await first.upsert(entries);
    await first.query(queries[0], { k: 10 });
    await first.flush();
    const reopened = new LocalVectorIndex(dir, { dimensions: DIMS, annFrom: 1 });
    await reopened.upsert([{ key: 'ffffffffffffffff', vector: queries[0], classId: null, name: 'added' }]);
    await reopened.remove([entries[7].key]);
    await reopened.flush();
    expect(graphFileProblem(graphFile(dir), DIMS)).toBeNull();
    // The file alone (nothing changed since) is the graph of the items flushed.
    const restarted = new LocalVectorIndex(dir, { dimensions: DIMS, annFrom: 1, graph: WHOLE });
    const answers = await answersTo(restarted);
    expect(answers[0][0].key).toBe('ffffffffffffffff');
    expectNearlyExact(answers, await exactAnswers(dir));
  });
});
