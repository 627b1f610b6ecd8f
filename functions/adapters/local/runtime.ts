/**
 * Builds the local runtime in one place (taxonomy, DuckDB store, cache, jobs, blob folder, tiers, cascade) so
 * `aisle classify`, `aisle serve` and the other commands run the same thing.
 */
import { join, resolve } from 'node:path';
import { Cascade } from '../../core/cascade.ts';
import { UserError } from '../../core/errors.ts';
import { DEFAULT_TAXONOMY_PATH, loadTaxonomy, type Taxonomy } from '../../core/taxonomy.ts';
import { DEFAULT_RULES_PATH, loadRules, RulesTier } from '../../core/rules.ts';
import type { Tier } from '../../core/types.ts';
import { FolderBlobStore } from './blob-store.ts';
import { DuckDbCache, DuckDbJobStore, DuckDbResultStore, LocalDb } from './duckdb.ts';

export interface TierFactoryContext {
  taxonomy: Taxonomy;
  home: string;
  env: NodeJS.ProcessEnv;
  /** Options of the run that tiers may need, e.g. rulesPath. */
  options: LocalRuntimeOptions;
  /** The local store and cache, for tiers that checkpoint progress or read labels (the LLM tier). */
  store: DuckDbResultStore;
  cache: DuckDbCache;
  /** Where a tier says something once (e.g. the LLM became unavailable mid-run). */
  warn: (message: string) => void;
}

/** Builds a tier, or says why it is not available here (no model, LLM unreachable). */
export type TierFactory = (ctx: TierFactoryContext) => Promise<Tier | { unavailable: string }>;

/**
 * The tiers after the cache, in cascade order. Adding a tier is one line here.
 * ('cache' is not a tier: it is the Cache port, consulted first when selected.)
 * The encoder and LLM factories are imported when selected: onnxruntime, the tokenizer and the Ollama client
 * take a few hundred ms to load, which a `--tiers cache,rules` run should not pay.
 */
export const TIER_FACTORIES: Record<string, TierFactory> = {
  rules: async ({ taxonomy, options }) => new RulesTier(loadRules(taxonomy, options.rulesPath ?? DEFAULT_RULES_PATH)),
  // Registry order is cascade order: rules, encoder, llm.
  encoder: async (ctx) => (await import('./encoder-factory.ts')).encoderTierFactory(ctx),
  llm: async (ctx) => (await import('./llm-factory.ts')).llmTierFactory(ctx),
};

export const CACHE_TIER = 'cache';

export interface LocalRuntimeOptions {
  /** State folder; default $AISLE_HOME or ./.aisle. */
  home?: string;
  taxonomyPath?: string;
  rulesPath?: string;
  /** Tier names ('cache', then names in TIER_FACTORIES); default: all available. */
  tiers?: string[];
  /** Seconds a cached (non-human) decision lives; default $AISLE_CACHE_TTL_DAYS days, else forever. */
  cacheTtlSeconds?: number;
  env?: NodeJS.ProcessEnv;
  /** Where "tier X is not available" goes (once per tier); default stderr. */
  warn?: (message: string) => void;
  /** Tier registry to use instead of TIER_FACTORIES (tests). */
  factories?: Record<string, TierFactory>;
}

export interface LocalRuntime {
  home: string;
  taxonomy: Taxonomy;
  db: LocalDb;
  store: DuckDbResultStore;
  cache: DuckDbCache;
  jobs: DuckDbJobStore;
  blobs: FolderBlobStore;
  /** The selected tiers that are available, in cascade order. */
  tiers: Tier[];
  useCache: boolean;
  /** Tier names in the order the cascade consults them (cache and review included). */
  tierNames: string[];
  unavailable: { name: string; reason: string }[];
  cascade: Cascade;
  /** Where the runtime says something the user should know that is not an error. */
  warn: (message: string) => void;
  close(): Promise<void>;
}

export function aisleHome(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.AISLE_HOME || '.aisle');
}

/** Parses "cache,rules" against the registry; refuses unknown names, naming the known ones. */
export function parseTierList(list: string, factories: Record<string, TierFactory> = TIER_FACTORIES): string[] {
  const names = list.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
  const known = [CACHE_TIER, ...Object.keys(factories)];
  const unknown = names.filter((n) => !known.includes(n));
  if (unknown.length) throw new UserError(`unknown tier ${unknown.map((u) => `"${u}"`).join(', ')}: known tiers are ${known.join(', ')}`);
  if (!names.length) throw new UserError(`--tiers needs at least one of ${known.join(', ')}`);
  return names;
}

export async function createLocalRuntime(options: LocalRuntimeOptions = {}): Promise<LocalRuntime> {
  const env = options.env ?? process.env;
  const home = resolve(options.home ?? aisleHome(env));
  const warn = options.warn ?? ((m: string) => process.stderr.write(`aisle: ${m}\n`));
  const factories = options.factories ?? TIER_FACTORIES;
  const taxonomy = loadTaxonomy(options.taxonomyPath ?? DEFAULT_TAXONOMY_PATH);
  const selected = options.tiers ?? [CACHE_TIER, ...Object.keys(factories)];

  const ttlDays = Number(env.AISLE_CACHE_TTL_DAYS);
  const ttlSeconds = options.cacheTtlSeconds ?? (ttlDays > 0 ? ttlDays * 86_400 : undefined);

  const db = await LocalDb.open(join(home, 'aisle.duckdb'), join(home, 'tmp'));
  const cache = new DuckDbCache(db, ttlSeconds);
  const store = new DuckDbResultStore(db);

  const tiers: Tier[] = [];
  const unavailable: { name: string; reason: string }[] = [];
  const ctx: TierFactoryContext = { taxonomy, home, env, options, store, cache, warn };
  // Registry order is cascade order, whatever order the names were given in.
  try {
    for (const [name, factory] of Object.entries(factories)) {
      if (!selected.includes(name)) continue;
      const made = await factory(ctx);
      if ('unavailable' in made) {
        unavailable.push({ name, reason: made.unavailable });
        warn(`tier ${name} is not available: ${made.unavailable}`);
      } else {
        tiers.push(made);
      }
    }
  } catch (err) {
    await db.close();
    throw err;
  }

  const useCache = selected.includes(CACHE_TIER);
  const cascade = new Cascade({ taxonomy, tiers, cache: useCache ? cache : undefined });
  return {
    home,
    taxonomy,
    db,
    store,
    cache,
    jobs: new DuckDbJobStore(db),
    blobs: new FolderBlobStore(home),
    tiers,
    useCache,
    tierNames: cascade.tierNames,
    unavailable,
    cascade,
    warn,
    close: () => db.close(),
  };
}
