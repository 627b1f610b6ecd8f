/**
 * The tiers of the cascade in the order they are consulted: the only list of tier names, read by --tiers, the
 * runtimes, the API and the cost report. The cache and review are the cascade's own start and end, not plug-ins.
 * Adding a tier: one file in this folder and one registerTier line below (docs/adding-a-tier.md).
 */
import { UserError } from '../core/errors.ts';
import { CACHE_TIER, HUMAN_TIER, REVIEW_TIER, type Tier } from '../core/types.ts';
import { encoderTier } from './encoder.ts';
import { llmTier } from './llm.ts';
import { rulesTier } from './rules.ts';
import type { TierPlugin, TierSetup } from './tier.ts';

const registered: TierPlugin[] = [];

/** Adds a tier after those registered before it. */
export function registerTier(plugin: TierPlugin): void {
  if (!/^[a-z][a-z0-9-]*$/.test(plugin.name)) throw new Error(`tier name "${plugin.name}": use lowercase letters, digits and '-'`);
  if ([CACHE_TIER, REVIEW_TIER, HUMAN_TIER, ...registered.map((t) => t.name)].includes(plugin.name))
    throw new Error(`tier name "${plugin.name}" is taken`);
  registered.push(plugin);
}

registerTier(rulesTier);
registerTier(encoderTier);
registerTier(llmTier);

/** What --tiers accepts: the cache and the registered tiers (review is always last, never chosen). */
export const selectableTierNames = (plugins: readonly TierPlugin[] = registered): string[] => [CACHE_TIER, ...plugins.map((t) => t.name)];

/** The cascade's tiers in the order they are consulted: the cache, the registered tiers, review. */
export const cascadeTierNames = (): string[] => [CACHE_TIER, ...registered.map((t) => t.name), REVIEW_TIER];

/** The cascade in order with what each step does (GET /v1/tiers, for the inspector and API clients). */
export const describeCascade = (): { name: string; summary: string }[] => [
  { name: CACHE_TIER, summary: 'decisions already made for the same normalized text (and human labels), consulted first' },
  ...registered.map(({ name, summary }) => ({ name, summary })),
  { name: REVIEW_TIER, summary: 'where items no tier decided land, with the best guess seen, for a human' },
];

/** Parses "cache,rules" against the registry; refuses unknown names, naming the known ones. */
export function parseTierList(list: string): string[] {
  const names = list
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  const known = selectableTierNames();
  const unknown = names.filter((n) => !known.includes(n));
  if (unknown.length) throw new UserError(`unknown tier ${unknown.map((u) => `"${u}"`).join(', ')}: known tiers are ${known.join(', ')}`);
  if (!names.length) throw new UserError(`--tiers needs at least one of ${known.join(', ')}`);
  return names;
}

/**
 * Builds the selected tiers in cascade order, whatever order the names came in. A tier that cannot run here
 * is left out with its reason, said once through setup.warn: the cascade goes on without it.
 */
export async function loadTiers(selected: readonly string[], setup: TierSetup, plugins = registered as readonly TierPlugin[]) {
  const tiers: Tier[] = [];
  const unavailable: { name: string; reason: string }[] = [];
  for (const plugin of plugins) {
    if (!selected.includes(plugin.name)) continue;
    const made = await plugin.load(setup);
    if ('unavailable' in made) {
      unavailable.push({ name: plugin.name, reason: made.unavailable });
      setup.warn(`tier ${plugin.name} is not available: ${made.unavailable}`);
    } else {
      tiers.push(made);
    }
  }
  return { tiers, unavailable };
}
