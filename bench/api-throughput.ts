/**
 * POST /v1/classify throughput against a real `aisle serve` child process (autocannon, on the same machine):
 * single items the rules decide, single items the cache answers (names the encoder decided once, asked again),
 * 100-item requests → items/s, and single items the encoder decides (starter-catalog names the rules miss and
 * the encoder accepts, each sent once: cache misses). Besides req/s and latency it prints the server's CPU time
 * per request (user + system, all its threads), which moves less than req/s when other work shares the cores.
 * Run: npx tsx bench/api-throughput.ts [seconds]. Prints machine and commit.
 */
import { execSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// @ts-expect-error autocannon ships no types (and @types/autocannon is not installed)
import autocannon from 'autocannon';
import { parse } from 'csv-parse/sync';
import { createEncoderTier } from '../functions/core/encoder-tier.ts';
import { toCascadeItem } from '../functions/core/normalize.ts';
import { loadRules, RulesTier } from '../functions/core/rules.ts';
import { loadTaxonomy } from '../functions/core/taxonomy.ts';
import { OnnxEncoder } from '../functions/model/encoder.ts';
import { SHIPPED_MODELS_DIR, shippedVersions } from '../functions/model/registry.ts';
import { loadAverages, machineLine } from './machine.ts';

const seconds = Number(process.argv[2] ?? 10);
/** One request in flight per connection (no HTTP pipelining), kept alive. */
const CONNECTIONS = 16;
const home = mkdtempSync(join(tmpdir(), 'aisle-bench-api-'));
const env = { ...process.env, AISLE_HOME: home };
const bin = join(import.meta.dirname, '../bin/aisle.mjs');
const key = execSync(`node ${bin} keys create --name bench`, { env }).toString().trim();
const port = 18000 + Math.floor(Math.random() * 1000);
const server = spawn(process.execPath, [bin, 'serve', '--port', String(port), '--rate-limit', '0'], { env, stdio: ['ignore', 'pipe', 'inherit'] });
await new Promise<void>((ok) => server.stdout!.on('data', (d: Buffer) => d.toString().includes('aisle serve: http') && ok()));
const url = `http://127.0.0.1:${port}/v1/classify`;
const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
const names = ['Whole Milk 1 gal', 'Cola 12 pack', 'dog food', 'paper towels', 'cheddar cheese'];

/** The server's CPU time so far (ms, every thread), from /proc. */
function serverCpuMs(): number {
  const fields = readFileSync(`/proc/${server.pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10; // utime + stime, in 10 ms ticks
}

type Load = { body?: string; amount?: number; setupRequest?: (req: Record<string, unknown>) => Record<string, unknown> };

async function load(title: string, opts: Load, itemsPerRequest = 1) {
  const cpuBefore = serverCpuMs();
  const r = await autocannon({
    url,
    method: 'POST',
    headers,
    connections: CONNECTIONS,
    pipelining: 1,
    ...(opts.amount ? { amount: opts.amount } : { duration: seconds }),
    ...(opts.setupRequest ? { requests: [{ setupRequest: opts.setupRequest }] } : { body: opts.body }),
  });
  const cpuUsPerRequest = ((serverCpuMs() - cpuBefore) * 1000) / Math.max(1, r.requests.total);
  console.log(
    `${title}: ${r.requests.average.toFixed(0)} req/s, p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms` +
      (itemsPerRequest > 1 ? `, ${(r.requests.average * itemsPerRequest).toFixed(0)} items/s` : '') +
      `, server CPU ${cpuUsPerRequest.toFixed(0)} µs/request, non-2xx ${r.non2xx}`,
  );
}

console.log(machineLine());
console.log(
  `autocannon: ${CONNECTIONS} keep-alive connections, no pipelining, ${seconds} s per run (the encoder run: each name once), ` +
    `client on the same machine as the server; server: aisle serve --rate-limit 0, auth on (one key); load average before: ${loadAverages()}`,
);

// Names the server's encoder will decide: the rules defer on them and the shipped model clears its threshold.
const taxonomy = loadTaxonomy();
const catalog = parse(readFileSync(join(import.meta.dirname, '../models/starter/catalog.csv')), { columns: true }) as { product_name: string }[];
const items = [...new Map(catalog.map((r) => [r.product_name.toLowerCase(), toCascadeItem({ name: r.product_name })])).values()];
const rulesOut = await new RulesTier(loadRules(taxonomy)).decide(items);
const missed = items.filter((_, i) => rulesOut[i].kind !== 'decided');
const encoder = await OnnxEncoder.load(join(SHIPPED_MODELS_DIR, shippedVersions().at(-1)!), { taxonomy });
const encOut = await createEncoderTier(encoder, { taxonomy }).decide(missed, { hints: missed.map(() => []) });
const encoderNames = missed.filter((_, i) => encOut[i].kind === 'decided').map((it) => it.name);
await encoder.close();
// The first 100 are asked once to fill the cache, then asked over and over; the rest stay cache misses.
const cachedNames = encoderNames.slice(0, 100);
const freshNames = encoderNames.slice(100);
const oneItem = (list: string[]) => {
  let next = 0;
  return (req: Record<string, unknown>) => ({ ...req, body: JSON.stringify({ items: [{ name: list[next++ % list.length] }] }) });
};

await load('single item, rule hit', { body: JSON.stringify({ items: [{ name: names[0] }] }) });
await autocannon({ url, method: 'POST', headers, connections: 1, amount: cachedNames.length, requests: [{ setupRequest: oneItem(cachedNames) }] });
await load(`single item, cache hit (${cachedNames.length} names the encoder decided before)`, { setupRequest: oneItem(cachedNames) });
await load(
  '100 items per request (rule hits)',
  { body: JSON.stringify({ items: Array.from({ length: 100 }, (_, i) => ({ name: names[i % names.length] })) }) },
  100,
);
await load(`single item, encoder decides (${freshNames.length} distinct names, each once)`, {
  amount: freshNames.length,
  setupRequest: oneItem(freshNames),
});
server.kill('SIGTERM');
