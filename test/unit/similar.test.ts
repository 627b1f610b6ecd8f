/**
 * Similar products over the shipped static embeddings: meaning beyond shared words, the service over an index,
 * retrieval metrics worked out by hand, and recommendations blending co-purchases with similarity.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalVectorIndex } from '../../functions/adapters/local/vector-index.ts';
import { dot, StaticEmbedder } from '../../functions/embeddings/static-embedder.ts';
import { scoreRankings, topK } from '../../functions/similar/evaluate.ts';
import { entriesOf } from '../../functions/similar/indexing.ts';
import { type CoPurchase, type CoPurchases, Recommender } from '../../functions/similar/recommend.ts';
import { SimilarProducts } from '../../functions/similar/similar.ts';
import { ItemVectorizer } from '../../functions/similar/vectors.ts';

const embedder = StaticEmbedder.load();
const vectorizer = new ItemVectorizer(embedder);
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function catalogIndex(items: [string, string, string | null][]) {
  const dir = mkdtempSync(join(tmpdir(), 'aisle-similar-'));
  dirs.push(dir);
  const index = new LocalVectorIndex(dir, { dimensions: vectorizer.dimensions });
  return {
    index,
    ready: index.upsert(
      entriesOf(
        items.map(([key, name, classId]) => ({ key, name, classId })),
        vectorizer,
      ),
    ),
  };
}

const CATALOG: [string, string, string | null][] = [
  ['0000000000000001', 'Organic Whole Milk 1 gal', 'food.dairy-eggs'],
  ['0000000000000002', 'Lactose Free 2% Reduced Fat Milk', 'food.dairy-eggs'],
  ['0000000000000003', 'Greek Yogurt Plain 32 oz', 'food.dairy-eggs'],
  ['0000000000000004', 'Knit Beanie Hat Black', 'non-food.household'],
  ['0000000000000005', 'Wool Winter Scarf', 'non-food.household'],
  ['0000000000000006', 'Sea Salt Potato Chips', 'food.snacks-sweets'],
  ['0000000000000007', 'Tortilla Chips Restaurant Style', 'food.snacks-sweets'],
  ['0000000000000008', 'Dish Soap Lemon Scent', 'non-food.household'],
];

describe('static embeddings distilled from the sentence encoder', () => {
  it('put things of one kind together even when they share no word', () => {
    const [beanie, hat, milk, laptop, notebook] = ['beanie', 'knit winter hat', 'whole milk', 'laptop', 'notebook computer'].map((t) =>
      embedder.embed(t),
    );
    expect(dot(beanie, hat)).toBeGreaterThan(dot(beanie, milk));
    expect(dot(laptop, notebook)).toBeGreaterThan(dot(laptop, milk));
  });

  it('spell words the table lacks from pieces, and give an empty text the zero vector', () => {
    expect(Math.hypot(...embedder.embed('Zorbloxian snackwich'))).toBeCloseTo(1, 4);
    expect(Math.hypot(...embedder.embed('12 oz 500 ml'))).toBe(0);
  });

  it('weigh frequent words less than rare ones', () => {
    expect(embedder.weightOf('the')).toBeLessThan(0.2);
    expect(embedder.weightOf('yogurt')).toBeGreaterThan(0.8);
  });
});

describe('similar products', () => {
  it('finds items like an item, itself left out, best first with scores', async () => {
    const { index, ready } = catalogIndex(CATALOG);
    await ready;
    const found = await new SimilarProducts(index, vectorizer).similarToItem('0000000000000001', 3);
    expect(found!.item).toMatchObject({ key: '0000000000000001', name: 'Organic Whole Milk 1 gal' });
    expect(found!.similar.map((s) => s.key)).not.toContain('0000000000000001');
    expect(found!.similar[0].key).toBe('0000000000000002');
    expect(found!.similar.map((s) => s.score)).toEqual([...found!.similar.map((s) => s.score)].sort((a, b) => b - a));
  });

  it('reranks the vectors the index gives with its matches, reads the others with get(), and answers without them', async () => {
    const { index, ready } = catalogIndex(CATALOG);
    await ready;
    const got: string[] = [];
    const spied = Object.assign(Object.create(index), {
      get: async (key: string) => {
        got.push(key);
        return index.get(key);
      },
      // The first match comes without its vector (an index that does not have it at hand): it is read.
      query: async (...args: Parameters<typeof index.query>) => (await index.query(...args)).map((m, i) => (i ? m : { ...m, vector: undefined })),
    }) as typeof index;
    const seen: number[][] = [];
    const reranking = Object.assign(Object.create(vectorizer), {
      rerankDepth: 4,
      rerank: <T extends { vector: Float32Array; score: number }>(query: Float32Array, found: T[]) => {
        seen.push(found.map((f) => dot(query, f.vector)));
        return [...found].reverse();
      },
    }) as typeof vectorizer;
    const found = await new SimilarProducts(spied, reranking).similarToText('whole milk', 2);
    const nearest = await index.query(vectorizer.vector('whole milk'), { k: 4 });
    expect(found).toEqual([...nearest].reverse().slice(0, 2));
    expect(got).toEqual([nearest[0].key]);
    expect(seen[0].length).toBe(4);
    expect(seen[0].every((d) => d > 0.2)).toBe(true);
  });

  it('finds items like a free text, filtered by category, and knows no unindexed item', async () => {
    const { index, ready } = catalogIndex(CATALOG);
    await ready;
    const similar = new SimilarProducts(index, vectorizer);
    expect((await similar.similarToText('woolly hat', 1))[0].name).toBe('Knit Beanie Hat Black');
    expect((await similar.similarToText('chips snack', 2)).map((s) => s.key).sort()).toEqual(['0000000000000006', '0000000000000007']);
    const household = await similar.similarToText('milk', 8, { classId: 'non-food' });
    expect(household.length).toBe(3);
    expect(household.every((s) => s.classId?.startsWith('non-food.'))).toBe(true);
    expect(await similar.similarToItem('00000000000000ff', 3)).toBeNull();
  });
});

describe('retrieval metrics', () => {
  it('score ranked lists as worked out by hand', () => {
    // Categories: items 0-2 are "a" (so a query from "a" has 2 relevant items), 3-5 are "b".
    const categories = ['a', 'a', 'a', 'b', 'b', 'b'];
    const s = scoreRankings([{ query: 0, ranked: [3, 1, 4, 2, 5] }], categories);
    expect(s.precisionAt5).toBeCloseTo(2 / 5);
    expect(s.precisionAt10).toBeCloseTo(2 / 10);
    expect(s.recallAt10).toBeCloseTo(1);
    // DCG = 1/log2(3) + 1/log2(5); ideal = 1 + 1/log2(3).
    expect(s.ndcgAt10).toBeCloseTo((1 / Math.log2(3) + 1 / Math.log2(5)) / (1 + 1 / Math.log2(3)));
    // AP@10 = (1/2 + 2/4) / 2.
    expect(s.mapAt10).toBeCloseTo(0.5);
  });

  it('topK leaves the query out and keeps the best first', () => {
    expect(topK(Float32Array.from([0.9, 0.1, 0.8, 0.95]), 3, 2)).toEqual([0, 2]);
  });
});

class FixedCoPurchases implements CoPurchases {
  constructor(private readonly pairs: Record<string, CoPurchase[]>) {}
  forTenant() {
    return this;
  }
  async boughtWith(key: string, limit: number) {
    return (this.pairs[key] ?? []).slice(0, limit);
  }
}

describe('recommendations', () => {
  it('put what sells with an item first when it has history, and similar items for one without', async () => {
    const { index, ready } = catalogIndex(CATALOG);
    await ready;
    const chipsWithSoap: CoPurchase = { key: '0000000000000008', name: 'Dish Soap Lemon Scent', sessions: 40, lift: 3.5 };
    const recommender = new Recommender(new SimilarProducts(index, vectorizer), new FixedCoPurchases({ '0000000000000006': [chipsWithSoap] }));
    const withHistory = await recommender.recommend('0000000000000006', 3);
    expect(withHistory![0]).toMatchObject({ key: '0000000000000008', lift: 3.5, sessions: 40, classId: 'non-food.household' });
    expect(withHistory![0].sources).toContain('bought_together');
    const withoutHistory = await recommender.recommend('0000000000000001', 3);
    expect(withoutHistory![0]).toMatchObject({ key: '0000000000000002', sources: ['similar'] });
    expect(await recommender.recommend('00000000000000ff', 3)).toBeNull();
  });
});
