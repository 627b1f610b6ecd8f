/**
 * A local LLM through the runtime's LLM client (Ollama), for what the earlier tiers leave undecided; available
 * only when it answers with the model pulled. When it does not, the runtime says so once and those items go to
 * review, where `aisle review --retry-llm` finds them later. Progress is checkpointed in the results store.
 */
import { configOf } from '../config/deployables.ts';
import { createLlmTier } from '../core/llm-tier.ts';
import { loadFewShotExamples } from './few-shot.ts';
import type { TierPlugin } from './tier.ts';

export const llmTier: TierPlugin = {
  name: 'llm',
  summary: 'a local LLM through Ollama, prompted with few-shot examples from labels, the catalog and the rules',
  async load({ taxonomy, env, rulesPath, store, cache, warn, services }) {
    // LLM_ENABLED=false turns the tier off (default on: used when reachable).
    if (!configOf('local', env).llmEnabled) return { unavailable: 'LLM_ENABLED=false' };
    if (!services.llm) return { unavailable: 'no LLM client on this runtime' };
    // Asked before the few-shot examples are read: reading them (the starter catalog, the store's labels) takes
    // ~0.5 s, which a run without Ollama would spend for nothing.
    const { llm: probed } = await services.llm([]);
    const probe = probed.probe ? await probed.probe() : { ok: await probed.reachable(), message: `${probed.where ?? probed.model} is not reachable` };
    if (!probe.ok) {
      return {
        unavailable: `${probe.message}; items no earlier tier decides go to review (needs_review): send them with \`aisle review --retry-llm\` once it is up`,
      };
    }
    const { llm, ...batching } = await services.llm(await loadFewShotExamples(taxonomy, { rulesFile: rulesPath, store }));
    return createLlmTier(llm, { ...batching, taxonomy, checkpoint: store && { store, cache }, notify: warn });
  },
};
