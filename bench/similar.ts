/**
 * Similar products at scale, whole process: N item names (the starter catalog's names, each with a word of
 * another name appended, so all are distinct) → vectors → the local index (upserts, then the HNSW graph built on
 * first query) → 1,000 queries through the graph beside the exact scan over the same index (the baseline, same
 * run): p50/p99 per query and the graph's recall@10 against the scan, for each ef_search asked (the saved graph
 * loaded again with it). Then the API: `aisle serve` over that index, autocannon on POST /v1/similar and
 * GET /v1/items/{key}/similar beside GET /health (the baseline), with the server's CPU time per request.
 * CPU seconds are the process's (usearch's threads included): on a shared machine they, not wall time, compare.
 *
 *   npx tsx bench/similar.ts --items 100000 [--m 16 --ef-add 128 --ef-search 32,64,96] [--api-seconds 10] [--no-api]
 */
import { execSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
// @ts-expect-error autocannon ships no types (and @types/autocannon is not installed)
import autocannon from 'autocannon';
import { parse } from 'csv-parse/sync';
import { LocalVectorIndex } from '../functions/adapters/local/vector-index.ts';
import { DEFAULT_GRAPH } from '../functions/adapters/local/vector-index-ann.ts';
import { toCascadeItem } from '../functions/core/normalize.ts';
import { StaticEmbedder } from '../functions/embeddings/static-embedder.ts';
import { ItemVectorizer } from '../functions/similar/vectors.ts';
import { loadAverages, machineLine } from './machine.ts';

const { values } = parseArgs({
  options: {
    items: { type: 'string', default: '100000' },
    'api-seconds': { type: 'string', default: '10' },
    'no-api': { type: 'boolean', default: false },
    m: { type: 'string', default: String(DEFAULT_GRAPH.connectivity) },
    'ef-add': { type: 'string', default: String(DEFAULT_GRAPH.expansionAdd) },
    'ef-search': { type: 'string', default: String(DEFAULT_GRAPH.expansionSearch) },
  },
});
const N = Number(values.items);
const graph = { connectivity: Number(values.m), expansionAdd: Number(values['ef-add']) };
const efSearch = values['ef-search'].split(',').map(Number);
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

const catalog = parse(readFileSync(join(import.meta.dirname, '../models/starter/catalog.csv')), { columns: true }) as { product_name: string }[];
const base = catalog.map((r) => r.product_name);
const words = [...new Set(base.flatMap((n) => n.split(' ')).filter((w) => /^[A-Za-z]{4,}$/.test(w)))];
const nameOf = (i: number) => `${base[i % base.length]} ${words[(i * 7919) % words.length]} ${Math.floor(i / base.length)}`;

const home = mkdtempSync(join(tmpdir(), 'aisle-bench-similar-'));
let t = performance.now();
const vectorizer = new ItemVectorizer(StaticEmbedder.load());
const index = new LocalVectorIndex(join(home, 'vectors'), { dimensions: vectorizer.dimensions, graph });
const keys: string[] = [];
const batch = 10_000;
for (let i = 0; i < N; i += batch) {
  const entries = [];
  for (let j = i; j < Math.min(N, i + batch); j++) {
    const name = nameOf(j);
    const key = toCascadeItem({ name }).key;
    keys.push(key);
    entries.push({ key, name, classId: null, vector: vectorizer.vector(name) });
  }
  await index.upsert(entries);
}
console.log(`vectors + upserts: ${seconds(t)}, ${vectorizer.dimensions} dimensions, peak ${peakMb()} MB`);

const queries = Array.from({ length: 1000 }, (_, i) => vectorizer.vector(`${base[(i * 31) % base.length]}`));
t = performance.now();
await index.query(queries[0], { k: 10 }); // builds the graph when N ≥ annFrom
console.log(`HNSW graph build (usearch, i8, M=${graph.connectivity}, ef_add=${graph.expansionAdd}): ${seconds(t)}, peak ${peakMb()} MB`);
t = performance.now();
await index.flush();
console.log(`flush (items, vectors, graph to disk): ${seconds(t)}, load average: ${loadAverages()}`);

// The truth: the exact scan of the same vectors (the folder the first index wrote), the baseline of the same run.
const exact = new LocalVectorIndex(join(home, 'vectors'), { dimensions: vectorizer.dimensions, annFrom: Number.POSITIVE_INFINITY });
const exactQueries = 200;
const truths: Set<string>[] = [];
const exactMs: number[] = [];
for (let i = 0; i < exactQueries; i++) {
  const s = performance.now();
  truths.push(new Set((await exact.query(queries[i], { k: 10 })).map((m) => m.key)));
  exactMs.push(performance.now() - s);
}
const ms = (x: number) => x.toFixed(2);
console.log(
  `exact scan, the baseline (${exactQueries}): p50 ${ms(percentile(exactMs, 0.5))} ms, p99 ${ms(percentile(exactMs, 0.99))} ms; ${seconds(t)}`,
);
for (const ef of efSearch) {
  // The saved graph, loaded with this ef_search (a fresh index over the same folder).
  const ann = new LocalVectorIndex(join(home, 'vectors'), { dimensions: vectorizer.dimensions, graph: { ...graph, expansionSearch: ef } });
  await ann.query(queries[0], { k: 10 });
  cpuFrom = process.cpuUsage();
  t = performance.now();
  const annMs: number[] = [];
  let hits = 0;
  for (let i = 0; i < queries.length; i++) {
    const s = performance.now();
    const found = await ann.query(queries[i], { k: 10 });
    annMs.push(performance.now() - s);
    if (i < exactQueries) hits += found.filter((m) => truths[i].has(m.key)).length;
  }
  const cpu = process.cpuUsage(cpuFrom);
  console.log(
    `graph, ef_search ${ef} (k=10, ${queries.length} queries): p50 ${ms(percentile(annMs, 0.5))} ms, p99 ${ms(percentile(annMs, 0.99))} ms, ` +
      `CPU ${ms((cpu.user + cpu.system) / 1000 / queries.length)} ms/query, recall@10 against the scan ${(hits / (exactQueries * 10)).toFixed(4)}`,
  );
}
console.log(`peak ${peakMb()} MB (the bench holds several copies of the index now); load average: ${loadAverages()}`);

if (!values['no-api']) {
  // The server reads the same index folder: the bench's items are the default tenant's, as the server's key is.
  const env = { ...process.env, AISLE_HOME: home };
  const bin = join(import.meta.dirname, '../bin/aisle.mjs');
  const apiKey = execSync(`node ${bin} keys create --name bench`, { env, stdio: ['ignore', 'pipe', 'ignore'] })
    .toString()
    .trim();
  const port = 18000 + Math.floor(Math.random() * 1000);
  const server = spawn(process.execPath, [bin, 'serve', '--port', String(port), '--rate-limit', '0'], {
    env: { ...env, OLLAMA_HOST: 'http://127.0.0.1:9' },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  await new Promise<void>((ok) => server.stdout!.on('data', (d: Buffer) => d.toString().includes('aisle serve: http') && ok()));
  const headers = { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' };
  // The server's own CPU time (user + system, /proc), so a request's cost compares across loads.
  const serverCpuSeconds = () => {
    const f = readFileSync(`/proc/${server.pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  };
  const run = async (title: string, opts: Record<string, unknown>) => {
    const before = serverCpuSeconds();
    const r = await autocannon({ connections: 16, pipelining: 1, duration: Number(values['api-seconds']), headers, ...opts });
    const perRequest = ((serverCpuSeconds() - before) * 1000) / r.requests.total;
    console.log(
      `${title}: ${r.requests.average.toFixed(0)} req/s, p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms, non-2xx ${r.non2xx}, ` +
        `server CPU ${perRequest.toFixed(2)} ms/request (${Math.round(1000 / perRequest)} req/s per core)`,
    );
  };
  const url = `http://127.0.0.1:${port}`;
  console.log(
    `autocannon: 16 keep-alive connections, ${values['api-seconds']} s per run, client on the same machine; load average: ${loadAverages()}`,
  );
  await run('GET /health (baseline)', { url: `${url}/health` });
  let n = 0;
  await run('POST /v1/similar {text, k: 10}', {
    url: `${url}/v1/similar`,
    method: 'POST',
    requests: [{ setupRequest: (req: Record<string, unknown>) => ({ ...req, body: JSON.stringify({ text: base[n++ % base.length], k: 10 }) }) }],
  });
  await run('GET /v1/items/{key}/similar?k=10', {
    url,
    requests: [{ setupRequest: (req: Record<string, unknown>) => ({ ...req, path: `/v1/items/${keys[(n++ * 7) % keys.length]}/similar?k=10` }) }],
  });
  server.kill();
}
rmSync(home, { recursive: true, force: true });
