import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FolderBlobStore } from '../../functions/adapters/local/blob-store.ts';
import { encodeDecisions } from '../../functions/adapters/local/decision-rows.ts';
import { DecisionStaging, DuckDbJobStore, DuckDbResultStore, LocalDb } from '../../functions/adapters/local/duckdb.ts';
import { DuckDbCache } from '../../functions/adapters/local/duckdb-cache.ts';
import { queueForLake } from '../../functions/adapters/local/lake-export.ts';
import { DEFAULT_TENANT } from '../../functions/core/api-keys.ts';
import { loadTaxonomy } from '../../functions/core/taxonomy.ts';
import type { Decision, Trace } from '../../functions/core/types.ts';
import type { ItemRecord } from '../../functions/ports.ts';

const V = '2026.11.1';
const decision = (key: string, extra: Partial<Decision> = {}): Decision => ({
  key,
  classId: 'food.dairy-eggs',
  confidence: 0.9,
  tier: 'encoder',
  status: 'ok',
  modelVersion: 'enc@1',
  reason: 'top 0.9',
  taxonomyVersion: V,
  ...extra,
});
const record = (key: string, at: string, extra: Partial<Decision> = {}, name = `item ${key}`): ItemRecord => ({
  decision: decision(key, extra),
  input: { name, brand: 'Brand, Inc.' },
  text: name,
  jobId: 'job-1',
  row: 1,
  at,
});

