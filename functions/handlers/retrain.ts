/**
 * The retraining state machine's Lambda steps (export → [training task] → evaluate → promote), over ports.
 * Every step receives the state machine's payload { execution, challengerUri, export, evaluation } (see
 * lib/retraining.ts). Lake bucket layout: exports/<execution>/train.csv and heldout.csv (labelled items,
 * split by a stable hash of the text), models/challengers/<execution>/ (the challenger written by the
 * training task, with evaluation.json: champion and challenger scored on the same held-out rows),
 * models/registry.json (champion, challengers, retired, history; a version is its execution name).
 */
import { PassThrough } from 'node:stream';
import { text } from 'node:stream/consumers';
import type { Logger } from '@aws-lambda-powertools/logger';
import { z } from 'zod';
import { REGISTRY_KEY } from '../adapters/aws/model-registry.ts';
import { escapeCsv } from '../core/csv.ts';
import { itemText } from '../core/normalize.ts';
import type { Taxonomy } from '../core/taxonomy.ts';
import { isHeldOutByHash } from '../model/labelled-data.ts';
import {
  assertVersionName,
  decidePromotion,
  emptyRegistryState,
  promotionScores,
  type RegistryState,
  registryStateSchema,
  versionFiles,
} from '../model/registry.ts';
import type { BlobStore, ResultStore } from '../ports.ts';

export { REGISTRY_KEY };

export interface RetrainDeps {
  taxonomy: Taxonomy;
  results: ResultStore;
  lake: BlobStore;
  /** The lake bucket's name, for the s3:// URIs the training task reads. */
  lakeBucket: string;
  logger: Logger;
}

/** The payload every step gets from the state machine. */
export interface RetrainEvent {
  execution: string;
  challengerUri?: string;
  export?: Record<string, unknown>;
  evaluation?: Record<string, unknown>;
}

/**
 * A copy of the champion's artifact folder (lib/encoder.ts CHAMPION_PREFIX): with EncoderModelPrefix set to it, a
 * later `cdk deploy` that replaces the endpoint's model serves the champion, not the image's starter model.
 */
export const CHAMPION_COPY_PREFIX = 'models/champion/';
/** Share of labelled rows held out for the champion/challenger comparison. */
export const HELD_OUT_FRACTION = 0.1;
export const exportKeys = (runId: string) => ({ train: `exports/${runId}/train.csv`, heldOut: `exports/${runId}/heldout.csv` });

/** A step's Lambda handler, over deps given or made on first use. */
export const retrainStep =
  <R>(step: (deps: RetrainDeps, event: RetrainEvent) => Promise<R>) =>
  (deps: RetrainDeps | (() => RetrainDeps)) =>
  async (event: RetrainEvent) =>
    step(typeof deps === 'function' ? deps() : deps, event);

/** The lake key an s3:// URI names; refuses URIs outside the lake bucket. */
export function lakeKeyOf(deps: Pick<RetrainDeps, 'lakeBucket'>, uri: string): string {
  const m = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri);
  if (!m || m[1] !== deps.lakeBucket) throw new Error(`${uri} is not in the lake bucket ${deps.lakeBucket}`);
  return m[2];
}

/**
 * Writes every human label (gold) and LLM decision as two labelled CSVs the trainer reads (product_name,
 * brand, the taxonomy's level columns, tier): train.csv and heldout.csv, split by a stable hash of the
 * product text so a product stays on its side run after run. Streamed: never in memory whole.
 */
export async function exportLabelled(deps: RetrainDeps, event: RetrainEvent) {
  const runId = event.execution;
  assertVersionName(runId);
  const keys = exportKeys(runId);
  const header = ['product_name', 'brand', ...deps.taxonomy.levels, 'tier'].join(',') + '\n';
  const outs = { train: new PassThrough(), heldOut: new PassThrough() };
  const written = Promise.all([deps.lake.put(keys.train, outs.train, 'text/csv'), deps.lake.put(keys.heldOut, outs.heldOut, 'text/csv')]);
  const byTier: Record<string, number> = {};
  const counts = { train: 0, heldOut: 0 };
  try {
    for (const out of Object.values(outs)) out.write(header);
    for await (const item of deps.results.exportLabelled({ tiers: ['human', 'llm'] })) {
      const levels = deps.taxonomy.levelsOf(item.classId);
      const fields = [item.input.name, item.input.brand ?? '', ...deps.taxonomy.levels.map((_, i) => levels[i] ?? ''), item.tier];
      const side = isHeldOutByHash(itemText(item.input), HELD_OUT_FRACTION) ? 'heldOut' : 'train';
      if (!outs[side].write(fields.map((f) => escapeCsv(f)).join(',') + '\n')) await new Promise((r) => outs[side].once('drain', r));
      counts[side]++;
      byTier[item.tier] = (byTier[item.tier] ?? 0) + 1;
    }
    for (const out of Object.values(outs)) out.end();
    await written;
  } catch (err) {
    for (const out of Object.values(outs)) out.destroy();
    await written.catch(() => {});
    throw err;
  }
  if (!counts.train || !counts.heldOut) {
    throw new Error(`not enough labelled items to retrain: ${counts.train} to train on, ${counts.heldOut} held out`);
  }
  deps.logger.info('labelled items exported', { runId, ...counts, byTier });
  const uri = (key: string) => `s3://${deps.lakeBucket}/${key}`;
  return { runId, trainUri: uri(keys.train), heldOutUri: uri(keys.heldOut), trainRows: counts.train, heldOutRows: counts.heldOut, byTier };
}

