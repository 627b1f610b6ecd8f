/**
 * Contract suites for the storage ports: every implementation (local DuckDB/folder adapters, AWS adapters on
 * emulators) runs the same assertions. Each suite takes a factory that returns a fresh, empty store.
 */
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Decision } from '../../functions/core/types.ts';
import type { BlobStore, Cache, ItemRecord, JobProgress, JobStore, Queue, ResultStore } from '../../functions/ports.ts';

export interface Fixture<T> {
  value: T;
  cleanup?: () => Promise<void>;
}

const VERSION = 'tax-1';

export function decision(key: string, patch: Partial<Decision> = {}): Decision {
  return { key, classId: 'food.beverages', confidence: 0.9, tier: 'rules', status: 'ok', ruleId: 'kw.soda', taxonomyVersion: VERSION, ...patch };
}

export function record(key: string, at: string, patch: Partial<Decision> = {}): ItemRecord {
  return { decision: decision(key, patch), input: { name: `product ${key}` }, text: `product ${key}`, at, jobId: 'job-1' };
}

/** Runs a factory once per suite and its cleanup after. */
function useFixture<T>(make: () => Promise<Fixture<T>>): () => T {
  let fixture: Fixture<T> | undefined;
  beforeAll(async () => {
    fixture = await make();
  });
  afterAll(async () => {
    await fixture?.cleanup?.();
  });
  return () => {
    if (!fixture) throw new Error('fixture not ready');
    return fixture.value;
  };
}

export function describeCacheContract(name: string, make: () => Promise<Fixture<Cache>>): void {
  describe(`Cache contract: ${name}`, () => {
    const cache = useFixture(make);

    it('returns what was put, by key and taxonomy version', async () => {
      await cache().putMany([decision('c1'), decision('c2', { classId: 'non-food.household', tier: 'encoder', modelVersion: 'm1' })]);
      const hits = await cache().getMany(['c1', 'c2', 'c-missing'], VERSION);
      expect(hits.size).toBe(2);
      expect(hits.get('c1')).toMatchObject({ key: 'c1', classId: 'food.beverages', tier: 'rules' });
      expect(hits.get('c2')).toMatchObject({ classId: 'non-food.household', tier: 'encoder', modelVersion: 'm1' });
      expect((await cache().getMany(['c1'], 'other-version')).size).toBe(0);
    });

    it('answers for many keys at once, with duplicates in the request', async () => {
      const many = Array.from({ length: 130 }, (_, i) => decision(`m${i}`));
      await cache().putMany(many);
      const keys = [...many.map((d) => d.key), 'm0', 'm1'];
      expect((await cache().getMany(keys, VERSION)).size).toBe(130);
    });
  });
}

