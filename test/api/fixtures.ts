/**
 * Wiring for the API tests: the real Cascade with two small in-test tiers (a keyword tier standing in for
 * rules, a scored tier standing in for the encoder), the real DuckDB key store (in memory), and in-memory
 * ports for results, jobs and models until the local runtime's DuckDB adapters are wired here.
 */
import { mkdtempSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { newApiKey, type ApiKeyRole } from '../../functions/core/api-keys.ts';
import { Cascade } from '../../functions/core/cascade.ts';
import { toCascadeItem } from '../../functions/core/normalize.ts';
import { loadTaxonomy } from '../../functions/core/taxonomy.ts';
import type { Decision, Tier, TierOutcome } from '../../functions/core/types.ts';
import { createApp, type AppDeps } from '../../functions/api/app.ts';
import { DuckDbKeyStore } from '../../functions/adapters/local/keys.ts';
import { LocalJobsService } from '../../functions/adapters/local/jobs-service.ts';
import type { Cache, ItemRecord, JobRecord, JobStore, ModelRegistry, ModelVersionInfo, Page, ResultStore } from '../../functions/ports.ts';

export const taxonomy = loadTaxonomy();

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
      return hit ? { kind: 'decided', classId: hit[1], confidence: 1, ruleId: `kw.${hit[0]}`, reason: `keyword ${hit[0]}` } : { kind: 'deferred', reason: 'no keyword' };
    }),
};

/** Confident about "chips", unsure about everything else: the unsure ones go to review with a guess. */
export const scoredTier: Tier = {
  name: 'encoder',
  cacheable: true,
  decide: (items) =>
    items.map((i): TierOutcome => {
      const candidates = i.text.includes('chips')
        ? [{ classId: 'food.snacks-sweets', score: 0.93 }, { classId: 'food.pantry-staples', score: 0.04 }]
        : [{ classId: 'non-food.household', score: 0.41 }, { classId: 'food.pantry-staples', score: 0.3 }];
      return candidates[0].score > 0.9
        ? { kind: 'decided', classId: candidates[0].classId, confidence: candidates[0].score, candidates, modelVersion: 'test-1' }
        : { kind: 'deferred', candidates, modelVersion: 'test-1', reason: `top ${candidates[0].score} < threshold 0.9` };
    }),
};

export class MemoryCache implements Cache {
  readonly entries = new Map<string, Decision>();
  async getMany(keys: string[], version: string) {
    const out = new Map<string, Decision>();
    for (const k of keys) {
      const d = this.entries.get(k);
      if (d && d.taxonomyVersion === version) out.set(k, d);
    }
    return out;
  }
  async putMany(ds: Decision[]) {
    for (const d of ds) this.entries.set(d.key, d);
  }
}

export class MemoryResultStore implements ResultStore {
  readonly records = new Map<string, ItemRecord[]>();
  async saveDecisions(records: ItemRecord[]) {
    for (const r of records) this.records.set(r.decision.key, [r, ...(this.records.get(r.decision.key) ?? [])]);
  }
  async getItem(key: string) {
    const all = this.records.get(key);
    return all ? { current: all[0], history: all.slice(1) } : null;
  }
  async setHumanLabel(key: string, classId: string, labelledBy: string) {
    const all = this.records.get(key);
    if (!all) return null;
    const r: ItemRecord = {
      ...all[0],
      decision: { key, classId, confidence: 1, tier: 'human', status: 'ok', reason: `labelled by ${labelledBy}`, taxonomyVersion: taxonomy.version },
      at: new Date().toISOString(),
    };
    all.unshift(r);
    return r;
  }
  async listReview({ limit, cursor }: { limit: number; cursor?: string }): Promise<Page<ItemRecord>> {
    const queue = [...this.records.values()].map((a) => a[0]).filter((r) => r.decision.status === 'needs_review');
    const start = cursor ? Number(cursor) : 0;
    const items = queue.slice(start, start + limit);
    return { items, ...(start + limit < queue.length ? { next: String(start + limit) } : {}) };
  }
  async *exportLabelled() {}
}

export class MemoryJobStore implements JobStore {
  readonly jobs = new Map<string, JobRecord>();
  async create(job: Pick<JobRecord, 'id' | 'input'> & Partial<JobRecord>) {
    const now = new Date().toISOString();
    const record: JobRecord = { status: 'queued', rowsIn: 0, totalKnown: false, classified: 0, rejected: 0, tierCounts: {}, needsReview: 0, createdAt: now, updatedAt: now, ...job };
    this.jobs.set(job.id, record);
    return record;
  }
  async get(id: string) {
    return this.jobs.get(id) ?? null;
  }
  async list({ limit }: { limit: number }) {
    return { items: [...this.jobs.values()].reverse().slice(0, limit) };
  }
  async update(id: string, patch: Partial<JobRecord>) {
    const job = { ...this.jobs.get(id)!, ...patch, updatedAt: new Date().toISOString() };
    this.jobs.set(id, job);
    return job;
  }
}

