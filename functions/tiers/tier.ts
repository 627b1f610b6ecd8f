/**
 * A tier as a plug-in: a name, a way to be built here or to say why not, and the Tier it builds, which decides
 * a batch (Tier.decide) and explains each decision in its outcome's `reason`, the trace step people read.
 */
import type { FewShotExample } from '../core/llm-prompt.ts';
import type { RuleSet } from '../core/rules.ts';
import type { Taxonomy } from '../core/taxonomy.ts';
import type { Tier } from '../core/types.ts';
import type { Cache, Encoder, Llm, ResultStore } from '../ports.ts';

/** Why a tier cannot run here, in words the user can act on ("no model", "ollama is not reachable"). */
export type Unavailable = { unavailable: string };

/** Adapters a runtime lends its tiers, loaded on first use (onnxruntime and the Ollama client are slow to import). */
export interface TierServices {
  /** The rules when they are not read from a file (a Lambda has them bundled). */
  rules?: () => RuleSet;
  /** The encoder it serves: the champion in-process locally, a SageMaker endpoint on AWS. */
  encoder?: () => Promise<Encoder | Unavailable>;
  /** An LLM client prompted with these few-shot examples, how to batch requests to it, and the floor of its answers. */
  llm?: (examples: FewShotExample[]) => Promise<{ llm: Llm; batchSize: number; concurrency: number; minConfidence: number }>;
}

/** What a tier may need to build itself. `store` and `cache` serve tiers that read labels or checkpoint (the LLM). */
export interface TierSetup {
  taxonomy: Taxonomy;
  env: NodeJS.ProcessEnv;
  rulesPath?: string;
  store?: ResultStore;
  cache?: Cache;
  /** Where a tier says something once (e.g. the LLM became unavailable mid-run). */
  warn: (message: string) => void;
  services: TierServices;
}

export interface TierPlugin {
  /** Its name in --tiers, traces, results, the cost report and GET /v1/tiers: lowercase letters, digits, '-'. */
  readonly name: string;
  /** What it does, in one line (GET /v1/tiers). */
  readonly summary: string;
  load(setup: TierSetup): Promise<Tier | Unavailable>;
}
