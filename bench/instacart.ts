import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'csv-parse/sync';
import { normalizeText } from '../functions/core/normalize.ts';
import type { Taxonomy } from '../functions/core/taxonomy.ts';
import type { Decision } from '../functions/core/types.ts';
import { type EvalReport, scorePredictions } from '../functions/model/metrics.ts';
import { validationSlice } from '../functions/model/train.ts';

/**
 * The labelled Instacart catalog ($AISLE_DATASET or ../shared/datasets/instacart-labeled.csv: read, never copied
 * into the repo) as rows with their taxonomy class and split; exits (successfully) when the file is absent.
 */
export function readInstacart(taxonomy: Taxonomy): {
  dataset: string;
  rows: { text: string; classId: string; split: string; department: string; aisle: string }[];
} {
  const dataset = resolve(process.env.AISLE_DATASET ?? new URL('../../shared/datasets/instacart-labeled.csv', import.meta.url).pathname);
  if (!existsSync(dataset)) {
    console.log(`skipped: dataset not found at ${dataset} (set AISLE_DATASET)`);
    process.exit(0);
  }
  const records = parse(readFileSync(dataset), { columns: true, skip_empty_lines: true }) as Record<string, string>[];
  const rows = records.map((r) => {
    const cls = taxonomy.fromLevels([r.level1, r.level2]);
    if (!cls) throw new Error(`dataset row ${r.product_id}: "${r.level1} > ${r.level2}" is not in the taxonomy`);
    return { text: r.product_name, classId: cls.id, split: r.split, department: r.department, aisle: r.aisle };
  });
  return { dataset, rows };
}

/**
 * Instacart's train split as trainEncoder reads it (normalized, empty names dropped), the validation slice it carves
 * from it (same seed and fraction: select on these), and the test split (report on it).
 */
export function instacartSlices(taxonomy: Taxonomy) {
  const { rows } = readInstacart(taxonomy);
  const train = rows
    .filter((r) => r.split === 'train')
    .map((r) => ({ ...r, text: normalizeText(r.text) }))
    .filter((r) => r.text);
  const isValidation = validationSlice(train, 42, 0.1);
  return { train, isValidation, valid: train.filter((_, i) => isValidation[i]), test: rows.filter((r) => r.split === 'test') };
}

/** A cascade's decisions scored against the gold classes; covered = decided by a tier before review. */
export function scoreCascade(decisions: Decision[], gold: { classId: string }[], taxonomy: Taxonomy, name: string): EvalReport {
  return scorePredictions(
    decisions.map((d, i) => ({
      gold: gold[i].classId,
      predicted: d.classId ?? 'unknown',
      score: d.tier === 'review' ? 0 : 1,
      accepted: d.status === 'ok' && d.tier !== 'review',
    })),
    taxonomy,
    name,
  );
}

/** Scores against rightness: how far down the ranking the rows stay `target` right, and what a cut accepts. */
export type Covered = { coverage: number; accuracy: number };

/** The largest share of rows whose best-ranked part is at least `target` right. */
export function reach(scores: number[], correct: boolean[], target: number): Covered {
  const order = scores.map((_, i) => i).sort((x, y) => scores[y] - scores[x]);
  let right = 0;
  let best = { coverage: 0, accuracy: 1 };
  order.forEach((i, n) => {
    if (correct[i]) right++;
    if (right / (n + 1) >= target) best = { coverage: (n + 1) / order.length, accuracy: right / (n + 1) };
  });
  return best;
}

/** The rows scoring at least `cut`: their share and accuracy. */
export function atCut(scores: number[], correct: boolean[], cut: number): Covered {
  const kept = scores.map((_, i) => i).filter((i) => scores[i] >= cut);
  return { coverage: kept.length / scores.length, accuracy: kept.filter((i) => correct[i]).length / (kept.length || 1) };
}

export const pct = (r: Covered) => `${(r.coverage * 100).toFixed(1)} % at ${r.accuracy.toFixed(4)}`;
