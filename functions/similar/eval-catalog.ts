/** A labelled catalog for `aisle eval similar`, and Aisle's vectors scored on it beside the TF-IDF baseline. */
import { readFile } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import { UserError } from '../core/errors.ts';
import { HELD_OUT_SPLITS, NAME_COLUMNS } from '../model/labelled-data.ts';
import { type RetrievalScores, rankDense, rankTfIdf, sampleQueries, scoreRankings } from './evaluate.ts';
import type { ItemVectorizer } from './vectors.ts';

export interface LabelledCatalog {
  names: string[];
  categories: string[];
  categoryColumn: string;
  /** Rows that may be queries: the held-out split when the file has one, else every row. */
  queryPool: number[];
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
  const heldOut: number[] = [];
  for (const r of records) {
    const name = r[nameColumn]?.trim();
    const category = r[categoryColumn]?.trim();
    if (!name || !category) continue;
    if (HELD_OUT_SPLITS.has((r.split ?? '').trim().toLowerCase())) heldOut.push(names.length);
    names.push(name);
    categories.push(category);
  }
  return { names, categories, categoryColumn, queryPool: heldOut.length ? heldOut : names.map((_, i) => i) };
}

export interface SimilarEvalReport {
  aisle: RetrievalScores;
  tfidf: RetrievalScores;
  categories: number;
}

/** Both systems over the same queries (`queries` sampled from the pool with a fixed seed; 0: all). */
export function scoreCatalog(catalog: LabelledCatalog, vectorizer: ItemVectorizer, opts: { queries: number }): SimilarEvalReport {
  const queries = opts.queries && opts.queries < catalog.queryPool.length ? sampleQueries(catalog.queryPool, opts.queries) : catalog.queryPool;
  const vectors = catalog.names.map((name) => vectorizer.vector(name));
  return {
    aisle: scoreRankings(rankDense(vectors, queries), catalog.categories),
    tfidf: scoreRankings(rankTfIdf(catalog.names, queries), catalog.categories),
    categories: new Set(catalog.categories).size,
  };
}
