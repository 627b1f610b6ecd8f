/**
 * Keeps docs/adding-a-tier.md true: the worked example's tier, registered the way the doc says, shows up in
 * --tiers parsing and help and in GET /v1/tiers, decides items in the local runtime's cascade, and has its share
 * in `aisle cost`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { createLocalRuntime } from '../../functions/adapters/local/runtime.ts';
import { toCascadeItem } from '../../functions/core/normalize.ts';
import type { TierOutcome } from '../../functions/core/types.ts';
import { cascadeTierNames, describeCascade, parseTierList, registerTier } from '../../functions/tiers/registry.ts';
import type { TierPlugin } from '../../functions/tiers/tier.ts';

// The worked example of docs/adding-a-tier.md, as written there.
const TOO_SHORT: TierOutcome = {
  kind: 'decided',
  classId: null,
  confidence: 1,
  status: 'needs_review',
  reason: 'fewer than 3 letters: nothing to tell from',
};
const LONG_ENOUGH: TierOutcome = { kind: 'deferred', reason: '3 letters or more' };

const tooShortTier: TierPlugin = {
  name: 'too-short',
  summary: 'names with fewer than 3 letters are Unknown, sent to review without asking the slower tiers',
  load: async () => ({
    name: 'too-short',
    cacheable: false,
    decide: (items) => items.map((item) => (item.text.replace(/[^\p{L}]/gu, '').length < 3 ? TOO_SHORT : LONG_ENOUGH)),
  }),
};

registerTier(tooShortTier);

const home = mkdtempSync(join(tmpdir(), 'aisle-tier-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

async function logged(run: () => Promise<unknown>): Promise<string> {
  const log = vi.spyOn(console, 'log').mockImplementation(() => {});
  try {
    await run();
    return log.mock.calls.map((c) => String(c[0])).join('\n');
  } finally {
    log.mockRestore();
  }
}

describe('a tier added with one file and one registration line', () => {
  it('is a name --tiers accepts and `aisle classify --help` lists, after the tiers registered before it', async () => {
    expect(parseTierList('cache, too-short')).toEqual(['cache', 'too-short']);
    expect(cascadeTierNames()).toEqual(['cache', 'rules', 'encoder', 'llm', 'too-short', 'review']);
    // GET /v1/tiers answers describeCascade().
    expect(describeCascade()).toContainEqual({ name: 'too-short', summary: tooShortTier.summary });
    const { run } = await import('../../bin/commands/classify.ts');
    expect(await logged(() => run(['--help']))).toMatch(/from: cache, rules, encoder, llm, too-short/);
    expect(() => registerTier(tooShortTier)).toThrow(/"too-short" is taken/);
    expect(() => registerTier({ ...tooShortTier, name: 'review' })).toThrow(/taken/);
  });

  it('decides in the cascade of the local runtime, in registry order', async () => {
    const rt = await createLocalRuntime({ home, env: {}, tiers: ['too-short', 'cache', 'rules'], warn: () => undefined });
    try {
      expect(rt.tierNames).toEqual(['cache', 'rules', 'too-short', 'review']);
      const [short, milk] = await rt.cascade.classify([toCascadeItem({ name: 'x 1' }), toCascadeItem({ name: 'whole milk 1l' })]);
      expect(short).toMatchObject({ tier: 'too-short', classId: null, status: 'needs_review', reason: TOO_SHORT.reason });
      expect(short.trace!.steps.map((s) => s.tier)).toEqual(['cache', 'rules', 'too-short']);
      expect(milk.tier).toBe('rules');
    } finally {
      await rt.close();
    }
  });

  it('has its share in the cost report', async () => {
    const { run } = await import('../../bin/commands/cost.ts');
    const out = JSON.parse(await logged(() => run(['--mix', 'rules=0.6,too-short=0.4', '--format', 'json'])));
    expect(out.cascade.mix).toEqual({ cache: 0, rules: 0.6, encoder: 0, llm: 0, 'too-short': 0.4, review: 0 });
    expect(await logged(() => run(['--help']))).toMatch(/tiers \(cache, rules, encoder, llm, too-short, review\)/);
  });
});
