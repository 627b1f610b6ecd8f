/**
 * The starter kept beside a trained model (TrainOptions.starterGate, docs/models.md "Training never forgets"): its
 * weight on names far from every user training name, and the cosine that says "far", chosen per model on the
 * user's validation rows.
 */
import type { Taxonomy } from '../core/taxonomy.ts';
import { OnnxEncoder } from './encoder.ts';
import { classAtLevel } from './metrics.ts';
import type { ModelMetrics } from './model-metrics.ts';
import { argmax, type NeighbourIndex } from './neighbours.ts';

/** The starter's weight on far names: chosen on the starter catalog's validation split left out of training (docs/models.md). */
export const STARTER_GATE_WEIGHT = 0.5;
/** The cosines the gate may take, smallest first (chooseGateCosine). */
export const STARTER_GATE_COSINES = [0.05, 0.1, 0.15, 0.2, 0.3, 0.4];
/** At most this share of the user's validation rows may turn wrong (level 1 or 2) under the gate's cosine. */
export const STARTER_GATE_TOLERANCE = 0.001;
/** The starter's folder inside a trained model's. */
export const STARTER_GATE_DIR = 'starter';

/**
 * The gate's cosine for one model: the largest of STARTER_GATE_COSINES at which mixing the starter in turns at most
 * STARTER_GATE_TOLERANCE of the user's validation rows from right to wrong at level 1 or level 2 beyond those it turns
 * at cosine 0 (the names with no user name among the k nearest, gated whatever the cosine); 0 when none does. The
 * slice is the user's own held-out names, near their training names by construction: it measures what the gate costs
 * on names like the user's, not what it saves on names far from them (the starter's view there was measured apart,
 * docs/models.md), hence the largest cosine the user's side allows. The rows a cosine gates grow with it, so the rows
 * turned wrong do too.
 */
export async function chooseGateCosine(
  valid: { texts: string[]; probs: Float64Array[]; labels: ArrayLike<number> },
  gate: { index: NeighbourIndex; userNames: number; weight: number; starterDir: string },
  classIds: string[],
  taxonomy: Taxonomy,
): Promise<{ cosine: number; validation: NonNullable<NonNullable<ModelMetrics['starterGate']>['validation']> }> {
  const { index, userNames, weight } = gate;
  const docs = new Int32Array(index.config.k);
  const sims = new Float64Array(index.config.k);
  // As the encoder reads it (keepStarterView).
  const nearestUser = valid.texts.map((text) => index.nearestUserCosine(text, userNames, docs, sims));
  const starter = await OnnxEncoder.load(gate.starterDir, { taxonomy, threads: 1 });
  const S = starter.classIds.length;
  let starterProbs: Float32Array;
  try {
    starterProbs = await starter.probabilities(valid.texts);
  } finally {
    await starter.close();
  }
  const map = classIds.map((c) => starter.classIds.indexOf(c));
  const at = (c: number, level: number) => classAtLevel(taxonomy, classIds[c], level);
  const mixed = new Float64Array(classIds.length);
  // Whether mixing the starter in turns the row's level 1 or level 2 from right to wrong.
  const turnsWrong = valid.probs.map((probs, i) => {
    for (let c = 0; c < classIds.length; c++) mixed[c] = (1 - weight) * probs[c] + weight * (map[c] < 0 ? 0 : starterProbs[i * S + map[c]]);
    const [before, after, gold] = [argmax(probs), argmax(mixed), valid.labels[i]];
    return [0, 1].some((level) => at(before, level) === at(gold, level) && at(after, level) !== at(gold, level));
  });
  const allowed = Math.floor(STARTER_GATE_TOLERANCE * valid.texts.length);
  const cosines = [0, ...STARTER_GATE_COSINES];
  const far = cosines.map((cosine) => nearestUser.filter((s) => s < cosine).length);
  const flipped = cosines.map((cosine) => turnsWrong.filter((wrong, i) => wrong && nearestUser[i] < cosine).length);
  let cosine = 0;
  for (const [g, candidate] of cosines.entries()) if (flipped[g] - flipped[0] <= allowed) cosine = candidate;
  return { cosine, validation: { rows: valid.texts.length, cosines, far, flipped } };
}
