/**
 * Similar products at scale, whole process: N item names (the starter catalog's names, each with a word of
 * another name appended, so all are distinct) → vectors → the local index (upserts, then the HNSW graph built on
 * first query) → 1,000 queries through the graph beside the exact scan over the same index (the baseline, same
 * run): p50/p99 per query and the graph's recall@10 against the scan, for each ef_search asked (the saved graph
 * loaded again with it). Then the API: `aisle serve` over the same names indexed as it indexes a tenant without
 * labels (the category slots empty, as in its queries), autocannon on POST /v1/similar (distinct texts) and
 * GET /v1/items/{key}/similar beside GET /health (the baseline), with the server's CPU time per request (the whole
 * process's, and its main thread's: the graph's own thread beside it) and its peak RSS. CPU seconds are the process's
 * (usearch's threads included): on a shared machine they, not wall time, compare.
 *
 * Vectors are the served layout (`--layout served`): the names' ITEM_DIMENSIONS and the CATEGORY_SLOTS of a
 * tenant's category model, here a stand-in model (fitting one and vectorizing through it costs ~1 ms a name) that
 * files each name 0.7 in its catalog name's level 2 and 0.3 in another's; `--layout names`: the names' alone.
 * `--baseline DIR` runs the same afterwards with the index code of another checkout (DIR, e.g. main's), in a process
 * of its own, so the peak RSS after the build and the query CPU compare; its server (DIR's `aisle serve`) is measured
 * beside this checkout's, both up at once over the same index, autocannon alternating between them run by run
 * (`--api-rounds` runs of `--api-seconds` each per route), so both see the same load on a shared machine.
 * `--server-prof DIR`: the servers' CPU profiles (node --cpu-prof) in DIR. `--home DIR`: the built indexes kept in DIR
 * and reused by the next run of the same size and layout; `--api-only`: the servers alone over them.
 *
 *   npx tsx --expose-gc bench/similar.ts --items 100000 [--m 16 --ef-add 128 --ef-search 32,64,96] [--api-seconds 3]
 *     [--api-rounds 4] [--no-api | --api-only] [--layout served|names] [--baseline /work/main] [--server-prof DIR]
 *     [--home DIR]
 */
import { execSync, spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
// @ts-expect-error autocannon ships no types (and @types/autocannon is not installed)
import autocannon from 'autocannon';
import { parse } from 'csv-parse/sync';
import { DEFAULT_GRAPH } from '../functions/adapters/local/vector-index-ann.ts';
import { toCascadeItem } from '../functions/core/normalize.ts';
import { StaticEmbedder } from '../functions/embeddings/static-embedder.ts';
import { type CategoryModel, CategoryVectorizer } from '../functions/similar/category-model.ts';
import { INDEX_DIMENSIONS, ItemVectorizer, type NameVectorizer } from '../functions/similar/vectors.ts';
import { loadAverages, machineLine } from './machine.ts';

const { values } = parseArgs({
  options: {
    items: { type: 'string', default: '100000' },
    'api-seconds': { type: 'string', default: '3' },
    'api-rounds': { type: 'string', default: '4' },
    'no-api': { type: 'boolean', default: false },
    'api-only': { type: 'boolean', default: false },
    m: { type: 'string', default: String(DEFAULT_GRAPH.connectivity) },
    'ef-add': { type: 'string', default: String(DEFAULT_GRAPH.expansionAdd) },
    'ef-search': { type: 'string', default: String(DEFAULT_GRAPH.expansionSearch) },
    rescore: { type: 'string', default: String(DEFAULT_GRAPH.rescore) },
    'exact-queries': { type: 'string', default: '200' },
    layout: { type: 'string', default: 'served' },
    baseline: { type: 'string' },
    'index-from': { type: 'string', default: join(import.meta.dirname, '..') },
    'server-prof': { type: 'string' },
    home: { type: 'string' },
  },
});
// The index code measured: this checkout's, or another's (the baseline's run).
const { LocalVectorIndex } = (await import(
  join(values['index-from'], 'functions/adapters/local/vector-index.ts')
)) as typeof import('../functions/adapters/local/vector-index.ts');
const N = Number(values.items);
const graph = { connectivity: Number(values.m), expansionAdd: Number(values['ef-add']) };
const efSearch = values['ef-search'].split(',').map(Number);
const rescores = values.rescore.split(',').map(Number);
const peakMb = () => Math.round(process.resourceUsage().maxRSS / 1024);
let cpuFrom = process.cpuUsage();
/** Wall seconds since `from` and the process's CPU seconds since the last call. */
const seconds = (from: number) => {
  const cpu = process.cpuUsage(cpuFrom);
  cpuFrom = process.cpuUsage();
  return `${((performance.now() - from) / 1000).toFixed(1)} s (CPU ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s)`;
};
const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];

