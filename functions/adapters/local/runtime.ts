/**
 * Builds the local runtime in one place (taxonomy, DuckDB store, cache, jobs, tiers, cascade) so
 * `aisle classify`, `aisle serve` and the other commands run the same thing.
 */
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { configOf } from '../../config/deployables.ts';
import { DEFAULT_TENANT } from '../../core/api-keys.ts';
import { Cascade } from '../../core/cascade.ts';
import { DEFAULT_TAXONOMY_PATH, loadTaxonomy, type Taxonomy } from '../../core/taxonomy.ts';
import { CACHE_TIER, type Tier, type TierName } from '../../core/types.ts';
import { loadTiers, selectableTierNames } from '../../tiers/registry.ts';
import type { TierPlugin, TierServices } from '../../tiers/tier.ts';
import type { ChampionEncoder } from './champion-encoder.ts';
import { DuckDbJobStore, DuckDbResultStore, LocalDb } from './duckdb.ts';
import { DuckDbCache } from './duckdb-cache.ts';
import { LocalModelRegistry } from './model-registry.ts';

/**
 * The adapters the local runtime lends its tiers, imported when a tier asks: onnxruntime, the tokenizer and
 * the Ollama client take a few hundred ms to load, which a `--tiers cache,rules` run should not pay.
 */
function localTierServices(
  home: string,
  taxonomy: Taxonomy,
  env: NodeJS.ProcessEnv,
): { services: TierServices; champion(): ChampionEncoder | undefined } {
  let champion: ChampionEncoder | undefined;
  const services: TierServices = {
    // The registry's champion ($AISLE_HOME/models/registry.json, else the shipped starter model), followed as it
    // is promoted; one intra-op thread per core.
    async encoder() {
      const [{ OnnxEncoder }, { ChampionEncoder }] = await Promise.all([import('../../model/encoder.ts'), import('./champion-encoder.ts')]);
      const load = (location: string) => OnnxEncoder.load(location, { taxonomy, threads: availableParallelism() });
      const opened = await ChampionEncoder.open(LocalModelRegistry.forHome(home), load);
      if (!('unavailable' in opened)) champion = opened;
      return opened;
    },
    llm: async (examples) => (await import('../ollama.ts')).createOllamaLlm(taxonomy, examples, configOf('local', env)),
  };
  return { services, champion: () => champion };
}

export interface LocalRuntimeOptions {
  /** State folder; default $AISLE_HOME or ./.aisle. */
  home?: string;
  taxonomyPath?: string;
  rulesPath?: string;
  /** Tier names ('cache', then names in functions/tiers/registry.ts); default: all available. */
  tiers?: string[];
  /** Seconds a cached (non-human) decision lives; default $AISLE_CACHE_TTL_DAYS days, else forever. */
  cacheTtlSeconds?: number;
  env?: NodeJS.ProcessEnv;
  /** Where "tier X is not available" goes (once per tier); default stderr. */
  warn?: (message: string) => void;
  /** Tier plug-ins to use instead of the registry's (tests). */
  plugins?: readonly TierPlugin[];
}

export type LocalRuntime = Awaited<ReturnType<typeof createLocalRuntime>>;

export function aisleHome(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(configOf('local', env).aisleHome);
}

/** The local state database of a home folder ($AISLE_HOME/aisle.duckdb), spilling to its tmp/. */
export const openLocalDb = (home = aisleHome()) => LocalDb.open(join(home, 'aisle.duckdb'), join(home, 'tmp'));

export async function createLocalRuntime(options: LocalRuntimeOptions = {}) {
  const env = options.env ?? process.env;
  const home = resolve(options.home ?? aisleHome(env));
  /** Where the runtime says something the user should know that is not an error. */
  const warn: (message: string) => void = options.warn ?? ((m) => process.stderr.write(`aisle: ${m}\n`));
  const taxonomy = loadTaxonomy(options.taxonomyPath ?? DEFAULT_TAXONOMY_PATH);
  const selected = options.tiers ?? selectableTierNames(options.plugins);

  const ttlDays = configOf('local', env).aisleCacheTtlDays;
  const ttlSeconds = options.cacheTtlSeconds ?? (ttlDays === undefined ? undefined : ttlDays * 86_400);

  const db = await openLocalDb(home);
  const cache = new DuckDbCache(db, ttlSeconds);
  const store = new DuckDbResultStore(db);

  const local = localTierServices(home, taxonomy, env);
  const setup = { taxonomy, env, rulesPath: options.rulesPath, store, cache, warn, services: local.services };
  const { tiers, unavailable } = await loadTiers(selected, setup, options.plugins).catch(async (err: unknown) => {
    await db.close();
    throw err;
  });

  const useCache = selected.includes(CACHE_TIER);
  const versionsOutside = useCache ? await versionsNotLoaded(home, env, tiers) : new Map<TierName, string>();
  const cascade = new Cascade({ taxonomy, tiers, cache: useCache ? cache : undefined, versionsOutside });
  const jobs = new DuckDbJobStore(db);
  return {
    home,
    taxonomy,
    db,
    /** Whose data the store, cache, jobs and cascade below hold (ports.ts TenantScoped). */
    tenant: DEFAULT_TENANT as string,
    store,
    cache,
    jobs,
    /** The selected tiers that are available, in cascade order. */
    tiers,
    /**
     * The encoder tier's model as it serves now (its version and folder), for worker threads that load their own
     * session of it; undefined when the encoder tier is not the local champion.
     */
    encoderModel(): { version: string; location: string } | undefined {
      const champion = local.champion();
      const tier = tiers.find((t) => t.name === 'encoder');
      return champion && tier?.version === champion.modelVersion ? { version: champion.modelVersion, location: champion.location } : undefined;
    },
    /** Releases the encoder's session in this thread until it is used again (its worker threads have their own). */
    releaseEncoder: async () => local.champion()?.release(),
    /** Current versions of the cacheable tiers not loaded (CascadeOptions.versionsOutside), for worker threads too. */
    versionsOutside,
    useCache,
    /** Tier names in the order the cascade consults them (cache and review included). */
    tierNames: cascade.tierNames,
    unavailable,
    cascade,
    warn,
    close: () => db.close(),
    /** The same runtime over one tenant's data: a job submitted by that tenant runs in it. Shares the database and tiers. */
    forTenant(tenant: string) {
      return {
        ...this,
        tenant,
        store: store.forTenant(tenant),
        cache: cache.forTenant(tenant),
        jobs: jobs.forTenant(tenant),
        cascade: cascade.forTenant(tenant),
      };
    },
  };
}

/**
 * What the encoder and the LLM run now when this runtime does not load them: the registry's champion and the
 * configured Ollama model (the versions their tiers would report), so a cached decision of a retired model is
 * not served by a run of the cheap tiers either.
 */
async function versionsNotLoaded(home: string, env: NodeJS.ProcessEnv, loaded: readonly Tier[]): Promise<Map<TierName, string>> {
  const versions = new Map<TierName, string>();
  if (!loaded.some((t) => t.name === 'encoder')) {
    const champion = await LocalModelRegistry.forHome(home).champion();
    if (champion) versions.set('encoder', champion.version);
  }
  if (!loaded.some((t) => t.name === 'llm')) versions.set('llm', `ollama:${configOf('local', env).ollamaModel}`);
  return versions;
}
