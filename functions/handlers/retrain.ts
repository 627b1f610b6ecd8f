/**
 * The retraining state machine's Lambda steps (export → [training task] → evaluate → promote), over ports.
 * Lake bucket layout: exports/<runId>/train.csv (labelled items), exports/<runId>/evaluation.json (written by
 * the training task: champion and challenger scored on the same held-out rows), models/<version>/ (model
 * artifacts), models/registry.json (champion, challengers, retired, history).
 */
import { PassThrough } from 'node:stream';
import { text } from 'node:stream/consumers';
import type { Logger } from '@aws-lambda-powertools/logger';
import { z } from 'zod';
import { escapeCsv } from '../core/csv.ts';
import type { Taxonomy } from '../core/taxonomy.ts';
import { decidePromotion, emptyRegistryState, promotionScores, registryStateSchema, type RegistryState } from '../model/registry.ts';
import type { BlobStore, ResultStore } from '../ports.ts';

export interface RetrainDeps {
  taxonomy: Taxonomy;
  results: ResultStore;
  lake: BlobStore;
  logger: Logger;
  now?: () => Date;
}

export const REGISTRY_KEY = 'models/registry.json';
export const exportKeys = (runId: string) => ({ train: `exports/${runId}/train.csv`, evaluation: `exports/${runId}/evaluation.json` });

const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/** A run id from the time: sortable, valid as a model version name. */
export function runIdFor(now: Date): string {
  return `run-${now.toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '-')}`;
}

/**
 * Writes every human label (gold) and LLM decision as a labelled CSV the trainer reads (product_name, brand,
 * the taxonomy's level columns, tier), streamed: the export never sits in memory whole.
 */
export async function exportLabelled(deps: RetrainDeps, event: { runId?: string } = {}) {
  const runId = event.runId ?? runIdFor(deps.now?.() ?? new Date());
  if (!RUN_ID.test(runId)) throw new Error(`invalid run id "${runId}"`);
  const key = exportKeys(runId).train;
  const out = new PassThrough();
  const written = deps.lake.put(key, out, 'text/csv');
  const byTier: Record<string, number> = {};
  let rows = 0;
  try {
    out.write(['product_name', 'brand', ...deps.taxonomy.levels, 'tier'].join(',') + '\n');
    for await (const item of deps.results.exportLabelled({ tiers: ['human', 'llm'] })) {
      const levels = deps.taxonomy.levelsOf(item.classId);
      const fields = [item.input.name, item.input.brand ?? '', ...deps.taxonomy.levels.map((_, i) => levels[i] ?? ''), item.tier];
      if (!out.write(fields.map((f) => escapeCsv(f)).join(',') + '\n')) await new Promise((r) => out.once('drain', r));
      byTier[item.tier] = (byTier[item.tier] ?? 0) + 1;
      rows++;
    }
    out.end();
    await written;
  } catch (err) {
    out.destroy();
    await written.catch(() => {});
    throw err;
  }
  deps.logger.info('labelled items exported', { runId, key, rows, byTier });
  return { runId, trainCsv: key, rows, byTier };
}

const levelScoreSchema = z.object({ accuracy: z.number(), macroF1: z.number() }).passthrough();
const reportSchema = z.object({ rows: z.number().int().positive(), modelVersion: z.string(), levels: z.array(levelScoreSchema).min(1) }).passthrough();
const scoredSchema = z.object({ version: z.string().min(1), report: reportSchema });
export const evaluationSchema = z.object({
  /** How many held-out rows both models were scored on (the same rows). */
  heldOutRows: z.number().int().positive(),
  champion: scoredSchema.nullable(),
  challenger: scoredSchema,
});
export type Evaluation = z.infer<typeof evaluationSchema>;

/** Champion vs challenger on the same held-out rows → whether to promote, with the figures side by side. */
export async function evaluateRun(deps: RetrainDeps, event: { runId: string }) {
  const key = exportKeys(event.runId).evaluation;
  const body = await deps.lake.get(key);
  if (!body) throw new Error(`${key} is missing: the training step writes it`);
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
  deps.logger.info('evaluated', { runId: event.runId, ...decision });
  return {
    runId: event.runId,
    champion: evaluation.champion?.version ?? null,
    challenger: evaluation.challenger.version,
    heldOutRows: evaluation.heldOutRows,
    promote: decision.promote,
    reason: decision.reason,
    table,
  };
}

async function readRegistry(lake: BlobStore): Promise<RegistryState> {
  const body = await lake.get(REGISTRY_KEY);
  return body ? registryStateSchema.parse(JSON.parse(await text(body))) : emptyRegistryState();
}

/**
 * Records the outcome in models/registry.json: the challenger becomes champion (the previous one retired),
 * or is retired itself. Repeating the step for the same outcome changes nothing.
 */
export async function promoteRun(deps: RetrainDeps, event: { challenger: string; promote: boolean }) {
  const version = event.challenger;
  if (!(await deps.lake.exists(`models/${version}/model.onnx`))) throw new Error(`models/${version}/ holds no model: nothing to promote`);
  const state = await readRegistry(deps.lake);
  const at = (deps.now?.() ?? new Date()).toISOString();
  const previous = state.champion;
  state.challengers = state.challengers.filter((v) => v !== version);
  if (event.promote && previous !== version) {
    state.retired = state.retired.filter((v) => v !== version);
    if (previous) state.retired.push(previous);
    state.champion = version;
    state.history.push({ at, action: 'promote', version, replaced: previous });
  } else if (!event.promote && !state.retired.includes(version)) {
    state.retired.push(version);
    state.history.push({ at, action: 'retire', version });
  }
  await deps.lake.put(REGISTRY_KEY, JSON.stringify(state, null, 2), 'application/json');
  deps.logger.info('registry updated', { version, promoted: event.promote, champion: state.champion });
  return { champion: state.champion, promoted: event.promote && state.champion === version };
}
