/**
 * Few-shot examples for the LLM prompt, read from the project's data rather than written as prose: the
 * rules file's phrases and keywords, the starter catalog, and human labels from the results store. Each
 * source is optional (a missing file is skipped); classes the taxonomy does not know are dropped.
 */

import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import type { FewShotExample } from '../core/llm-prompt.ts';
import { DEFAULT_RULES_PATH } from '../core/rules.ts';
import type { Taxonomy } from '../core/taxonomy.ts';
import type { ResultStore } from '../ports.ts';

const STARTER_CATALOG = new URL('../../models/starter/catalog.csv', import.meta.url);

const CLASS_KEYS = ['target', 'classId', 'class_id', 'class', 'category', 'label'];

/** Phrases, then keywords, of every rule that names a class of the taxonomy (regexes are not examples). */
export function examplesFromRules(json: unknown, taxonomy: Taxonomy): FewShotExample[] {
  const phrases: FewShotExample[] = [];
  const keywords: FewShotExample[] = [];
  const strings = (v: unknown): string[] =>
    typeof v === 'string' ? [v] : Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach(walk);
      return;
    }
    if (!node || typeof node !== 'object') return;
    const o = node as Record<string, unknown>;
    const name = CLASS_KEYS.map((k) => o[k]).find((v): v is string => typeof v === 'string');
    const cls = name ? taxonomy.resolve(name) : undefined;
    if (cls?.isLeaf) {
      for (const text of [...strings(o.phrases), ...strings(o.phrase)]) phrases.push({ text, classId: cls.id, source: 'rules' });
      for (const text of [...strings(o.keywords), ...strings(o.keyword)]) keywords.push({ text, classId: cls.id, source: 'rules' });
    }
    Object.values(o).forEach((v) => typeof v === 'object' && walk(v));
  };
  walk(json);
  return [...phrases, ...keywords];
}

/** Rows of a labelled catalog CSV: a name column and either a class id column or level1/level2 columns; test rows skipped. */
export function examplesFromCatalog(csv: string, taxonomy: Taxonomy): FewShotExample[] {
  const rows = parse(csv, { columns: true, skip_empty_lines: true, relax_column_count: true, bom: true }) as Record<string, string>[];
  const out: FewShotExample[] = [];
  for (const row of rows) {
    const text = row.name ?? row.product_name ?? row.product ?? row.text;
    const id = CLASS_KEYS.map((k) => row[k]).find(Boolean);
    const cls = id ? taxonomy.resolve(id) : taxonomy.fromLevels(taxonomy.levels.map((l) => row[l]));
    // Held-out rows stay out of the prompt, so evaluations on them stay honest.
    if (row.split === 'test' || row.split === 'holdout') continue;
    if (text && cls?.isLeaf) out.push({ text, classId: cls.id, source: 'catalog' });
  }
  return out;
}

export interface FewShotSources {
  rulesFile?: string | URL;
  /**
   * Human labels (gold) come from here, 500 at most: they are many on a busy store, and a few per class are enough.
   * Only human labels, which only write keys can set (a read key gets 403); never LLM decisions, which a hostile
   * name may have steered and which would then teach the next prompt.
   */
  store?: ResultStore;
}

export async function loadFewShotExamples(taxonomy: Taxonomy, sources: FewShotSources = {}): Promise<FewShotExample[]> {
  const out: FewShotExample[] = [];
  if (sources.store) {
    for await (const e of sources.store.exportLabelled({ tiers: ['human'] })) {
      if (e.tier === 'human') out.push({ text: e.input.name, classId: e.classId, source: 'human' });
      if (out.length >= 500) break;
    }
  }
  if (existsSync(STARTER_CATALOG)) out.push(...examplesFromCatalog(readFileSync(STARTER_CATALOG, 'utf8'), taxonomy));
  const rules = sources.rulesFile ?? DEFAULT_RULES_PATH;
  if (existsSync(rules)) out.push(...examplesFromRules(JSON.parse(readFileSync(rules, 'utf8')), taxonomy));
  return out;
}
