/**
 * The local runtime's 'llm' tier: the Ollama adapter, available only when Ollama answers with the model
 * pulled. When it does not, the runtime says so once and the items the earlier tiers cannot decide go to
 * review, where `aisle review --retry-llm` finds them later. Progress is checkpointed in the DuckDB store.
 */
import { createOllamaTier, llmEnabled } from '../ollama.ts';
import type { TierFactory } from './runtime.ts';

export const llmTierFactory: TierFactory = async (ctx) => {
  if (!llmEnabled(ctx.env)) return { unavailable: 'LLM_ENABLED=false' };
  const { tier, llm } = await createOllamaTier({
    taxonomy: ctx.taxonomy,
    env: ctx.env,
    examples: { rulesFile: ctx.options.rulesPath, store: ctx.store },
    tier: { checkpoint: { store: ctx.store, cache: ctx.cache }, notify: ctx.warn },
  });
  const probe = await llm.probe();
  if (!probe.ok) {
    return { unavailable: `${probe.message}; items no earlier tier decides go to review (needs_review): send them with \`aisle review --retry-llm\` once it is up` };
  }
  return tier;
};
