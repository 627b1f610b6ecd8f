/**
 * Loading the LLM tier (functions/tiers/llm.ts) with the real Ollama adapter: the few-shot examples (the starter
 * catalog, the store's human labels) are read only once Ollama answers, so a run without Ollama does not pay
 * for them; with Ollama up, the prompt still gets them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOllamaLlm } from '../../functions/adapters/ollama.ts';
import { configOf } from '../../functions/config/deployables.ts';
import type { FewShotExample } from '../../functions/core/llm-prompt.ts';
import { loadTaxonomy } from '../../functions/core/taxonomy.ts';
import { llmTier } from '../../functions/tiers/llm.ts';
import type { TierSetup } from '../../functions/tiers/tier.ts';
import { MemoryStore } from '../support/memory-store.ts';
import { OllamaTestServer } from '../support/ollama-test-server.ts';

const taxonomy = loadTaxonomy();
let server: OllamaTestServer;
beforeAll(async () => {
  server = await new OllamaTestServer({ oracle: () => 'unknown' }).start();
});
afterAll(() => server.stop());

/** A tier setup over Ollama at `host`, counting the store's label exports and the examples each client was made with. */
function setup(host: string) {
  const store = new MemoryStore();
  const exportLabelled = store.exportLabelled.bind(store);
  const seen = { labelExports: 0, examples: [] as number[] };
  store.exportLabelled = (opts) => {
    seen.labelExports++;
    return exportLabelled(opts);
  };
  const env = { OLLAMA_HOST: host, OLLAMA_TIMEOUT_MS: '2000' };
  const tierSetup: TierSetup = {
    taxonomy,
    env,
    store,
    warn: () => undefined,
    services: {
      llm: async (examples: FewShotExample[]) => {
        seen.examples.push(examples.length);
        return createOllamaLlm(taxonomy, examples, configOf('local', env));
      },
    },
  };
  return { tierSetup, seen };
}

describe('loading the LLM tier', () => {
  it('without Ollama: unavailable, and no few-shot example is read', async () => {
    const { tierSetup, seen } = setup('http://127.0.0.1:9');
    const loaded = await llmTier.load(tierSetup);
    expect(loaded).toMatchObject({ unavailable: expect.stringContaining('not reachable') });
    expect(seen.labelExports).toBe(0);
    expect(seen.examples.every((n) => n === 0)).toBe(true);
  });

  it('with Ollama: the tier is built with the few-shot examples', async () => {
    const { tierSetup, seen } = setup(server.url);
    const loaded = await llmTier.load(tierSetup);
    expect('unavailable' in loaded).toBe(false);
    expect(seen.labelExports).toBe(1);
    expect(seen.examples.at(-1)).toBeGreaterThan(0);
  });
});
