/**
 * Fits the learned confidence (functions/core/confidence.ts) on the validation slice: a logistic regression of
 * "the answer is right" on the answer's signals, and the cut for the target precision chosen on 5-fold
 * cross-fitted scores of the same slice (a cut chosen on the rows the model was fitted on would be optimistic).
 * Measured on Instacart (bench/encoder-confidence.ts, docs/models.md): the signals together rank answers better
 * than the blended top probability alone.
 */
import {
  CONFIDENCE_SIGNALS,
  type ConfidenceModel,
  confidenceOf,
  confidenceSignals,
  LINEAR_CONFIDENCE_SIGNALS,
  type ScoreEvidence,
} from '../core/confidence.ts';
import { rulePrecision, withRuleEvidence } from '../core/encoder-tier.ts';
import { toCascadeItem } from '../core/normalize.ts';
import { createRulesTier, type RuleSet } from '../core/rules.ts';
import type { RuleCalibration } from '../ports.ts';
import type { NeighbourIndex } from './neighbours.ts';
import { CONTINUATION_PREFIX, type TextTokenizer, UNK_TOKEN } from './tokenizer.ts';

/** The optional learned confidence of a model folder (functions/core/confidence.ts). */
export const CONFIDENCE_FILE = 'confidence.json';

const FOLDS = 5;
/** L2 penalty on the standardized weights (chosen on the validation slice among 0.01, 10, 100). */
const RIDGE = 0.01;
const NEWTON_STEPS = 25;

/** Fewer validation rows than this, no wrong (or no right) answer among them, or no cut reaching the target: no confidence model. */
const MIN_ROWS = 200;

/** 1 for the token ids that are word pieces or [UNK] (the unknown-word share the confidence reads). */
export function unknownTokenIds(tokenizer: TextTokenizer): Uint8Array {
  const vocab = tokenizer.library.get_vocab(true) as Map<string, number>;
  const out = new Uint8Array(Math.max(0, ...vocab.values()) + 1);
  for (const [token, id] of vocab) if (token.startsWith(CONTINUATION_PREFIX) || token === UNK_TOKEN) out[id] = 1;
  return out;
}

/** Evidence of `n` texts, zeroed (no vote, no nearest name); with room for the linear classifier's probabilities when `linear`. */
export function emptyEvidence(n: number, classes: number, linear = false): ScoreEvidence {
  return {
    linear: linear ? new Float32Array(n * classes) : undefined,
    bag: new Float32Array(n * classes),
    vote: new Float32Array(n * classes),
    nearestCosine: new Float32Array(n),
    nearestClass: new Int32Array(n).fill(-1),
    unknownShare: new Float32Array(n),
    tokens: new Float32Array(n),
  };
}

/**
 * Text i's evidence (the bag's probabilities `probs`, the neighbours' vote, the tokens), with the vote blended into
 * `probs` in place as NeighbourIndex.blendInto blends it: what the encoder serves and the trainer fits on.
 */
export function gatherEvidence(
  e: ScoreEvidence,
  i: number,
  text: string,
  probs: { [c: number]: number; length: number },
  index: NeighbourIndex | undefined,
  tokenizer: TextTokenizer,
  unknownIds: Uint8Array,
  scratch: { vote: Float64Array; nearest: { cosine: number; classIndex: number } },
): void {
  const C = probs.length;
  for (let c = 0; c < C; c++) e.bag[i * C + c] = probs[c];
  if (index?.vote(text, scratch.vote, scratch.nearest)) {
    const w = index.config.weight;
    for (let c = 0; c < C; c++) {
      e.vote[i * C + c] = scratch.vote[c];
      probs[c] = (1 - w) * probs[c] + w * scratch.vote[c];
    }
    e.nearestCosine[i] = scratch.nearest.cosine;
    e.nearestClass[i] = scratch.nearest.classIndex;
  }
  const ids = tokenizer.encode(text);
  let unknown = 0;
  for (const id of ids) unknown += unknownIds[id] ?? 0;
  e.unknownShare[i] = ids.length ? unknown / ids.length : 1;
  e.tokens[i] = ids.length;
}

/**
 * The confidence fitted on the validation slice: `bag` holds the slice's bag probabilities (blended with the vote
 * here, in place); each row's answer is the one the encoder tier gives it behind the rules (the blended top class,
 * or where a rule decided another class, the rule weighed in: encoder-tier.ts review). With `linear` (the linear
 * classifier's probabilities of the slice), the confidence also reads LINEAR_CONFIDENCE_SIGNALS.
 */