export function describeResultStoreContract(name: string, make: () => Promise<Fixture<ResultStore>>): void {
  describe(`ResultStore contract: ${name}`, () => {
    const store = useFixture(make);

    it('keeps the current decision and the earlier ones, newest first', async () => {
      await store().saveDecisions([record('r1', '2026-01-01T00:00:00.000Z', { classId: 'food.snacks-sweets' })]);
      await store().saveDecisions([record('r1', '2026-01-02T00:00:00.000Z', { classId: 'food.beverages' })]);
      const got = await store().getItem('r1');
      expect(got?.current.decision.classId).toBe('food.beverages');
      expect(got?.history.map((h) => h.decision.classId)).toEqual(['food.snacks-sweets']);
      expect(got?.current.input.name).toBe('product r1');
      expect(await store().getItem('nope')).toBeNull();
    });

    it('lists items needing review oldest first, page by page, and drops them once labelled', async () => {
      const review = (k: string, at: string) => record(k, at, { status: 'needs_review', tier: 'review' });
      await store().saveDecisions([
        review('q2', '2026-02-02T00:00:00.000Z'),
        review('q1', '2026-02-01T00:00:00.000Z'),
        review('q3', '2026-02-03T00:00:00.000Z'),
        record('ok1', '2026-02-01T00:00:00.000Z'),
      ]);
      const first = await store().listReview({ limit: 2 });
      expect(first.items.map((i) => i.decision.key)).toEqual(['q1', 'q2']);
      expect(first.next).toBeTruthy();
      const second = await store().listReview({ limit: 2, cursor: first.next });
      expect(second.items.map((i) => i.decision.key)).toEqual(['q3']);

      const labelled = await store().setHumanLabel('q1', 'food.produce', 'tester');
      expect(labelled?.decision).toMatchObject({ tier: 'human', classId: 'food.produce', status: 'ok' });
      const after = await store().listReview({ limit: 10 });
      expect(after.items.map((i) => i.decision.key)).toEqual(['q2', 'q3']);
      expect((await store().getItem('q1'))?.current.decision.tier).toBe('human');
      expect(await store().setHumanLabel('never-seen', 'food.produce', 'tester')).toBeNull();
    });

    it('exports human labels, and LLM decisions when asked', async () => {
      await store().saveDecisions([record('l1', '2026-03-01T00:00:00.000Z', { tier: 'llm', classId: 'food.frozen' })]);
      await store().setHumanLabel('r1', 'food.dairy-eggs', 'tester');
      const collect = async (tiers: ('human' | 'llm')[]) => {
        const out: { classId: string; tier: string; name: string }[] = [];
        for await (const row of store().exportLabelled({ tiers })) out.push({ classId: row.classId, tier: row.tier, name: row.input.name });
        return out.sort((a, b) => a.name.localeCompare(b.name));
      };
      const human = await collect(['human']);
      expect(human).toContainEqual({ classId: 'food.dairy-eggs', tier: 'human', name: 'product r1' });
      expect(human.every((r) => r.tier === 'human')).toBe(true);
      const both = await collect(['human', 'llm']);
      expect(both).toContainEqual({ classId: 'food.frozen', tier: 'llm', name: 'product l1' });
      expect(both.length).toBe(human.length + 1);
    });
  });
}

/**
 * Saving the same decision of an item again adds no history row: concurrent identical calls, the same item
 * twice in a call, a redelivered chunk (issue 15 item 12). For stores written by several processes at once
 * (DynamoDB under Lambdas). The local DuckDB file has one writing process, whose API deduplicates in memory
 * before saving (functions/api/routes/classify.ts; test/api/concurrency.test.ts), so the store need not.
 */
export function describeHistoryContract(name: string, make: () => Promise<Fixture<ResultStore>>, skip: string | null = null): void {
  describe.skipIf(skip)(`ResultStore history contract: ${name}`, () => {
    const store = useFixture(make);
    const call = (key: string, ms: number, patch: Partial<Decision> = {}): ItemRecord => ({
      ...record(key, new Date(Date.parse('2026-04-01T00:00:00.000Z') + ms).toISOString(), { tier: 'encoder', modelVersion: 'm1', ...patch }),
      jobId: undefined,
    });
    const rows = async (key: string) => {
      const item = await store().getItem(key);
      return item ? [item.current, ...item.history].map((r) => `${r.decision.classId}@${r.at.slice(17, 23)}`) : [];
    };

    it('two concurrent calls with the same decision write one history row; another decision adds one', async () => {
      await Promise.all([store().saveDecisions([call('s1', 0)]), store().saveDecisions([call('s1', 3)])]);
      expect(await rows('s1')).toHaveLength(1);
      await store().saveDecisions([call('s1', 5), call('s1', 5)]);
      expect(await rows('s1')).toHaveLength(1);
      await store().saveDecisions([call('s1', 10, { classId: 'food.snacks-sweets', modelVersion: 'm2' })]);
      expect(await rows('s1')).toEqual(['food.snacks-sweets@00.010', expect.stringMatching(/^food\.beverages@/)]);
    });

    it('a job row saved twice (a redelivered chunk) keeps one row; other rows and jobs keep theirs', async () => {
      const row = (n: number, jobId: string, ms: number) => ({ ...call('s2', ms), jobId, row: n });
      await store().saveDecisions([row(7, 'job-1', 0), row(8, 'job-1', 0)]);
      await store().saveDecisions([row(7, 'job-1', 20), row(8, 'job-1', 20)]);
      await store().saveDecisions([row(7, 'job-2', 40)]);
      expect(await rows('s2')).toHaveLength(3);
    });
  });
}

/** A result store and the cache its labels go to, the cache keeping machine decisions `ttlSeconds` by `now`. */
export interface LabelStores {
  results: ResultStore;
  cache: Cache;
}