export const registry: ModelRegistry = {
  async list(): Promise<ModelVersionInfo[]> {
    return [
      { version: 'm-2', role: 'challenger', metrics: { accuracy: 0.91, macroF1: 0.88 }, createdAt: '2026-11-02T00:00:00Z' },
      {
        version: 'm-1',
        role: 'champion',
        metrics: { accuracy: 0.9, macroF1: 0.86, confusion: { labels: ['Food', 'Non-Food'], matrix: [[40, 2], [3, 30]] } },
        createdAt: '2026-11-01T00:00:00Z',
      },
    ];
  },
  async champion() {
    return (await this.list()).find((m) => m.role === 'champion') ?? null;
  },
  async promote() {},
};

/** The tests' stand-in for the local CSV pipeline: name column in, label columns out, empty names rejected. */
function runCsvJob(jobs: JobStore, cascade: Cascade, results: ResultStore, dir: string) {
  return async (job: JobRecord) => {
    await jobs.update(job.id, { status: 'running' });
    const rows = parse(await readFile(job.input), { columns: true, skip_empty_lines: true }) as Record<string, string>[];
    await jobs.update(job.id, { rowsIn: rows.length, totalKnown: true });
    const good = rows.filter((r) => r.name?.trim());
    const bad = rows.filter((r) => !r.name?.trim());
    const items = good.map((r) => toCascadeItem({ name: r.name, brand: r.brand || undefined }));
    const decisions = await cascade.classify(items);
    const at = new Date().toISOString();
    await results.saveDecisions(decisions.map((decision, i) => ({ decision, input: { name: good[i].name }, text: items[i].text, jobId: job.id, at })));
    const output = join(dir, `${job.id}.result.csv`);
    const rejects = join(dir, `${job.id}.rejects.csv`);
    await writeFile(output, ['name,level1,level2,tier,status', ...decisions.map((d, i) => [good[i].name, ...taxonomy.levelsOf(d.classId), d.tier, d.status].join(','))].join('\n') + '\n');
    await writeFile(rejects, ['row,reason', ...bad.map((r) => `${rows.indexOf(r) + 1},name is empty`)].join('\n') + '\n');
    await jobs.update(job.id, {
      status: 'done',
      classified: decisions.length,
      rejected: bad.length,
      needsReview: decisions.filter((d) => d.status === 'needs_review').length,
      output,
      rejects,
    });
  };
}

export interface TestApi {
  app: ReturnType<typeof createApp>;
  deps: AppDeps;
  cache: MemoryCache;
  results: MemoryResultStore;
  jobsService: LocalJobsService;
  keys: DuckDbKeyStore;
  /** A write key and a read-only key. */
  writeKey: string;
  readKey: string;
  home: string;
}

export async function makeTestApi(overrides: Partial<AppDeps> = {}): Promise<TestApi> {
  const home = mkdtempSync(join(tmpdir(), 'aisle-api-'));
  const cache = new MemoryCache();
  const results = new MemoryResultStore();
  const jobStore = new MemoryJobStore();
  const cascade = new Cascade({ taxonomy, tiers: [keywordTier, scoredTier], cache });
  const jobsService = new LocalJobsService({ home, jobs: jobStore, run: runCsvJob(jobStore, cascade, results, home) });
  const keys = new DuckDbKeyStore(':memory:');
  const mint = async (name: string, role: ApiKeyRole) => {
    const { key, record } = newApiKey(name, role);
    await keys.put(record);
    return key;
  };
  const writeKey = await mint('tester', 'write');
  const readKey = await mint('reader', 'read');
  const deps: AppDeps = {
    taxonomy,
    cascade,
    results,
    cache,
    jobs: jobsService,
    models: registry,
    keys,
    keyCacheMs: 0,
    readiness: { store: { required: true, check: async () => {} } },
    ...overrides,
  };
  return { app: createApp(deps), deps, cache, results, jobsService, keys, writeKey, readKey, home };
}

export const auth = (key: string, extra: Record<string, string> = {}) => ({ authorization: `Bearer ${key}`, ...extra });
export const json = (key: string) => auth(key, { 'content-type': 'application/json' });
