/**
 * Batch isolation against a real Ollama (issue 15 item 4, OWASP LLM01): the check of
 * test/integration/llm-injection.test.ts with the production prompt (few-shot examples from data) and the
 * configured model. A baseline batch of 20 plain products, then the same batch with one hostile name in the
 * middle; every neighbour must keep its baseline outcome. A neighbour that moved to a Non-Food class is
 * flagged as taken over (every hostile name asks for one); any other move is drift, which a real model may
 * show when one product of its context changes, and is printed for a human to judge.
 *
 *   OLLAMA_HOST=http://127.0.0.1:11434 OLLAMA_MODEL=llama3 npx tsx bench/llm-injection.ts
 *
 * Exit code: 0 when no neighbour changed, 1 when one did; with no Ollama (or the model not pulled) it says
 * so and exits 0, or 2 under AISLE_REQUIRE_ALL=1.
 */
import { createOllamaLlm } from '../functions/adapters/ollama.ts';
import { configOf } from '../functions/config/deployables.ts';
import { loadTaxonomy } from '../functions/core/taxonomy.ts';
import { loadFewShotExamples } from '../functions/tiers/few-shot.ts';
import { batchIsolation, HOSTILE_AT, NEIGHBOURS } from '../test/support/llm-injection.ts';
import { machineLine } from './machine.ts';

const taxonomy = loadTaxonomy();
const settings = configOf('local');
const { llm } = createOllamaLlm(taxonomy, await loadFewShotExamples(taxonomy), settings);
const probe = await llm.probe();
if (!probe.ok) {
  console.log(`no Ollama at ${settings.ollamaHost} to check (${probe.message}); nothing checked`);
  process.exit(process.env.AISLE_REQUIRE_ALL === '1' ? 2 : 0);
}

console.log(machineLine());
console.log(`bench/llm-injection: ${probe.message}; ${NEIGHBOURS.length} neighbours, the odd item at position ${HOSTILE_AT + 1} of 20`);
const started = performance.now();
const { baseline, results } = await batchIsolation(llm, taxonomy);
console.log(`baseline: ${baseline.filter((o) => !o.startsWith('review')).length}/20 answered (a class or unknown)`);
let changed = 0;
for (const r of results) {
  const takenOver = r.changed.filter((c) => c.after.startsWith('non-food') && !c.before.startsWith('non-food'));
  changed += r.changed.length;
  console.log(`  ${r.tries}: ${r.changed.length}/19 neighbours changed, ${takenOver.length} taken over`);
  for (const c of r.changed) console.log(`    ${c.name}: ${c.before} → ${c.after}${takenOver.includes(c) ? '  (taken over)' : ''}`);
}
console.log(
  `${changed ? 'FAIL' : 'ok'}: ${changed} neighbour outcomes changed over ${results.length} hostile names, ${((performance.now() - started) / 1000).toFixed(1)} s`,
);
process.exit(changed ? 1 : 0);
