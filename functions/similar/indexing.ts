/**
 * Items into the similarity index as they are decided: the entries of stored decisions, and a ResultStore that
 * indexes what it saves (the one place both runtimes write decisions through), so an item is findable as soon
 * as its job writes it.
 */
import type { ItemRecord, ResultStore, SimilarityIndex, VectorEntry } from '../ports.ts';
import type { NameVectorizer } from './vectors.ts';

/** One entry per item key (the latest record wins), vectors from the names the items were classified by. */
export function entriesOf(records: { key: string; name: string; classId: string | null }[], vectorizer: NameVectorizer): VectorEntry[] {
  const latest = new Map<string, { key: string; name: string; classId: string | null }>();
  for (const r of records) latest.set(r.key, r);
  return [...latest.values()].map((r) => ({ key: r.key, name: r.name, classId: r.classId, vector: vectorizer.vector(r.name) }));
}

const recordEntry = (r: ItemRecord) => ({ key: r.decision.key, name: r.input.name, classId: r.decision.classId });

/**
 * `store`, with every saved decision and human label also written to `index` (same tenant). Saved labels can
 * change the tenant's category model: the vectorizer refits (when it has one) before the saved items are vectorized.
 */
export function indexingResults(store: ResultStore, index: SimilarityIndex, vectorizer: NameVectorizer): ResultStore {
  const upsert = async (records: ItemRecord[]) => {
    vectorizer.labelsChanged?.();
    await vectorizer.refresh?.();
    await index.upsert(entriesOf(records.map(recordEntry), vectorizer));
  };
  return {
    forTenant: (tenant) => indexingResults(store.forTenant(tenant), index.forTenant(tenant), vectorizer.forTenant?.(tenant) ?? vectorizer),
    async saveDecisions(records) {
      await store.saveDecisions(records);
      await upsert(records);
    },
    async setHumanLabel(key, classId, labelledBy) {
      const record = await store.setHumanLabel(key, classId, labelledBy);
      if (record) await upsert([record]);
      return record;
    },
    getItem: (key) => store.getItem(key),
    listReview: (opts) => store.listReview(opts),
    exportLabelled: (opts) => store.exportLabelled(opts),
  };
}
