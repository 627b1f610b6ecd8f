/**
 * The retraining state machine's training step (the project's own trainer, containers/trainer; models/deberta/
 * is the SageMaker alternative): reads the exported train/held-out CSVs from the lake and runs the same
 * retrain() as `aisle train` — the starter catalog mixed in at the same share and the starter kept beside the
 * model (`starter/`), the rules tier measured, the challenger and the current champion scored on the same
 * held-out rows — then writes the challenger's artifact
 * folder with evaluation.json to MODEL_OUTPUT_URI, what retrain-evaluate and retrain-promote read next. The
 * promotion itself is the state machine's (retrain-evaluate applies the same rule), never the task's.
 * Environment: TRAIN_DATA_URI, HELDOUT_DATA_URI, MODEL_OUTPUT_URI, LAKE_BUCKET (lib/retraining.ts).
 */
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { makeClients } from '../../functions/adapters/aws/clients.ts';
import { versionPrefix } from '../../functions/adapters/aws/model-registry.ts';
import { S3BlobStore } from '../../functions/adapters/aws/s3.ts';
import { LocalModelRegistry } from '../../functions/adapters/local/model-registry.ts';
import { configOf } from '../../functions/config/deployables.ts';
import { loadRules } from '../../functions/core/rules.ts';
import { loadTaxonomy, type Taxonomy } from '../../functions/core/taxonomy.ts';
import { lakeKeyOf, lakeVersionFiles, readRegistry } from '../../functions/handlers/retrain.ts';
import { readLabelledCsv } from '../../functions/model/labelled-data.ts';
import { versionFiles } from '../../functions/model/registry.ts';
import { type RetrainOptions, retrain, type ScoredVersion } from '../../functions/model/retrain.ts';
import type { BlobStore } from '../../functions/ports.ts';
import {
  DEFAULT_STARTER_SHARE,
  DEFAULT_TEACHER_WEIGHT,
  readStarterCatalog,
  STARTER_DIR,
  starterWeight,
  teacherRows,
} from '../../models/starter/train-starter.ts';

export interface TrainingTaskDeps {
  lake: BlobStore;
  lakeBucket: string;
  taxonomy: Taxonomy;
  workDir: string;
  log?: (msg: string) => void;
  /** The starter catalog mixed into the training rows (default: models/starter/catalog.csv, as `aisle train`). */
  starterCatalog?: string;
  /** Least share of the training weight the starter catalog keeps (default: `aisle train`'s). */
  starterShare?: number;
  /** Extra trainer options (tests shorten training). */
  trainer?: RetrainOptions['trainer'];
}

/** evaluation.json: both models on the same held-out rows (retrain-evaluate's evaluationSchema). */
export interface TrainingEvaluation {
  heldOutRows: number;
  champion: ScoredVersion | null;
  challenger: ScoredVersion;
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

/**
 * A registry in the task's work folder whose champion is the lake registry's (downloaded), else the shipped
 * starter model, as on one machine.
 */
async function workRegistry(deps: TrainingTaskDeps): Promise<LocalModelRegistry> {
  const registry = new LocalModelRegistry({ root: join(deps.workDir, 'models') });
  const { champion } = await readRegistry(deps.lake);
  if (champion) {
    const dir = registry.locationFor(champion);
    for (const f of await lakeVersionFiles(deps.lake, versionPrefix(champion))) {
      mkdirSync(dirname(join(dir, f)), { recursive: true });
      await download(deps.lake, `${versionPrefix(champion)}${f}`, join(dir, f));
    }
    await registry.addChallenger(champion);
    await registry.promote(champion);
  }
  return registry;
}

export async function runTrainingTask(deps: TrainingTaskDeps, input: TrainingTaskInput): Promise<TrainingEvaluation> {
  const log = deps.log ?? ((m: string) => console.log(m));
  const outPrefix = lakeKeyOf(deps, input.outputUri).replace(/\/?$/, '/');
  const version = outPrefix.split('/').filter(Boolean).at(-1)!;
  const trainFile = join(deps.workDir, 'train.csv');
  const heldOutFile = join(deps.workDir, 'heldout.csv');
  await download(deps.lake, lakeKeyOf(deps, input.trainUri), trainFile);
  await download(deps.lake, lakeKeyOf(deps, input.heldOutUri), heldOutFile);
  // The export already split the rows (a stable hash of the text): every row of each file is on its side.
  const heldOut = (await readLabelledCsv(heldOutFile, deps.taxonomy, { heldOutFraction: 0 })).rows;
  const train = (await readLabelledCsv(trainFile, deps.taxonomy, { heldOutFraction: 0 })).rows;
  if (!train.length || !heldOut.length) throw new Error(`nothing to train on: ${train.length} training rows, ${heldOut.length} held-out rows`);
  // Training never forgets: the starter catalog carries its share of the weight, as `aisle train` mixes it.
  const starter = await readStarterCatalog(deps.taxonomy, deps.starterCatalog);
  const starterRows = [...starter.train, ...starter.heldOut];
  const weight = starterWeight(train.length, starterRows.length, deps.starterShare ?? DEFAULT_STARTER_SHARE);
  log(`${train.length} exported training rows, ${heldOut.length} held out; starter catalog: ${starterRows.length} rows, weight ${weight.toFixed(2)}`);

  const result = await retrain({
    taxonomy: deps.taxonomy,
    registry: await workRegistry(deps),
    train,
    starterRows: starterRows.map((r) => ({ ...r, weight })),
    teacherRows: await teacherRows(
      train.map((r) => r.text),
      DEFAULT_TEACHER_WEIGHT,
    ),
    heldOut,
    version,
    promote: false,
    rules: loadRules(deps.taxonomy),
    onProgress: log,
    // The starter kept beside the model, as `aisle train` keeps it whenever the starter catalog is mixed in.
    trainer: { starterGate: starterRows.length ? { dir: STARTER_DIR } : undefined, ...deps.trainer },
  });
  const evaluation: TrainingEvaluation = {
    heldOutRows: heldOut.length,
    champion: result.champion,
    challenger: { version, report: result.challenger.report },
  };
  const dir = result.challenger.dir;
  const files = await versionFiles(JSON.parse(readFileSync(join(dir, 'metrics.json'), 'utf8')), (f) => existsSync(join(dir, f)));
  for (const f of files) await deps.lake.put(`${outPrefix}${f}`, readFileSync(join(dir, f)));
  await deps.lake.put(`${outPrefix}evaluation.json`, JSON.stringify(evaluation), 'application/json');
  log(`wrote ${outPrefix} (challenger and evaluation.json on ${heldOut.length} held-out rows; ${result.decision.reason})`);
  return evaluation;
}

/** The container's entry: `node --import tsx containers/trainer/task.ts`. */
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