const levelScoreSchema = z.object({ accuracy: z.number(), macroF1: z.number() }).passthrough();
const reportSchema = z
  .object({ rows: z.number().int().positive(), modelVersion: z.string(), levels: z.array(levelScoreSchema).min(1) })
  .passthrough();
const scoredSchema = z.object({ version: z.string().min(1), report: reportSchema });
export const evaluationSchema = z.object({
  /** How many held-out rows both models were scored on (the same rows). */
  heldOutRows: z.number().int().positive(),
  champion: scoredSchema.nullable(),
  challenger: scoredSchema,
});
export type Evaluation = z.infer<typeof evaluationSchema>;

/** Champion vs challenger on the same held-out rows → whether to promote, with the figures side by side. */
export async function evaluateRun(deps: RetrainDeps, event: RetrainEvent) {
  if (!event.challengerUri) throw new Error('the payload names no challengerUri');
  const key = `${lakeKeyOf(deps, event.challengerUri).replace(/\/?$/, '/')}evaluation.json`;
  const body = await deps.lake.get(key);
  if (!body) throw new Error(`${key} is missing: the training task writes it next to the challenger`);
  const evaluation = evaluationSchema.parse(JSON.parse(await text(body)));
  for (const side of [evaluation.champion, evaluation.challenger]) {
    if (side && side.report.rows !== evaluation.heldOutRows) {
      throw new Error(`${side.version} was scored on ${side.report.rows} rows, not the ${evaluation.heldOutRows} held-out rows`);
    }
  }
  const challengerScores = promotionScores(evaluation.challenger.report);
  const championScores = evaluation.champion ? promotionScores(evaluation.champion.report) : null;
  const decision = decidePromotion(championScores, challengerScores);
  const table = (['level1Accuracy', 'level2MacroF1'] as const).map((metric) => ({
    metric,
    champion: championScores?.[metric] ?? null,
    challenger: challengerScores[metric],
  }));
  deps.logger.info('evaluated', { execution: event.execution, ...decision });
  return {
    execution: event.execution,
    champion: evaluation.champion?.version ?? null,
    challenger: evaluation.challenger.version,
    heldOutRows: evaluation.heldOutRows,
    promote: decision.promote,
    reason: decision.reason,
    table,
  };
}

/** The files of the version folder under `prefix` in the lake (registry.ts versionFiles), as its metrics.json names them. */
export async function lakeVersionFiles(lake: BlobStore, prefix: string): Promise<string[]> {
  const body = await lake.get(`${prefix}metrics.json`);
  if (!body) throw new Error(`${prefix}metrics.json does not exist: the model's folder is incomplete`);
  return versionFiles(JSON.parse(await text(body)), (f) => lake.exists(`${prefix}${f}`));
}

export async function readRegistry(lake: BlobStore): Promise<RegistryState> {
  const body = await lake.get(REGISTRY_KEY);
  return body ? registryStateSchema.parse(JSON.parse(await text(body))) : emptyRegistryState();
}

/**
 * Records the outcome in models/registry.json: the challenger becomes champion (the previous one retired) and
 * its folder is copied to models/champion/, or it is retired itself. The state machine runs the promotion only
 * once the encoder endpoint serves the challenger. Repeating the step for the same outcome changes nothing.
 */
export async function promoteRun(deps: RetrainDeps, event: RetrainEvent) {
  const version = event.execution;
  assertVersionName(version);
  if (!event.challengerUri) throw new Error('the payload names no challengerUri');
  const promote = event.evaluation?.promote === true;
  const modelKey = `${lakeKeyOf(deps, event.challengerUri).replace(/\/?$/, '/')}model.onnx`;
  if (!(await deps.lake.exists(modelKey))) throw new Error(`${modelKey} does not exist: nothing to promote`);
  if (promote) {
    const from = modelKey.slice(0, -'model.onnx'.length);
    // An optional file or starter/ the challenger lacks may stay from an earlier champion: its metrics.json does not name it.
    for (const f of await lakeVersionFiles(deps.lake, from)) {
      const body = await deps.lake.get(`${from}${f}`);
      if (!body) throw new Error(`${from}${f} does not exist: the challenger's folder is incomplete`);
      await deps.lake.put(`${CHAMPION_COPY_PREFIX}${f}`, body);
    }
  }
  const state = await readRegistry(deps.lake);
  const at = new Date().toISOString();
  const previous = state.champion;
  state.challengers = state.challengers.filter((v) => v !== version);
  if (promote && previous !== version) {
    state.retired = state.retired.filter((v) => v !== version);
    if (previous) state.retired.push(previous);
    state.champion = version;
    state.history.push({ at, action: 'promote', version, replaced: previous });
  } else if (!promote && !state.retired.includes(version)) {
    state.retired.push(version);
    state.history.push({ at, action: 'retire', version });
  }
  await deps.lake.put(REGISTRY_KEY, JSON.stringify(state, null, 2), 'application/json');
  deps.logger.info('registry updated', { version, promoted: promote, champion: state.champion });
  return { champion: state.champion, promoted: promote && state.champion === version };
}