console.log(machineLine());
console.log(`${N.toLocaleString('en')} items; load average before: ${loadAverages()}`);

const catalog = parse(readFileSync(join(import.meta.dirname, '../models/starter/catalog.csv')), { columns: true }) as {
  product_name: string;
  level2: string;
}[];
const base = catalog.map((r) => r.product_name);
const words = [...new Set(base.flatMap((n) => n.split(' ')).filter((w) => /^[A-Za-z]{4,}$/.test(w)))];
const nameOf = (i: number) => `${base[i % base.length]} ${words[(i * 7919) % words.length]} ${Math.floor(i / base.length)}`;

/** A category model's stand-in: a name (a catalog name, maybe with a word and a number after it) is 0.7 its catalog name's level 2, 0.3 another's. */
function standInModel(): CategoryModel {
  const categories = [...new Set(catalog.map((r) => r.level2))].sort();
  const classOf = new Map(catalog.map((r) => [r.product_name, categories.indexOf(r.level2)]));
  const probabilities = (name: string) => {
    const p = new Float32Array(categories.length);
    const own = classOf.get(name) ?? classOf.get(name.split(' ').slice(0, -2).join(' ')) ?? 0;
    p[own] += 0.7;
    p[(own + 1 + (name.length % (categories.length - 1))) % categories.length] += 0.3;
    return p;
  };
  return { categories, probabilities } as unknown as CategoryModel;
}

// --home DIR keeps the built indexes there and reuses them (a 1M build takes ~7 min): each is built only when DIR
// holds none of this size and layout.
const home = values.home ?? mkdtempSync(join(tmpdir(), 'aisle-bench-similar-'));
const builtMark = (dir: string) => join(dir, 'bench-built.json');
const builtAs = (layout: string) => JSON.stringify({ items: N, layout });
const isBuilt = (dir: string, layout: string) =>
  values.home !== undefined && existsSync(builtMark(dir)) && readFileSync(builtMark(dir), 'utf8') === builtAs(layout);
let t = performance.now();
const names = new ItemVectorizer(StaticEmbedder.load());
const vectorizer: NameVectorizer = values.layout === 'names' ? names : new CategoryVectorizer(names, standInModel());
const keys = Array.from({ length: N }, (_, i) => toCascadeItem({ name: nameOf(i) }).key);
const batch = 10_000;

/** The N names' vectors upserted into an index at `dir`, its graph built and flushed (skipped when --home holds it). */
async function buildIndex(dir: string, layout: string, dimensions: number, vectorOf: (name: string) => Float32Array, query: Float32Array) {
  if (isBuilt(dir, layout)) {
    console.log(`index ${dir} (${layout}): reused`);
    return;
  }
  rmSync(join(dir, 'vectors'), { recursive: true, force: true });
  cpuFrom = process.cpuUsage();
  let index: InstanceType<typeof LocalVectorIndex> | null = new LocalVectorIndex(join(dir, 'vectors'), { dimensions, graph });
  t = performance.now();
  for (let i = 0; i < N; i += batch) {
    const upto = Math.min(N, i + batch);
    await index.upsert(keys.slice(i, upto).map((key, j) => ({ key, name: nameOf(i + j), classId: null, vector: vectorOf(nameOf(i + j)) })));
  }
  console.log(`vectors + upserts (${layout}): ${seconds(t)}, ${dimensions} dimensions, peak ${peakMb()} MB`);
  t = performance.now();
  await index.query(query, { k: 10 }); // builds the graph when N ≥ annFrom
  console.log(`HNSW graph build (usearch, i8, M=${graph.connectivity}, ef_add=${graph.expansionAdd}): ${seconds(t)}, peak ${peakMb()} MB`);
  t = performance.now();
  await index.flush();
  console.log(
    `flush (items, vectors, graph to disk): ${seconds(t)}, peak ${peakMb()} MB (the index built: the memory figure), load average: ${loadAverages()}`,
  );
  index = null;
  writeFileSync(builtMark(dir), builtAs(layout));
}

