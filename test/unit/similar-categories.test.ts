/**
 * Similar products that follow a retailer's own filing: a category model fitted on labelled names, its
 * probabilities appended to the item vectors, and the evaluation's protocol (fitted on train rows only).
 */
import { describe, expect, it } from 'vitest';
import { dot, StaticEmbedder } from '../../functions/embeddings/static-embedder.ts';
import { CATEGORY_MIX, CATEGORY_SLOTS, CategoryModel, CategoryVectorizer, categorySlots, mixParts } from '../../functions/similar/category-model.ts';
import { type LabelledCatalog, scoreCatalog, trainedVectors } from '../../functions/similar/eval-catalog.ts';
import { ItemVectorizer } from '../../functions/similar/vectors.ts';
import { SIMILAR_CATALOG } from '../fixtures/similar-catalog.ts';

const embedder = StaticEmbedder.load();
const aisles = Object.entries(SIMILAR_CATALOG);
// The first four names of each aisle are labelled; the last two are new items to file.
const labelled = aisles.flatMap(([category, names]) => names.slice(0, 4).map((name) => ({ name, category })));
const unseen = aisles.flatMap(([category, names]) => names.slice(4).map((name) => ({ name, category })));
const model = CategoryModel.fit(labelled, embedder);
const best = (name: string) => {
  const p = model.probabilities(name);
  return model.categories[p.indexOf(Math.max(...p))];
};

describe('a category model fitted on labelled names', () => {
  it('files new names where the retailer files their kind', () => {
    const right = unseen.filter((u) => best(u.name) === u.category);
    expect(right.length, unseen.map((u) => `${u.name}: ${best(u.name)}`).join('; ')).toBeGreaterThanOrEqual(13);
  });

  it('gives probabilities that sum to 1, the same for the same items', () => {
    const p = model.probabilities('Shredded Cheddar Cheese');
    expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    expect(Array.from(CategoryModel.fit(labelled, embedder).probabilities('Shredded Cheddar Cheese'))).toEqual(Array.from(p));
  });

  it('needs two categories', () => {
    expect(() => CategoryModel.fit([{ name: 'Whole Milk', category: 'milk' }], embedder)).toThrow(/two categories/);
  });
});

describe('the bag part (category-bag.ts)', () => {
  const withBag = CategoryModel.fit(labelled, embedder, { bag: {} });
  const bagBest = (name: string) => {
    const logits = withBag.parts(name).bag!;
    return withBag.categories[logits.indexOf(Math.max(...logits))];
  };

  it('is left out of a catalog with few labelled names a category, where the regression files better', () => {
    expect(model.parts('Shredded Cheddar Cheese').bag).toBeNull();
  });

  it('learns its labelled names even in a small catalog, and files new names better than chance (2 of 16)', () => {
    expect(labelled.filter((l) => bagBest(l.name) === l.category).length).toBe(labelled.length);
    expect(unseen.filter((u) => bagBest(u.name) === u.category).length).toBeGreaterThanOrEqual(8);
  });

  it('comes back whole from its plain data (a worker thread, a stored model)', () => {
    const copied = CategoryModel.fromData(structuredClone(withBag.data()), embedder);
    expect(copied.parts('Instant Coffee Crystals').bag).not.toBeNull();
    for (const name of ['Instant Coffee Crystals', 'Shredded Cheddar Cheese', 'a name no one wrote'])
      expect(Array.from(copied.probabilities(name))).toEqual(Array.from(withBag.probabilities(name)));
  });

  it("mixes into probabilities that sum to 1: its share 1 and no vote is the bag's softmax", () => {
    const parts = withBag.parts('Instant Coffee Crystals');
    const p = withBag.probabilities('Instant Coffee Crystals');
    expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    expect(Array.from(p)).toEqual(Array.from(mixParts(parts, CATEGORY_MIX)));
    const bagAlone = mixParts(parts, { bagShare: 1, bagTemperature: 1, voteShare: 0 });
    const e = Array.from(parts.bag!, (x) => Math.exp(x));
    const sum = e.reduce((a, b) => a + b, 0);
    bagAlone.forEach((q, c) => expect(q).toBeCloseTo(e[c] / sum, 5));
  });
});

