/** `aisle review` and `aisle review --retry-llm` over a store, with the Ollama test server. */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ReviewDeps, review } from '../../bin/commands/review.ts';
import { OllamaLlm, ollamaConfig } from '../../functions/adapters/ollama.ts';
import { configOf } from '../../functions/config/deployables.ts';
import { Cascade } from '../../functions/core/cascade.ts';
import { LlmPrompt } from '../../functions/core/llm-prompt.ts';
import { createLlmTier } from '../../functions/core/llm-tier.ts';
import { toCascadeItem } from '../../functions/core/normalize.ts';
import { loadTaxonomy } from '../../functions/core/taxonomy.ts';
import type { Tier } from '../../functions/core/types.ts';
import { MemoryStore } from '../support/memory-store.ts';
import { OllamaTestServer } from '../support/ollama-test-server.ts';

const taxonomy = loadTaxonomy();
const items = Array.from({ length: 12 }, (_, i) => toCascadeItem({ name: `Review Thing ${i}` }));
const oracle = new Map(items.map((it, i) => [it.text, taxonomy.leaves[i % taxonomy.leaves.length].id]));
/** An encoder stand-in that is never sure, so everything reaches the LLM with a hint. */
const unsure: Tier = {
  name: 'encoder',
  cacheable: false,
  decide: (xs) => xs.map(() => ({ kind: 'deferred', reason: 'top 0.40 < 0.80', candidates: [{ classId: 'food.fresh', score: 0.4 }] })),
};

let server: OllamaTestServer;
beforeAll(async () => {
  server = await new OllamaTestServer({ oracle }).start();
});
afterAll(() => server.stop());

function deps(store: MemoryStore, host: string, lines: string[]): ReviewDeps {
  return {
    store,
    cache: store,
    taxonomy,
    out: (l) => lines.push(l),
    err: (l) => lines.push(`ERR ${l}`),
    llmTier: async () => {
      const llm = new OllamaLlm(new LlmPrompt(taxonomy), ollamaConfig(configOf('local', {}), { host, timeoutMs: 1_000 }));
      return { tier: createLlmTier(llm, { taxonomy, batchSize: 5, backoffMs: 1, maxBackoffMs: 2, retries: 1 }), probe: () => llm.probe() };
    },
  };
}

describe('aisle review', () => {
  it('lists the queue, then --retry-llm labels what the LLM skipped while it was down', async () => {
    await server.stop(); // Ollama down while classifying
    const store = new MemoryStore();
    const down = new OllamaLlm(new LlmPrompt(taxonomy), ollamaConfig(configOf('local', {}), { host: server.url }));
    const decisions = await new Cascade({ taxonomy, tiers: [unsure, createLlmTier(down, { taxonomy })], cache: store }).classify(items);
    await store.saveDecisions(
      decisions.map((d, i) => ({ decision: d, input: { name: items[i].name }, text: items[i].text, jobId: 'j1', at: new Date().toISOString() })),
    );
    expect(decisions.every((d) => d.status === 'needs_review' && d.classId === 'food.fresh')).toBe(true);

    const lines: string[] = [];
    expect(await review(['--limit', '3'], deps(store, server.url, lines))).toBe(0);
    expect(lines[0]).toBe('12 items need review; 12 of them were not labelled by the LLM (aisle review --retry-llm).');
    expect(lines).toHaveLength(5);
    expect(lines[1]).toMatch(/Review Thing .*Food > Fresh Food \(0\.40\).*llm unavailable/);
    expect(lines[4]).toMatch(/9 more/);

    // Still down: says so, changes nothing.
    lines.length = 0;
    expect(await review(['--retry-llm'], deps(store, server.url, lines))).toBe(1);
    expect(lines[0]).toMatch(/ERR .*not reachable.*12 item\(s\) stay in review/);

    await server.start();
    lines.length = 0;
    expect(await review(['--retry-llm'], deps(store, server.url, lines))).toBe(0);
    expect(lines.at(-1)).toBe('Retried 12 item(s) with the LLM: 12 labelled (tier=llm), 0 still in review.');
    for (const it of items) {
      expect(store.current(it.key)!.decision).toMatchObject({ tier: 'llm', status: 'ok', classId: oracle.get(it.text) });
      expect(store.current(it.key)!.jobId).toBe('j1');
    }
    expect(server.asked.sort()).toEqual(items.map((it) => it.text).sort());
    const exported = [];
    for await (const e of store.exportLabelled({ tiers: ['llm'] })) exported.push(e);
    expect(exported).toHaveLength(12);

    lines.length = 0;
    await review([], deps(store, server.url, lines));
    expect(lines).toEqual(['The review queue is empty.']);
    await review(['--retry-llm'], deps(store, server.url, lines));
    expect(lines.at(-1)).toBe('No review item is waiting for the LLM.');
  });

  it('rejects bad options with usage', async () => {
    const lines: string[] = [];
    expect(await review(['--limit', 'x'], deps(new MemoryStore(), server.url, lines))).toBe(2);
    expect(await review(['--bogus'], deps(new MemoryStore(), server.url, lines))).toBe(2);
    expect(lines.join('\n')).toMatch(/--limit must be a positive integer[\s\S]*usage: aisle review/);
  });
});