/** In process: the graph's recall against the exact scan and its query CPU, for each ef_search and rescoring depth. */
async function inProcess() {
  const queries = Array.from({ length: 1000 }, (_, i) => vectorizer.vector(`${base[(i * 31) % base.length]}`));
  await buildIndex(home, values.layout, vectorizer.dimensions, (name) => vectorizer.vector(name), queries[0]);
  // One index in memory at a time from here (usearch frees a graph when its object is collected).
  const collect = () => (globalThis as { gc?: () => void }).gc?.();
  collect();

  // The truth: the exact scan of the same vectors (the folder the first index wrote), the baseline of the same run.
  const exact = new LocalVectorIndex(join(home, 'vectors'), { dimensions: vectorizer.dimensions, annFrom: Number.POSITIVE_INFINITY });
  const exactQueries = Number(values['exact-queries']);
  const truths: Set<string>[] = [];
  // The exact 10th score of each query: a generated catalog holds many near-identical names, and which of a tie the
  // scan and the graph put 10th is arbitrary, so recall is also counted as ann-benchmarks does (a result counts when
  // its exact score is within 1e-3 of the 10th), beside recall by key.
  const tenthScores: number[] = [];
  const exactMs: number[] = [];
  t = performance.now();
  cpuFrom = process.cpuUsage();
  for (let i = 0; i < exactQueries; i++) {
    const s = performance.now();
    const found = await exact.query(queries[i], { k: 10 });
    truths.push(new Set(found.map((m) => m.key)));
    tenthScores.push(found.at(-1)?.score ?? Number.NEGATIVE_INFINITY);
    exactMs.push(performance.now() - s);
  }
  const ms = (x: number) => x.toFixed(2);
  console.log(
    `exact scan, the baseline (${exactQueries}): p50 ${ms(percentile(exactMs, 0.5))} ms, p99 ${ms(percentile(exactMs, 0.99))} ms; ${seconds(t)}`,
  );
  for (const [ef, rescore] of efSearch.flatMap((ef) => rescores.map((r) => [ef, r]))) {
    collect();
    // The saved graph, loaded with this ef_search (a fresh index over the same folder).
    const ann = new LocalVectorIndex(join(home, 'vectors'), {
      dimensions: vectorizer.dimensions,
      graph: { ...graph, expansionSearch: ef, rescore },
    });
    await ann.query(queries[0], { k: 10 });
    cpuFrom = process.cpuUsage();
    t = performance.now();
    const annMs: number[] = [];
    let hits = 0;
    let hitsWithinTies = 0;
    for (let i = 0; i < queries.length; i++) {
      const s = performance.now();
      const found = await ann.query(queries[i], { k: 10 });
      annMs.push(performance.now() - s);
      if (i < exactQueries) {
        hits += found.filter((m) => truths[i].has(m.key)).length;
        hitsWithinTies += found.filter((m) => m.score >= tenthScores[i] - 1e-3).length;
      }
    }
    const cpu = process.cpuUsage(cpuFrom);
    console.log(
      `graph, ef_search ${ef}, rescoring ${rescore}·k (k=10, ${queries.length} queries): p50 ${ms(percentile(annMs, 0.5))} ms, p99 ${ms(percentile(annMs, 0.99))} ms, ` +
        `CPU ${ms((cpu.user + cpu.system) / 1000 / queries.length)} ms/query, recall@10 against the scan ${(hits / (exactQueries * 10)).toFixed(4)} by key, ` +
        `${(hitsWithinTies / (exactQueries * 10)).toFixed(4)} within 1e-3 of the 10th exact score`,
    );
    // The same search from items' own vectors (GET /v1/items/{key}/similar: the item itself left out), beside the texts'.
    const items = await Promise.all(
      queries.map(async (_, i) => ({ key: keys[(i * 7919) % N], vector: (await ann.get(keys[(i * 7919) % N]))!.vector })),
    );
    cpuFrom = process.cpuUsage();
    for (const { key, vector } of items) await ann.query(vector, { k: 10, exclude: [key] });
    const itemCpu = process.cpuUsage(cpuFrom);
    console.log(`  the same from ${items.length} items' vectors: CPU ${ms((itemCpu.user + itemCpu.system) / 1000 / items.length)} ms/query`);
  }
  console.log(`peak ${peakMb()} MB (the exact scan's index and each ef_search's too); load average: ${loadAverages()}`);
}
if (!values['api-only']) await inProcess();

