/**
 * Core throughput of `aisle classify --tiers cache,rules` on a generated 1,000,000-row catalog (cold cache),
 * beside parse-only passes over the same file (the single-thread ceiling: aisle's reader, and csv-parse alone).
 * All run as child processes, so start-up counts. Besides wall time, each pass's CPU time (user + system, all threads): on a machine shared
 * with other work wall times swing, CPU seconds much less.
 *
 *   npx tsx bench/classify-throughput.ts [--rows N] [--runs N] [--default-tiers] [--baseline DIR]
 *
 * --default-tiers: the full cascade as `aisle classify` runs it without --tiers (cache, rules, encoder, and the
 * LLM where Ollama answers), one pass per run. --baseline DIR: the same passes with another checkout's CLI
 * (e.g. a worktree of main), alternating with this one's in each run.
 *
 * Targets: cache and rules (issue 2) ≥ 250,000 rows/s; the default tiers (issue 16) ≥ 50,000 rows/s; peak
 * RSS ≤ 500 MB for the whole classify process.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { writeCatalog } from './catalog-generator.ts';
import { loadAverages, machineLine } from './machine.ts';

const ROOT = resolve(import.meta.dirname, '..');
const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '1000000' },
    runs: { type: 'string', default: '1' },
    'default-tiers': { type: 'boolean', default: false },
    baseline: { type: 'string' },
  },
});
const rows = Number(values.rows);
const runs = Number(values.runs);
const defaultTiers = values['default-tiers'];
const checkouts: [string, string][] = [['', ROOT]];
if (values.baseline) checkouts.push([' (baseline)', resolve(values.baseline)]);
const work = join(process.env.AISLE_BENCH_DIR ?? tmpdir(), 'aisle-bench');
mkdirSync(work, { recursive: true });
const input = join(work, `catalog-${rows}.csv`);
if (!existsSync(input)) {
  console.error(`generating ${rows.toLocaleString('en-US')} rows → ${input}`);
  await writeCatalog(input, rows);
}

const hasTime = existsSync('/usr/bin/time');

interface Measured {
  seconds: number;
  /** User + system CPU seconds of the process, all threads. */
  cpuSeconds: number | null;
  rssMb: number | null;
}

/** Runs a command as a child process; wall seconds, CPU seconds and peak RSS (MB) from /usr/bin/time when present. */
function measure(cmd: string[], env: NodeJS.ProcessEnv = process.env): Measured & { stdout: string } {
  const started = performance.now();
  const argv = hasTime ? ['/usr/bin/time', '-f', '__RSS_KB=%M __CPU=%U+%S', ...cmd] : cmd;
  const r = spawnSync(argv[0], argv.slice(1), { cwd: ROOT, env, encoding: 'utf8', maxBuffer: 1 << 26 });
  const seconds = (performance.now() - started) / 1000;
  if (r.status !== 0) throw new Error(`${cmd.join(' ')} failed (${r.status}):\n${r.stderr}`);
  const kb = /__RSS_KB=(\d+)/.exec(r.stderr);
  const cpu = /__CPU=([\d.]+)\+([\d.]+)/.exec(r.stderr);
  return {
    seconds,
    cpuSeconds: cpu ? Number(cpu[1]) + Number(cpu[2]) : null,
    rssMb: kb ? Math.round(Number(kb[1]) / 1024) : null,
    stdout: r.stdout,
  };
}

const node = process.execPath;
const tsx = join(ROOT, 'node_modules/tsx/dist/cli.mjs');
const results: (Measured & { name: string })[] = [];
for (let run = 0; run < runs; run++) {
  for (const reader of ['aisle', 'csv-parse', 'csv-stringify']) {
    const parse = measure([node, tsx, join(ROOT, 'bench/parse-only.ts'), input, reader]);
    const counted = JSON.parse(parse.stdout.trim().split('\n').at(-1)!).records;
    if (counted !== rows) throw new Error(`parse-only (${reader}) counted ${counted} rows, expected ${rows}`);
    const what = {
      aisle: "parse-only (aisle's CSV reader)",
      'csv-parse': 'parse-only (csv-parse alone)',
      'csv-stringify': 'csv-parse → csv-stringify',
    }[reader];
    results.push({ name: what!, ...parse });
  }

  // The default run (worker threads, one per core; the job's lake export waits for the first insights query),
  // that first query, which pays for the export, the run with the export at its end (--lake), and the default
  // on one thread. With --default-tiers, the full cascade's run alone.
  const passes = defaultTiers
    ? ([['aisle classify (default tiers)', []]] as const)
    : ([
        ['aisle classify --tiers cache,rules', []],
        ['  … with --lake', ['--lake']],
        ['  … with --threads 1', ['--threads', '1']],
      ] as const);
  for (const [name, extra] of passes)
    for (const [which, checkout] of checkouts) {
      const home = join(work, 'home');
      rmSync(home, { recursive: true, force: true });
      const env = { ...process.env, AISLE_HOME: home };
      const out = join(work, 'catalog.out.csv');
      const tiers = defaultTiers ? [] : ['--tiers', 'cache,rules'];
      const cli = measure([node, join(checkout, 'bin/aisle.mjs'), 'classify', input, '--out', out, ...tiers, '--fresh', '-q', ...extra], env);
      if (!cli.stdout.includes(`${rows.toLocaleString('en-US')} rows in`)) throw new Error(`unexpected summary:\n${cli.stdout}`);
      results.push({ name: name + which, ...cli });
      if (extra.length === 0 && !defaultTiers) {
        const first = measure([node, join(checkout, 'bin/aisle.mjs'), 'insights', 'tier_mix', '--format', 'json'], env);
        const items = (JSON.parse(first.stdout) as { items: number }[]).reduce((n, r) => n + r.items, 0);
        if (items !== rows) throw new Error(`the lake holds ${items} items after the first insights query, expected ${rows}`);
        results.push({ name: `  then the first aisle insights${which}`, ...first });
      }
    }
}

console.log(machineLine());
console.log(`input:   ${rows.toLocaleString('en-US')} rows, ${(statSync(input).size / 2 ** 20).toFixed(1)} MiB (${input})`);
console.log('');
console.log(`${'pass'.padEnd(44)} ${'seconds'.padStart(8)} ${'rows/s'.padStart(10)} ${'CPU s'.padStart(7)} ${'peak RSS'.padStart(9)}`);
for (const r of results) {
  const rate = Math.round(rows / r.seconds);
  const cpu = r.cpuSeconds === null ? 'n/a' : r.cpuSeconds.toFixed(2);
  console.log(
    `${r.name.padEnd(44)} ${r.seconds.toFixed(2).padStart(8)} ${rate.toLocaleString('en-US').padStart(10)} ${cpu.padStart(7)} ${(r.rssMb === null ? 'n/a' : `${r.rssMb} MB`).padStart(9)}`,
  );
}
console.log(`load:    ${loadAverages()} (1, 5, 15 min averages at the end; ${availableParallelism()} cores)`);
if (!defaultTiers) console.log('\nthe first aisle insights after a run exports that run to the lake (rows/s: rows exported per second)');
console.log(`target: aisle classify ≥ ${defaultTiers ? '50,000' : '250,000'} rows/s, peak RSS ≤ 500 MB (start-up included, cold cache)`);
