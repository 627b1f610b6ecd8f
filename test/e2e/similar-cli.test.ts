/** `aisle similar` over what `aisle classify` wrote, and `aisle eval similar` on the project's labelled catalog. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { similarCatalogCsv } from '../fixtures/similar-catalog.ts';

const CLI = fileURLToPath(new URL('../../bin/aisle.mjs', import.meta.url));
const home = mkdtempSync(join(tmpdir(), 'aisle-similar-cli-'));
const aisle = (...args: string[]) =>
  spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 120_000, env: { ...process.env, AISLE_HOME: home }, cwd: home });
afterAll(() => rmSync(home, { recursive: true, force: true }));

describe('aisle similar', () => {
  it('finds classified items like a name, with scores, and like an item by key', () => {
    const input = join(home, 'catalog.csv');
    writeFileSync(input, similarCatalogCsv().replace('product_name,aisle', 'name,aisle'));
    const classified = aisle('classify', input, '--tiers', 'cache,rules', '--out', join(home, 'out.csv'));
    expect(classified.status, classified.stderr).toBe(0);
    const out = aisle('similar', 'parmesan', '--k', '3', '--format', 'json');
    expect(out.status, out.stderr).toBe(0);
    const found = JSON.parse(out.stdout) as { score: number; key: string; name: string }[];
    expect(found).toHaveLength(3);
    expect(found[0].name).toBe('Grated Parmesan Cheese');
    expect(found[0].score).toBeGreaterThan(found[2].score);
    const byItem = aisle('similar', '--item', found[0].key, '--k', '2');
    expect(byItem.status, byItem.stderr).toBe(0);
    expect(byItem.stdout).toMatch(/^\s*score\s+key\s+name\s+class/);
    expect(byItem.stdout).toContain('Cheese');
    expect(byItem.stdout).not.toContain('Grated Parmesan Cheese');
  });
});

describe('aisle eval similar', () => {
  it("prints Aisle's ranking scores first and the TF-IDF baseline's below, over the same queries", () => {
    const data = join(home, 'labelled.csv');
    writeFileSync(data, similarCatalogCsv());
    const out = aisle('eval', 'similar', '--data', data, '--queries', '0');
    expect(out.status, out.stderr).toBe(0);
    expect(out.stdout).toContain('48 candidates, 48 queries, relevance = same aisle (8 values)');
    expect(out.stdout).toContain('protocol: no train and held-out split: every row is a candidate, names alone');
    const rows = out.stdout.split('\n').filter((l) => /^(aisle|tf-idf cosine)\b/.test(l));
    expect(rows.map((r) => r.split(/\s{2,}/)[0])).toEqual(['aisle, names alone', 'tf-idf cosine']);
    const [aisleScores, tfidf] = rows.map((r) => r.trim().split(/\s+/).slice(-5).map(Number));
    // P@5, P@10, R@10, NDCG@10, MAP@10: each a share.
    for (const s of [...aisleScores, ...tfidf]) {
      expect(s).toBeGreaterThanOrEqual(0);
      expect(s).toBeLessThanOrEqual(1);
    }
    expect(aisleScores[0]).toBeGreaterThanOrEqual(0.65);
    expect(aisleScores[0]).toBeGreaterThan(tfidf[0]);
  });
});
