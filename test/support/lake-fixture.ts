import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DEFAULT_TENANT } from '../../functions/core/api-keys.ts';
import { encodeLakeParquet, type LakeRow, lakePartKey } from '../../functions/core/lake.ts';
import { seededRandom } from '../../functions/core/random.ts';
import { loadTaxonomy } from '../../functions/core/taxonomy.ts';

export interface FixtureJob {
  id: string;
  /** Whose job it is (default: the default tenant). */
  tenant?: string;
  dt: string;
  rows: number;
  /** Weight of each leaf class id (others 1). */
  weights?: Record<string, number>;
  /** ISO time the job's decisions were made (decides which job is "latest"). */
  at: string;
  withBaskets?: boolean;
  withDemographics?: boolean;
}

const TIERS = ['rules', 'encoder', 'llm', 'cache', 'review'] as const;
const COST: Record<string, number> = { rules: 0, encoder: 0.01, llm: 1, cache: 0, review: 0.01 };

/** Generates lake rows for jobs (known, seeded) and writes them as Parquet parts under root. */
export function writeFixtureLake(root: string, jobs: FixtureJob[], seed = 7): LakeRow[] {
  const taxonomy = loadTaxonomy();
  const rnd = seededRandom(seed);
  const all: LakeRow[] = [];
  for (const job of jobs) {
    const leaves = taxonomy.leaves.map((c) => ({ c, w: job.weights?.[c.id] ?? 1 }));
    const total = leaves.reduce((s, l) => s + l.w, 0);
    const rows: LakeRow[] = [];
    for (let i = 0; i < job.rows; i++) {
      let x = rnd() * total;
      const leaf = leaves.find((l) => (x -= l.w) < 0)?.c ?? leaves[leaves.length - 1].c;
      const tier = TIERS[Math.floor(rnd() * TIERS.length)];
      const confidence = tier === 'review' ? Math.round(rnd() * 50) / 100 : 0.5 + Math.round(rnd() * 50) / 100;
      const month = 1 + Math.floor(rnd() * 12);
      rows.push({
        tenant: job.tenant ?? DEFAULT_TENANT,
        job_id: job.id,
        row_no: i + 1,
        item_key: `k${job.id}-${i}`,
        product_name: `product ${i} of ${job.id}`,
        class_id: leaf.id,
        level1: leaf.path[0],
        level2: leaf.path[1] ?? '',
        confidence,
        tier,
        status: tier === 'review' ? 'needs_review' : 'ok',
        rule_id: tier === 'rules' ? `rule.${leaf.id}.${Math.floor(rnd() * 3)}` : null,
        model_version: tier === 'encoder' || tier === 'review' ? (rnd() < 0.5 ? 'm-1' : 'm-2') : null,
        cost_units: COST[tier],
        decided_at: job.at,
        event_date: job.withDemographics ? `2026-${String(month).padStart(2, '0')}-15` : null,
        basket_id: job.withBaskets ? `b${job.id}-${Math.floor(i / 6)}` : null,
        age_band: job.withDemographics ? ['18-24', '25-34', '35-54', '55+'][Math.floor(rnd() * 4)] : null,
        income_band: job.withDemographics ? ['low', 'mid', 'high'][Math.floor(rnd() * 3)] : null,
        gender: job.withDemographics ? ['f', 'm'][Math.floor(rnd() * 2)] : null,
        input: JSON.stringify({ id: String(i) }),
      });
    }
    // Two parts per job, as a chunked writer would leave them.
    const half = Math.ceil(rows.length / 2);
    [rows.slice(0, half), rows.slice(half)].forEach((part, n) => {
      if (!part.length) return;
      const file = join(root, lakePartKey(job.tenant ?? DEFAULT_TENANT, job.dt, job.id, n));
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, encodeLakeParquet(part));
    });
    all.push(...rows);
  }
  return all;
}
