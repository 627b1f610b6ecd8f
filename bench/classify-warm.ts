/**
 * `aisle classify` on a warm cache: each checkout fills its own cache with one cold run, then warm runs of the
 * same file alternate between the checkouts, so a change to the cache path (the version check of issue 15
 * item 2) is measured against its baseline in the same run, on the same machine.
 *
 *   npx tsx bench/classify-warm.ts [--rows N] [--runs N] [--tiers LIST] [--baseline DIR]
 *
 * --baseline: the root of another checkout with its own node_modules (e.g. `git archive main` unpacked, its
 * node_modules a folder of links to this one's packages). Without it, this checkout alone.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { writeCatalog } from './catalog-generator.ts';
import { loadAverages, machineLine } from './machine.ts';

const ROOT = resolve(import.meta.dirname, '..');
const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '20000' },
    runs: { type: 'string', default: '3' },
    tiers: { type: 'string', default: 'cache,encoder' },
    baseline: { type: 'string' },
  },
});
const rows = Number(values.rows);
const runs = Number(values.runs);
const work = join(process.env.AISLE_BENCH_DIR ?? tmpdir(), 'aisle-bench');
mkdirSync(work, { recursive: true });
const input = join(work, `catalog-${rows}.csv`);
if (!existsSync(input)) await writeCatalog(input, rows);

const checkouts = [
  { name: 'this checkout', root: ROOT },
  ...(values.baseline ? [{ name: `baseline ${values.baseline}`, root: resolve(values.baseline) }] : []),
].map((c, n) => ({ ...c, home: join(work, `warm-home-${n}`), warm: [] as { seconds: number; cpuSeconds: number; cached: number }[] }));

/** One `aisle classify` of the input with a checkout's CLI; wall and CPU seconds, and the rows the cache served. */
function classify(checkout: (typeof checkouts)[number]) {
  const started = performance.now();
  const cmd = ['/usr/bin/time', '-f', '__CPU=%U+%S', process.execPath, join(checkout.root, 'bin/aisle.mjs')];
  const args = ['classify', input, '--out', join(work, 'warm.out.csv'), '--tiers', values.tiers!, '--fresh'];
  const r = spawnSync(cmd[0], [...cmd.slice(1), ...args], {
    cwd: checkout.root,
    env: { ...process.env, AISLE_HOME: checkout.home },
    encoding: 'utf8',
  });
  const seconds = (performance.now() - started) / 1000;
  if (r.status !== 0) throw new Error(`${checkout.name}: aisle classify failed (${r.status}):\n${r.stderr}`);
  const cpu = /__CPU=([\d.]+)\+([\d.]+)/.exec(r.stderr);
  const cached = Number(/by tier:.*\bcache ([\d,]+)/.exec(r.stdout + r.stderr)?.[1].replaceAll(',', '') ?? 0);
  return { seconds, cpuSeconds: cpu ? Number(cpu[1]) + Number(cpu[2]) : Number.NaN, cached };
}

for (const c of checkouts) {
  rmSync(c.home, { recursive: true, force: true });
  classify(c); // fills the cache; a first run of the CLI also builds its bundle
}
for (let run = 0; run < runs; run++) {
  // Alternating which goes first, so neither always runs on a machine the other just warmed.
  for (const c of run % 2 ? [...checkouts].reverse() : checkouts) c.warm.push(classify(c));
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(machineLine());
console.log(`input:   ${rows.toLocaleString('en-US')} rows (${input}), --tiers ${values.tiers}, ${runs} warm runs each`);
console.log('');
console.log(`${'checkout'.padEnd(40)} ${'cached'.padStart(7)} ${'rows/s (median)'.padStart(16)} ${'CPU s (median)'.padStart(15)}`);
for (const c of checkouts) {
  const rate = Math.round(rows / median(c.warm.map((w) => w.seconds)));
  const cpu = median(c.warm.map((w) => w.cpuSeconds));
  console.log(
    `${c.name.padEnd(40)} ${String(c.warm[0].cached).padStart(7)} ${rate.toLocaleString('en-US').padStart(16)} ${cpu.toFixed(2).padStart(15)}`,
  );
}
if (checkouts.length === 2) {
  const [mine, base] = checkouts.map((c) => median(c.warm.map((w) => w.seconds)));
  const [myCpu, baseCpu] = checkouts.map((c) => median(c.warm.map((w) => w.cpuSeconds)));
  console.log(`ratio this/baseline: rows/s ${(base / mine).toFixed(3)}, CPU s ${(myCpu / baseCpu).toFixed(3)}`);
}
console.log(`load:    ${loadAverages()} (1, 5, 15 min averages at the end; ${availableParallelism()} cores)`);