if (!values['no-api']) {
  // `aisle serve` over the index folder (the bench's items are the default tenant's, as the server's key is); with
  // --baseline, the baseline's server too, over a copy of it, both up at once and autocannon alternating between
  // them run by run: on a shared machine the two then see the same load, and their figures compare.
  const serveFrom = async (checkout: string, aisleHome: string) => {
    const env = { ...process.env, AISLE_HOME: aisleHome };
    const bin = join(checkout, 'bin/aisle.mjs');
    const apiKey = execSync(`node ${bin} keys create --name bench`, { env, stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
    const port = 18000 + Math.floor(Math.random() * 1000);
    const prof = values['server-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${values['server-prof']}`] : [];
    const server = spawn(process.execPath, [...prof, bin, 'serve', '--port', String(port), '--rate-limit', '0'], {
      env: { ...env, OLLAMA_HOST: 'http://127.0.0.1:9' },
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const started = performance.now();
    await new Promise<void>((ok) => server.stdout!.on('data', (d: Buffer) => d.toString().includes('aisle serve: http') && ok()));
    console.log(`aisle serve [${checkout}]: listening after ${((performance.now() - started) / 1000).toFixed(1)} s`);
    // The server's own CPU time (user + system, /proc), so a request's cost compares across loads: the whole process's
    // and its main thread's (the one that answers HTTP; a graph thread beside it runs on another core).
    const ticks = (stat: string) => {
      const f = readFileSync(stat, 'utf8').split(') ')[1].split(' ');
      return (Number(f[11]) + Number(f[12])) / 100;
    };
    const cpuSeconds = () => ({ all: ticks(`/proc/${server.pid}/stat`), main: ticks(`/proc/${server.pid}/task/${server.pid}/stat`) });
    return {
      checkout,
      server,
      cpuSeconds,
      url: `http://127.0.0.1:${port}`,
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    };
  };
  // The servers' index: the same names vectorized as `aisle serve` vectorizes a tenant without labels (the bench's
  // server has none): the category slots empty, as in the texts it makes queries of. Over the stand-in model's vectors
  // a text's query would lack the category part its items have, a query no server makes (its graph search costs
  // ~1.7× a consistent one's: 0.45 against 0.27 ms in-process at 30k).
  const served = join(home, 'served');
  const unlabelled = new CategoryVectorizer(names, null);
  // The graph built and saved by the flush for the servers to load.
  await buildIndex(served, 'served, slots empty', INDEX_DIMENSIONS, (name) => unlabelled.vector(name), unlabelled.vector(base[0]));
  const servers = [await serveFrom(values['index-from'], served)];
  if (values.baseline) {
    rmSync(join(home, 'baseline'), { recursive: true, force: true });
    cpSync(join(served, 'vectors'), join(home, 'baseline', 'vectors'), { recursive: true });
    servers.push(await serveFrom(values.baseline, join(home, 'baseline')));
  }
  let n = 0;
  const routes: [string, (url: string) => Record<string, unknown>][] = [
    ['GET /health (the HTTP stack)', (url) => ({ url: `${url}/health` })],
    [
      'POST /v1/similar {text, k: 10}',
      (url) => ({
        url: `${url}/v1/similar`,
        method: 'POST',
        requests: [{ setupRequest: (req: Record<string, unknown>) => ({ ...req, body: JSON.stringify({ text: base[n++ % base.length], k: 10 }) }) }],
      }),
    ],
    [
      'GET /v1/items/{key}/similar?k=10',
      (url) => ({
        url,
        requests: [{ setupRequest: (req: Record<string, unknown>) => ({ ...req, path: `/v1/items/${keys[(n++ * 7) % keys.length]}/similar?k=10` }) }],
      }),
    ],
  ];
  const runSeconds = Number(values['api-seconds']);
  const rounds = Number(values['api-rounds']);
  console.log(
    `autocannon: 16 keep-alive connections, ${rounds} runs of ${runSeconds} s per route and server (after a 1 s warm-up), ` +
      `client on the same machine; load average: ${loadAverages()}`,
  );
  for (const [title, opts] of routes) {
    const totals = servers.map(() => ({
      requests: 0,
      seconds: 0,
      cpu: 0,
      mainCpu: 0,
      p50: [] as number[],
      p99: [] as number[],
      rates: [] as number[],
      non2xx: 0,
    }));
    for (const s of servers) await autocannon({ connections: 16, duration: 1, headers: s.headers, ...opts(s.url) });
    for (let round = 0; round < rounds; round++) {
      // Who goes first alternates.
      for (const i of servers.map((_, i) => (round % 2 ? servers.length - 1 - i : i))) {
        const s = servers[i];
        const before = s.cpuSeconds();
        const r = await autocannon({ connections: 16, pipelining: 1, duration: runSeconds, headers: s.headers, ...opts(s.url) });
        const t = totals[i];
        const after = s.cpuSeconds();
        t.cpu += after.all - before.all;
        t.mainCpu += after.main - before.main;
        t.requests += r.requests.total;
        t.seconds += r.duration;
        t.rates.push(Math.round(r.requests.total / r.duration));
        t.p50.push(r.latency.p50);
        t.p99.push(r.latency.p99);
        t.non2xx += r.non2xx;
      }
    }
    servers.forEach((s, i) => {
      const t = totals[i];
      const perRequest = (t.cpu * 1000) / t.requests;
      const mainPerRequest = (t.mainCpu * 1000) / t.requests;
      console.log(
        `${title}${servers.length > 1 ? ` [${s.checkout}]` : ''}: ${(t.requests / t.seconds).toFixed(0)} req/s (runs ${t.rates.join('/')}), p50 ${t.p50.join('/')} ms, ` +
          `p99 ${t.p99.join('/')} ms, non-2xx ${t.non2xx}, server CPU ${perRequest.toFixed(3)} ms/request (${Math.round(1000 / perRequest)} req/s per core), ` +
          `its main thread ${mainPerRequest.toFixed(3)} ms/request (${Math.round(1000 / mainPerRequest)} req/s on one core)`,
      );
    });
    console.log(`  load average: ${loadAverages()}`);
  }
  for (const s of servers) {
    const hwm = readFileSync(`/proc/${s.server.pid}/status`, 'utf8').match(/VmHWM:\s+(\d+) kB/)?.[1];
    console.log(`aisle serve [${s.checkout}]: peak RSS ${Math.round(Number(hwm) / 1024)} MB (the index loaded and served)`);
    const exited = new Promise((done) => s.server.once('exit', done));
    s.server.kill();
    await exited; // a CPU profile (--server-prof) is written as the server exits
  }
}
if (!values.home) rmSync(home, { recursive: true, force: true });

if (values.baseline && !values['api-only']) {
  // The same items and queries with the baseline's index code, in a process of its own; its lines below (its API was
  // measured above, beside this checkout's).
  console.log(`\nbaseline: the index code of ${values.baseline}`);
  const args = process.argv.slice(2).filter((a, i, all) => !['--baseline', '--home'].includes(a) && !['--baseline', '--home'].includes(all[i - 1]));
  // Its indexes of its own (kept beside this run's with --home): built by its code.
  const own = values.home ? ['--home', join(values.home, 'baseline-code')] : [];
  spawnSync(process.execPath, [...process.execArgv, process.argv[1], ...args, ...own, '--index-from', values.baseline, '--no-api'], {
    stdio: 'inherit',
  });
}
