/**
 * Ask's blended retrieval: reciprocal-rank fusion of the lexical index and the similar-products vector index
 * (functions/ask/blended.ts). The fusion itself over a scripted vector side (exact ranks, so the arithmetic is
 * checked), then the real thing: SimilarProducts over a LocalVectorIndex with two tenants, through CatalogAsk.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalVectorIndex } from '../../functions/adapters/local/vector-index.ts';
import { BlendedRetriever, type TextNeighbours } from '../../functions/ask/blended.ts';
import { CatalogAsk } from '../../functions/ask/catalog-ask.ts';
import { catalogItem } from '../../functions/ask/evaluate.ts';
import type { CatalogItem, CatalogItems } from '../../functions/ask/ports.ts';
import { LexicalRetriever } from '../../functions/ask/retrieval.ts';
import { loadTaxonomy } from '../../functions/core/taxonomy.ts';
import { StaticEmbedder } from '../../functions/embeddings/static-embedder.ts';
import { entriesOf } from '../../functions/similar/indexing.ts';
import { SimilarProducts } from '../../functions/similar/similar.ts';
import { ItemVectorizer } from '../../functions/similar/vectors.ts';

const taxonomy = loadTaxonomy();
const item = (name: string, levels: string[]) => catalogItem(taxonomy, { name, levels });
const catalogOf = (items: CatalogItem[]): CatalogItems => {
  const catalog: CatalogItems = { forTenant: () => catalog, list: async () => items, version: async () => String(items.length) };
  return catalog;
};

const pretzels = item('Gluten Free Pretzel Twists', ['Food', 'Snacks & Sweets']);
const penne = item('Gluten Free Penne Pasta', ['Food', 'Pantry Staples']);
const rods = item('Classic Pretzel Rods', ['Food', 'Snacks & Sweets']);
const strawberries = item('Strawberries 1 lb', ['Food', 'Fresh Food']);
const soap = { ...item('Dish Soap Original', ['Non-Food', 'Household']), status: 'needs_review' as const };
const small = [pretzels, penne, rods, strawberries, soap];

/** A vector side that answers the same keys, in order, to every text (the filters it is asked with recorded). */
const scripted = (keys: string[], asked: (string | undefined)[] = []): TextNeighbours => ({
  similarToText: async (_text, k, filters) => {
    asked.push(filters?.classId);
    return keys.slice(0, k).map((key, i) => ({ key, score: 1 - i / 10 }));
  },
});

describe('blended retrieval (fusion)', () => {
  const lexical = new LexicalRetriever(catalogOf(small), taxonomy);

  it('with no vector match, ranks as BM25 alone', async () => {
    const blended = new BlendedRetriever(lexical, scripted([]));
    const keys = async (r: { retrieveItems: LexicalRetriever['retrieveItems'] }) =>
      (await r.retrieveItems('gluten free pretzel', 3)).map((i) => i.key);
    expect(await keys(blended)).toEqual(await keys(lexical));
  });

  it('puts an item both sides find first, and lets in an item only the vectors find', async () => {
    // BM25 ranks the twists above the rods for "pretzel gluten"; the vectors rank the rods first and add the strawberries.
    expect((await lexical.retrieveItems('pretzel gluten', 5)).map((i) => i.key)).not.toContain(strawberries.key);
    const blended = new BlendedRetriever(lexical, scripted([rods.key, strawberries.key]));
    const found = (await blended.retrieveItems('pretzel gluten', 5)).map((i) => i.key);
    expect(found.slice(0, 2).sort()).toEqual([pretzels.key, rods.key].sort());
    expect(found).toContain(strawberries.key);
  });

  it('keeps only vector matches the catalog holds and the filters pass (status, class or below)', async () => {
    const asked: (string | undefined)[] = [];
    const blended = new BlendedRetriever(lexical, scripted(['not-in-this-catalog', soap.key, strawberries.key, penne.key], asked));
    expect((await blended.retrieveItems('zzzz', 5)).map((i) => i.key)).toEqual([soap.key, strawberries.key, penne.key]);
    expect((await blended.retrieveItems('zzzz', 5, { status: 'ok' })).map((i) => i.key)).toEqual([strawberries.key, penne.key]);
    asked.length = 0;
    const inClass = await blended.retrieveItems('zzzz', 5, { classIds: ['food.fresh', 'non-food'] });
    expect(inClass.map((i) => i.key)).toEqual([soap.key, strawberries.key]);
    // Each class filter is asked of the index (it takes one class), so its pool is drawn from within the class.
    expect(asked).toEqual(['food.fresh', 'non-food']);
    // A vector match comes back as the catalog's item: its label and status, not the index's copy.
    expect(inClass[1]).toMatchObject({ name: strawberries.name, label: 'Food > Fresh Food', status: 'ok' });
  });
});

describe('blended retrieval over the similar-products index', () => {
  const dir = mkdtempSync(join(tmpdir(), 'aisle-ask-blended-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const vectorizer = new ItemVectorizer(StaticEmbedder.load());
  const index = new LocalVectorIndex(dir, { dimensions: vectorizer.dimensions });
  const theirs = item('Organic Strawberries 2 lb', ['Food', 'Fresh Food']);
  const removed = item('Strawberry Jam', ['Food', 'Pantry Staples']);
  const catalogs: Record<string, CatalogItem[]> = { acme: small, other: [theirs] };
  const catalog: CatalogItems = {
    forTenant: (tenant) => catalogOf(catalogs[tenant] ?? []),
    list: async () => [],
    version: async () => '0',
  };
  const ask = new CatalogAsk({ taxonomy, catalog, llm: null, similar: new SimilarProducts(index, vectorizer) });

  it("finds by meaning what BM25 misses, and only the asking tenant's items", async () => {
    // acme's index also holds an item its catalog no longer has; the other tenant's index holds strawberries too.
    await index.forTenant('acme').upsert(entriesOf([...small, removed], vectorizer));
    await index.forTenant('other').upsert(entriesOf([theirs], vectorizer));
    const lexicalOnly = new CatalogAsk({ taxonomy, catalog, llm: null }).forTenant('acme', undefined).retriever;
    expect(await lexicalOnly.retrieveItems('fruit', 5)).toEqual([]);
    const retriever = ask.forTenant('acme', undefined).retriever;
    expect(retriever).toBeInstanceOf(BlendedRetriever);
    expect((await retriever.retrieveItems('fruit', 5))[0].key).toBe(strawberries.key);
    const keys = (await retriever.retrieveItems('strawberries', 50)).map((i) => i.key);
    expect(keys[0]).toBe(strawberries.key);
    expect(keys).not.toContain(theirs.key);
    expect(keys).not.toContain(removed.key);
    expect((await ask.forTenant('other', undefined).retriever.retrieveItems('strawberries', 50)).map((i) => i.key)).toEqual([theirs.key]);
  });
});
