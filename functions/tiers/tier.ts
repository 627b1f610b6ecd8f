/**
 * What a tier is to the rest of Aisle: a plug-in with a name, a way to be built here or to say why not, and the
 * Tier it builds, which decides a batch (core/types.ts Tier.decide) and explains each decision in its outcome's
 * `reason` (the trace step the inspector, the review queue and `aisle review` show).
 */
import type { FewShotExample } from '../core/llm-prompt.ts';
import type { RuleSet } from '../core/rules.ts';
import type { Taxonomy } from '../core/taxonomy.ts';
import type { Tier } from '../core/types.ts';
import type { Cache, Encoder, Llm, ResultStore } from '../ports.ts';

/** Why a tier cannot run here, in words the user can act on ("no model", "ollama is not reachable"). */
export interface Unavailable {
  unavailable: string;
}

/**
 * Adapters a runtime lends its tiers, each loaded on first use: onnxruntime and the Ollama client take a few
 * hundred ms to import, which a run without those tiers should not pay. A runtime without one leaves it out.
 */
export interface TierServices {
  /** The rules this runtime ships when they are not read from a file (a Lambda has them bundled). */
  rules?: () => RuleSet;
  /** The encoder this runtime serves (local: the registry's champion in-process; AWS: a SageMaker endpoint). */
  encoder?: () => Promise<Encoder | Unavailable>;
  /** An LLM client prompted with these few-shot examples, and how to batch requests to it. */
  llm?: (examples: FewShotExample[]) => Promise<{ llm: Llm; batchSize: number; concurrency: number }>;
}

/** What a tier may need to build itself: the runtime's taxonomy, settings, stores and services. */
export interface TierSetup {
  taxonomy: Taxonomy;
  env: NodeJS.ProcessEnv;
  /** Rules file to use instead of models/rules.json. */
  rulesPath?: string;
  /** For tiers that read labels or checkpoint progress (the LLM tier). */
  store?: ResultStore;
  cache?: Cache;
  /** Where a tier says something once (e.g. the LLM became unavailable mid-run). */
  warn: (message: string) => void;
  services: TierServices;
}

/** One tier, as registered in functions/tiers/registry.ts. */
export interface TierPlugin {
  /** Its name in --tiers, traces, results, the cost report and GET /v1/tiers: lowercase letters, digits, '-'. */
  readonly name: string;
  /** What it does, in one line (`aisle classify --help`, GET /v1/tiers). */
  readonly summary: string;
  /** Builds the tier here, or says why it is not available (no model, LLM unreachable, switched off). */
  load(setup: TierSetup): Promise<Tier | Unavailable>;
}