describe('DuckDB local store', () => {
  let dir: string;
  let db: LocalDb;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'aisle-db-'));
    db = await LocalDb.open(join(dir, 'aisle.duckdb'), join(dir, 'tmp'));
  });
  afterEach(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('cache: getMany returns what putMany stored, per taxonomy version; a cold cache answers empty', async () => {
    const cache = new DuckDbCache(db);
    expect((await cache.getMany(['a', 'b'], V)).size).toBe(0);
    await cache.putMany([decision('a'), decision('b', { classId: 'food.beverages', tier: 'llm' }), decision('c', { tier: 'rules' })]);
    const hits = await cache.getMany(['a', 'b', 'c', 'zz'], V);
    expect([...hits.keys()].sort()).toEqual(['a', 'b', 'c']);
    expect(hits.get('b')).toMatchObject({ classId: 'food.beverages', tier: 'llm', confidence: 0.9, modelVersion: 'enc@1' });
    expect((await cache.getMany(['a'], 'other-version')).size).toBe(0);
    // a newer decision for the same key replaces the old one
    await cache.putMany([decision('a', { classId: 'food.snacks-sweets' })]);
    expect((await cache.getMany(['a'], V)).get('a')!.classId).toBe('food.snacks-sweets');
  });

  it('cache: TTL expires machine decisions but never human labels', async () => {
    let now = Date.parse('2026-06-01T00:00:00.000Z');
    const cache = new DuckDbCache(db, 60, () => now);
    const store = new DuckDbResultStore(db);
    await store.saveDecisions([record('h', new Date().toISOString(), { tier: 'review', status: 'needs_review' })]);
    await store.setHumanLabel('h', 'non-food.household', 'ana');
    await cache.putMany([decision('m'), decision('h', { classId: 'food.beverages' })]);
    expect((await cache.getMany(['m'], V)).has('m')).toBe(true);
    now += 61_000;
    const hits = await cache.getMany(['m', 'h'], V);
    expect(hits.has('m')).toBe(false);
    expect(hits.get('h')).toMatchObject({ classId: 'non-food.household', tier: 'human', confidence: 1 });
  });

  it('cache: a hot key answers from memory; a newer decision or a human label replaces it at once', async () => {
    const cache = new DuckDbCache(db);
    const store = new DuckDbResultStore(db);
    await store.saveDecisions([record('hot', new Date().toISOString())]);
    await cache.putMany([decision('hot')]);
    expect((await cache.getMany(['hot'], V)).get('hot')!.classId).toBe('food.dairy-eggs');
    // Behind the adapter's back (no process but this one writes the file): the hot key still answers from memory.
    await db.exec('DELETE FROM cache');
    expect((await cache.getMany(['hot'], V)).get('hot')).toMatchObject({ classId: 'food.dairy-eggs', tier: 'encoder' });
    // Writes through the adapter replace what memory holds.
    await cache.putMany([decision('hot', { classId: 'food.beverages' })]);
    expect((await cache.getMany(['hot'], V)).get('hot')!.classId).toBe('food.beverages');
    expect((await cache.getMany(['hot'], V)).get('hot')!.classId).toBe('food.beverages');
    await store.setHumanLabel('hot', 'non-food.household', 'ana');
    expect((await cache.getMany(['hot'], V)).get('hot')).toMatchObject({ classId: 'non-food.household', tier: 'human' });
  });

  it('cache: a key it holds but does not know of (an expired entry) is replaced, not refused', async () => {
    let now = Date.parse('2026-06-01T00:00:00.000Z');
    await new DuckDbCache(db, 60, () => now).putMany([decision('stale')]);
    now += 61_000;
    db.cachedKeys.delete(V); // as in a new process: the keys are loaded again, without the expired one
    const cache = new DuckDbCache(db, undefined, () => now);
    expect((await cache.getMany(['stale'], V)).has('stale')).toBe(false);
    await cache.putMany([decision('stale', { classId: 'food.beverages' }), decision('new-one')]);
    expect((await cache.getMany(['stale'], V)).get('stale')!.classId).toBe('food.beverages');
    expect((await cache.getMany(['new-one'], V)).get('new-one')!.classId).toBe('food.dairy-eggs');
    expect((await db.query<{ n: bigint }>("SELECT count(*) AS n FROM cache WHERE key IN ('stale', 'new-one')"))[0].n).toBe(2n);
  });

  it('cache: a hot key expires with its TTL', async () => {
    let now = Date.parse('2026-06-01T00:00:00.000Z');
    const cache = new DuckDbCache(db, 60, () => now);
    await cache.putMany([decision('ttl')]);
    expect((await cache.getMany(['ttl'], V)).has('ttl')).toBe(true);
    now += 59_000;
    expect((await cache.getMany(['ttl'], V)).has('ttl')).toBe(true);
    now += 2_000;
    expect((await cache.getMany(['ttl'], V)).has('ttl')).toBe(false);
  });

  it('results: history newest first, human label takes precedence in the store and the cache', async () => {
    const store = new DuckDbResultStore(db);
    const cache = new DuckDbCache(db);
    await store.saveDecisions([record('k1', '2026-01-01T00:00:00.000Z', { tier: 'review', status: 'needs_review', classId: null })]);
    await store.saveDecisions([record('k1', '2026-01-02T00:00:00.000Z', { tier: 'llm' })]);
    await cache.putMany([decision('k1', { tier: 'llm' })]);
    let item = await store.getItem('k1');
    expect(item!.current.decision.tier).toBe('llm');
    expect(item!.history.map((h) => h.decision.tier)).toEqual(['review']);
    expect(item!.current.input).toEqual({ name: 'item k1', brand: 'Brand, Inc.' });

    const labelled = await store.setHumanLabel('k1', 'non-food.pet-supplies', 'ana');
    expect(labelled!.decision).toMatchObject({ tier: 'human', classId: 'non-food.pet-supplies', status: 'ok' });
    item = await store.getItem('k1');
    expect(item!.current.decision).toMatchObject({ tier: 'human', classId: 'non-food.pet-supplies' });
    expect(item!.history).toHaveLength(2);
    expect((await cache.getMany(['k1'], V)).get('k1')).toMatchObject({ tier: 'human', classId: 'non-food.pet-supplies' });
    // a later machine decision does not displace the label in the cache
    await cache.putMany([decision('k1', { tier: 'llm', classId: 'food.beverages' })]);
    expect((await cache.getMany(['k1'], V)).get('k1')!.tier).toBe('human');
    expect(await store.setHumanLabel('unknown-key', 'food', 'ana')).toBeNull();
    expect(await store.getItem('unknown-key')).toBeNull();
  });

  it('review: lists items whose current decision needs review, oldest first, in pages', async () => {
    const store = new DuckDbResultStore(db);
    const day = (d: number) => `2026-01-0${d}T00:00:00.000Z`;
    await store.saveDecisions([
      record('r1', day(1), { tier: 'review', status: 'needs_review' }),
      record('r2', day(2), { tier: 'review', status: 'needs_review' }),
      record('r3', day(3), { tier: 'review', status: 'needs_review' }),
      record('ok', day(1)),
    ]);
    await store.setHumanLabel('r2', 'food.breakfast', 'ana');
    const first = await store.listReview({ limit: 1 });
    expect(first.items.map((i) => i.decision.key)).toEqual(['r1']);
    expect(first.next).toBeDefined();
    const second = await store.listReview({ limit: 5, cursor: first.next });
    expect(second.items.map((i) => i.decision.key)).toEqual(['r3']);
    expect(second.next).toBeUndefined();

    const exported = [];
    for await (const e of store.exportLabelled({ tiers: ['human', 'llm'] })) exported.push(e);
    expect(exported).toEqual([{ input: { name: 'item r2', brand: 'Brand, Inc.' }, classId: 'food.breakfast', tier: 'human' }]);
  });

  it('results: bulk saves of many rows, and discarding a job past a row', async () => {
    const store = new DuckDbResultStore(db);
    const at = new Date().toISOString();
    const many = Array.from({ length: 5000 }, (_, i) => ({ ...record(`b${i}`, at, {}, `name "${i}", with\nnewline`), row: i + 1 }));
    await store.saveDecisions(many);
    expect((await db.query<{ n: bigint }>('SELECT count(*) AS n FROM decisions'))[0].n).toBe(5000n);
    expect((await store.getItem('b42'))!.current.input.name).toBe('name "42", with\nnewline');
    await store.discardJobRowsAfter('job-1', 1000);
    expect((await db.query<{ n: bigint }>('SELECT count(*) AS n FROM decisions'))[0].n).toBe(1000n);
  });

  it('results: staged rows whose text holds CR or CR LF (quoted multi-line cells) are stored byte for byte', async () => {
    const store = new DuckDbResultStore(db);
    const at = new Date().toISOString();
    const names = ['Mystery\r\nsecond line', 'Old Mac\rline', 'plain'];
    const staging = new DecisionStaging(db, DEFAULT_TENANT);
    staging.add(encodeDecisions(names.map((name, i) => ({ ...record(`cr${i}`, at, {}, name), row: i + 1 }))).bytes);
    await staging.flush();
    for (const [i, name] of names.entries()) expect((await store.getItem(`cr${i}`))!.current.input.name).toBe(name);
  });

  it('results: a trace reads back as it was saved (times to 3 significant digits), and the lake finds its cost units', async () => {
    const store = new DuckDbResultStore(db);
    const candidates = [
      { classId: 'food.dairy-eggs', score: 0.6123456789012345 },
      { classId: 'food.fresh', score: 0.2987654321098765 },
    ];
    const trace: Trace = {
      steps: [
        { tier: 'cache', outcome: 'deferred', reason: 'not cached', ms: 0.0123456 },
        { tier: 'rules', outcome: 'deferred', reason: 'no rule matched', ms: 0.0234567, costUnits: 0 },
        { tier: 'encoder', outcome: 'decided', reason: 'top 0.9', ms: 0.0456789, costUnits: 1.5, modelVersion: 'enc@1', candidates },
      ],
      topK: candidates,
      totalMs: 0.0123456 + 0.0234567 + 0.0456789,
      costUnits: 1.5,
    };
    await store.saveDecisions([record('t1', new Date().toISOString(), { trace })]);
    // An item stored before traces were kept compact: its plain JSON reads back as it was.
    await db.exec(`UPDATE decisions SET key = 't0' WHERE key = 't1'`);
    await store.saveDecisions([record('t1', new Date().toISOString(), { trace })]);
    await db.exec(`UPDATE decisions SET trace = $t WHERE key = 't0'`, { t: JSON.stringify(trace) });
    const ms = [0.0123, 0.0235, 0.0457];
    const steps = trace.steps.map((s, i) => ({ ...s, ms: ms[i] }));
    expect((await store.getItem('t1'))!.current.decision.trace).toEqual({ ...trace, steps, totalMs: ms[0] + ms[1] + ms[2] });
    expect((await store.getItem('t0'))!.current.decision.trace).toEqual(trace);

    await queueForLake(db, join(dir, 'lake'), {
      tenant: DEFAULT_TENANT,
      jobId: 'job-1',
      outputCsv: join(dir, 'aisle.duckdb'),
      inputHeader: ['name'],
      rows: 2,
      taxonomy: loadTaxonomy(),
      at: new Date(),
      csvRaw: false,
    });
    const costs = await db.query<{ key: string; cost_units: number }>(
      `SELECT key, cost_units FROM '${join(dir, 'lake', 'pending', 'job-1.costs.parquet')}' ORDER BY key`,
    );
    expect(costs).toEqual([
      { key: 't0', cost_units: 1.5 },
      { key: 't1', cost_units: 1.5 },
    ]);
  });

  it('jobs: create, get, update and list newest first', async () => {
    const jobs = new DuckDbJobStore(db);
    const a = await jobs.create({ id: 'a', input: 'in-a.csv' });
    expect(a).toMatchObject({ id: 'a', status: 'queued', rowsIn: 0, classified: 0, rejected: 0 });
    // b a second newer than a, given rather than waited for
    await jobs.create({ id: 'b', input: 'in-b.csv', status: 'running', createdAt: new Date(Date.parse(a.createdAt) + 1000).toISOString() });
    const updated = await jobs.update('a', {
      status: 'done',
      rowsIn: 10,
      classified: 9,
      rejected: 1,
      checkpoint: { records: 10, outputBytes: 100, rejectsBytes: 20 },
    });
    expect(updated.createdAt).toBe(a.createdAt);
    expect(await jobs.get('a')).toMatchObject({ status: 'done', rowsIn: 10, checkpoint: { records: 10 } });
    expect(await jobs.get('nope')).toBeNull();
    const page = await jobs.list({ limit: 1 });
    expect(page.items.map((j) => j.id)).toEqual(['b']);
    expect((await jobs.list({ limit: 1, cursor: page.next })).items.map((j) => j.id)).toEqual(['a']);
    await expect(jobs.update('nope', { status: 'done' })).rejects.toThrow(/no job nope/);
  });

  it('folder blob store: put, get, exists, list; keys cannot escape the folder', async () => {
    const blobs = new FolderBlobStore(join(dir, 'blobs'));
    await blobs.put('outbox/j1/out.csv', 'a,b\n');
    await blobs.put('outbox/j1/out.rejects.csv', new Uint8Array([120]));
    await blobs.put('inbox/x.csv', 'name\n');
    expect(await blobs.exists('outbox/j1/out.csv')).toBe(true);
    expect(await blobs.exists('outbox/j2/out.csv')).toBe(false);
    expect(await blobs.list('outbox/')).toEqual(['outbox/j1/out.csv', 'outbox/j1/out.rejects.csv']);
    const body = await blobs.get('outbox/j1/out.csv');
    let text = '';
    for await (const c of body!) text += c;
    expect(text).toBe('a,b\n');
    expect(await blobs.get('missing')).toBeNull();
    await expect(blobs.put('../escape', 'x')).rejects.toThrow(/escapes/);
  });
});
