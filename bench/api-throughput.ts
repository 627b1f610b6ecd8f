/**
 * POST /v1/classify throughput against a real `aisle serve` child process (autocannon): single items that the
 * rules decide (first call) and the cache answers (after), 100-item requests → items/s, and single items the
 * encoder decides (starter-catalog names the rules miss and the encoder accepts, each sent once: cache misses).
 * Run: npx tsx bench/api-throughput.ts [seconds]. Prints machine and commit.
 */
import { execSync, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { createEncoderTier } from '../functions/core/encoder-tier.ts';
import { toCascadeItem } from '../functions/core/normalize.ts';
import { loadRules, RulesTier } from '../functions/core/rules.ts';
import { loadTaxonomy } from '../functions/core/taxonomy.ts';
import { OnnxEncoder } from '../functions/model/encoder.ts';
import { SHIPPED_MODELS_DIR, shippedVersions } from '../functions/model/registry.ts';
// @ts-expect-error autocannon ships no types (and @types/autocannon is not installed)
import autocannon from 'autocannon';

const seconds = Number(process.argv[2] ?? 10);
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

async function load(title: string, body: string, itemsPerRequest: number) {
  const r = await autocannon({ url, method: 'POST', headers, body, connections: 16, duration: seconds });
  console.log(`${title}: ${r.requests.average.toFixed(0)} req/s, p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms` +
    (itemsPerRequest > 1 ? `, ${(r.requests.average * itemsPerRequest).toFixed(0)} items/s` : '') + `, non-2xx ${r.non2xx}`);
}

console.log(`machine: ${cpus()[0].model} × ${cpus().length}, node ${process.version}, commit ${execSync('git rev-parse --short HEAD').toString().trim()}`);
await load('single item, rule/cache hit', JSON.stringify({ items: [{ name: names[0] }] }), 1);
await load('100 items per request (rule/cache hits)', JSON.stringify({ items: Array.from({ length: 100 }, (_, i) => ({ name: names[i % names.length] })) }), 100);

// Names the server's encoder will decide: the rules defer on them and the shipped model clears its threshold.
const taxonomy = loadTaxonomy();
const catalog = parse(readFileSync(join(import.meta.dirname, '../models/starter/catalog.csv')), { columns: true }) as { product_name: string; brand: string }[];
const items = [...new Map(catalog.map((r) => [r.product_name.toLowerCase(), toCascadeItem({ name: r.product_name })])).values()];
const rulesOut = await new RulesTier(loadRules(taxonomy)).decide(items);
const missed = items.filter((_, i) => rulesOut[i].kind !== 'decided');
const encoder = await OnnxEncoder.load(join(SHIPPED_MODELS_DIR, shippedVersions().at(-1)!), { taxonomy });
const encOut = await createEncoderTier(encoder, { taxonomy }).decide(missed, { hints: missed.map(() => []) });
const encoderNames = missed.filter((_, i) => encOut[i].kind === 'decided').map((it) => it.name);
await encoder.close();
let next = 0;
const r = await autocannon({
  url, method: 'POST', headers, connections: 16, amount: encoderNames.length,
  requests: [{ setupRequest: (req: Record<string, unknown>) => ({ ...req, body: JSON.stringify({ items: [{ name: encoderNames[next++ % encoderNames.length] }] }) }) }],
});
console.log(`single item, encoder decides (${encoderNames.length} distinct names, each once): ${r.requests.average.toFixed(0)} req/s, p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms, non-2xx ${r.non2xx}`);
server.kill('SIGTERM');