export function describeLabelContract(name: string, make: (clock: { ttlSeconds: number; now: () => number }) => Promise<Fixture<LabelStores>>): void {
  describe(`Human label contract: ${name}`, () => {
    let now = Date.parse('2026-06-01T00:00:00.000Z');
    const stores = useFixture(() => make({ ttlSeconds: 3600, now: () => now }));

    it('a label becomes the current decision and the cache answer, and never expires; machine decisions do', async () => {
      const { results, cache } = stores();
      await results.saveDecisions([record('h1', '2026-01-01T00:00:00.000Z', { tier: 'review', status: 'needs_review', classId: null })]);
      await cache.putMany([decision('m1'), decision('h1', { tier: 'encoder' })]);
      const label = await results.setHumanLabel('h1', 'food.produce', 'tester');
      expect(label?.decision).toMatchObject({
        key: 'h1',
        tier: 'human',
        classId: 'food.produce',
        status: 'ok',
        confidence: 1,
        reason: 'labelled by tester',
      });
      expect(label?.jobId).toBeUndefined();
      const item = await results.getItem('h1');
      expect(item?.current.decision).toMatchObject({ tier: 'human', classId: 'food.produce' });
      expect(item?.history.map((h) => h.decision.tier)).toEqual(['review']);

      const before = await cache.getMany(['m1', 'h1'], VERSION);
      expect(before.get('m1')).toMatchObject({ tier: 'rules', classId: 'food.beverages' });
      expect(before.get('h1')).toMatchObject({ tier: 'human', classId: 'food.produce', confidence: 1 });

      now += 10 * 365 * 86_400_000; // ten years on: far past the machine TTL and any default one (90 days)
      const after = await cache.getMany(['m1', 'h1'], VERSION);
      expect(after.has('m1')).toBe(false);
      expect(after.get('h1')).toMatchObject({ tier: 'human', classId: 'food.produce' });

      // A machine decision cached after the label does not displace it.
      await cache.putMany([decision('h1', { tier: 'encoder', classId: 'food.beverages' })]);
      expect((await cache.getMany(['h1'], VERSION)).get('h1')).toMatchObject({ tier: 'human', classId: 'food.produce' });
    });
  });
}

export function describeJobStoreContract(name: string, make: () => Promise<Fixture<JobStore>>): void {
  describe(`JobStore contract: ${name}`, () => {
    const jobs = useFixture(make);

    it('creates, reads and updates a job', async () => {
      const created = await jobs().create({ id: 'j1', input: 'inbox/a.csv' });
      expect(created).toMatchObject({ id: 'j1', status: 'queued', rowsIn: 0, classified: 0, rejected: 0 });
      const updated = await jobs().update('j1', { status: 'running', rowsIn: 10, totalKnown: true, tierCounts: { rules: 4 } });
      expect(updated).toMatchObject({ id: 'j1', status: 'running', rowsIn: 10, totalKnown: true, tierCounts: { rules: 4 } });
      expect(await jobs().get('j1')).toMatchObject({ status: 'running', rowsIn: 10, input: 'inbox/a.csv' });
      expect(await jobs().get('missing')).toBeNull();
    });

    it('lists jobs newest first, page by page', async () => {
      // Creation times given, a second apart after j1's, rather than waited for.
      const j1 = Date.parse((await jobs().get('j1'))!.createdAt);
      for (const [n, id] of ['j2', 'j3', 'j4'].entries()) {
        await jobs().create({ id, input: `inbox/${id}.csv`, createdAt: new Date(j1 + (n + 1) * 1000).toISOString() });
      }
      const first = await jobs().list({ limit: 2 });
      expect(first.items.map((j) => j.id)).toEqual(['j4', 'j3']);
      const second = await jobs().list({ limit: 10, cursor: first.next });
      expect(second.items.map((j) => j.id)).toEqual(['j2', 'j1']);
    });
  });
}

