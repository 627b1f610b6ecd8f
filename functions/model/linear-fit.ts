/**
 * Fits the linear classifier (linear-model.ts) beside the bag: trains it on the training rows, rounds its weights as
 * the file stores them, fits its temperature on the validation slice (NLL) and chooses the weight of its blend into
 * the bag's probabilities there, by leaf macro-F1 of the top class. The slice's probabilities are blended in place;
 * the linear model's own on the slice are returned (the learned confidence reads them).
 */
import {
  DEFAULT_LINEAR_CONFIG,
  fitLinearTemperature,
  LINEAR_FILE,
  type LinearConfig,
  type LinearModel,
  linearProbabilities,
  trainLinear,
} from './linear-model.ts';
import { argmax, macroF1 } from './neighbours.ts';

/** What training records of the linear component (metrics.json `linear`): serving reads `temperature` and `weight`. */
export interface LinearMetrics {
  file: string;
  config: LinearConfig;
  /** Labels the SVMs separate (the fine labels when trained on them). */
  labels: number;
  temperature: number;
  /** (1 − weight) · bag + weight · linear. */
  weight: number;
  bytes: number;
  /** Leaf macro-F1 of the top class on the validation slice: the bag, the linear model alone, and blended at `weight`. */
  validation: { bagMacroF1: number; linearMacroF1: number; blendedMacroF1: number };
}

/** The blend weights searched on the validation slice. */
const WEIGHTS = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1];

export function fitLinear(
  train: { texts: string[]; labels: Int32Array; groups: Int32Array },
  valid: { texts: string[]; labels: ArrayLike<number>; probs: Float64Array[] },
  classes: number,
  config: Partial<LinearConfig>,
  seed: number,
  onProgress: (msg: string) => void,
): { model: LinearModel; bytes: Buffer; metrics: LinearMetrics; validProbs: Float64Array[] } {
  const model = trainLinear(train.texts, train.labels, train.groups, classes, config, seed, onProgress);
  model.roundToHalf();
  const values = valid.texts.map((text) => model.decisionValues(text, new Float64Array(model.labels)));
  model.temperature = fitLinearTemperature(values, model.groups, classes, valid.labels);
  const linearProbs = values.map((v) => linearProbabilities(v, model.groups, model.temperature, new Float64Array(classes)));
  const blended = new Float64Array(classes);
  const f1At = (weight: number) =>
    macroF1(
      valid.labels,
      valid.probs.map((probs, i) => {
        for (let c = 0; c < classes; c++) blended[c] = (1 - weight) * probs[c] + weight * linearProbs[i][c];
        return argmax(blended);
      }),
      classes,
    );
  const scores = WEIGHTS.map(f1At);
  // Ties: the smaller weight.
  const best = scores.reduce((b, f1, i) => (f1 > scores[b] + 1e-9 ? i : b), 0);
  const weight = WEIGHTS[best];
  valid.probs.forEach((probs, i) => {
    for (let c = 0; c < classes; c++) probs[c] = (1 - weight) * probs[c] + weight * linearProbs[i][c];
  });
  const bytes = model.toBuffer();
  const validation = { bagMacroF1: scores[0], linearMacroF1: scores[WEIGHTS.length - 1], blendedMacroF1: scores[best] };
  onProgress(
    `linear: ${model.labels} labels, ${(bytes.length / 1e6).toFixed(1)} MB, temperature ${model.temperature.toFixed(4)}, weight ${weight}: validation leaf macro-F1 bag ${validation.bagMacroF1.toFixed(4)}, linear ${validation.linearMacroF1.toFixed(4)}, blended ${validation.blendedMacroF1.toFixed(4)}`,
  );
  return {
    model,
    bytes,
    validProbs: linearProbs,
    metrics: {
      file: LINEAR_FILE,
      config: { ...DEFAULT_LINEAR_CONFIG, ...config },
      labels: model.labels,
      temperature: model.temperature,
      weight,
      bytes: bytes.length,
      validation,
    },
  };
}
