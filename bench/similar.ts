/**
 * Similar products at scale, whole process: N item names (the starter catalog's names, each with a word of
 * another name appended, so all are distinct) → vectors → the local index (upserts, then the HNSW graph built on
 * first query) → 1,000 queries through the graph beside the exact scan over the same index (the baseline, same
 * run): p50/p99 per query and the graph's recall@10 against the scan. Then the API: `aisle serve` over that index,
 * autocannon on POST /v1/similar and GET /v1/items/{key}/similar beside GET /health (the baseline).
 *
 *   npx tsx bench/similar.ts --items 100000 [--api-seconds 10] [--no-api]
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
import { toCascadeItem } from '../functions/core/normalize.ts';
import { StaticEmbedder } from '../functions/embeddings/static-embedder.ts';
import { ItemVectorizer } from '../functions/similar/vectors.ts';
import { loadAverages, machineLine } from './machine.ts';

const { values } = parseArgs({
  options: {
    items: { type: 'string', default: '100000' },
    'api-seconds': { type: 'string', default: '10' },
    'no-api': { type: 'boolean', default: false },
  },
});
const N = Number(values.items);
const peakMb = () => Math.round(process.resourceUsage().maxRSS / 1024);
const seconds = (from: number) => ((performance.now() - from) / 1000).toFixed(1);
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
const index = new LocalVectorIndex(join(home, 'vectors'), { dimensions: vectorizer.dimensions });
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
console.log(
  `vectors + upserts: ${seconds(t)} s (${Math.round(N / ((performance.now() - t) / 1000))} items/s), ${vectorizer.dimensions} dimensions, peak ${peakMb()} MB`,
);

const queries = Array.from({ length: 1000 }, (_, i) => vectorizer.vector(`${base[(i * 31) % base.length]}`));
t = performance.now();
await index.query(queries[0], { k: 10 }); // builds the graph when N ≥ annFrom
console.log(`HNSW graph build (usearch, i8, M=16, ef_add=128): ${seconds(t)} s, peak ${peakMb()} MB`);

const exact = new LocalVectorIndex(join(home, 'vectors'), { dimensions: vectorizer.dimensions, annFrom: Number.POSITIVE_INFINITY });
// The same vectors, scanned: the exact index reads the folder the first wrote.
await index.flush();
const annMs: number[] = [];
const exactMs: number[] = [];
let hits = 0;
const exactQueries = 200;
for (let i = 0; i < queries.length; i++) {
  let s = performance.now();
  const found = await index.query(queries[i], { k: 10 });
  annMs.push(performance.now() - s);
  if (i < exactQueries) {
    s = performance.now();
    const truth = await exact.query(queries[i], { k: 10 });
    exactMs.push(performance.now() - s);
    const want = new Set(truth.map((m) => m.key));
    hits += found.filter((m) => want.has(m.key)).length;
  }
}
const ms = (x: number) => x.toFixed(2);
console.log(`query through the graph (k=10, ${queries.length}): p50 ${ms(percentile(annMs, 0.5))} ms, p99 ${ms(percentile(annMs, 0.99))} ms`);
console.log(`exact scan, the baseline (${exactQueries}): p50 ${ms(percentile(exactMs, 0.5))} ms, p99 ${ms(percentile(exactMs, 0.99))} ms`);
console.log(`recall@10 of the graph against the scan: ${(hits / (exactQueries * 10)).toFixed(4)}; peak ${peakMb()} MB (both indexes loaded)`);

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
  const run = async (title: string, opts: Record<string, unknown>) => {
    const r = await autocannon({ connections: 16, pipelining: 1, duration: Number(values['api-seconds']), headers, ...opts });
    console.log(`${title}: ${r.requests.average.toFixed(0)} req/s, p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms, non-2xx ${r.non2xx}`);
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
