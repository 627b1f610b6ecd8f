/**
 * Model versions and the promotion rule, independent of where versions are kept (a folder locally, S3 on AWS).
 * The registry's state is small: which version is champion, which are challengers, which are retired, and a
 * history of what happened. Until a trained version is promoted, the shipped starter model is the champion.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as z from 'zod/mini';
import { CONFIDENCE_FILE } from './confidence.ts';
import { LINEAR_FILE } from './linear-model.ts';
import { NEIGHBOURS_FILE } from './neighbours.ts';

/** Where the shipped models live in the repository (models/encoder/starter-*). */
export const SHIPPED_MODELS_DIR = fileURLToPath(new URL('../../models/encoder/', import.meta.url));
export const SHIPPED_PREFIX = 'starter-';

/** Files every version folder holds (the artifact contract in docs/models.md). */
export const ARTIFACT_FILES = ['model.onnx', 'tokenizer.json', 'labels.json', 'metrics.json', 'card.json'] as const;
/** Files a version folder may hold besides them (metrics.json names them): copy each one that exists. */
export const OPTIONAL_ARTIFACT_FILES = [NEIGHBOURS_FILE, CONFIDENCE_FILE, LINEAR_FILE] as const;

/**
 * The files of a version folder, as paths relative to it: the contract's, each optional one `has` finds, and the
 * starter kept beside the model (its contract's files in the folder metrics.json `starterGate` names). What every
 * copy of a folder between machines moves (the AWS trainer's upload, the promotion, the champion's download): a
 * stale `starter/` left by an earlier champion is not named, as the loader reads only what metrics.json names.
 */
export async function versionFiles(metrics: { starterGate?: { dir: string } }, has: (file: string) => boolean | Promise<boolean>): Promise<string[]> {
  const optional: string[] = [];
  for (const f of OPTIONAL_ARTIFACT_FILES) if (await has(f)) optional.push(f);
  const gate = metrics.starterGate;
  return [...ARTIFACT_FILES, ...optional, ...(gate ? ARTIFACT_FILES.map((f) => `${gate.dir}/${f}`) : [])];
}

export const VERSION_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

export const registryStateSchema = z.object({
  champion: z.nullable(z.string()),
  challengers: z.array(z.string()),
  retired: z.array(z.string()),
  history: z.array(
    z.object({
      at: z.string(),
      action: z.enum(['challenger', 'promote', 'retire']),
      version: z.string(),
      /** For a promotion: the champion it replaced. */
      replaced: z.optional(z.nullable(z.string())),
    }),
  ),
});
export type RegistryState = z.infer<typeof registryStateSchema>;

export const emptyRegistryState = (): RegistryState => ({ champion: null, challengers: [], retired: [], history: [] });

export class RegistryError extends Error {
  readonly userFacing = true;
}

export function assertVersionName(version: string): void {
  if (!VERSION_PATTERN.test(version)) {
    throw new RegistryError(`"${version}" is not a valid model version name (letters, digits, ".", "_", "-"; at most 100)`);
  }
}

/** A fresh version name for a trained model: sortable by time, e.g. "v20261122-034512". */
export function newVersionName(now = new Date()): string {
  const iso = now.toISOString(); // 2026-11-22T03:45:12.345Z
  return `v${iso.slice(0, 10).replace(/-/g, '')}-${iso.slice(11, 19).replace(/:/g, '')}`;
}

/** Whether a folder holds a complete model version. */
export function isModelDir(dir: string): boolean {
  return ARTIFACT_FILES.every((f) => existsSync(join(dir, f)));
}

/** Shipped versions found in `dir`, oldest first (natural order, so starter-10 sorts after starter-9). */
export function shippedVersions(dir = SHIPPED_MODELS_DIR): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && e.name.startsWith(SHIPPED_PREFIX) && isModelDir(join(dir, e.name)))
    .map((e) => e.name)
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
}

/** The two figures the promotion rule compares, measured on the same held-out rows. */
export interface PromotionScores {
  level1Accuracy: number;
  level2MacroF1: number;
}

/** Reads the promotion figures from an evaluation report (levels[0] = Level 1, levels[1] = Level 2). */
export function promotionScores(report: { levels: { accuracy: number; macroF1: number }[] }): PromotionScores {
  const [level1, level2] = report.levels;
  if (!level1) throw new RegistryError('the evaluation report has no Level 1 scores');
  return { level1Accuracy: level1.accuracy, level2MacroF1: (level2 ?? level1).macroF1 };
}

export interface PromotionDecision {
  promote: boolean;
  reason: string;
}

const fmt = (x: number) => x.toFixed(4);

/**
 * The promotion rule: the challenger replaces the champion only if its Level 2 macro-F1 is higher and its
 * Level 1 accuracy is not lower, both measured on the same held-out rows. With no champion, it is promoted.
 */
export function decidePromotion(champion: PromotionScores | null, challenger: PromotionScores): PromotionDecision {
  if (!champion) return { promote: true, reason: 'there is no champion to beat' };
  const f1Up = challenger.level2MacroF1 > champion.level2MacroF1;
  const l1Kept = challenger.level1Accuracy >= champion.level1Accuracy;
  const f1 = `Level 2 macro-F1 ${fmt(challenger.level2MacroF1)} vs ${fmt(champion.level2MacroF1)}`;
  const l1 = `Level 1 accuracy ${fmt(challenger.level1Accuracy)} vs ${fmt(champion.level1Accuracy)}`;
  if (f1Up && l1Kept) return { promote: true, reason: `${f1} (higher) and ${l1} (not lower)` };
  if (!f1Up) return { promote: false, reason: `${f1}: not higher` };
  return { promote: false, reason: `${l1}: lower` };
}
