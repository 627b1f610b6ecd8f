/**
 * The shopper pipeline end to end (parse, dedupe, sessions, demographics, cascade categories, search links, Parquet
 * out) over a generated log, beside a plain DuckDB read_csv + COUNT(*) over the same file in the same run, with
 * the process's peak RSS, then each named insight query (functions/core/shoppers/insights) timed over the output. The log is generated first by `aisle shoppers generate` in a child process, so its
 * memory is not counted. Issue 17's target: 10M events, 1M shoppers, ≤ 120 s with all insights, ≤ 1 GB.
 *   npx tsx bench/shoppers.ts [--events 1000000] [--shoppers 100000] [--memory-limit 384MB] [--keep]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DuckDBInstance } from '@duckdb/node-api';
import { createLocalRuntime } from '../functions/adapters/local/runtime.ts';
import { cascadeClassifier } from '../functions/shoppers/classify.ts';
import { DuckDbShopperEngine } from '../functions/shoppers/duckdb.ts';
import { ShopperInsights } from '../functions/shoppers/insights.ts';
import { processShopperLogs } from '../functions/shoppers/pipeline.ts';
import { loadAverages, machineLine } from './machine.ts';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '1000000' },
    shoppers: { type: 'string', default: '100000' },
    'memory-limit': { type: 'string', default: '384MB' },
    keep: { type: 'boolean', default: false },
  },
});
const dir = mkdtempSync(join(tmpdir(), 'aisle-bench-shoppers-'));
const seconds = (since: number) => ((performance.now() - since) / 1000).toFixed(1);
const peakMb = () => Math.round(process.resourceUsage().maxRSS / 1024);

console.log(machineLine());
console.log(`load average at start: ${loadAverages()}`);
let t = performance.now();
const cli = fileURLToPath(new URL('../bin/aisle.mjs', import.meta.url));
const generated = spawnSync(
  process.execPath,
  [cli, 'shoppers', 'generate', '--events', values.events, '--shoppers', values.shoppers, '--seed', '1', '--out', dir],
  { encoding: 'utf8' },
);
if (generated.status !== 0) throw new Error(generated.stderr);
const logs = join(dir, 'shopper-logs.csv');
console.log(`generated ${Number(values.events).toLocaleString('en-US')} events (${(statSync(logs).size / 1e6).toFixed(0)} MB) in ${seconds(t)} s`);

t = performance.now();
const instance = await DuckDBInstance.create(':memory:', { memory_limit: values['memory-limit'] });
const c = await instance.connect();
const counted = (await c.runAndReadAll(`SELECT COUNT(*) AS n FROM read_csv('${logs}', all_varchar = true)`)).getRows()[0][0];
c.closeSync();
instance.closeSync();
const baseline = seconds(t);
console.log(`baseline  DuckDB read_csv + COUNT(*): ${counted} rows in ${baseline} s (peak RSS so far ${peakMb()} MB)`);

const rt = await createLocalRuntime({ home: join(dir, 'home'), env: {}, tiers: ['cache', 'rules', 'encoder'], warn: () => undefined });
const engine = await DuckDbShopperEngine.open({ tmpDir: join(dir, 'tmp'), memoryLimit: values['memory-limit'] });
t = performance.now();
const cpuAtStart = process.cpuUsage();
const steps: string[] = [];
const summary = await processShopperLogs(
  { logs, demographics: join(dir, 'demographics.csv'), out: join(dir, 'out') },
  { engine, classify: cascadeClassifier(rt.cascade, rt.taxonomy) },
  undefined,
  (step) => {
    steps.push(`${step} at ${seconds(t)} s / ${peakMb()} MB`);
  },
);
const total = seconds(t);
const cpu = process.cpuUsage(cpuAtStart);
await engine.close();
await rt.close();
// CPU seconds compare better than wall time on a shared machine; each step shows the peak RSS reached by its start.
console.log(
  `pipeline  ${total} s end to end, ${((cpu.user + cpu.system) / 1e6).toFixed(1)} CPU s (${steps.join(', ')}), ` +
    `peak RSS ${peakMb()} MB, DuckDB memory limit ${values['memory-limit']}`,
);
console.log(
  `          ${summary.eventsIn} in, ${summary.duplicatesDropped} duplicates, ${Object.values(summary.rejected).reduce((a, b) => a + b, 0)} rejected, ` +
    `${summary.sessions} sessions, ${summary.searchesLinked}/${summary.searches} searches linked`,
);

// Each insight query once over the Parquet output, in a fresh DuckDB: the first run, as `aisle shoppers insights` pays it.
const insights = await ShopperInsights.open(join(dir, 'out'));
let insightsTotal = 0;
for (const { name } of insights.list()) {
  t = performance.now();
  const rows = await insights.run(name);
  const ms = performance.now() - t;
  insightsTotal += ms;
  console.log(`insight   ${name.padEnd(30)} ${ms.toFixed(0).padStart(6)} ms  ${rows.length} rows`);
}
insights.close();
console.log(`insights  ${(insightsTotal / 1000).toFixed(1)} s in all, peak RSS ${peakMb()} MB; load average at end: ${loadAverages()}`);
if (values.keep) console.log(`kept ${dir}`);
else rmSync(dir, { recursive: true, force: true });
