/**
 * Scoring of predictions against gold labels: accuracy and macro-F1 per taxonomy level, per-class F1,
 * confusion matrix, coverage at per-class thresholds and the whole coverage/accuracy curve. Shared by
 * training (the validation slice written to metrics.json) and evaluation (any labelled rows).
 */
import type { Taxonomy } from '../core/taxonomy.ts';

export interface ClassScore {
  classId: string;
  label: string;
  /** Gold rows of this class. */
  support: number;
  precision: number;
  recall: number;
  f1: number;
}

export interface LevelScore {
  /** Level column name, e.g. "level1". */
  level: string;
  accuracy: number;
  macroF1: number;
  perClass: ClassScore[];
}

export interface CoveragePoint {
  /** Rows whose top score is at least this are covered. */
  minScore: number;
  coverage: number;
  /** Leaf-level accuracy on the covered rows. */
  accuracy: number;
}

export interface CoverageAtThresholds {
  rows: number;
  coverage: number;
  /** Leaf-level accuracy on the covered rows. */
  accuracy: number;
  /** Level 1 accuracy on the covered rows. */
  level1Accuracy: number;
}

export interface EvalReport {
  rows: number;
  modelVersion: string;
  taxonomyVersion: string;
  levels: LevelScore[];
  coverage: CoverageAtThresholds;
  /** Coverage/accuracy by top score, from the most confident 5% of rows to all of them. */
  curve: CoveragePoint[];
  /** Leaf-level confusion matrix: rows are gold classes, columns predicted classes, in `labels` order. */
  confusion: { classIds: string[]; labels: string[]; matrix: number[][] };
}

export interface Prediction {
  gold: string;
  predicted: string;
  score: number;
  /** Whether the score clears the predicted class's threshold. */
  accepted: boolean;
}

/** The id of a class's ancestor at a level (0-based), or the class itself when it is shallower. */
export function classAtLevel(taxonomy: Taxonomy, classId: string, level: number): string {
  const lineage = taxonomy.lineage(classId);
  return lineage[Math.min(level, lineage.length - 1)]?.id ?? classId;
}

export function scorePredictions(preds: Prediction[], taxonomy: Taxonomy, modelVersion: string): EvalReport {
  const levels: LevelScore[] = taxonomy.levels.map((level, depth) => {
    const gold = preds.map((p) => classAtLevel(taxonomy, p.gold, depth));
    const predicted = preds.map((p) => classAtLevel(taxonomy, p.predicted, depth));
    return { level, ...levelScore(taxonomy, gold, predicted) };
  });

  const classIds = orderedClasses(taxonomy, [...new Set([...preds.map((p) => p.gold), ...preds.map((p) => p.predicted)])]);
  const index = new Map(classIds.map((c, i) => [c, i]));
  const matrix = classIds.map(() => new Array<number>(classIds.length).fill(0));
  for (const p of preds) matrix[index.get(p.gold)!][index.get(p.predicted)!]++;

  const accepted = preds.filter((p) => p.accepted);
  const coverage: CoverageAtThresholds = {
    rows: accepted.length,
    coverage: ratio(accepted.length, preds.length),
    accuracy: ratio(accepted.filter((p) => p.gold === p.predicted).length, accepted.length),
    level1Accuracy: ratio(
      accepted.filter((p) => classAtLevel(taxonomy, p.gold, 0) === classAtLevel(taxonomy, p.predicted, 0)).length,
      accepted.length,
    ),
  };

  return {
    rows: preds.length,
    modelVersion,
    taxonomyVersion: taxonomy.version,
    levels,
    coverage,
    curve: coverageCurve(preds),
    confusion: { classIds, labels: classIds.map((c) => taxonomy.get(c)?.label ?? c), matrix },
  };
}

