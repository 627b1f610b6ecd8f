/**
 * The served index's vectors follow each tenant's own filing: a category model fitted on the tenant's labelled
 * items (human labels and LLM decisions, from its result store), refitted when labels change, measured on the
 * project fixture against the names alone.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { vectorGraphWorkerScript } from '../../bin/commands/serve.ts';
import { LocalVectorIndex } from '../../functions/adapters/local/vector-index.ts';
import { GraphThread } from '../../functions/adapters/local/vector-index-ann.ts';
import { openLocalSimilar } from '../../functions/adapters/local/vector-index-sync.ts';
import { dot, StaticEmbedder } from '../../functions/embeddings/static-embedder.ts';
import type { ItemRecord } from '../../functions/ports.ts';
import { CATEGORY_SLOTS, CategoryModel, type LabelledName } from '../../functions/similar/category-model.ts';
import { scoreRankings } from '../../functions/similar/evaluate.ts';
import { indexingResults } from '../../functions/similar/indexing.ts';
import { SimilarProducts } from '../../functions/similar/similar.ts';
import { fittedOnLabels, labelledNamesOf, REFIT_EVERY_MS, TenantCategoryVectors } from '../../functions/similar/tenant-categories.ts';
import { ItemVectorizer } from '../../functions/similar/vectors.ts';
import { SIMILAR_CATALOG } from '../fixtures/similar-catalog.ts';
import { MemoryStore } from '../support/memory-store.ts';

const embedder = StaticEmbedder.load();
const names = new ItemVectorizer(embedder);
/** Fits on this thread (the worker's own test: tenant-categories.test.ts). */
const fitHere = async (labelled: LabelledName[]) => CategoryModel.fit(labelled, embedder);
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const aisles = Object.entries(SIMILAR_CATALOG);
const items = aisles.flatMap(([aisle, list]) => list.map((name, i) => ({ key: `${aisle}-${i}`, name, aisle, labelled: i < 4 })));

const record = (key: string, name: string, classId: string | null, tier: string): ItemRecord => ({
  decision: { key, classId, confidence: 0.9, tier, status: classId ? 'ok' : 'needs_review', reason: 'test', taxonomyVersion: 't1' },
  input: { name },
  text: name.toLowerCase(),
  at: '2026-12-07T00:00:00.000Z',
});

/** A served tenant: its store, its index (every fixture item indexed as decided), a clock the test moves. */
async function servedTenant() {
  const dir = mkdtempSync(join(tmpdir(), 'aisle-served-'));
  dirs.push(dir);
  const store = new MemoryStore();
  const clock = { now: 0 };
  const vectors = new TenantCategoryVectors(names, fittedOnLabels(labelledNamesOf(store), fitHere), 'default', new Map(), () => clock.now);
  const index = new LocalVectorIndex(dir, { dimensions: vectors.dimensions });
  const results = indexingResults(store, index, vectors).forTenant('acme');
  // The first four items of each aisle come labelled by the LLM; the others are decided with no class yet.
  await results.saveDecisions(items.map((it) => record(it.key, it.name, it.labelled ? it.aisle : null, it.labelled ? 'llm' : 'review')));
  const similar = new SimilarProducts(index, vectors).forTenant('acme');
  return { store, results, similar, clock, acme: vectors.forTenant('acme'), index: index.forTenant('acme') };
}

/** P@5 over the unlabelled items as queries, each ranking every other item of the tenant's index. */
async function precisionOfUnlabelled(similar: SimilarProducts) {
  const byKey = new Map(items.map((it, i) => [it.key, i]));
  const queries = items.filter((it) => !it.labelled);
  const rankings = await Promise.all(
    queries.map(async (q) => ({
      query: byKey.get(q.key)!,
      ranked: (await similar.similarToItem(q.key, 10))!.similar.map((s) => byKey.get(s.key)!),
    })),
  );
  return scoreRankings(
    rankings,
    items.map((it) => it.aisle),
  );
}

