/**
 * Champion/challenger retraining: train a challenger on the given rows, evaluate it and the champion on the
 * same held-out rows, and promote it only when it wins (decidePromotion). `aisle train` runs this on one
 * machine; the same steps are the retraining state machine's on AWS.
 */
import type { RuleSet } from '../core/rules.ts';
import type { Taxonomy } from '../core/taxonomy.ts';
import type { Encoder, ModelVersionInfo, WritableModelRegistry } from '../ports.ts';
import { OnnxEncoder } from './encoder.ts';
import { type EvalReport, evaluate } from './evaluate.ts';
import type { LabelledText } from './labelled-data.ts';
import type { ModelMetrics } from './model-metrics.ts';
import { decidePromotion, type PromotionDecision, promotionScores } from './registry.ts';
import { type TrainOptions, trainEncoder } from './train.ts';

export interface RetrainOptions {
  taxonomy: Taxonomy;
  registry: WritableModelRegistry;
  /** Rows the challenger trains on (the trainer carves its calibration slice out of them). */
  train: LabelledText[];
  /** Rows both models are scored on; never trained or calibrated on. */
  heldOut: LabelledText[];
  version: string;
  seed?: number;
  targetPrecision?: number;
  /** Train and compare, but leave the registry's champion as it is. */
  promote?: boolean;
  threads?: number;
  /** The rules tier the challenger will serve behind (measured at training: train.ts TrainOptions.rules). */
  rules?: RuleSet;
  onProgress?: (msg: string) => void;
  /** Extra trainer options (tests shorten training; `neighbours: false` trains the bag alone; `linear` adds the linear classifier; `starterGate` keeps the starter beside). */
  trainer?: Partial<Pick<TrainOptions, 'bag' | 'validationFraction' | 'neighbours' | 'linear' | 'starterGate'>>;
  /** The starter catalog's rows, trained beside `train` as a group of their own (train.ts TrainOptions.starterRows). */
  starterRows?: LabelledText[];
  /** The starter's answers on the training rows, as soft targets (train.ts TrainOptions.teacherRows). */
  teacherRows?: LabelledText[];
}

export interface ScoredVersion {
  version: string;
  report: EvalReport;
}

export interface RetrainResult {
  challenger: ScoredVersion & { dir: string; metrics: ModelMetrics };
  champion: ScoredVersion | null;
  decision: PromotionDecision;
  promoted: boolean;
}

export class RetrainError extends Error {
  readonly userFacing = true;
}

async function score(dir: string, rows: LabelledText[], opts: RetrainOptions): Promise<EvalReport> {
  const encoder = await OnnxEncoder.load(dir, { taxonomy: opts.taxonomy, threads: opts.threads });
  try {
    return await evaluate(encoder as Encoder, rows, opts.taxonomy);
  } finally {
    await encoder.close();
  }
}

export async function retrain(opts: RetrainOptions): Promise<RetrainResult> {
  const progress = opts.onProgress ?? (() => {});
  if (!opts.heldOut.length) throw new RetrainError('no held-out rows: the champion and the challenger cannot be compared');
  if (!opts.train.length && !opts.starterRows?.length) throw new RetrainError('no training rows');
  const heldOutTexts = new Set(opts.heldOut.map((r) => r.text));
  // A text on both sides would be scored on what the challenger memorized: train only on the others.
  const train = opts.train.filter((r) => !heldOutTexts.has(r.text));
  if (train.length < opts.train.length) progress(`left ${opts.train.length - train.length} training rows out: their text is also a held-out row`);
  const starterRows = opts.starterRows?.filter((r) => !heldOutTexts.has(r.text));
  const teacherRows = opts.teacherRows?.filter((r) => !heldOutTexts.has(r.text));

  const current: ModelVersionInfo | null = await opts.registry.champion();
  const dir = opts.registry.locationFor(opts.version);
  progress(`training challenger ${opts.version} on ${train.length} rows (champion: ${current?.version ?? 'none'})`);
  const { metrics } = await trainEncoder(train, {
    taxonomy: opts.taxonomy,
    outDir: dir,
    seed: opts.seed,
    version: opts.version,
    targetPrecision: opts.targetPrecision,
    parentVersion: current?.version,
    rules: opts.rules,
    // The nearest labelled names vote beside the bag: measured on Instacart (docs/models.md), their blend weight is chosen on the validation slice.
    neighbours: true,
    starterRows,
    teacherRows,
    onProgress: progress,
    ...opts.trainer,
  });
  await opts.registry.addChallenger(opts.version);

  progress(`scoring challenger ${opts.version} on ${opts.heldOut.length} held-out rows`);
  const challenger = { version: opts.version, dir, metrics, report: await score(dir, opts.heldOut, opts) };
  let champion: ScoredVersion | null = null;
  if (current?.location) {
    progress(`scoring champion ${current.version} on the same rows`);
    champion = { version: current.version, report: await score(current.location, opts.heldOut, opts) };
  }
  const decision = decidePromotion(champion && promotionScores(champion.report), promotionScores(challenger.report));
  const promoted = decision.promote && opts.promote !== false;
  if (promoted) await opts.registry.promote(opts.version);
  else if (!decision.promote) await opts.registry.retire(opts.version);
  return { challenger, champion, decision, promoted };
}

const pct = (x: number | undefined) => (x === undefined ? '—' : `${(x * 100).toFixed(2)}%`);

/** The side-by-side table `aisle train` prints: both models on the same held-out rows. */
export function formatComparison(result: RetrainResult): string {
  const rows: [string, (r: EvalReport) => number | undefined][] = [
    ['Level 1 accuracy', (r) => r.levels[0]?.accuracy],
    ['Level 1 macro-F1', (r) => r.levels[0]?.macroF1],
    ['Level 2 accuracy', (r) => r.levels[1]?.accuracy],
    ['Level 2 macro-F1', (r) => r.levels[1]?.macroF1],
    ['coverage at thresholds', (r) => r.coverage.coverage],
    ['accuracy on covered', (r) => r.coverage.accuracy],
  ];
  const head = ['', `champion ${result.champion?.version ?? '(none)'}`, `challenger ${result.challenger.version}`];
  const body = rows.map(([name, get]) => {
    const a = result.champion ? get(result.champion.report) : undefined;
    const b = get(result.challenger.report);
    const delta = a === undefined || b === undefined ? '' : `${b - a >= 0 ? '+' : ''}${((b - a) * 100).toFixed(2)}`;
    return [name, pct(a), pct(b), delta];
  });
  const table = [[...head, 'Δ points'], ...body];
  const widths = table[0].map((_, i) => Math.max(...table.map((r) => r[i].length)));
  const lines = table.map((r) =>
    r
      .map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i])))
      .join('   ')
      .trimEnd(),
  );
  lines.splice(1, 0, widths.map((w) => '-'.repeat(w)).join('   '));
  return `held-out rows: ${result.challenger.report.rows}\n\n${lines.join('\n')}`;
}
