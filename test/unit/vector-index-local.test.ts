/**
 * The local similarity index: the SimilarityIndex contract in both of its modes (exact scan, HNSW graph), its
 * folder surviving a restart, and the graph's recall against the exact scan.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { vectorGraphWorkerScript } from '../../bin/commands/serve.ts';
import { LocalVectorIndex } from '../../functions/adapters/local/vector-index.ts';
import { GraphThread } from '../../functions/adapters/local/vector-index-ann.ts';
import { DIMENSIONS, similarityIndexContract, unit } from '../contract/similarity-index.ts';

function tempIndex(annFrom?: number) {
  const dir = mkdtempSync(join(tmpdir(), 'aisle-vectors-'));
  return {
    dir,
    index: new LocalVectorIndex(dir, { dimensions: DIMENSIONS, annFrom }),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

similarityIndexContract('local, exact scan', async () => tempIndex());
similarityIndexContract('local, HNSW graph (usearch)', async () => tempIndex(1));
similarityIndexContract('local, HNSW graph in its own thread (aisle serve)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'aisle-vectors-'));
  const graphThread = new GraphThread(await vectorGraphWorkerScript());
  return {
    dir,
    index: new LocalVectorIndex(dir, { dimensions: DIMENSIONS, annFrom: 1, graphThread }),
    cleanup: async () => {
      await graphThread.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

/** Deterministic pseudo-random unit vectors. */
function randomVectors(n: number, dims: number, seed = 1): Float32Array[] {
  let s = seed;
  const next = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  };
  return Array.from({ length: n }, () => {
    const v = Float32Array.from({ length: dims }, next);
    const norm = Math.hypot(...v);
    return v.map((x) => x / norm);
  });
}

