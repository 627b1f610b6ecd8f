/**
 * Wiring for the API tests: what `aisle serve` runs (localService: the DuckDB store, cache and jobs of a local
 * runtime in a temporary $AISLE_HOME, jobs run by the same CSV pipeline as `aisle classify`, the model registry
 * of that home), with two small in-test tiers as the runtime's tiers so decisions are known in advance: a
 * keyword tier standing in for the rules, a scored tier standing in for the encoder. Keys live in an in-memory
 * DuckDB key store.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LocalService, localService } from '../../bin/commands/serve.ts';
import { DuckDbKeyStore } from '../../functions/adapters/local/keys.ts';
import { LocalModelRegistry } from '../../functions/adapters/local/model-registry.ts';
import { createLocalRuntime, type LocalRuntime } from '../../functions/adapters/local/runtime.ts';
import { type AppDeps, createApp } from '../../functions/api/app.ts';
import { type ApiKeyRole, newApiKey } from '../../functions/core/api-keys.ts';
import type { Tier, TierOutcome } from '../../functions/core/types.ts';
import { SHIPPED_MODELS_DIR, shippedVersions } from '../../functions/model/registry.ts';

const KEYWORDS: [string, string][] = [
  ['milk', 'food.dairy-eggs'],
  ['cola', 'food.beverages'],
  ['shampoo', 'non-food.personal-care-health'],
];

/** Decides items containing a keyword, naming a rule id. */
export const keywordTier: Tier = {
  name: 'rules',
  cacheable: false,
  decide: (items) =>
    items.map((i): TierOutcome => {
      const hit = KEYWORDS.find(([w]) => i.text.includes(w));
      return hit
        ? { kind: 'decided', classId: hit[1], confidence: 1, ruleId: `kw.${hit[0]}`, reason: `keyword ${hit[0]}` }
        : { kind: 'deferred', reason: 'no keyword' };
    }),
};

/** Confident about "chips", unsure about everything else: the unsure ones go to review with a guess. */
export const scoredTier: Tier = {
  name: 'encoder',
  cacheable: true,
  decide: (items) =>
    items.map((i): TierOutcome => {
      const candidates = i.text.includes('chips')
        ? [
            { classId: 'food.snacks-sweets', score: 0.93 },
            { classId: 'food.pantry-staples', score: 0.04 },
          ]
        : [
            { classId: 'non-food.household', score: 0.41 },
            { classId: 'food.pantry-staples', score: 0.3 },
          ];
      return candidates[0].score > 0.9
        ? { kind: 'decided', classId: candidates[0].classId, confidence: candidates[0].score, candidates, modelVersion: 'test-1' }
        : { kind: 'deferred', candidates, modelVersion: 'test-1', reason: `top ${candidates[0].score} < threshold 0.9` };
    }),
};

/** The shipped champion, and the challenger the fixture registers beside it. */
export const CHAMPION = shippedVersions().at(-1)!;
export const CHALLENGER = 'challenger-1';

/**
 * Registers a challenger in the home's registry: a trained version's folder holding the shipped champion's
 * artifacts (linked, not copied) under another name, as `aisle train` would leave one.
 */
async function addChallenger(home: string): Promise<void> {
  const registry = LocalModelRegistry.forHome(home);
  const from = join(SHIPPED_MODELS_DIR, CHAMPION);
  const dir = join(registry.root, CHALLENGER);
  mkdirSync(dir, { recursive: true });
  for (const f of ['model.onnx', 'tokenizer.json', 'labels.json']) symlinkSync(join(from, f), join(dir, f));
  copyFileSync(join(from, 'metrics.json'), join(dir, 'metrics.json'));
  const card = JSON.parse(readFileSync(join(from, 'card.json'), 'utf8'));
  writeFileSync(
    join(dir, 'card.json'),
    JSON.stringify({ ...card, version: CHALLENGER, parentVersion: CHAMPION, createdAt: '2026-11-22T00:00:00.000Z' }),
  );
  await registry.addChallenger(CHALLENGER);
}

export interface TestApi {
  app: ReturnType<typeof createApp>;
  deps: AppDeps;
  rt: LocalRuntime;
  service: LocalService;
  keys: DuckDbKeyStore;
  /** A write key and a read-only key. */
  writeKey: string;
  readKey: string;
  home: string;
  close(): Promise<void>;
}

const open = new Set<TestApi>();

/** `service`: options of localService beyond the keys (the similar index's graph thread). */
export async function makeTestApi(
  overrides: Partial<AppDeps> = {},
  service: Omit<Parameters<typeof localService>[1], 'keys'> = {},
): Promise<TestApi> {
  const home = mkdtempSync(join(tmpdir(), 'aisle-api-'));
  const rt = await createLocalRuntime({
    home,
    env: {},
    plugins: [
      { name: 'rules', summary: 'keyword fake', load: async () => keywordTier },
      { name: 'encoder', summary: 'scored fake', load: async () => scoredTier },
    ],
    warn: () => undefined,
  });
  await addChallenger(home);
  const keys = new DuckDbKeyStore(':memory:');
  const mint = async (name: string, role: ApiKeyRole) => {
    const { key, record } = newApiKey(name, role);
    await keys.put(record);
    return key;
  };
  const writeKey = await mint('tester', 'write');
  const readKey = await mint('reader', 'read');
  const served = localService(rt, { keys, ...service });
  const deps: AppDeps = { ...served.deps, keyCacheMs: 0, ...overrides };
  const t: TestApi = {
    app: createApp(deps),
    deps,
    rt,
    service: served,
    keys,
    writeKey,
    readKey,
    home,
    close: async () => {
      open.delete(t);
      await served.close();
      await rt.close();
      rmSync(home, { recursive: true, force: true });
    },
  };
  open.add(t);
  return t;
}

/** Closes every test API still open (afterEach). */
export async function closeTestApis(): Promise<void> {
  for (const t of [...open]) await t.close();
}

export const auth = (key: string, extra: Record<string, string> = {}) => ({ authorization: `Bearer ${key}`, ...extra });
export const json = (key: string) => auth(key, { 'content-type': 'application/json' });
