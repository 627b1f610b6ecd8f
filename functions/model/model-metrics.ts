/**
 * The shape of a model folder's metrics.json (docs/models.md, the artifact contract): written by the trainer
 * (train.ts), read by the encoder (encoder.ts). Its own module so that the trainer may load an encoder.
 */
import type { RuleCalibration } from '../ports.ts';
import type { LinearMetrics } from './linear-fit.ts';
import type { EvalReport } from './metrics.ts';
import type { NeighbourMetrics } from './neighbours.ts';

/** metrics.json: what serving reads (temperature, thresholds) and the held-out scores. */
export interface ModelMetrics {
  modelVersion: string;
  taxonomyVersion: string;
  /** Divide logits by this before the softmax. */
  temperature: number;
  /** Per-class acceptance thresholds on calibrated probabilities. */
  thresholds: Record<string, number>;
  /** Threshold for classes the validation slice had too few predictions of. */
  pooledThreshold: number;
  targetPrecision: number;
  trainRows: number;
  validationRows: number;
  /** The headline figures of `validation`. */
  summary: Record<'level1Accuracy' | 'level1MacroF1' | 'level2Accuracy' | 'level2MacroF1' | 'coverage' | 'coveredAccuracy', number>;
  calibration: { temperature: number; unknownWordScale: number; nllBefore: number; nllAfter: number };
  /** The nearest-neighbour component blended into the bag (present when trained with it). */
  neighbours?: NeighbourMetrics;
  /** The linear classifier blended into the bag before the vote (present when trained with it). */
  linear?: LinearMetrics;
  /** How the encoder reviews the rules tier's decisions (present when trained with the rules). */
  rules?: RuleCalibration;
  /** The learned confidence's file (present when one was fitted: trained with the neighbours; functions/core/confidence.ts). */
  confidence?: { file: string };
  /**
   * The starter kept beside the model (TrainOptions.starterGate): its folder, the neighbour index's first
   * `userNames` documents being the user's names, the nearest user name's cosine under which a name is far, and the
   * starter's weight in the mixture there. `validation`, when the cosine was chosen (starter-gate.ts chooseGateCosine): of
   * the user's validation rows, those far and those the gate turns wrong at each of `cosines` (0 and STARTER_GATE_COSINES).
   */
  starterGate?: {
    dir: string;
    userNames: number;
    cosine: number;
    weight: number;
    validation?: { rows: number; cosines: number[]; far: number[]; flipped: number[] };
  };
  /** Scores on the held-out validation slice. */
  validation: EvalReport;
}
