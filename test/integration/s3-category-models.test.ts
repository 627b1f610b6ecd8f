/**
 * Each tenant's category model on AWS, through the real S3 Vectors SDK client against the project's emulator and a
 * folder as the lake: labels saved by classify mark the tenant; the category-fit function fits and stores its model
 * under a versioned key, re-vectorizes the tenant's items (a page at a time, resumable, idempotent) and leaves other
 * tenants' alone; the API's similar routes load the model and re-rank with it, as `aisle serve` does.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3VectorsClient } from '@aws-sdk/client-s3vectors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHANGED_PREFIX, labelsVersion, type RefitDeps, refitChanged, S3CategoryModels } from '../../functions/adapters/aws/s3-category-models.ts';
import { S3VectorsIndex } from '../../functions/adapters/aws/s3-vectors.ts';
import { FolderBlobStore } from '../../functions/adapters/local/blob-store.ts';
import { StaticEmbedder } from '../../functions/embeddings/static-embedder.ts';
import { indexedOnS3Vectors, s3VectorsSimilar } from '../../functions/handlers/item-vectors.ts';
import type { ItemRecord } from '../../functions/ports.ts';
import { CategoryVectorizer, rerankByCategory } from '../../functions/similar/category-model.ts';
import { labelledNamesOf } from '../../functions/similar/tenant-categories.ts';
import { INDEX_DIMENSIONS, ITEM_DIMENSIONS, ItemVectorizer } from '../../functions/similar/vectors.ts';
import { SIMILAR_CATALOG } from '../fixtures/similar-catalog.ts';
import { MemoryStore } from '../support/memory-store.ts';
import { startS3VectorsEmulator } from '../support/s3-vectors-emulator.ts';

const indexArn = 'arn:aws:s3vectors:us-east-1:123456789012:bucket/aisle-vectors/index/items';
const embedder = StaticEmbedder.load();
const names = new ItemVectorizer(embedder);
const aisles = Object.entries(SIMILAR_CATALOG).slice(0, 4);
const items = aisles.flatMap(([aisle, list]) => list.slice(0, 6).map((name, i) => ({ key: `${aisle.replace(' ', '-')}-${i}`, name, aisle })));

let emulator: Awaited<ReturnType<typeof startS3VectorsEmulator>>;
let lakeDir: string;
beforeAll(async () => {
  emulator = await startS3VectorsEmulator(INDEX_DIMENSIONS);
  lakeDir = mkdtempSync(join(tmpdir(), 'aisle-category-models-'));
});
afterAll(async () => {
  await emulator.close();
  rmSync(lakeDir, { recursive: true, force: true });
});

const client = () =>
  new S3VectorsClient({ endpoint: emulator.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
const record = (key: string, name: string, classId: string, tier: string): ItemRecord => ({
  decision: { key, classId, confidence: 0.9, tier, status: 'ok', reason: 'test', taxonomyVersion: 't1' },
  input: { name },
  text: name.toLowerCase(),
  at: '2026-12-07T00:00:00.000Z',
});
const slotsOf = (v: Float32Array | number[]) => Array.from(v).slice(ITEM_DIMENSIONS);

describe('category models per tenant on AWS', () => {
  const lake = () => new FolderBlobStore(lakeDir);
  const store = new MemoryStore();
  const index = () => new S3VectorsIndex(client(), { indexArn });
  const deps = (remainingMs: () => number = () => 900_000): RefitDeps => ({
    lake: lake(),
    embedder,
    names,
    labels: labelledNamesOf(store),
    index: index(),
    remainingMs,
  });

  it('marks the tenant when labels are saved, and indexes with names alone until its first model', async () => {
    const results = indexedOnS3Vectors(store, indexArn, lake(), client());
    // Rules decisions are no labels: nothing is marked for them.
    await results.forTenant('other').saveDecisions([record('o-1', 'Oat Milk Barista', 'milk', 'rules')]);
    expect(await lake().list(CHANGED_PREFIX)).toEqual([]);
    await results.forTenant('acme').saveDecisions(items.map((it) => record(it.key, it.name, it.aisle, 'llm')));
    expect(await lake().list(CHANGED_PREFIX)).toEqual([`${CHANGED_PREFIX}tenant=acme`]);
    const stored = await index().forTenant('acme').get(items[0].key);
    expect(stored?.vector.length).toBe(INDEX_DIMENSIONS);
    expect(slotsOf(stored!.vector).every((x) => x === 0)).toBe(true);
  });

  it('fits the marked tenant, stores the model by version, and re-embeds its items a page at a time when out of time', async () => {
    // Time to fit and for one page of the listing (the emulator's pages hold 2 vectors), then none: the run stops, resumable.
    let asked = 0;
    const first = await refitChanged(deps(() => (asked++ < 2 ? 900_000 : 0)));
    expect(first).toMatchObject({ fitted: ['acme'], reembedded: 2, unfinished: ['acme'] });
    const version = labelsVersion(items.map((it) => ({ name: it.name, category: it.aisle })));
    expect(await lake().list('similar/category-models/tenant=acme/')).toEqual([
      'similar/category-models/tenant=acme/current.json',
      `similar/category-models/tenant=acme/model=${version}.v8`,
    ]);
    const rest = await refitChanged(deps());
    expect(rest).toMatchObject({ fitted: [], unfinished: [] });
    expect(first.reembedded + rest.reembedded).toBe(items.length);

    // Every acme item now carries the model's category part; the other tenant's item is as it was.
    const model = (await new S3CategoryModels(lake(), embedder).latest('acme'))!;
    expect(model.categories).toEqual(aisles.map(([a]) => a).sort());
    const vectors = new CategoryVectorizer(names, model);
    for (const it of items) {
      const stored = (await index().forTenant('acme').get(it.key))!.vector;
      expect(Array.from(stored).map((x) => Math.round(x * 1e4))).toEqual(Array.from(vectors.vector(it.name)).map((x) => Math.round(x * 1e4)));
    }
    expect(slotsOf((await index().forTenant('other').get('o-1'))!.vector).every((x) => x === 0)).toBe(true);
  });

  it('does nothing on a run with no new labels, and refits when a label comes', async () => {
    emulator.requests.length = 0;
    expect(await refitChanged(deps())).toEqual({ fitted: [], reembedded: 0, unfinished: [] });
    expect(emulator.requests).toEqual([]);
    const results = indexedOnS3Vectors(store, indexArn, lake(), client());
    await results.forTenant('acme').setHumanLabel(items[0].key, 'chocolate', 'tester');
    const again = await refitChanged(deps());
    expect(again).toMatchObject({ fitted: ['acme'], reembedded: items.length, unfinished: [] });
    expect((await new S3CategoryModels(lake(), embedder).latest('acme'))?.categories).toContain('chocolate');
  });

  it("answers the API's similar routes with the tenant's model, re-ranked, the vectors of the 50 nearest in one GetVectors", async () => {
    const model = (await new S3CategoryModels(lake(), embedder).latest('acme'))!;
    const similar = s3VectorsSimilar(indexArn, lake(), client()).forTenant('acme');
    emulator.requests.length = 0;
    const found = await similar.similarToText('Skim Milk', 5);
    expect(emulator.requests.map((r) => r.operation)).toEqual(['QueryVectors', 'GetVectors']);
    expect(emulator.requests[0].body).toMatchObject({ topK: 50 });
    // As `aisle serve` orders them: the same model, the same vectors, the same re-ranking over what the index found.
    const local = new CategoryVectorizer(names, model);
    const query = local.vector('Skim Milk');
    const candidates = items.map((it) => ({ key: it.key, score: 0, vector: local.vector(it.name) }));
    for (const c of candidates) c.score = Array.from(c.vector).reduce((s, x, d) => s + x * query[d], 0);
    const expected = rerankByCategory(
      query,
      candidates.sort((a, b) => b.score - a.score),
    ).slice(0, 5);
    expect(found.map((f) => f.key)).toEqual(expected.map((e) => e.key));
  });
});
