/**
 * `aisle serve` loads the similarity index before it listens (LocalVectorIndex.preload): every tenant's items and
 * graph are in memory before the first query, which then reads no index file but the vectors it rescores.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { vectorGraphWorkerScript } from '../../bin/commands/serve.ts';
import { LocalVectorIndex } from '../../functions/adapters/local/vector-index.ts';
import { GraphThread } from '../../functions/adapters/local/vector-index-ann.ts';
import { DIMENSIONS, unit } from '../contract/similarity-index.ts';

it("loads every tenant's items and graph before the first query, and only tenants' folders", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'aisle-vectors-'));
  const graphThread = new GraphThread(await vectorGraphWorkerScript());
  try {
    const warnings: string[] = [];
    const options = { dimensions: DIMENSIONS, annFrom: 3, graphThread, warn: (m: string) => warnings.push(m) };
    const written = new LocalVectorIndex(dir, options);
    // One tenant over annFrom (answered by its graph), one under it (by the exact scan).
    await written.upsert([0, 1, 2, 3].map((i) => ({ key: `a00000000000000${i}`, vector: unit(i), classId: null, name: `a${i}` })));
    await written.forTenant('t2').upsert([{ key: 'b000000000000001', vector: unit(1), classId: null, name: 'b1' }]);
    await written.query(unit(2), { k: 1 }); // builds the graph, saved by the flush
    await written.flush();
    // The root holds more than tenants' folders (the lake sync's list; a folder whose name is not a tenant's).
    writeFileSync(join(dir, 'lake-parts.json'), '[]\n');
    mkdirSync(join(dir, 'not-a-tenant'));

    const served = new LocalVectorIndex(dir, options);
    expect(await served.preload()).toBe(5);
    // The items file gone and the graph file no graph: what answers now was loaded by preload (the vectors file stays
    // open to rescore; a graph opened now would be refused with a warning and built).
    for (const folder of [Buffer.from('default').toString('hex'), Buffer.from('t2').toString('hex')]) rmSync(join(dir, folder, 'items.jsonl'));
    writeFileSync(join(dir, Buffer.from('default').toString('hex'), 'graph.usearch'), Buffer.alloc(4096));
    expect((await served.query(unit(2, 0.3), { k: 2 })).map((m) => m.key)).toEqual(['a000000000000002', 'a000000000000003']);
    expect((await served.forTenant('t2').query(unit(1), { k: 1 })).map((m) => m.key)).toEqual(['b000000000000001']);
    expect(warnings).toEqual([]);
  } finally {
    await graphThread.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

it('leaves a graph to build to the first query: a graph file that is not a graph is not opened by preload', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'aisle-vectors-'));
  try {
    const written = new LocalVectorIndex(dir, { dimensions: DIMENSIONS, annFrom: 3 });
    await written.upsert([0, 1, 2, 3].map((i) => ({ key: `c00000000000000${i}`, vector: unit(i), classId: null, name: `c${i}` })));
    await written.query(unit(0), { k: 1 });
    await written.flush();
    writeFileSync(join(dir, Buffer.from('default').toString('hex'), 'graph.usearch'), Buffer.alloc(4096));
    const warnings: string[] = [];
    const served = new LocalVectorIndex(dir, { dimensions: DIMENSIONS, annFrom: 3, warn: (m) => warnings.push(m) });
    expect(await served.preload()).toBe(4);
    expect(warnings).toEqual([]);
    // The first query opens it: the file refused with a warning, the graph built from the vectors.
    expect((await served.query(unit(3), { k: 1 }))[0].key).toBe('c000000000000003');
    expect(warnings).toEqual([expect.stringContaining('not a usable graph')]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

it('reads back every key of items.jsonl: plain, non-ASCII, with quotes and backslashes, after a free slot', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'aisle-vectors-'));
  try {
    const keys = ['0123456789abcdef', 'clé-ünï-😀', 'a"quoted"key', 'back\\slash', '{"key":"x"}', ''];
    const written = new LocalVectorIndex(dir, { dimensions: DIMENSIONS });
    await written.upsert([{ key: 'gone', vector: unit(0), classId: null, name: 'freed' }]);
    await written.upsert(keys.map((key, i) => ({ key, vector: unit(i + 1), classId: null, name: `n${i}` })));
    await written.remove(['gone']);
    await written.flush();
    const reopened = new LocalVectorIndex(dir, { dimensions: DIMENSIONS });
    expect(await reopened.size()).toBe(keys.length);
    // get() finds an item by the key read from its line (a query's matches parse the whole line).
    for (const [i, key] of keys.entries()) expect((await reopened.get(key))?.name).toBe(`n${i}`);
    expect(await reopened.get('gone')).toBeNull();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