describe('the served index with a category model per tenant', () => {
  it('fits on the tenant labels as its items arrive, and files its unlabelled items better than names alone', async () => {
    const t = await servedTenant();
    expect(t.acme.model?.categories).toEqual(aisles.map(([a]) => a).sort());
    const dir = mkdtempSync(join(tmpdir(), 'aisle-served-names-'));
    dirs.push(dir);
    const plain = new LocalVectorIndex(dir, { dimensions: names.dimensions });
    await plain.upsert(items.map((it) => ({ key: it.key, name: it.name, classId: null, vector: names.vector(it.name) })));
    const withModel = await precisionOfUnlabelled(t.similar);
    const without = await precisionOfUnlabelled(new SimilarProducts(plain, names));
    expect(withModel.precisionAt5, `with the model ${withModel.precisionAt5}, names alone ${without.precisionAt5}`).toBeGreaterThan(
      without.precisionAt5,
    );
    expect(withModel.ndcgAt10).toBeGreaterThan(without.ndcgAt10);
  });

  it('keeps one dimension count, and another tenant without labels gets names alone', async () => {
    const t = await servedTenant();
    const other = t.acme.forTenant('other');
    await other.refresh();
    expect(other.model).toBeNull();
    expect(other.dimensions).toBe(t.acme.dimensions);
    expect(t.acme.dimensions).toBe(names.dimensions + CATEGORY_SLOTS);
    const v = other.vector('Oat Milk Original');
    expect(Array.from(v.subarray(names.dimensions)).every((x) => x === 0)).toBe(true);
    expect(dot(v, v)).toBeCloseTo(1, 4);
    const w = t.acme.vector('Oat Milk Original');
    expect(dot(w, w)).toBeCloseTo(1, 4);
  });

  it('refits when a human label changes the filing, not more often than REFIT_EVERY_MS', async () => {
    const t = await servedTenant();
    const before = t.acme.model;
    // A label with a new category: within the interval the model stays, after it the model learns the category.
    await t.results.setHumanLabel('candy-4', 'chocolate', 'tester');
    expect(t.acme.model).toBe(before);
    t.clock.now += REFIT_EVERY_MS;
    await t.acme.refresh();
    await t.acme.settled(); // the old model serves while the new one is fitted
    expect(t.acme.model).not.toBe(before);
    expect(t.acme.model?.categories).toContain('chocolate');
  });

  it("re-embeds a folder of names-alone vectors with its own tenant's category vectors", async () => {
    const home = mkdtempSync(join(tmpdir(), 'aisle-served-home-'));
    dirs.push(home);
    // An index written before the category slots: the names' ITEM_DIMENSIONS alone, in tenant acme's folder.
    const old = new LocalVectorIndex(join(home, 'vectors'), { dimensions: names.dimensions }).forTenant('acme');
    await old.upsert(items.map((it) => ({ key: it.key, name: it.name, classId: null, vector: names.vector(it.name) })));
    await old.flush();
    const store = new MemoryStore();
    await store.forTenant('acme').saveDecisions(items.filter((it) => it.labelled).map((it) => record(it.key, it.name, it.aisle, 'llm')));
    const served = openLocalSimilar(
      home,
      () => {},
      () => fittedOnLabels(labelledNamesOf(store), fitHere),
    );
    try {
      const acme = served.vectorizer.forTenant('acme');
      await acme.refresh();
      const reopened = served.index.forTenant('acme');
      const key = items.find((it) => !it.labelled)!;
      const stored = (await reopened.get(key.key))?.vector;
      expect(stored?.length).toBe(names.dimensions + CATEGORY_SLOTS);
      // Acme's model filled the slots (the default tenant, with no labels, would leave them empty).
      expect(Array.from(stored!.subarray(names.dimensions)).some((x) => x > 0.1)).toBe(true);
      expect(dot(stored!, acme.vector(key.name))).toBeGreaterThan(0.99);
    } finally {
      await served.close();
    }
  });
});

describe('the served index with its graph in a thread of its own (aisle serve)', () => {
  it('answers a query with the decisions saved through the API before it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aisle-served-thread-'));
    dirs.push(dir);
    const graphThread = new GraphThread(await vectorGraphWorkerScript());
    try {
      const vectors = new TenantCategoryVectors(names, { latest: async () => null }, 'default');
      const index = new LocalVectorIndex(dir, { dimensions: vectors.dimensions, annFrom: 1, graphThread });
      const results = indexingResults(new MemoryStore(), index, vectors).forTenant('acme');
      const similar = new SimilarProducts(index, vectors).forTenant('acme');
      const [first, ...rest] = items;
      await results.saveDecisions(rest.map((it) => record(it.key, it.name, it.aisle, 'llm')));
      expect((await similar.similarToText(first.name, 10)).map((s) => s.key)).not.toContain(first.key);
      // Saved after the graph was built (in the thread): the next query finds it.
      await results.saveDecisions([record(first.key, first.name, first.aisle, 'human')]);
      expect((await similar.similarToText(first.name, 1)).map((s) => s.key)).toEqual([first.key]);
    } finally {
      await graphThread.close();
    }
  });
});