function levelScore(taxonomy: Taxonomy, gold: string[], predicted: string[]): Omit<LevelScore, 'level'> {
  const classes = orderedClasses(taxonomy, [...new Set(gold)]);
  let correct = 0;
  const tp = new Map<string, number>();
  const goldCount = new Map<string, number>();
  const predCount = new Map<string, number>();
  for (let i = 0; i < gold.length; i++) {
    goldCount.set(gold[i], (goldCount.get(gold[i]) ?? 0) + 1);
    predCount.set(predicted[i], (predCount.get(predicted[i]) ?? 0) + 1);
    if (gold[i] === predicted[i]) {
      correct++;
      tp.set(gold[i], (tp.get(gold[i]) ?? 0) + 1);
    }
  }
  // Macro-F1 over the classes present in the gold labels (as scikit-learn does with labels=gold classes).
  const perClass = classes.map((classId) => {
    const t = tp.get(classId) ?? 0;
    const precision = ratio(t, predCount.get(classId) ?? 0);
    const recall = ratio(t, goldCount.get(classId) ?? 0);
    const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
    return { classId, label: taxonomy.get(classId)?.label ?? classId, support: goldCount.get(classId) ?? 0, precision, recall, f1 };
  });
  return {
    accuracy: ratio(correct, gold.length),
    macroF1: perClass.length ? perClass.reduce((s, c) => s + c.f1, 0) / perClass.length : 0,
    perClass,
  };
}

/** Coverage/accuracy when accepting the rows with the highest top scores, at 5% steps. */
export function coverageCurve(preds: Pick<Prediction, 'gold' | 'predicted' | 'score'>[]): CoveragePoint[] {
  const sorted = [...preds].sort((a, b) => b.score - a.score);
  const out: CoveragePoint[] = [];
  let correct = 0;
  let nextStep = 1;
  for (let i = 0; i < sorted.length; i++) {
    if (sorted[i].gold === sorted[i].predicted) correct++;
    const covered = i + 1;
    while (nextStep <= 20 && covered >= Math.ceil((nextStep / 20) * sorted.length)) {
      out.push({ minScore: sorted[i].score, coverage: covered / sorted.length, accuracy: correct / covered });
      nextStep++;
    }
  }
  return out;
}

function orderedClasses(taxonomy: Taxonomy, ids: string[]): string[] {
  const order = new Map(taxonomy.classes.map((c, i) => [c.id, i]));
  return ids.sort((a, b) => (order.get(a) ?? 1e9) - (order.get(b) ?? 1e9) || a.localeCompare(b));
}

function ratio(a: number, b: number): number {
  return b ? a / b : 0;
}

/** Formats an evaluation report for the terminal. */
export function formatReport(report: EvalReport): string {
  const pct = (x: number) => (x * 100).toFixed(2).padStart(6) + '%';
  const lines = [`model ${report.modelVersion} · taxonomy ${report.taxonomyVersion} · ${report.rows} rows`, ''];
  for (const level of report.levels) {
    lines.push(`${level.level}: accuracy ${pct(level.accuracy)}  macro-F1 ${pct(level.macroF1)}`);
    const width = Math.max(...level.perClass.map((c) => c.label.length), 5);
    lines.push(`  ${'class'.padEnd(width)}  support  precision  recall      F1`);
    for (const c of level.perClass) {
      lines.push(`  ${c.label.padEnd(width)}  ${String(c.support).padStart(7)}    ${pct(c.precision)} ${pct(c.recall)} ${pct(c.f1)}`);
    }
    lines.push('');
  }
  const cov = report.coverage;
  lines.push(
    `at the per-class thresholds: covers ${pct(cov.coverage)} of rows (${cov.rows}), accuracy on covered ${pct(cov.accuracy)} (level 1 ${pct(cov.level1Accuracy)})`,
    '',
    'coverage/accuracy curve (rows ranked by top score):',
    '  coverage  accuracy  min score',
  );
  for (const p of report.curve) lines.push(`  ${pct(p.coverage)}   ${pct(p.accuracy)}   ${p.minScore.toFixed(4)}`);
  lines.push('', 'confusion matrix (rows: gold, columns: predicted):');
  const ids = report.confusion.classIds;
  const short = ids.map((_, i) => `c${i}`);
  lines.push('       ' + short.map((s) => s.padStart(6)).join(''));
  report.confusion.matrix.forEach((row, i) => lines.push(`  ${short[i].padEnd(5)}${row.map((v) => String(v).padStart(6)).join('')}`));
  ids.forEach((_, i) => lines.push(`  ${short[i]} = ${report.confusion.labels[i]}`));
  return lines.join('\n');
}