/** Counting that survives redelivery: a chunk id counts once, a status move succeeds once. */
export function describeJobProgressContract(name: string, make: () => Promise<Fixture<JobStore & JobProgress>>): void {
  describe(`JobProgress contract: ${name}`, () => {
    const jobs = useFixture(make);

    it('counts a chunk once however often it is delivered', async () => {
      await jobs().create({ id: 'p1', input: 'inbox/p.csv', status: 'running' });
      const counts = { classified: 5, rejected: 0, needsReview: 1, tierCounts: { rules: 3, review: 1, cache: 1 } };
      const first = await jobs().addChunk('p1', '0', counts);
      expect(first.applied).toBe(true);
      const again = await jobs().addChunk('p1', '0', counts);
      expect(again.applied).toBe(false);
      const second = await jobs().addChunk('p1', '1', { classified: 2, rejected: 1, needsReview: 0, tierCounts: { rules: 2 } });
      expect(second.job).toMatchObject({ classified: 7, rejected: 1, needsReview: 1, tierCounts: { rules: 5, review: 1, cache: 1 } });
      await expect(jobs().addChunk('no-such-job', '0', counts)).rejects.toThrow(/not found/);
    });

    it('moves a status for exactly one of several callers', async () => {
      await jobs().create({ id: 'p2', input: 'inbox/p.csv', status: 'running' });
      const results = await Promise.all([1, 2, 3, 4].map(() => jobs().transition('p2', 'running', 'finalizing')));
      expect(results.filter(Boolean)).toHaveLength(1);
      expect((await jobs().get('p2'))?.status).toBe('finalizing');
      expect(await jobs().transition('p2', 'running', 'finalizing')).toBe(false);
    });
  });
}

export function describeBlobStoreContract(name: string, make: () => Promise<Fixture<BlobStore>>): void {
  describe(`BlobStore contract: ${name}`, () => {
    const blobs = useFixture(make);

    it('puts strings, bytes and streams and reads them back', async () => {
      await blobs().put('a/one.txt', 'hello', 'text/plain');
      await blobs().put('a/two.bin', new Uint8Array([1, 2, 3]));
      const lines = Array.from({ length: 20_000 }, (_, i) => `row ${i},some product name ${i}\n`);
      await blobs().put('b/big.csv', Readable.from(lines), 'text/csv');
      expect(await text((await blobs().get('a/one.txt'))!)).toBe('hello');
      const bytes = Buffer.concat(await (await blobs().get('a/two.bin'))!.toArray());
      expect([...bytes]).toEqual([1, 2, 3]);
      expect(await text((await blobs().get('b/big.csv'))!)).toBe(lines.join(''));
    });

    it('answers missing keys without throwing and lists by prefix', async () => {
      expect(await blobs().get('a/missing.txt')).toBeNull();
      expect(await blobs().exists('a/missing.txt')).toBe(false);
      expect(await blobs().exists('a/one.txt')).toBe(true);
      expect((await blobs().list('a/')).sort()).toEqual(['a/one.txt', 'a/two.bin']);
      expect(await blobs().list('zzz/')).toEqual([]);
    });

    it('gives an object its size and a byte range of it (Parquet is read by seeking)', async () => {
      await blobs().put('c/range.bin', new Uint8Array([10, 11, 12, 13, 14, 15]));
      expect((await blobs().head('c/range.bin'))?.size).toBe(6);
      expect(await blobs().head('c/missing.bin')).toBeNull();
      expect([...(await blobs().getRange('c/range.bin', 2, 5))]).toEqual([12, 13, 14]);
      expect([...(await blobs().getRange('c/range.bin', 5, 6))]).toEqual([15]);
    });
  });
}

/** A queue and a way to read back what reached it (the consumer side is the runtime's, not the port's). */
export interface QueueProbe<T> {
  queue: Queue<T>;
  receiveAll(): Promise<T[]>;
}

export function describeQueueContract(name: string, make: () => Promise<Fixture<QueueProbe<{ n: number; pad: string }>>>): void {
  describe(`Queue contract: ${name}`, () => {
    const probe = useFixture(make);

    it('delivers every message of a send larger than one batch, including large ones', async () => {
      const messages = Array.from({ length: 35 }, (_, n) => ({ n, pad: 'x'.repeat(n % 5 === 0 ? 60_000 : 10) }));
      await probe().queue.send(messages);
      const got = await probe().receiveAll();
      expect(got.map((m) => m.n).sort((a, b) => a - b)).toEqual(messages.map((m) => m.n));
      expect(got.find((m) => m.n === 5)?.pad.length).toBe(60_000);
    });
  });
}

/** The stores that hold a tenant's data, over one database (the store itself is the default tenant's). */
export interface TenantStores {
  results: ResultStore;
  cache: Cache;
  jobs: JobStore;
}

