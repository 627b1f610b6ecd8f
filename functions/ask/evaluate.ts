/**
 * Scoring `aisle ask` on a question set with known answers (bench/checks/ask-questions.jsonl): retrieval
 * recall@k of the items each product question is about, how often an analytics question is routed to the
 * query that answers it, and, with a chat model, how many generated answers cite only retrieved items.
 */
import { z } from 'zod';
import { itemKeyOf, itemTextOf } from '../core/normalize.ts';
import type { Taxonomy } from '../core/taxonomy.ts';
import type { CatalogItem, ItemRetriever } from './ports.ts';

export const questionSchema = z.union([
  z.object({ question: z.string().min(1), about: z.array(z.string().min(1)).min(1) }),
  z.object({ question: z.string().min(1), query: z.array(z.string().min(1)).min(1) }),
]);
export type SetQuestion = z.infer<typeof questionSchema>;

/** Parses a question set (JSON Lines), naming the first bad line. */
export function parseQuestionSet(text: string, origin: string): SetQuestion[] {
  return text
    .split('\n')
    .map((line, i) => ({ line: line.trim(), no: i + 1 }))
    .filter(({ line }) => line)
    .map(({ line, no }) => {
      let json: unknown;
      try {
        json = JSON.parse(line);
      } catch {
        throw new Error(`${origin}:${no}: not JSON`);
      }
      const parsed = questionSchema.safeParse(json);
      if (!parsed.success) throw new Error(`${origin}:${no}: want {"question", "about": [names]} or {"question", "query": [names that answer it]}`);
      return parsed.data;
    });
}

/** A labelled catalog row (name, brand, level names) as the item the cascade would have stored. */
export function catalogItem(taxonomy: Taxonomy, row: { name: string; brand?: string; levels: string[] }): CatalogItem {
  const text = itemTextOf(row.name, row.brand || undefined);
  const cls = taxonomy.fromLevels(row.levels);
  return {
    key: itemKeyOf(row.name, row.brand || undefined, text),
    name: row.name,
    ...(row.brand ? { brand: row.brand } : {}),
    text,
    classId: cls?.id ?? null,
    status: cls ? 'ok' : 'needs_review',
  };
}

export interface RetrievalScore {
  questions: number;
  /** Mean over questions of |relevant in top k| / min(|relevant|, k). */
  recall: number;
  /** Questions whose top k missed a relevant item, with what they missed. */
  misses: { question: string; missed: string[] }[];
}

/** Recall@k of the product questions; `about` names items of `catalog` (by name). */
export async function scoreRetrieval(
  retriever: ItemRetriever,
  catalog: CatalogItem[],
  questions: { question: string; about: string[] }[],
  k: number,
): Promise<RetrievalScore> {
  const keysByName = new Map<string, string[]>();
  for (const item of catalog) keysByName.set(item.name, [...(keysByName.get(item.name) ?? []), item.key]);
  let total = 0;
  const misses: RetrievalScore['misses'] = [];
  for (const q of questions) {
    const found = new Set((await retriever.retrieveItems(q.question, k)).map((r) => r.key));
    const missed = q.about.filter((name) => {
      const keys = keysByName.get(name);
      if (!keys) throw new Error(`the question "${q.question}" is about "${name}", which is not in the catalog`);
      return !keys.some((key) => found.has(key));
    });
    const relevant = Math.min(q.about.length, k);
    total += Math.min(relevant, q.about.length - missed.length) / relevant;
    if (q.about.length - missed.length < relevant) misses.push({ question: q.question, missed });
  }
  return { questions: questions.length, recall: questions.length ? total / questions.length : 0, misses };
}
