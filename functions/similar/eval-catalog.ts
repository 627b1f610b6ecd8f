/** A labelled catalog for `aisle eval similar`, and Aisle's vectors scored on it beside the TF-IDF baseline. */
import { readFile } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import { UserError } from '../core/errors.ts';
import { dot, type StaticEmbedder } from '../embeddings/static-embedder.ts';
import { HELD_OUT_SPLITS, NAME_COLUMNS } from '../model/labelled-data.ts';
import { CATEGORY_SLOTS, CategoryModel, CategoryVectorizer, categorySlots, RERANK_DEPTH, rerankByCategory } from './category-model.ts';
import { type RetrievalScores, rankDense, rankTfIdf, sampleQueries, scoreRankings } from './evaluate.ts';
import { ItemVectorizer } from './vectors.ts';

export interface LabelledCatalog {
  names: string[];
  categories: string[];
  categoryColumn: string;
  /** Rows of split=train: the labelled part a category model may learn from. */
  trainRows: number[];
  /** Rows of a held-out split (test, validation). */
  heldOutRows: number[];
}

/** Reads names and their category (`column`, default `aisle`, else `level2`); rows without either are left out. */
export async function readCatalog(file: string, column?: string): Promise<LabelledCatalog> {
  const records = parse(await readFile(file), { columns: true, skip_empty_lines: true, bom: true }) as Record<string, string>[];
  const header = Object.keys(records[0] ?? {});
  const nameColumn = NAME_COLUMNS.find((c) => header.includes(c));
  const categoryColumn = column ?? ['aisle', 'level2'].find((c) => header.includes(c));
  if (!nameColumn) throw new UserError(`${file} has no name column (${NAME_COLUMNS.join(', ')})`);
  if (!categoryColumn || !header.includes(categoryColumn))
    throw new UserError(`${file} has no category column ${column ?? '(aisle or level2)'}: name one with --category`);
  const names: string[] = [];
  const categories: string[] = [];
  const trainRows: number[] = [];
  const heldOutRows: number[] = [];
  for (const r of records) {
    const name = r[nameColumn]?.trim();
    const category = r[categoryColumn]?.trim();
    if (!name || !category) continue;
    const split = (r.split ?? '').trim().toLowerCase();
    if (HELD_OUT_SPLITS.has(split)) heldOutRows.push(names.length);
    else if (split === 'train') trainRows.push(names.length);
    names.push(name);
    categories.push(category);
  }
  return { names, categories, categoryColumn, trainRows, heldOutRows };
}

export interface SimilarEvalReport {
  /** How the figures were made, in words (printed with them). */
  protocol: string;
  /** Aisle's rows first (its served ranking, then parts of it), the TF-IDF baseline last; all over the same queries and candidates. */
  systems: { system: string; scores: RetrievalScores }[];
  candidates: number;
  categories: number;
  /** The category model's share of held-out rows filed in their own category (its best guess); absent without a split. */
  modelAccuracy?: number;
}

/** Item vectors with a category model fitted on the catalog's train rows alone (no held-out label reaches it). */
export function trainedVectors(catalog: LabelledCatalog, embedder: StaticEmbedder): CategoryVectorizer {
  const labelled = catalog.trainRows.map((i) => ({ name: catalog.names[i], category: catalog.categories[i] }));
  return new CategoryVectorizer(new ItemVectorizer(embedder), CategoryModel.fit(labelled, embedder));
}

/**
 * Scores the systems over the same queries (`queries` sampled with a fixed seed; 0: all). With both train and
 * held-out rows, the category model learns from the train rows alone and the held-out rows are both the queries
 * and the candidates, so no label a query is scored on was seen in fitting. Without them, every row is a
 * candidate and only the names-alone vectors are scored (a model fitted on the rows would have seen the answers).
 */
export function scoreCatalog(
  catalog: LabelledCatalog,
  embedder: StaticEmbedder,
  opts: { queries: number; say?: (line: string) => void },
): SimilarEvalReport {
  const supervised = catalog.trainRows.length > 0 && catalog.heldOutRows.length > 0;
  const rows = supervised ? catalog.heldOutRows : catalog.names.map((_, i) => i);
  const names = rows.map((i) => catalog.names[i]);
  const categories = rows.map((i) => catalog.categories[i]);
  const positions = names.map((_, i) => i);
  const queries = opts.queries && opts.queries < positions.length ? sampleQueries(positions, opts.queries) : positions;
  const nameVectors = new ItemVectorizer(embedder);
  const systems: SimilarEvalReport['systems'] = [];
  let protocol: string;
  let modelAccuracy: number | undefined;
  if (supervised) {
    opts.say?.(`fitting the category model on ${catalog.trainRows.length} train rows`);
    const vectorizer = trainedVectors(catalog, embedder);
    const vectors = names.map((n) => vectorizer.vector(n));
    modelAccuracy = accuracyOfSlots(vectors, categories, vectorizer.model!.categories);
    const nearest = rankDense(vectors, queries, RERANK_DEPTH);
    const reranked = nearest.map(({ query, ranked }) => ({
      query,
      ranked: rerankByCategory(
        vectors[query],
        ranked.map((i) => ({ i, vector: vectors[i], score: dot(vectors[query], vectors[i]) })),
      )
        .slice(0, 10)
        .map((r) => r.i),
    }));
    systems.push({ system: 'aisle, categories learned from train', scores: scoreRankings(reranked, categories) });
    systems.push({
      system: 'aisle, the same vectors without the re-ranking',
      scores: scoreRankings(
        nearest.map(({ query, ranked }) => ({ query, ranked: ranked.slice(0, 10) })),
        categories,
      ),
    });
    protocol = `category model fitted on the ${catalog.trainRows.length} train rows; queries and candidates: the ${rows.length} held-out rows only (their labels unseen)`;
  } else protocol = `no train and held-out split: every row is a candidate, names alone (a model fitted on these rows would see the answers)`;
  systems.push({
    system: 'aisle, names alone',
    scores: scoreRankings(
      rankDense(
        names.map((n) => nameVectors.vector(n)),
        queries,
      ),
      categories,
    ),
  });
  systems.push({ system: 'tf-idf cosine', scores: scoreRankings(rankTfIdf(names, queries), categories) });
  return { protocol, systems, candidates: rows.length, categories: new Set(categories).size, modelAccuracy };
}

/**
 * The share of vectors whose highest category slot is their own category's: the model's best guess, read back from
 * the vectors (sharpening keeps the order; each category has its own slot up to CATEGORY_SLOTS categories).
 */
function accuracyOfSlots(vectors: Float32Array[], categories: string[], modelCategories: string[]): number {
  const categoryOfSlot = new Map(categorySlots(modelCategories).map((slot, c) => [slot, modelCategories[c]]));
  let right = 0;
  vectors.forEach((v, i) => {
    const from = v.length - CATEGORY_SLOTS;
    let best = from;
    for (let d = from + 1; d < v.length; d++) if (v[d] > v[best]) best = d;
    if (categoryOfSlot.get(best - from) === categories[i]) right++;
  });
  return right / (vectors.length || 1);
}
