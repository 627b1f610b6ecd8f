/**
 * Trains the shipped default model (models/encoder/starter-<version>/) on the starter catalog, reproducibly:
 * same catalog + same seed → same model and metrics. Trains on the catalog's `train` split; the `validation`
 * split is the held-out set the printed report is measured on (the trainer carves its own calibration slice
 * out of the training rows).
 *
 *   npm run train:starter                 # rewrites models/encoder/starter-v1
 *   npx tsx models/starter/train-starter.ts --out /tmp/starter-check
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadRules } from '../../functions/core/rules.ts';
import { loadTaxonomy, type Taxonomy } from '../../functions/core/taxonomy.ts';
import { OnnxEncoder } from '../../functions/model/encoder.ts';
import { type EvalReport, evaluate, formatReport } from '../../functions/model/evaluate.ts';
import { type LabelledRow, type LabelledText, readLabelledCsv } from '../../functions/model/labelled-data.ts';
import type { ModelMetrics } from '../../functions/model/model-metrics.ts';
import { SHIPPED_MODELS_DIR } from '../../functions/model/registry.ts';
import { trainEncoder } from '../../functions/model/train.ts';
import { CATALOG_PATH } from './generate.ts';

export const STARTER_VERSION = 'starter-v1';
export const STARTER_SEED = 42;
export const STARTER_DIR = join(SHIPPED_MODELS_DIR, STARTER_VERSION);

/**
 * The weight of the starter's own answer on each of a user's rows (teacherRows), beside the row's label at weight 1:
 * enough to keep what the starter knew about the row's words, little enough that the user's labels decide.
 */
export const DEFAULT_TEACHER_WEIGHT = 0.2;

/** The least share of the training weight `aisle train` gives the starter catalog's rows beside a user's own. */
export const DEFAULT_STARTER_SHARE = 0.75;

/**
 * The weight of each starter row when `starterRows` of them train beside `userRows` of a user's own: enough for
 * the catalog to carry `share` of the training weight, and never below 1, so a large grocery catalog does not
 * drown what the starter knows about everything else (clothing, electronics, tools …).
 */
export function starterWeight(userRows: number, starterRows: number, share = DEFAULT_STARTER_SHARE): number {
  if (!starterRows || share <= 0) return 1;
  return Math.max(1, ((share / (1 - share)) * userRows) / starterRows);
}

/**
 * The starter catalog as `aisle train` trains it beside a user's rows (train.ts TrainOptions.starterRows): every
 * row (both splits), weighted by `starterWeight` so that the catalog keeps `share` of the training weight.
 */
export async function starterRowsBeside(
  taxonomy: Taxonomy,
  userRows: number,
  share = DEFAULT_STARTER_SHARE,
): Promise<{ rows: LabelledRow[]; weight: number }> {
  const starter = await readStarterCatalog(taxonomy);
  const catalog = [...starter.train, ...starter.heldOut];
  const weight = starterWeight(userRows, catalog.length, share);
  return { rows: catalog.map((r) => ({ ...r, weight })), weight };
}

/**
 * The starter model as a teacher (learning without forgetting): each text becomes one row per class the shipped
 * starter gives at least `floor` probability, weighted `weight` × that probability, so that cross-entropy on these
 * rows is cross-entropy toward the starter's own answer on that text.
 */
export async function teacherRows(texts: string[], weight: number, floor = 0.05): Promise<LabelledText[]> {
  const encoder = await OnnxEncoder.load(STARTER_DIR, { threads: 1 });
  try {
    const { classIds, probabilities } = await encoder.scores(texts);
    const rows: LabelledText[] = [];
    texts.forEach((text, i) => {
      const probs = probabilities.subarray(i * classIds.length, (i + 1) * classIds.length);
      let kept = 0;
      for (const p of probs) if (p >= floor) kept += p;
      probs.forEach((p, c) => {
        if (p >= floor) rows.push({ text, classId: classIds[c], weight: (weight * p) / kept });
      });
    });
    return rows;
  } finally {
    await encoder.close();
  }
}

/** The starter catalog as labelled rows: its `train` split trains, its `validation` split is held out. */
export async function readStarterCatalog(taxonomy: Taxonomy, file = CATALOG_PATH): Promise<{ train: LabelledRow[]; heldOut: LabelledRow[] }> {
  const { rows } = await readLabelledCsv(file, taxonomy);
  return { train: rows.filter((r) => !r.heldOut), heldOut: rows.filter((r) => r.heldOut) };
}

export async function trainStarter(
  outDir = STARTER_DIR,
  opts: { onProgress?: (msg: string) => void; threads?: number } = {},
): Promise<{ dir: string; metrics: ModelMetrics; heldOut: EvalReport }> {
  const taxonomy = loadTaxonomy();
  const { train, heldOut } = await readStarterCatalog(taxonomy);
  const { dir, metrics } = await trainEncoder(train, {
    taxonomy,
    outDir,
    seed: STARTER_SEED,
    version: STARTER_VERSION,
    rules: loadRules(taxonomy),
    onProgress: opts.onProgress,
  });
  const encoder = await OnnxEncoder.load(dir, { taxonomy, threads: opts.threads });
  try {
    return { dir, metrics, heldOut: await evaluate(encoder, heldOut, taxonomy) };
  } finally {
    await encoder.close();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const at = process.argv.indexOf('--out');
  const out = at > 0 ? process.argv[at + 1] : STARTER_DIR;
  const started = performance.now();
  const { dir, heldOut } = await trainStarter(out, { onProgress: (m) => console.log(`  ${m}`) });
  console.log(`\nstarter model ${STARTER_VERSION} in ${dir} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
  console.log(`held-out: the catalog's validation split (${heldOut.rows} rows)\n`);
  console.log(formatReport(heldOut));
}
