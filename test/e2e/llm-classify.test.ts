/**
 * `aisle classify` and `aisle review` as processes, with the LLM tier talking to the Ollama test server:
 * labels come from the LLM and are cached in DuckDB across runs (never sent twice); with Ollama down the
 * run goes on, says so once, and `aisle review --retry-llm` labels the items once it is up.
 */

import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalRuntime } from '../../functions/adapters/local/runtime.ts';
import { toCascadeItem } from '../../functions/core/normalize.ts';
import { loadTaxonomy } from '../../functions/core/taxonomy.ts';
import { CACHE_TIER } from '../../functions/core/types.ts';
import { OllamaTestServer } from '../support/ollama-test-server.ts';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '../..');
const taxonomy = loadTaxonomy();
const sample = readFileSync(join(root, 'models/sample.csv'), 'utf8');
// The oracle: a class per product of the shipped sample, from its position (a scripted LLM, not a judgement).
const oracle = new Map<string, string>();
sample
  .split('\n')
  .slice(1)
  .forEach((line, i) => {
    const name = line.split(',')[1];
    if (name) oracle.set(toCascadeItem({ name }).text, taxonomy.leaves[i % taxonomy.leaves.length].id);
  });

let server: OllamaTestServer;
let dir: string;
beforeAll(async () => {
  server = await new OllamaTestServer({ oracle: (t) => [...oracle].find(([k]) => t.endsWith(k) || k.endsWith(t))?.[1] ?? 'unknown' }).start();
  dir = mkdtempSync(join(tmpdir(), 'aisle-llm-e2e-'));
});
afterAll(async () => {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function aisle(args: string[], home: string) {
  const env = { ...process.env, AISLE_HOME: home, OLLAMA_HOST: server.url, OLLAMA_TIMEOUT_MS: '5000' };
  try {
    const { stdout, stderr } = await run(process.execPath, [join(root, 'bin/aisle.mjs'), ...args], { cwd: dir, env, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

function tiersOf(csvPath: string): string[] {
  return (parse(readFileSync(csvPath, 'utf8'), { columns: true }) as { tier: string }[]).map((r) => r.tier);
}

describe('aisle classify with the LLM tier', () => {
  it('labels with the LLM, caches in DuckDB: a second run sends nothing', async () => {
    const home = join(dir, 'home-up');
    const first = await aisle(['classify', '-q', '--tiers', 'cache,llm', '-o', join(dir, 'up.csv'), '--fresh'], home);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).not.toMatch(/not available/);
    const asked = server.asked.length;
    expect(asked).toBe(96);
    expect(new Set(server.asked).size).toBe(asked);
    expect(tiersOf(join(dir, 'up.csv')).every((t) => t === 'llm')).toBe(true);

    const again = await aisle(['classify', '-q', '--tiers', 'cache,llm', '-o', join(dir, 'up2.csv'), '--fresh'], home);
    expect(again.code, again.stderr).toBe(0);
    expect(server.asked.length).toBe(asked);
    expect(tiersOf(join(dir, 'up2.csv')).every((t) => t === 'cache')).toBe(true);

    // Stored as tier=llm, ready for `aisle train --from-store`.
    const rt = await createLocalRuntime({ home, tiers: [CACHE_TIER] });
    try {
      const exported: { tier: string; classId: string }[] = [];
      for await (const e of rt.store.exportLabelled({ tiers: ['llm'] })) exported.push(e);
      const labelled = (parse(readFileSync(join(dir, 'up.csv'), 'utf8'), { columns: true }) as { tier: string; status: string }[]).filter(
        (r) => r.status === 'ok',
      );
      expect(labelled.length).toBeGreaterThan(80);
      expect(exported.length).toBe(labelled.length);
      expect(exported.every((e) => e.tier === 'llm' && taxonomy.get(e.classId))).toBe(true);
    } finally {
      await rt.close();
    }
  });

  it('without Ollama: runs on, says so once, items in review; --retry-llm labels them once it is up', async () => {
    const home = join(dir, 'home-down');
    await server.stop();
    const down = await aisle(['classify', '-q', '--tiers', 'cache,llm', '-o', join(dir, 'down.csv'), '--fresh'], home);
    expect(down.code, down.stderr).toBe(0);
    expect(down.stderr.match(/not reachable/g)).toHaveLength(1);
    expect(down.stderr).toMatch(/aisle review --retry-llm/);
    expect(tiersOf(join(dir, 'down.csv')).every((t) => t === 'review')).toBe(true);

    const listed = await aisle(['review', '--limit', '2'], home);
    expect(listed.stdout).toMatch(/^96 items need review; 96 of them were not labelled by the LLM/);

    await server.start();
    server.chats.length = 0;
    const retried = await aisle(['review', '--retry-llm'], home);
    expect(retried.code, retried.stderr).toBe(0);
    expect(retried.stdout).toMatch(/Retried 96 item\(s\) with the LLM: \d+ labelled \(tier=llm\)/);
    expect(server.asked).toHaveLength(96);
    const after = await aisle(['review'], home);
    expect(after.stdout).not.toMatch(/not labelled by the LLM/);
  });
});
