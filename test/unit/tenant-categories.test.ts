/**
 * A tenant's category model is fitted off the serving thread (a worker) and swapped in whole: a similar request is
 * answered with the current model while its successor is on its way, and the model survives its trip as plain data.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { categoryFitWorkerScript } from '../../bin/commands/serve.ts';
import { LocalVectorIndex } from '../../functions/adapters/local/vector-index.ts';
import { StaticEmbedder } from '../../functions/embeddings/static-embedder.ts';
import { CategoryModel, type LabelledName } from '../../functions/similar/category-model.ts';
import { entriesOf } from '../../functions/similar/indexing.ts';
import { SimilarProducts } from '../../functions/similar/similar.ts';
import { type CategoryModelSource, fitInWorker, REFIT_EVERY_MS, TenantCategoryVectors } from '../../functions/similar/tenant-categories.ts';
import { ItemVectorizer } from '../../functions/similar/vectors.ts';
import { SIMILAR_CATALOG } from '../fixtures/similar-catalog.ts';

const embedder = StaticEmbedder.load();
const names = new ItemVectorizer(embedder);
const labelled: LabelledName[] = Object.entries(SIMILAR_CATALOG).flatMap(([aisle, list]) => list.map((name) => ({ name, category: aisle })));
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A promise the test resolves when it chooses. */
function gate<T>() {
  let open!: (value: T) => void;
  const promise = new Promise<T>((ok) => {
    open = ok;
  });
  return { promise, open };
}

describe("a tenant's category model", () => {
  it('is fitted in a worker thread into the same model as on this thread, and comes back whole from its plain data', async () => {
    const here = CategoryModel.fit(labelled, embedder);
    const there = await fitInWorker(categoryFitWorkerScript, embedder)(labelled);
    const copied = CategoryModel.fromData(structuredClone(here.data()), embedder);
    expect(there.categories).toEqual(here.categories);
    for (const name of ['Whole Milk', 'Sharp Cheddar', 'Dog Treats Chicken', 'a name no one wrote']) {
      expect(Array.from(there.probabilities(name))).toEqual(Array.from(here.probabilities(name)));
      expect(Array.from(copied.probabilities(name))).toEqual(Array.from(here.probabilities(name)));
    }
  });

  it('refuses data made over an embedder of other dimensions', () => {
    const data = CategoryModel.fit(labelled.slice(0, 20), embedder).data();
    expect(() => CategoryModel.fromData({ ...data, dense: data.dense.subarray(0, data.dense.length - data.categories.length) }, embedder)).toThrow(
      /other dimensions/,
    );
  });

  it('keeps answering similar requests with the current model while a refit runs, then swaps the new one in', async () => {
    const first = CategoryModel.fit(labelled, embedder);
    const refit = gate<CategoryModel>();
    const calls: boolean[] = [];
    const source: CategoryModelSource = {
      latest: (_tenant, changed) => {
        calls.push(changed);
        return calls.length === 1 ? Promise.resolve(first) : refit.promise;
      },
    };
    const clock = { now: 0 };
    const vectors = new TenantCategoryVectors(names, source, 'acme', new Map(), () => clock.now);
    await vectors.refresh(); // no model yet: the first is waited for
    expect(vectors.model).toBe(first);
    const dir = mkdtempSync(join(tmpdir(), 'aisle-refit-'));
    dirs.push(dir);
    const index = new LocalVectorIndex(dir, { dimensions: vectors.dimensions });
    const items = labelled.map((l, i) => ({ key: `k${i}`, name: l.name, classId: null }));
    await index.upsert(entriesOf(items, vectors));
    const similar = new SimilarProducts(index, vectors);

    vectors.labelsChanged();
    clock.now += REFIT_EVERY_MS;
    // The refit has started (the source was asked) and is held by the gate: the request is answered all the same.
    const answer = await similar.similarToText('Organic Whole Milk', 3);
    expect(calls).toEqual([true, true]);
    expect(answer.map((a) => a.name)).toContain('Organic Whole Milk 1 gal');
    expect(vectors.model).toBe(first);

    const second = CategoryModel.fit(labelled.slice(0, 40), embedder);
    refit.open(second);
    await vectors.settled();
    expect(vectors.model).toBe(second);
  });

  it('keeps the current model when a refit fails, and tries again at the next interval', async () => {
    const first = CategoryModel.fit(labelled.slice(0, 30), embedder);
    const answers: (() => Promise<CategoryModel>)[] = [async () => first, () => Promise.reject(new Error('worker died')), async () => first];
    const calls: boolean[] = [];
    const clock = { now: 0 };
    const vectors = new TenantCategoryVectors(
      names,
      {
        latest: (_t, changed) => {
          calls.push(changed);
          return answers[calls.length - 1]();
        },
      },
      'acme',
      new Map(),
      () => clock.now,
    );
    await vectors.refresh();
    vectors.labelsChanged();
    clock.now += REFIT_EVERY_MS;
    await vectors.refresh(); // not waited for: a model serves
    await expect(vectors.settled()).rejects.toThrow('worker died');
    expect(vectors.model).toBe(first);
    clock.now += REFIT_EVERY_MS;
    await vectors.refresh();
    await vectors.settled();
    expect(calls).toEqual([true, true, true]); // the failed refit's change is not forgotten
  });
});
