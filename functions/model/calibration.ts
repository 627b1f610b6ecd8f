/**
 * Calibration on a validation slice (never on test): temperature scaling of the logits, and per-class
 * acceptance thresholds chosen for a target precision.
 */

export function softmaxInto(logits: ArrayLike<number>, temperature: number, out: Float64Array): Float64Array {
  let max = -Infinity;
  for (let c = 0; c < logits.length; c++) max = Math.max(max, logits[c] / temperature);
  let sum = 0;
  for (let c = 0; c < logits.length; c++) {
    out[c] = Math.exp(logits[c] / temperature - max);
    sum += out[c];
  }
  for (let c = 0; c < logits.length; c++) out[c] /= sum;
  return out;
}

/** Mean negative log-likelihood of the gold classes at a temperature. */
export function meanNll(logits: Float32Array[], labels: ArrayLike<number>, temperature: number): number {
  if (!logits.length) return 0;
  const p = new Float64Array(logits[0].length);
  let nll = 0;
  for (let i = 0; i < logits.length; i++) nll -= Math.log(softmaxInto(logits[i], temperature, p)[labels[i]] + 1e-12);
  return nll / logits.length;
}

/** The temperature that minimizes validation NLL (golden-section search on log T over [0.05, 20]). */
export function fitTemperature(logits: Float32Array[], labels: ArrayLike<number>): number {
  if (!logits.length) return 1;
  let lo = Math.log(0.05);
  let hi = Math.log(20);
  const phi = (Math.sqrt(5) - 1) / 2;
  const f = (x: number) => meanNll(logits, labels, Math.exp(x));
  let a = hi - phi * (hi - lo);
  let b = lo + phi * (hi - lo);
  let fa = f(a);
  let fb = f(b);
  for (let i = 0; i < 40; i++) {
    if (fa < fb) {
      hi = b;
      b = a;
      fb = fa;
      a = hi - phi * (hi - lo);
      fa = f(a);
    } else {
      lo = a;
      a = b;
      fa = fb;
      b = lo + phi * (hi - lo);
      fb = f(b);
    }
  }
  return Math.exp((lo + hi) / 2);
}

/** Classes predicted fewer times than this on validation use the pooled threshold. */
const MIN_PREDICTIONS = 30;
/**
 * No threshold is lower than this: a class is only accepted when it is more likely than all others together,
 * even when the validation slice (drawn from the training catalog) is easy and would allow any cut.
 */
const MIN_THRESHOLD = 0.5;

export interface Thresholds {
  perClass: Record<string, number>;
  /** Threshold for classes without enough validation predictions (pooled over all classes). */
  pooled: number;
}

/**
 * For each class, the lowest top-probability cut at which the validation predictions of that class are at
 * least `targetPrecision` precise (1 when no cut reaches it: the class is never accepted on its own).
 */
export function chooseThresholds(
  preds: { predicted: string; score: number; correct: boolean }[],
  classIds: string[],
  opts: { targetPrecision: number },
): Thresholds {
  const pooled = Math.max(MIN_THRESHOLD, lowestCut(preds, opts.targetPrecision));
  const perClass: Record<string, number> = {};
  for (const classId of classIds) {
    const mine = preds.filter((p) => p.predicted === classId);
    perClass[classId] = mine.length >= MIN_PREDICTIONS ? Math.max(MIN_THRESHOLD, lowestCut(mine, opts.targetPrecision)) : pooled;
  }
  return { perClass, pooled };
}

function lowestCut(preds: { score: number; correct: boolean }[], target: number): number {
  const sorted = [...preds].sort((a, b) => b.score - a.score);
  let correct = 0;
  let cut = 1;
  for (let i = 0; i < sorted.length; i++) {
    if (sorted[i].correct) correct++;
    // Only cut between distinct scores, so every row at the cut's score is on the accepted side.
    if (i + 1 < sorted.length && sorted[i + 1].score === sorted[i].score) continue;
    if (correct / (i + 1) >= target) cut = sorted[i].score;
  }
  return cut;
}