describe('item vectors with the category part', () => {
  const names = new ItemVectorizer(embedder);
  const vectors = new CategoryVectorizer(names, model);

  it('are unit length, the name vector followed by the fixed category slots, each category in its own slot', () => {
    const v = vectors.vector('Whole Bean Espresso Roast');
    expect(v.length).toBe(names.dimensions + CATEGORY_SLOTS);
    expect(new Set(categorySlots(model.categories)).size).toBe(model.categories.length);
    expect(dot(v, v)).toBeCloseTo(1, 4);
  });

  it("give each of a catalog's categories its own slot, and still a slot past CATEGORY_SLOTS categories", () => {
    const many = Array.from({ length: 200 }, (_, i) => `aisle ${i}`).sort();
    expect(new Set(categorySlots(many)).size).toBe(200);
    const tooMany = Array.from({ length: CATEGORY_SLOTS + 10 }, (_, i) => `class ${i}`);
    expect(new Set(categorySlots(tooMany)).size).toBe(CATEGORY_SLOTS);
  });

  it('bring items of one learned category nearer than the names alone do', () => {
    // Detergent and a stain remover share no word; a cheese grater shares "cheese" with the cheeses.
    const pair = (v: { vector(n: string): Float32Array }, a: string, b: string) => dot(v.vector(a), v.vector(b));
    const sameAisle = ['Liquid Laundry Detergent Free Clear', 'Stain Remover Spray'] as const;
    const otherAisle = ['Stainless Steel Cheese Grater', 'Grated Parmesan Cheese'] as const;
    expect(pair(vectors, ...sameAisle) - pair(vectors, ...otherAisle)).toBeGreaterThan(pair(names, ...sameAisle) - pair(names, ...otherAisle));
    expect(pair(vectors, ...sameAisle)).toBeGreaterThan(pair(vectors, ...otherAisle));
  });
});

describe('aisle eval similar with a train split', () => {
  const catalog: LabelledCatalog = {
    names: [...labelled, ...unseen].map((r) => r.name),
    categories: [...labelled, ...unseen].map((r) => r.category),
    categoryColumn: 'aisle',
    trainRows: labelled.map((_, i) => i),
    heldOutRows: unseen.map((_, i) => labelled.length + i),
  };

  it('fits on the train rows alone: held-out labels never reach the model', () => {
    const hidden = {
      ...catalog,
      categories: catalog.categories.map((c, i) => (catalog.heldOutRows.includes(i) ? 'a label the model must not see' : c)),
    };
    const seen = trainedVectors(catalog, embedder).vector('Instant Coffee Crystals');
    expect(Array.from(trainedVectors(hidden, embedder).vector('Instant Coffee Crystals'))).toEqual(Array.from(seen));
    expect(seen.length).toBe(new ItemVectorizer(embedder).dimensions + CATEGORY_SLOTS);
  });

  it('queries the held-out rows against the held-out rows, the learned vectors first and TF-IDF last', () => {
    const report = scoreCatalog(catalog, embedder, { queries: 0 });
    expect(report.candidates).toBe(unseen.length);
    expect(report.protocol).toMatch(/fitted on the 32 train rows; queries and candidates: the 16 held-out rows only/);
    expect(report.systems.map((s) => s.system)).toEqual([
      'aisle, categories learned from train',
      'aisle, the same vectors without the re-ranking',
      'aisle, names alone',
      'tf-idf cosine',
    ]);
    const [learned, , , tfidf] = report.systems.map((s) => s.scores);
    expect(learned.queries).toBe(16);
    expect(learned.ndcgAt10).toBeGreaterThan(tfidf.ndcgAt10);
    // The model's accuracy read back from the vectors' slots is its best guess's, fitted on the same train rows.
    expect(report.modelAccuracy).toBe(unseen.filter((u) => best(u.name) === u.category).length / unseen.length);
  });
});
