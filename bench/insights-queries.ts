/**
 * Times every named insight query on DuckDB over a generated 2,000,000-row lake (8 jobs over 8 days, with
 * baskets, demographics and dates), the figure issue 7 names: each query ≤ 1 s on 2 cores.
 *   npx tsx bench/insights-queries.ts [--rows N]
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DuckDBInstance } from '@duckdb/node-api';
import { DuckDbInsights } from '../functions/adapters/local/insights.ts';
import { loadTaxonomy } from '../functions/core/taxonomy.ts';
import { machineLine } from './machine.ts';

const { values } = parseArgs({ options: { rows: { type: 'string', default: '2000000' } } });
const rows = Number(values.rows);
const root = mkdtempSync(join(tmpdir(), 'aisle-bench-lake-'));
const leaves = loadTaxonomy().leaves;
mkdirSync(join(root, 'lake'), { recursive: true });

console.log(machineLine());
console.log(`generating a ${rows.toLocaleString('en-US')}-row lake in ${root} ...`);
const t0 = performance.now();
const db = await DuckDBInstance.create(':memory:');
const c = await db.connect();
const cats = leaves.map((l) => `('${l.id}', '${l.path[0]}', '${l.path[1].replace(/'/g, "''")}')`).join(', ');
await c.run(`CREATE TABLE cats AS SELECT row_number() OVER () - 1 AS n, * FROM (VALUES ${cats}) t(class_id, level1, level2)`);
await c.run(`
  COPY (
    SELECT 'job-' || (i % 8) AS job_id, i AS row_no, md5(i::VARCHAR)[1:16] AS item_key, 'product ' || i AS product_name,
      cats.class_id, cats.level1, cats.level2,
      (hash(i * 7) % 1000) / 1000.0 AS confidence,
      ['rules', 'encoder', 'llm', 'cache', 'review'][1 + (hash(i * 3) % 5)::INT] AS tier,
      CASE WHEN hash(i * 3) % 5 = 4 THEN 'needs_review' ELSE 'ok' END AS status,
      CASE WHEN hash(i * 3) % 5 = 0 THEN 'rule.' || (hash(i * 11) % 300) END AS rule_id,
      'm-' || (i % 8 // 4) AS model_version,
      [0, 0.01, 1, 0, 0.01][1 + (hash(i * 3) % 5)::INT] AS cost_units,
      '2026-11-0' || (1 + i % 8) || 'T10:00:00.000Z' AS decided_at,
      '2026-' || lpad((1 + hash(i * 13) % 12)::VARCHAR, 2, '0') || '-15' AS event_date,
      'b' || (i // 10) AS basket_id,
      ['18-24', '25-34', '35-54', '55+'][1 + (hash(i * 17) % 4)::INT] AS age_band,
      ['low', 'mid', 'high'][1 + (hash(i * 19) % 3)::INT] AS income_band,
      ['f', 'm'][1 + (hash(i * 23) % 2)::INT] AS gender,
      '{}' AS input,
      '2026-11-0' || (1 + i % 8) AS dt, 'job-' || (i % 8) AS job
    FROM range(${rows}) r(i) JOIN cats ON cats.n = hash(i * 5) % ${leaves.length}
  ) TO '${join(root, 'lake', 'results')}' (FORMAT parquet, PARTITION_BY (dt, job))`);
c.closeSync();
console.log(`generated in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);

const insights = new DuckDbInsights(join(root, 'lake'));
console.log('query                    rows   first (s)  median of 3 (s)  target');
let worst = 0;
for (const { name } of await insights.list()) {
  const times: number[] = [];
  let n = 0;
  for (let k = 0; k < 4; k++) {
    const t = performance.now();
    n = (await insights.run(name)).length;
    times.push((performance.now() - t) / 1000);
  }
  const median = [...times.slice(1)].sort((a, b) => a - b)[1];
  worst = Math.max(worst, median);
  console.log(
    `${name.padEnd(22)} ${String(n).padStart(6)}   ${times[0].toFixed(3).padStart(8)}   ${median.toFixed(3).padStart(14)}  ${median <= 1 ? '≤ 1 s ok' : '> 1 s MISSED'}`,
  );
}
console.log(`\nslowest query (median): ${worst.toFixed(3)} s over ${rows.toLocaleString('en-US')} rows`);
await insights.close();
rmSync(root, { recursive: true, force: true });
