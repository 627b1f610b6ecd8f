/**
 * `aisle classify --tiers cache,rules` over one generated catalog in several containers and formats (issue 20):
 * plain CSV (the baseline, in the same run), CSV in gzip, CSV in zstd (where the zstd tool is installed),
 * Parquet, JSON lines. Each a child process (start-up counted) on every core (`aisle classify`'s default: a
 * UTF-8 CSV, plain or compressed, and a Parquet (written as CSV by DuckDB) are cut into byte slices that workers
 * parse; any other input is read on the main thread and its rows classified by workers), or on `--threads N`.
 * Wall seconds, rows/s, the ratio to plain CSV, CPU seconds and peak RSS (from /usr/bin/time when present).
 *
 *   npx tsx bench/classify-formats.ts [--rows N] [--runs N] [--threads N] [--formats gzip,zstd,parquet,jsonl]
 *
 * `--formats` picks the passes after the plain CSV (always run: the baseline); default all of them.
 *
 * Target: the .csv.gz and .parquet runs within 10% of the plain CSV's rows/s, peak memory unchanged.
 */
import { spawnSync } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { createGzip } from 'node:zlib';
import { copyCatalog, writeCatalog } from './catalog-generator.ts';
import { loadAverages, machineLine } from './machine.ts';

const ROOT = resolve(import.meta.dirname, '..');
const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '1000000' },
    runs: { type: 'string', default: '1' },
    threads: { type: 'string' },
    formats: { type: 'string' },
  },
});
const threads = ['--threads', values.threads ?? String(availableParallelism())];
const rows = Number(values.rows);
const runs = Number(values.runs);
const work = join(process.env.AISLE_BENCH_DIR ?? tmpdir(), 'aisle-bench-formats');
mkdirSync(work, { recursive: true });
const csv = join(work, `catalog-${rows}.csv`);
const inputs = {
  csv,
  gzip: `${csv}.gz`,
  zstd: `${csv}.zst`,
  parquet: join(work, `catalog-${rows}.parquet`),
  jsonl: join(work, `catalog-${rows}.jsonl`),
};
if (!existsSync(csv)) await writeCatalog(csv, rows);
if (!existsSync(inputs.gzip)) await pipeline(createReadStream(csv), createGzip(), createWriteStream(inputs.gzip));
// Node 20's zlib has no zstd encoder: the zstd tool writes it, where it is installed.
const hasZstd = spawnSync('zstd', ['--version']).status === 0;
if (hasZstd && !existsSync(inputs.zstd)) spawnSync('zstd', ['-q', '-f', csv, '-o', inputs.zstd]);
await copyCatalog(csv, { [inputs.parquet]: 'parquet', [inputs.jsonl]: 'json' });

const hasTime = existsSync('/usr/bin/time');
interface Measured {
  name: string;
  seconds: number;
  cpuSeconds: number | null;
  rssMb: number | null;
}

function classify(name: string, input: string, extra: string[]): Measured {
  const home = join(work, 'home');
  rmSync(home, { recursive: true, force: true });
  const cmd = [process.execPath, join(ROOT, 'bin/aisle.mjs'), 'classify', input, '--out', join(work, 'out.csv'), '--tiers', 'cache,rules'];
  const argv = [...(hasTime ? ['/usr/bin/time', '-f', '__RSS_KB=%M __CPU=%U+%S'] : []), ...cmd, '--fresh', '--no-lake', '-q', ...extra];
  const started = performance.now();
  const r = spawnSync(argv[0], argv.slice(1), { cwd: ROOT, env: { ...process.env, AISLE_HOME: home }, encoding: 'utf8', maxBuffer: 1 << 26 });
  const seconds = (performance.now() - started) / 1000;
  if (r.status !== 0) throw new Error(`${name} failed (${r.status}):\n${r.stderr}`);
  if (!r.stdout.includes(`${rows.toLocaleString('en-US')} rows in`)) throw new Error(`${name}: unexpected summary:\n${r.stdout}`);
  const kb = /__RSS_KB=(\d+)/.exec(r.stderr);
  const cpu = /__CPU=([\d.]+)\+([\d.]+)/.exec(r.stderr);
  return { name, seconds, cpuSeconds: cpu ? Number(cpu[1]) + Number(cpu[2]) : null, rssMb: kb ? Math.round(Number(kb[1]) / 1024) : null };
}

const passes = { gzip: 'CSV in gzip', zstd: 'CSV in zstd', parquet: 'Parquet', jsonl: 'JSON lines' } as const;
const formats = (
  values.formats ??
  Object.keys(passes)
    .filter((f) => f !== 'zstd' || hasZstd)
    .join(',')
).split(',') as (keyof typeof passes)[];
for (const f of formats) if (!(f in passes)) throw new Error(`--formats: ${f} is none of ${Object.keys(passes).join(', ')}`);
if (formats.includes('zstd') && !hasZstd) throw new Error('--formats zstd: the zstd tool is not installed');
const results: Measured[] = [];
for (let run = 0; run < runs; run++) {
  results.push(classify('plain CSV (baseline)', inputs.csv, threads));
  for (const f of formats) results.push(classify(passes[f], inputs[f], threads));
}

console.log(machineLine());
const mib = (p: string) => `${(statSync(p).size / 2 ** 20).toFixed(1)} MiB`;
console.log(`threads: ${threads[1]} (--threads)`);
console.log(
  `input:   ${rows.toLocaleString('en-US')} rows; csv ${mib(inputs.csv)}, gzip ${mib(inputs.gzip)}${hasZstd ? `, zstd ${mib(inputs.zstd)}` : ''}, parquet ${mib(inputs.parquet)}, jsonl ${mib(inputs.jsonl)}`,
);
console.log('');
console.log(
  `${'pass'.padEnd(36)} ${'seconds'.padStart(8)} ${'rows/s'.padStart(10)} ${'vs CSV'.padStart(7)} ${'CPU s'.padStart(7)} ${'peak RSS'.padStart(9)} ${'vs CSV'.padStart(7)}`,
);
for (let i = 0; i < results.length; i++) {
  const r = results[i];
  const baseline = results[i - (i % (formats.length + 1))];
  const rate = rows / r.seconds;
  const ratio = rate / (rows / baseline.seconds);
  console.log(
    `${r.name.padEnd(36)} ${r.seconds.toFixed(2).padStart(8)} ${Math.round(rate).toLocaleString('en-US').padStart(10)} ${ratio.toFixed(2).padStart(7)} ` +
      `${(r.cpuSeconds?.toFixed(2) ?? 'n/a').padStart(7)} ${(r.rssMb === null ? 'n/a' : `${r.rssMb} MB`).padStart(9)} ` +
      `${(r.rssMb === null || baseline.rssMb === null ? 'n/a' : (r.rssMb / baseline.rssMb).toFixed(2)).padStart(7)}`,
  );
}
console.log(`load:    ${loadAverages()} (1, 5, 15 min averages at the end; ${availableParallelism()} cores)`);
console.log('target: gzip, zstd and Parquet within 10% of plain CSV rows/s (vs CSV ≥ 0.90), peak RSS unchanged (within ~5%)');
