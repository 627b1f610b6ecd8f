/**
 * `aisle ask` and `aisle eval ask` as processes. The eval scores retrieval on the project's question set
 * (recall@5 ≥ 0.9) and grounding with the Ollama-API test server as the model: a faithful model's answers are
 * all kept and cite only retrieved items; a model that cites an item never retrieved has every answer rejected.
 * `aisle ask` answers from a classified file without a model (the items) and maps an analytics question to a
 * named query over the lake.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { type AskOracleOptions, askOracle } from '../support/ask-oracle.ts';
import { OllamaTestServer } from '../support/ollama-test-server.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const AISLE = join(ROOT, 'bin/aisle.mjs');
const home = mkdtempSync(join(tmpdir(), 'aisle-ask-cli-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

async function aisle(env: Record<string, string>, ...args: string[]): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [AISLE, ...args], {
      cwd: ROOT,
      env: { ...process.env, AISLE_HOME: home, ...env },
      maxBuffer: 16 << 20,
    });
    return { code: 0, out: stdout + stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: e.stdout + e.stderr };
  }
}

async function withModel<T>(opts: AskOracleOptions, fn: (host: string) => Promise<T>): Promise<T> {
  const server = await new OllamaTestServer({ oracle: () => 'unknown', reply: askOracle(opts) }).start();
  try {
    return await fn(server.url);
  } finally {
    await server.stop();
  }
}

const NO_OLLAMA = { OLLAMA_HOST: 'http://127.0.0.1:9' };

describe('aisle eval ask', () => {
  it('reaches recall@5 ≥ 0.9; a faithful model has every answer kept, citing retrieved items only', async () => {
    const { code, out } = await withModel({ plan: () => ({ query: 'review_rate' }) }, (host) => aisle({ OLLAMA_HOST: host }, 'eval', 'ask'));
    expect(code, out).toBe(0);
    const recall = Number(/retrieval recall@5: ([\d.]+) \((\d+) product questions/.exec(out)![1]);
    expect(recall).toBeGreaterThanOrEqual(0.9);
    // Both retrievers scored in the same run; the blended one (the default) must not lose to BM25 alone.
    const row = (name: string) => Number(new RegExp(`${name} \\(.*\\)\\s+recall@5 ([\\d.]+)`).exec(out)![1]);
    expect(row('blended')).toBe(recall);
    expect(row('blended')).toBeGreaterThanOrEqual(row('lexical'));
    expect(Number(/\((\d+) product questions/.exec(out)![1])).toBeGreaterThanOrEqual(100);
    const grounding =
      /grounding \(.*\): (\d+) answered, (\d+) rejected .*, (\d+) unavailable; (\d+) citations in kept answers, (\d+) of them not retrieved/.exec(
        out,
      );
    expect(grounding, out).not.toBeNull();
    const [answered, rejected, unavailable, citations, foreign] = grounding!.slice(1).map(Number);
    expect({ rejected, unavailable, foreign }).toEqual({ rejected: 0, unavailable: 0, foreign: 0 });
    expect(answered).toBeGreaterThanOrEqual(100);
    expect(citations).toBeGreaterThan(answered);
  }, 120_000);

  it('a model citing an item never retrieved has every answer rejected', async () => {
    const { code, out } = await withModel({ mode: 'bad-citation' }, (host) => aisle({ OLLAMA_HOST: host }, 'eval', 'ask'));
    expect(code, out).toBe(0);
    expect(out).toMatch(/: 0 answered, \d+ rejected .*; 0 citations in kept answers, 0 of them not retrieved/);
    expect(out).toMatch(/rejected "[^"]+": the answer cites "ffffffffffffffff", which was not among the items retrieved/);
  }, 120_000);

  it('without a model, scores retrieval and says grounding was skipped; fails below --min-recall', async () => {
    const { code, out } = await aisle(NO_OLLAMA, 'eval', 'ask', '--min-recall', '0.999');
    expect(out).toContain('grounding: skipped');
    expect(code).toBe(1);
  }, 60_000);
});

describe('aisle ask', () => {
  it('answers from the classified items without a model, and an analytics question by a named query', async () => {
    const csv = join(home, 'products.csv');
    writeFileSync(csv, 'name,brand\nGluten Free Pretzel Twists,Snyders\nWhole Milk 1 gallon,Horizon\nDish Soap Original,Dawn\n');
    const classified = await aisle(NO_OLLAMA, 'classify', csv, '--out', join(home, 'out.csv'), '--tiers', 'cache,rules,encoder');
    expect(classified.code, classified.out).toBe(0);

    // `aisle classify` keeps these cheap decisions in its output and the lake, not in the store: ask finds them in the lake.
    const product = await aisle(NO_OLLAMA, 'ask', 'which gluten-free snacks do we carry?');
    expect(product.code, product.out).toBe(0);
    expect(product.out).toContain('answering without a model');
    expect(product.out).toMatch(/\(unavailable: /);
    expect(product.out.split('\n').find((l) => /^[0-9a-f]{16} /.test(l))).toContain('Gluten Free Pretzel Twists');

    const analytics = await aisle(NO_OLLAMA, 'ask', '--json', 'what share of items went to review?');
    expect(analytics.code, analytics.out).toBe(0);
    const answer = JSON.parse(analytics.out);
    expect(answer).toMatchObject({ kind: 'analytics', query: { name: 'review_rate', source: 'lake', plannedBy: 'keywords' }, figures: { items: 3 } });
  }, 120_000);
});
