/**
 * The local Parquet reader alone (functions/adapters/local/parquet-input.ts, DuckDB; issue 20): rows/s and peak
 * RSS reading a generated catalog (no classifying), each pass in a child process with start-up, against another
 * version of the reader in the same run (`--baseline FILE`: a parquet-input.ts, e.g. main's copied beside it).
 *
 *   npx tsx bench/parquet-reader.ts [--rows N] [--runs N] [--baseline FILE]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { ParquetOpener } from '../functions/core/input/open.ts';
import { copyCatalog, writeCatalog } from './catalog-generator.ts';
import { loadAverages, machineLine } from './machine.ts';

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '1000000' },
    runs: { type: 'string', default: '1' },
    baseline: { type: 'string' },
    one: { type: 'string' },
    input: { type: 'string' },
  },
});
const current = resolve(import.meta.dirname, '../functions/adapters/local/parquet-input.ts');

if (values.one) {
  // A child: read the file with one version of the reader, print rows, seconds, CPU seconds and peak RSS.
  const { openParquet } = (await import(pathToFileURL(values.one).href)) as { openParquet: ParquetOpener };
  const started = performance.now();
  let n = 0;
  for await (const b of openParquet({ path: values.input, bytes: (async function* () {})() }, { batchSize: 8192 }).batches()) {
    n += b.rows.length + b.rejects.length;
  }
  const usage = process.resourceUsage();
  const cpuSeconds = (usage.userCPUTime + usage.systemCPUTime) / 1e6;
  console.log(JSON.stringify({ rows: n, seconds: (performance.now() - started) / 1000, cpuSeconds, rssMb: Math.round(usage.maxRSS / 1024) }));
  process.exit(0);
}

const rows = Number(values.rows);
const work = join(process.env.AISLE_BENCH_DIR ?? tmpdir(), 'aisle-bench-formats');
mkdirSync(work, { recursive: true });
const csv = join(work, `catalog-${rows}.csv`);
const parquet = join(work, `catalog-${rows}.parquet`);
if (!existsSync(csv)) await writeCatalog(csv, rows);
await copyCatalog(csv, { [parquet]: 'parquet' });

const passes: [string, string][] = [['reader, this checkout', current]];
if (values.baseline) passes.unshift(['reader, baseline', resolve(values.baseline)]);
console.log(machineLine());
console.log(`input:   ${rows.toLocaleString('en-US')} rows, ${parquet}`);
console.log(
  `${'pass'.padEnd(24)} ${'seconds'.padStart(8)} ${'rows/s'.padStart(10)} ${'vs base'.padStart(8)} ${'CPU s'.padStart(7)} ${'peak RSS'.padStart(9)}`,
);
for (let run = 0; run < Number(values.runs); run++) {
  let base: number | undefined;
  for (const [name, module] of passes) {
    const r = spawnSync(process.execPath, [...process.execArgv, import.meta.filename, '--one', module, '--input', parquet], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${name} failed:\n${r.stderr}`);
    const m = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { rows: number; seconds: number; cpuSeconds: number; rssMb: number };
    if (m.rows !== rows) throw new Error(`${name}: ${m.rows} rows read, ${rows} expected`);
    const rate = rows / m.seconds;
    base ??= rate;
    console.log(
      `${name.padEnd(24)} ${m.seconds.toFixed(2).padStart(8)} ${Math.round(rate).toLocaleString('en-US').padStart(10)} ` +
        `${(rate / base).toFixed(2).padStart(8)} ${m.cpuSeconds.toFixed(2).padStart(7)} ${`${m.rssMb} MB`.padStart(9)}`,
    );
  }
}
console.log(`load:    ${loadAverages()} (1, 5, 15 min averages at the end)`);
