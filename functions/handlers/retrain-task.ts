/**
 * The retraining state machine's training step on Fargate (the project's own trainer; models/deberta/ is the
 * SageMaker alternative): reads the exported train/held-out CSVs from the lake, trains a challenger, scores it
 * and the current champion on the same held-out rows, and writes the challenger's artifact folder with
 * evaluation.json to MODEL_OUTPUT_URI — what retrain-evaluate and retrain-promote read next.
 * Environment: TRAIN_DATA_URI, HELDOUT_DATA_URI, MODEL_OUTPUT_URI, LAKE_BUCKET (lib/retraining.ts).
 */
import { createWriteStream, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { makeClients } from '../adapters/aws/clients.ts';
import { versionPrefix } from '../adapters/aws/model-registry.ts';
import { S3BlobStore } from '../adapters/aws/s3.ts';
import { configOf } from '../config/deployables.ts';
import { loadRules } from '../core/rules.ts';
import { loadTaxonomy, type Taxonomy } from '../core/taxonomy.ts';
import { OnnxEncoder } from '../model/encoder.ts';
import { type EvalReport, evaluate } from '../model/evaluate.ts';
import { readLabelledCsv } from '../model/labelled-data.ts';
import { ARTIFACT_FILES, SHIPPED_MODELS_DIR, shippedVersions } from '../model/registry.ts';
import { trainEncoder } from '../model/train.ts';
import type { BlobStore, Encoder } from '../ports.ts';
import { lakeKeyOf, readRegistry } from './retrain.ts';

export interface TrainingTaskDeps {
  lake: BlobStore;
  lakeBucket: string;
  taxonomy: Taxonomy;
  workDir: string;
  log?: (msg: string) => void;
}

export interface TrainingTaskInput {
  trainUri: string;
  heldOutUri: string;
  outputUri: string;
}

async function download(lake: BlobStore, key: string, file: string): Promise<void> {
  const body = await lake.get(key);
  if (!body) throw new Error(`${key} is missing from the lake`);
  await pipeline(body, createWriteStream(file));
}

/** The champion's artifact folder: the registry's champion from the lake, else the shipped starter model. */
async function championDir(deps: TrainingTaskDeps): Promise<{ version: string; dir: string } | null> {
  const { champion } = await readRegistry(deps.lake);
  if (champion) {
    const dir = join(deps.workDir, 'champion');
    mkdirSync(dir, { recursive: true });
    for (const f of ARTIFACT_FILES) await download(deps.lake, `${versionPrefix(champion)}${f}`, join(dir, f));
    return { version: champion, dir };
  }
  const shipped = shippedVersions().at(-1);
  return shipped ? { version: shipped, dir: join(SHIPPED_MODELS_DIR, shipped) } : null;
}

async function score(dir: string, rows: { text: string; classId: string }[], taxonomy: Taxonomy): Promise<EvalReport> {
  const encoder = await OnnxEncoder.load(dir, { taxonomy });
  try {
    return await evaluate(encoder as Encoder, rows, taxonomy);
  } finally {
    await encoder.close();
  }
}

export async function runTrainingTask(deps: TrainingTaskDeps, input: TrainingTaskInput) {
  const log = deps.log ?? ((m: string) => console.log(m));
  const outPrefix = lakeKeyOf(deps, input.outputUri).replace(/\/?$/, '/');
  const version = outPrefix.split('/').filter(Boolean).at(-1)!;
  const trainFile = join(deps.workDir, 'train.csv');
  const heldOutFile = join(deps.workDir, 'heldout.csv');
  await download(deps.lake, lakeKeyOf(deps, input.trainUri), trainFile);
  await download(deps.lake, lakeKeyOf(deps, input.heldOutUri), heldOutFile);
  // The export already split the rows (a stable hash of the text): every row of each file is on its side.
  const heldOut = (await readLabelledCsv(heldOutFile, deps.taxonomy, { heldOutFraction: 0 })).rows;
  const heldOutTexts = new Set(heldOut.map((r) => r.text));
  // A text on both sides would be scored on what the challenger memorized (as in model/retrain.ts).
  const train = (await readLabelledCsv(trainFile, deps.taxonomy, { heldOutFraction: 0 })).rows.filter((r) => !heldOutTexts.has(r.text));
  if (!train.length || !heldOut.length) throw new Error(`nothing to train on: ${train.length} training rows, ${heldOut.length} held-out rows`);

  const champion = await championDir(deps);
  const outDir = join(deps.workDir, 'challenger');
  log(`training challenger ${version} on ${train.length} rows (champion: ${champion?.version ?? 'none'})`);
  await trainEncoder(train, {
    taxonomy: deps.taxonomy,
    outDir,
    version,
    parentVersion: champion?.version,
    rules: loadRules(deps.taxonomy),
    onProgress: log,
  });
  const evaluation = {
    heldOutRows: heldOut.length,
    champion: champion ? { version: champion.version, report: await score(champion.dir, heldOut, deps.taxonomy) } : null,
    challenger: { version, report: await score(outDir, heldOut, deps.taxonomy) },
  };
  for (const f of ARTIFACT_FILES) await deps.lake.put(`${outPrefix}${f}`, readFileSync(join(outDir, f)));
  await deps.lake.put(`${outPrefix}evaluation.json`, JSON.stringify(evaluation), 'application/json');
  log(`wrote ${outPrefix} (challenger and evaluation.json on ${heldOut.length} held-out rows)`);
  return evaluation;
}

/** The container's entry: `node --import tsx functions/handlers/retrain-task.ts` (containers/trainer). */
async function main(): Promise<void> {
  const config = configOf('trainer');
  const deps: TrainingTaskDeps = {
    lake: new S3BlobStore(makeClients().s3, config.lakeBucket),
    lakeBucket: config.lakeBucket,
    taxonomy: loadTaxonomy(),
    workDir: mkdtempSync(join(tmpdir(), 'aisle-train-')),
  };
  await runTrainingTask(deps, { trainUri: config.trainDataUri, heldOutUri: config.heldoutDataUri, outputUri: config.modelOutputUri });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((err) => {
    console.error(`training task failed: ${(err as Error).stack ?? err}`);
    process.exit(1);
  });
}
