/**
 * The LLM adapter's own overhead, against the Ollama-API test server (answers at once, so what is measured
 * is prompt building, JSON schema, HTTP, parsing, validation and the tier's batching — not a model), at
 * concurrency 1, 4 and 8; and the prompt tokens per item for the cost model.
 *
 *   npx tsx bench/llm-adapter.ts [items=4000] [batch=20]
 *
 * Tokens are ESTIMATED as characters / 4 (no Llama 3 tokenizer ships with the project); the test server
 * runs in this same process and its CPU time is included in the figures.
 */

import { OllamaLlm, ollamaConfig } from '../functions/adapters/ollama.ts';
import { configOf } from '../functions/config/deployables.ts';
import { estimateTokens, LlmPrompt } from '../functions/core/llm-prompt.ts';
import { createLlmTier } from '../functions/core/llm-tier.ts';
import { toCascadeItem } from '../functions/core/normalize.ts';
import { loadTaxonomy } from '../functions/core/taxonomy.ts';
import { loadFewShotExamples } from '../functions/tiers/few-shot.ts';
import { OllamaTestServer } from '../test/support/ollama-test-server.ts';
import { machineLine } from './machine.ts';

const N = Number(process.argv[2] ?? 4000);
const BATCH = Number(process.argv[3] ?? 20);
const taxonomy = loadTaxonomy();
const examples = await loadFewShotExamples(taxonomy);
const prompt = new LlmPrompt(taxonomy, examples);
const adjectives = ['organic', 'low fat', 'family size', 'unscented', 'gluten free', 'classic', 'extra strong', 'mini'];
const nouns = ['greek yogurt', 'tortilla chips', 'dish soap', 'dog treats', 'baby wipes', 'frozen pizza', 'green tea', 'pasta sauce'];
const names = Array.from({ length: N }, (_, i) => `${adjectives[i % 8]} ${nouns[(i >> 3) % 8]} ${12 + (i % 40)} oz #${i}`);
const leaves = taxonomy.leaves.map((c) => c.id);
const server = await new OllamaTestServer({ oracle: (t) => leaves[t.length % leaves.length] }).start();

console.log(machineLine());
console.log(`bench/llm-adapter: ${N} items, batch ${BATCH}, few-shot examples from data: ${examples.length} candidates`);

for (const concurrency of [1, 4, 8]) {
  // Distinct texts per run: nothing is cached between runs.
  const items = names.map((n) => toCascadeItem({ name: `${n} c${concurrency}` }));
  const llm = new OllamaLlm(prompt, ollamaConfig(configOf('local', {}), { host: server.url }));
  const tier = createLlmTier(llm, { taxonomy, batchSize: BATCH, concurrency });
  const hints = items.map(() => [{ classId: 'food.fresh', score: 0.42 }]);
  const started = performance.now();
  const outcomes = await tier.decide(items, { hints });
  const s = (performance.now() - started) / 1000;
  const ok = outcomes.filter((o) => o.kind === 'decided').length;
  console.log(
    `  concurrency ${concurrency}: ${(N / s).toFixed(0)} items/s, ${((s * 1e6) / N).toFixed(0)} µs/item adapter overhead, ${tier.stats.requests} requests, ${ok}/${N} labelled`,
  );
}

const sample = names.slice(0, BATCH).map((n) => toCascadeItem({ name: n }));
const llmItems = sample.map((it) => ({
  text: it.text,
  name: it.name,
  hints: [
    { classId: 'food.fresh', score: 0.42 },
    { classId: 'food.dairy-eggs', score: 0.31 },
  ],
}));
const systemTokens = estimateTokens(prompt.system);
const userTokens = estimateTokens(prompt.userMessage(llmItems));
const answerTokens = estimateTokens(
  JSON.stringify({ answers: llmItems.map((_, i) => ({ id: String(i + 1), classId: 'food.snacks-sweets', confidence: 0.9 })) }),
);
console.log(`prompt tokens (estimated, chars/4): system prompt ${systemTokens}, products ${(userTokens / BATCH).toFixed(1)}/item with 2 hints`);
console.log(
  `  per item at batch ${BATCH}: ${((systemTokens + userTokens) / BATCH).toFixed(1)} prompt + ${(answerTokens / BATCH).toFixed(1)} completion tokens`,
);
console.log(`  per item at batch 1: ${systemTokens + estimateTokens(prompt.userMessage(llmItems.slice(0, 1)))} prompt tokens`);
await server.stop();