/**
 * Tenant scoping (ports.ts TenantScoped): what one tenant writes, another neither reads, lists, labels nor
 * overwrites, though it uses the same item keys and job ids; the store itself is the default tenant's.
 */
export function describeTenantContract(name: string, make: () => Promise<Fixture<TenantStores>>): void {
  describe(`tenant scoping contract: ${name}`, () => {
    const stores = useFixture(make);
    const acme = () => ({
      results: stores().results.forTenant('acme'),
      cache: stores().cache.forTenant('acme'),
      jobs: stores().jobs.forTenant('acme'),
    });

    beforeAll(async () => {
      const own = stores();
      await own.results.saveDecisions([
        record('t-rev', '2026-03-01T00:00:00.000Z', { status: 'needs_review', tier: 'review' }),
        record('t-lab', '2026-03-01T00:00:00.000Z', { tier: 'llm' }),
      ]);
      await own.results.setHumanLabel('t-lab', 'food.produce', 'owner');
      await own.cache.putMany([decision('t-enc', { tier: 'encoder', modelVersion: 'm1' })]);
      await own.jobs.create({ id: 'job-t1', input: 'owner.csv' });
    });

    it("another tenant reads, lists and exports nothing of the default tenant's", async () => {
      const other = acme();
      expect(await other.results.getItem('t-rev')).toBeNull();
      expect(await other.results.getItem('t-lab')).toBeNull();
      expect((await other.results.listReview({ limit: 50 })).items).toEqual([]);
      const exported = [];
      for await (const e of other.results.exportLabelled({ tiers: ['human', 'llm'] })) exported.push(e);
      expect(exported).toEqual([]);
      expect((await other.cache.getMany(['t-enc', 't-lab', 't-rev'], VERSION)).size).toBe(0);
      expect(await other.jobs.get('job-t1')).toBeNull();
      expect((await other.jobs.list({ limit: 50 })).items).toEqual([]);
    });

    it("another tenant cannot label the default tenant's item, and its writes to the same keys stay its own", async () => {
      const other = acme();
      expect(await other.results.setHumanLabel('t-rev', 'food.beverages', 'intruder')).toBeNull();
      await other.results.saveDecisions([record('t-lab', '2026-04-01T00:00:00.000Z', { classId: 'food.snacks-sweets', tier: 'encoder' })]);
      await other.results.setHumanLabel('t-lab', 'food.beverages', 'acme user');
      await other.cache.putMany([decision('t-enc', { tier: 'encoder', classId: 'non-food.household', modelVersion: 'm2' })]);
      await other.jobs.create({ id: 'job-t1', input: 'acme.csv' });

      const own = stores();
      expect((await own.results.getItem('t-lab'))?.current.decision).toMatchObject({ tier: 'human', classId: 'food.produce' });
      expect((await own.results.getItem('t-rev'))?.current.decision.status).toBe('needs_review');
      const ownHits = await own.cache.getMany(['t-lab', 't-enc'], VERSION);
      expect(ownHits.get('t-lab')).toMatchObject({ tier: 'human', classId: 'food.produce' });
      expect(ownHits.get('t-enc')).toMatchObject({ tier: 'encoder', classId: 'food.beverages', modelVersion: 'm1' });
      expect((await own.jobs.get('job-t1'))?.input).toBe('owner.csv');
      expect((await own.jobs.list({ limit: 50 })).items.map((j) => j.input)).toEqual(['owner.csv']);

      expect((await other.results.getItem('t-lab'))?.current.decision).toMatchObject({ tier: 'human', classId: 'food.beverages' });
      const otherHits = await other.cache.getMany(['t-lab', 't-enc'], VERSION);
      expect(otherHits.get('t-lab')).toMatchObject({ tier: 'human', classId: 'food.beverages' });
      expect(otherHits.get('t-enc')).toMatchObject({ tier: 'encoder', classId: 'non-food.household', modelVersion: 'm2' });
      expect((await other.jobs.get('job-t1'))?.input).toBe('acme.csv');
      // A view's view of the default tenant is the default tenant's data again.
      expect((await other.results.forTenant('default').getItem('t-lab'))?.current.decision.classId).toBe('food.produce');
    });
  });
}
