/**
 * A learned confidence (selective classification, issue 16): the probability that the cascade's answer for an item
 * is right, from signals the encoder tier already has — a logistic regression fitted on the validation slice at
 * training (functions/model/confidence.ts), shipped as the model folder's optional confidence.json. The answer is
 * accepted when this clears one cut, chosen for the target precision; a model without the file uses its per-class
 * thresholds on the top probability.
 */

/** The signals every learned confidence reads, in the order of its weights (after the bias). */
export const CONFIDENCE_SIGNALS = [
  'top',
  'margin',
  'bagP',
  'voteP',
  'bagVoteAgree',
  'nnCos',
  'nnAgree',
  'noVote',
  'unkShare',
  'tokens',
  'ruleAgree',
  'ruleDisagree',
] as const;

/**
 * Read after CONFIDENCE_SIGNALS by a confidence fitted on a model with the linear classifier (linear.bin): the linear
 * model's probability of the answer, whether its top class is the answer, and its own margin. A confidence.json
 * without them (older models, models without linear.bin) still loads and reads the twelve.
 */
export const LINEAR_CONFIDENCE_SIGNALS = ['linearP', 'linearAgree', 'linearMargin'] as const;

/** Whether a confidence model reads the linear classifier's signals (its signal list is the longer one). */
export function readsLinear(model: Pick<ConfidenceModel, 'signals'>): boolean {
  return model.signals.length > CONFIDENCE_SIGNALS.length;
}

/** confidence.json. */
export interface ConfidenceModel {
  signals: string[];
  /** Standardization of each signal (the fitting rows' mean and deviation). */
  mean: number[];
  sd: number[];
  /** Bias first, then one weight per standardized signal. */
  weights: number[];
  /** Accept an answer whose confidence is at least this. */
  cut: number;
  /** The precision the cut was chosen for, and what the cut gave on the validation slice's cross-fitted scores. */
  targetPrecision: number;
  validation: { rows: number; coverage: number; accuracy: number };
}

/**
 * What the encoder knows of one item beside its blended probabilities (ClassScores.evidence, one entry per item in
 * the arrays): the bag's own probabilities, the neighbours' vote, the nearest neighbour, and the name's tokens.
 */
export interface ScoreEvidence {
  /** [items × classes]: the bag's calibrated probabilities, before the vote is blended in. */
  bag: Float32Array;
  /** [items × classes]: the neighbours' vote (all zero when no neighbour shares a word). */
  vote: Float32Array;
  /** Cosine of the nearest training name (0 when none) and its class index (-1 when none). */
  nearestCosine: Float32Array;
  nearestClass: Int32Array;
  /** Share of the name's tokens that are word pieces or [UNK], and how many tokens it has. */
  unknownShare: Float32Array;
  tokens: Float32Array;
  /** [items × classes]: the linear classifier's probabilities, when the model has one and its confidence reads them. */
  linear?: Float32Array;
}

/** Evidence entries `from` to `to` (views, no copy). */
export function sliceEvidence(e: ScoreEvidence, from: number, to: number, classes: number): ScoreEvidence {
  return {
    bag: e.bag.subarray(from * classes, to * classes),
    vote: e.vote.subarray(from * classes, to * classes),
    nearestCosine: e.nearestCosine.subarray(from, to),
    nearestClass: e.nearestClass.subarray(from, to),
    unknownShare: e.unknownShare.subarray(from, to),
    tokens: e.tokens.subarray(from, to),
    linear: e.linear?.subarray(from * classes, to * classes),
  };
}

/**
 * The signals of item `i`'s answer: `ranked` is the final ranking (the blended probabilities, with a rule's class
 * weighed in where the tier did so), best first, as class indexes and scores; `rule` the class index a rule decided
 * (-1 when none). With `e.linear`, the linear classifier's signals follow the twelve.
 */
export function confidenceSignals(e: ScoreEvidence, i: number, classes: number, ranked: { index: number; score: number }[], rule: number): number[] {
  const answer = ranked[0].index;
  const base = i * classes;
  let bagTop = 0;
  let voteTop = -1;
  let voteSum = 0;
  for (let c = 0; c < classes; c++) {
    if (e.bag[base + c] > e.bag[base + bagTop]) bagTop = c;
    voteSum += e.vote[base + c];
    if (e.vote[base + c] > 0 && (voteTop < 0 || e.vote[base + c] > e.vote[base + voteTop])) voteTop = c;
  }
  const hasVote = voteSum > 0;
  const signals = [
    ranked[0].score,
    ranked[0].score - (ranked[1]?.score ?? 0),
    e.bag[base + answer],
    e.vote[base + answer],
    bagTop === voteTop ? 1 : 0,
    e.nearestCosine[i],
    e.nearestClass[i] === answer ? 1 : 0,
    hasVote ? 0 : 1,
    e.unknownShare[i],
    Math.log1p(e.tokens[i]),
    rule === answer ? 1 : 0,
    rule >= 0 && rule !== answer ? 1 : 0,
  ];
  if (e.linear) {
    let first = 0;
    let second = -1;
    for (let c = 1; c < classes; c++) {
      const p = e.linear[base + c];
      if (p > e.linear[base + first]) [first, second] = [c, first];
      else if (second < 0 || p > e.linear[base + second]) second = c;
    }
    signals.push(e.linear[base + answer], first === answer ? 1 : 0, e.linear[base + first] - (second < 0 ? 0 : e.linear[base + second]));
  }
  return signals;
}

/** The model's probability that the answer with these signals is right. */
export function confidenceOf(model: Pick<ConfidenceModel, 'weights' | 'mean' | 'sd'>, x: number[]): number {
  let z = model.weights[0];
  for (let j = 0; j < x.length; j++) z += model.weights[j + 1] * ((x[j] - model.mean[j]) / model.sd[j]);
  return 1 / (1 + Math.exp(-z));
}
