/**
 * `aisle eval ask` with the Ollama-API test server as the model (test/support/ask-oracle.ts), twice: a faithful
 * model (cites the retrieved items that share a word with the question) and one that also cites a key never
 * retrieved. Prints each run's retrieval, routing and grounding lines. With a real Ollama, run
 * `npx aisle eval ask` instead (OLLAMA_HOST, OLLAMA_MODEL).
 *   npx tsx bench/ask-grounding.ts
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { askOracle } from '../test/support/ask-oracle.ts';
import { OllamaTestServer } from '../test/support/ollama-test-server.ts';
import { machineLine } from './machine.ts';

const cli = fileURLToPath(new URL('../bin/aisle.mjs', import.meta.url));
console.log(machineLine());
for (const mode of ['faithful', 'bad-citation'] as const) {
  const server = await new OllamaTestServer({ oracle: () => 'unknown', reply: askOracle({ mode }) }).start();
  try {
    const { stdout } = await promisify(execFile)(process.execPath, [cli, 'eval', 'ask'], { env: { ...process.env, OLLAMA_HOST: server.url } });
    console.log(`\n${mode} model:`);
    console.log(
      stdout
        .split('\n')
        .filter((l) => /^(retrieval|routing|analytics by keywords|grounding)/.test(l))
        .join('\n'),
    );
  } finally {
    await server.stop();
  }
}