describe('local vector index', () => {
  it('keeps its items across a restart once flushed, per tenant', async () => {
    const { dir, index, cleanup } = tempIndex();
    try {
      await index.upsert([{ key: 'e000000000000001', vector: unit(4), classId: 'food.beverages', name: 'cola' }]);
      await index.forTenant('t2').upsert([{ key: 'e000000000000002', vector: unit(4), classId: null, name: 'other' }]);
      await index.flush();
      const reopened = new LocalVectorIndex(dir, { dimensions: DIMENSIONS });
      expect(await reopened.query(unit(4), { k: 5 })).toEqual([{ key: 'e000000000000001', score: 1, classId: 'food.beverages', name: 'cola' }]);
      expect((await reopened.forTenant('t2').query(unit(4), { k: 5 })).map((m) => m.key)).toEqual(['e000000000000002']);
    } finally {
      await cleanup();
    }
  });

  it('keeps the HNSW graph across a restart once flushed, and brings it up to date when items change without it open', async () => {
    const { dir, index, cleanup } = tempIndex(1);
    try {
      await index.upsert([0, 1, 2, 3].map((i) => ({ key: `g00000000000000${i}`, vector: unit(i), classId: null, name: String(i) })));
      const before = await index.query(unit(2, 0.3), { k: 2 });
      await index.flush();
      const graph = join(dir, Buffer.from('default').toString('hex'), 'graph.usearch');
      expect(existsSync(graph)).toBe(true);
      const reopened = new LocalVectorIndex(dir, { dimensions: DIMENSIONS, annFrom: 1 });
      expect(await reopened.query(unit(2, 0.3), { k: 2 })).toEqual(before);
      const exact = new LocalVectorIndex(dir, { dimensions: DIMENSIONS });
      await exact.upsert([{ key: 'g000000000000009', vector: unit(5), classId: null, name: '9' }]);
      await exact.flush();
      // Not removed (a build would follow): loaded, given the item, saved; a restart's graph answers with it.
      expect(existsSync(graph)).toBe(true);
      const restarted = new LocalVectorIndex(dir, { dimensions: DIMENSIONS, annFrom: 1 });
      expect((await restarted.query(unit(5), { k: 1 })).map((m) => m.key)).toEqual(['g000000000000009']);
    } finally {
      await cleanup();
    }
  });

  it('applies the items changed since the saved graph to it, instead of answering from it alone', async () => {
    const { dir, index, cleanup } = tempIndex(1);
    try {
      await index.upsert([0, 1, 2, 3].map((i) => ({ key: `h00000000000000${i}`, vector: unit(i), classId: null, name: String(i) })));
      await index.query(unit(0), { k: 1 });
      await index.flush();
      // Restarted, then an item arrives before the first query: the saved graph does not hold it.
      const reopened = new LocalVectorIndex(dir, { dimensions: DIMENSIONS, annFrom: 1 });
      await reopened.upsert([{ key: 'h000000000000005', vector: unit(5), classId: null, name: '5' }]);
      expect((await reopened.query(unit(5), { k: 1 })).map((m) => m.key)).toEqual(['h000000000000005']);
    } finally {
      await cleanup();
    }
  });

  it('re-embeds a folder written with other dimensions from its names (and refuses it without a vectorizer)', async () => {
    const { dir, index, cleanup } = tempIndex(1);
    try {
      await index.upsert([0, 1, 2].map((i) => ({ key: `d00000000000000${i}`, vector: unit(i), classId: null, name: `n${i}` })));
      await index.query(unit(0), { k: 1 });
      await index.flush();
      const wider = (name: string) => {
        const v = new Float32Array(DIMENSIONS * 2);
        v[Number(name.slice(1)) + DIMENSIONS] = 1;
        return v;
      };
      await expect(new LocalVectorIndex(dir, { dimensions: DIMENSIONS * 2 }).size()).rejects.toThrow(/8 dimensions, the index is made with 16/);
      const reopened = new LocalVectorIndex(dir, { dimensions: DIMENSIONS * 2, annFrom: 1, vectorize: wider });
      expect(await reopened.query(wider('n2'), { k: 1 })).toEqual([{ key: 'd000000000000002', score: 1, classId: null, name: 'n2' }]);
      await reopened.flush();
      expect((await new LocalVectorIndex(dir, { dimensions: DIMENSIONS * 2 }).get('d000000000000001'))?.vector).toEqual(wider('n1'));
    } finally {
      await cleanup();
    }
  });

  it('reads only the flushed items after a restart, though vectors are written to disk as they are upserted', async () => {
    const { dir, index, cleanup } = tempIndex();
    try {
      await index.upsert([{ key: 'f000000000000001', vector: unit(1), classId: null, name: 'flushed' }]);
      await index.flush();
      // Written in place before the crash, never flushed: items.jsonl does not list it.
      await index.upsert([{ key: 'f000000000000002', vector: unit(2), classId: null, name: 'lost' }]);
      const reopened = new LocalVectorIndex(dir, { dimensions: DIMENSIONS });
      expect(await reopened.size()).toBe(1);
      expect((await reopened.query(unit(2), { k: 5 })).map((m) => m.key)).toEqual(['f000000000000001']);
      // Its slot is taken again by the next item, whose vector replaces the stale one.
      await reopened.upsert([{ key: 'f000000000000003', vector: unit(3), classId: null, name: 'next' }]);
      expect((await reopened.get('f000000000000003'))?.vector.map((x) => Math.round(x * 100) / 100)).toEqual(unit(3));
      expect((await reopened.query(unit(3), { k: 1 }))[0]).toMatchObject({ key: 'f000000000000003', score: 1 });
    } finally {
      await cleanup();
    }
  });

  it('opens a folder written before vectors.json (its dimensions from the vectors file)', async () => {
    const { dir, index, cleanup } = tempIndex();
    try {
      await index.upsert([0, 1].map((i) => ({ key: `k00000000000000${i}`, vector: unit(i), classId: null, name: `n${i}` })));
      await index.flush();
      rmSync(join(dir, Buffer.from('default').toString('hex'), 'vectors.json'));
      expect((await new LocalVectorIndex(dir, { dimensions: DIMENSIONS }).query(unit(1), { k: 1 }))[0].key).toBe('k000000000000001');
      await expect(new LocalVectorIndex(dir, { dimensions: DIMENSIONS / 2 }).size()).rejects.toThrow(/8 dimensions, the index is made with 4/);
    } finally {
      await cleanup();
    }
  });

  it('writes items.jsonl with every slot in order after items are replaced many times over, and reads it back', async () => {
    const { dir, index, cleanup } = tempIndex();
    const folder = join(dir, Buffer.from('default').toString('hex'));
    try {
      const keys = Array.from({ length: 40 }, (_, i) => `c${i.toString(16).padStart(15, '0')}`);
      // Past the 1 MB of replaced lines from which the buffer is compacted before writing: both ways tested.
      for (let round = 0; round < 60; round++) {
        await index.upsert(keys.map((key, i) => ({ key, vector: unit(i % DIMENSIONS), classId: null, name: `${'x'.repeat(500)} ${round} ${i}` })));
        if (round === 1) await index.flush();
      }
      await index.remove([keys[3]]);
      await index.upsert([{ key: 'c-late', vector: unit(1), classId: 'food', name: 'late ünïcode' }]); // reuses slot 3
      await index.remove([keys[7]]);
      await index.flush();
      const lines = readFileSync(join(folder, 'items.jsonl'), 'utf8').split('\n');
      expect(lines.length).toBe(41); // 40 slots and the final newline
      expect(lines[3]).toBe(JSON.stringify({ key: 'c-late', classId: 'food', name: 'late ünïcode' }));
      expect(lines[7]).toBe('null');
      expect(lines[8]).toBe(JSON.stringify({ key: keys[8], classId: null, name: `${'x'.repeat(500)} 59 8` }));
      const reopened = new LocalVectorIndex(dir, { dimensions: DIMENSIONS });
      expect(await reopened.size()).toBe(39);
      expect((await reopened.get('c-late'))?.name).toBe('late ünïcode');
      // Written again as read (each line where the file put it), byte for byte.
      await reopened.upsert([{ key: keys[9], vector: unit(2), classId: null, name: 'nine' }]);
      await reopened.flush();
      const again = readFileSync(join(folder, 'items.jsonl'), 'utf8').split('\n');
      expect(again[9]).toBe(JSON.stringify({ key: keys[9], classId: null, name: 'nine' }));
      expect(again.filter((_, i) => i !== 9)).toEqual(lines.filter((_, i) => i !== 9));
    } finally {
      await cleanup();
    }
  });

  it('reads an items.jsonl whose last line has no newline, and writes it back whole', async () => {
    const { dir, index, cleanup } = tempIndex();
    const file = join(dir, Buffer.from('default').toString('hex'), 'items.jsonl');
    try {
      await index.upsert([0, 1].map((i) => ({ key: `h00000000000000${i}`, vector: unit(i), classId: null, name: `n${i}` })));
      await index.flush();
      writeFileSync(file, readFileSync(file, 'utf8').trimEnd());
      const reopened = new LocalVectorIndex(dir, { dimensions: DIMENSIONS });
      expect((await reopened.query(unit(1), { k: 1 }))[0].key).toBe('h000000000000001');
      await reopened.upsert([{ key: 'h000000000000002', vector: unit(2), classId: null, name: 'n2' }]);
      await reopened.flush();
      expect(
        readFileSync(file, 'utf8')
          .split('\n')
          .map((l) => l && JSON.parse(l).name),
      ).toEqual(['n0', 'n1', 'n2', '']);
    } finally {
      await cleanup();
    }
  });

  it('gives each match its stored vector with withVectors, from the graph and from the scan, as get() does', async () => {
    const dims = 16;
    const vectors = randomVectors(300, dims, 3);
    const entries = vectors.map((vector, i) => ({
      key: i.toString(16).padStart(16, '0'),
      vector,
      classId: i % 2 ? 'food' : 'non-food',
      name: String(i),
    }));
    const dir = mkdtempSync(join(tmpdir(), 'aisle-vectors-'));
    try {
      for (const annFrom of [1, Number.POSITIVE_INFINITY]) {
        const index = new LocalVectorIndex(join(dir, String(annFrom)), { dimensions: dims, annFrom });
        await index.upsert(entries);
        for (const q of randomVectors(3, dims, 11)) {
          const plain = await index.query(q, { k: 8, exclude: [entries[0].key], classId: 'food' });
          const withVectors = await index.query(q, { k: 8, exclude: [entries[0].key], classId: 'food', withVectors: true });
          expect(plain.every((m) => m.vector === undefined)).toBe(true);
          expect(withVectors.map(({ vector: _, ...m }) => m)).toEqual(plain);
          for (const m of withVectors) expect(m.vector).toEqual((await index.get(m.key))!.vector);
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('scores each item exactly: the float query against its stored int8 vector, best first', async () => {
    const dims = 37; // rows of the scan's four-at-a-time pass, and a dimension count no unrolling divides
    const vectors = randomVectors(203, dims, 7);
    const entries = vectors.map((vector, i) => ({ key: i.toString(16).padStart(16, '0'), vector, classId: null, name: String(i) }));
    const dir = mkdtempSync(join(tmpdir(), 'aisle-vectors-'));
    try {
      const exact = new LocalVectorIndex(dir, { dimensions: dims });
      await exact.upsert(entries);
      for (const q of randomVectors(5, dims, 5)) {
        const expected = vectors
          .map((v, i) => {
            let s = 0;
            for (let d = 0; d < dims; d++) s += Math.fround(q[d] / 127) * Math.round(v[d] * 127);
            return { key: entries[i].key, score: Math.round(s * 1e4) / 1e4 };
          })
          .sort((a, b) => b.score - a.score)
          .slice(0, 12);
        expect((await exact.query(q, { k: 12 })).map((m) => ({ key: m.key, score: m.score }))).toEqual(expected);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('answers from a graph in its own thread as from one in this thread, with every change made before a query seen by it', async () => {
    const dims = 16;
    const entries = randomVectors(300, dims, 5).map((vector, i) => ({
      key: i.toString(16).padStart(16, '0'),
      vector,
      classId: null,
      name: String(i),
    }));
    const dir = mkdtempSync(join(tmpdir(), 'aisle-vectors-'));
    const graphThread = new GraphThread(await vectorGraphWorkerScript());
    try {
      const here = new LocalVectorIndex(join(dir, 'here'), { dimensions: dims, annFrom: 1 });
      const there = new LocalVectorIndex(join(dir, 'there'), { dimensions: dims, annFrom: 1, graphThread });
      await here.upsert(entries);
      await there.upsert(entries);
      const queries = randomVectors(20, dims, 17);
      const answers = await Promise.all(queries.map((q) => there.query(q, { k: 10 })));
      // usearch adds a batch on several threads, so two builds of the same items may differ by a neighbour (about 2 in
      // 100 builds leave one item unreached): the answers agree on ≥ 95 % of the keys, with the same scores.
      let shared = 0;
      for (const [i, q] of queries.entries()) {
        const scores = new Map(answers[i].map((m) => [m.key, m.score]));
        for (const m of await here.query(q, { k: 10 }))
          if (scores.has(m.key)) {
            expect(scores.get(m.key)).toBe(m.score);
            shared++;
          }
      }
      expect(shared).toBeGreaterThanOrEqual(0.95 * queries.length * 10);
      // An upsert after the graph was built and a query made before it settles: the thread applies the upsert first.
      const added = { key: 'ffffffffffffffff', vector: queries[0], classId: null, name: 'added' };
      const upserted = there.upsert([added]);
      expect((await there.query(queries[0], { k: 1 }))[0].key).toBe(added.key);
      await upserted;
      await there.remove([added.key]);
      expect(await there.query(queries[0], { k: 10 })).toEqual(answers[0]);
      // The graph saved by the thread is the one a restarted index loads.
      await there.flush();
      expect(existsSync(join(dir, 'there', Buffer.from('default').toString('hex'), 'graph.usearch'))).toBe(true);
      const reopened = new LocalVectorIndex(join(dir, 'there'), { dimensions: dims, annFrom: 1, graphThread });
      for (const [i, q] of queries.entries()) expect(await reopened.query(q, { k: 10 })).toEqual(answers[i]);
    } finally {
      await graphThread.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the HNSW graph finds ≥ 95 % of the exact top 10 on 5,000 random vectors', async () => {
    const dims = 64;
    const vectors = randomVectors(5000, dims);
    const entries = vectors.map((vector, i) => ({ key: i.toString(16).padStart(16, '0'), vector, classId: null, name: String(i) }));
    const dir = mkdtempSync(join(tmpdir(), 'aisle-vectors-'));
    try {
      const exact = new LocalVectorIndex(join(dir, 'exact'), { dimensions: dims });
      const ann = new LocalVectorIndex(join(dir, 'ann'), { dimensions: dims, annFrom: 1 });
      await exact.upsert(entries);
      await ann.upsert(entries);
      let found = 0;
      const queries = randomVectors(100, dims, 99);
      for (const q of queries) {
        const truth = new Set((await exact.query(q, { k: 10 })).map((m) => m.key));
        found += (await ann.query(q, { k: 10 })).filter((m) => truth.has(m.key)).length;
      }
      expect(found / (queries.length * 10)).toBeGreaterThanOrEqual(0.95);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