export function fitConfidenceOnSlice(
  slice: { texts: string[]; labels: ArrayLike<number>; bag: Float64Array[]; linear?: Float64Array[] },
  index: NeighbourIndex | undefined,
  tokenizer: TextTokenizer,
  rules: { ruleSet: RuleSet; calibration: RuleCalibration } | undefined,
  classIds: string[],
  targetPrecision: number,
): ConfidenceModel | undefined {
  const C = classIds.length;
  const evidence = emptyEvidence(slice.texts.length, C, slice.linear !== undefined);
  slice.linear?.forEach((probs, i) => evidence.linear!.set(probs, i * C));
  const unknownIds = unknownTokenIds(tokenizer);
  const scratch = { vote: new Float64Array(C), nearest: { cosine: 0, classIndex: -1 } };
  const ruled = rules ? createRulesTier(rules.ruleSet).decide(slice.texts.map((text) => toCascadeItem({ name: text }))) : [];
  const signals: number[][] = [];
  const right: boolean[] = [];
  slice.texts.forEach((text, i) => {
    const probs = slice.bag[i];
    gatherEvidence(evidence, i, text, probs, index, tokenizer, unknownIds, scratch);
    let ranked = Array.from(probs, (score, c) => ({ classId: classIds[c], score })).sort((a, b) => b.score - a.score);
    const rule = ruled[i];
    const ruleClass = rule?.kind === 'decided' ? (rule.classId ?? undefined) : undefined;
    if (rules && ruleClass && ranked[0].classId !== ruleClass)
      ranked = withRuleEvidence(
        ranked,
        ruleClass,
        rulePrecision(rules.calibration, rule.kind === 'decided' ? rule.ruleId : undefined),
        rules.calibration.weight,
      );
    const indexed = ranked.map((c) => ({ index: classIds.indexOf(c.classId), score: c.score }));
    signals.push(confidenceSignals(evidence, i, C, indexed, ruleClass ? classIds.indexOf(ruleClass) : -1));
    right.push(indexed[0].index === slice.labels[i]);
  });
  return fitConfidence(signals, right, targetPrecision);
}

export function fitConfidence(signals: number[][], right: boolean[], targetPrecision: number): ConfidenceModel | undefined {
  if (signals.length < MIN_ROWS || right.every(Boolean) || !right.some(Boolean)) return undefined;
  const cross = new Array<number>(signals.length);
  for (let f = 0; f < FOLDS; f++) {
    const fit = signals.map((_, i) => i).filter((i) => i % FOLDS !== f);
    const model = fitLogistic(
      fit.map((i) => signals[i]),
      fit.map((i) => right[i]),
    );
    for (let i = f; i < signals.length; i += FOLDS) cross[i] = confidenceOf(model, signals[i]);
  }
  const { cut, coverage, accuracy } = lowestCut(cross, right, targetPrecision);
  if (!coverage) return undefined;
  return { ...fitLogistic(signals, right), cut, targetPrecision, validation: { rows: signals.length, coverage, accuracy } };
}

/** Logistic regression by Newton's method on standardized signals, with a small ridge on the weights (not the bias). */
export function fitLogistic(xs: number[][], ys: boolean[], ridge = RIDGE): Omit<ConfidenceModel, 'cut' | 'targetPrecision' | 'validation'> {
  const d = xs[0].length;
  const mean = Array.from({ length: d }, (_, j) => xs.reduce((s, x) => s + x[j], 0) / xs.length);
  // A signal constant on these rows (no rule ever decided, say) gets deviation 1: its weight stays near 0.
  const sd = Array.from({ length: d }, (_, j) => Math.sqrt(xs.reduce((s, x) => s + (x[j] - mean[j]) ** 2, 0) / xs.length) || 1);
  const z = xs.map((x) => [1, ...x.map((v, j) => (v - mean[j]) / sd[j])]);
  const w = new Array<number>(d + 1).fill(0);
  for (let step = 0; step < NEWTON_STEPS; step++) {
    const g = new Array<number>(d + 1).fill(0);
    const h = Array.from({ length: d + 1 }, () => new Array<number>(d + 1).fill(0));
    for (let i = 0; i < z.length; i++) {
      let s = 0;
      for (let a = 0; a <= d; a++) s += z[i][a] * w[a];
      const p = 1 / (1 + Math.exp(-s));
      const r = p - (ys[i] ? 1 : 0);
      for (let a = 0; a <= d; a++) {
        g[a] += r * z[i][a];
        for (let b = 0; b <= d; b++) h[a][b] += p * (1 - p) * z[i][a] * z[i][b];
      }
    }
    for (let a = 1; a <= d; a++) {
      g[a] += ridge * w[a];
      h[a][a] += ridge;
    }
    const delta = solve(h, g);
    for (let a = 0; a <= d; a++) w[a] -= delta[a];
  }
  return { signals: [...CONFIDENCE_SIGNALS, ...LINEAR_CONFIDENCE_SIGNALS].slice(0, d), mean, sd, weights: w };
}

/** Gaussian elimination with partial pivoting (the system is small: one row per signal). */
function solve(a: number[][], b: number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r][c]) > Math.abs(m[p][c])) p = r;
    [m[c], m[p]] = [m[p], m[c]];
    for (let r = 0; r < n; r++) {
      if (r === c || m[c][c] === 0) continue;
      const f = m[r][c] / m[c][c];
      for (let j = c; j <= n; j++) m[r][j] -= f * m[c][j];
    }
  }
  return m.map((row, i) => (row[i] === 0 ? 0 : row[n] / row[i]));
}

/** The lowest cut at which the rows scoring at least the cut are `target` right (1, covering nothing, when none is). */
export function lowestCut(scores: number[], right: boolean[], target: number): { cut: number; coverage: number; accuracy: number } {
  const order = scores.map((_, i) => i).sort((a, b) => scores[b] - scores[a]);
  let correct = 0;
  let best = { cut: 1, coverage: 0, accuracy: 1 };
  order.forEach((i, n) => {
    if (right[i]) correct++;
    // Only between distinct scores, so every row at the cut's score is on the accepted side.
    if (n + 1 < order.length && scores[order[n + 1]] === scores[i]) return;
    if (correct / (n + 1) >= target) best = { cut: scores[i], coverage: (n + 1) / order.length, accuracy: correct / (n + 1) };
  });
  return best;
}
