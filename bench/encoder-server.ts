/**
 * Throughput and latency of the encoder container (containers/encoder/server.ts) as a real process over
 * HTTP, on the shipped starter model, with the starter catalog's validation names as the texts. For each
 * batch size: requests with `concurrency` in flight, rows/s, and request latency percentiles; beside it the
 * in-process OnnxEncoder on the same texts (the baseline the HTTP hop is paid over).
 *
 *   npx tsx bench/encoder-server.ts [--seconds 5] [--concurrency 4] [--threads N]
 */
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadTaxonomy } from '../functions/core/taxonomy.ts';
import { OnnxEncoder } from '../functions/model/encoder.ts';
import { readStarterCatalog, STARTER_DIR } from '../models/starter/train-starter.ts';
import { machineLine } from './machine.ts';

const { values } = parseArgs({
  options: { seconds: { type: 'string', default: '5' }, concurrency: { type: 'string', default: '4' }, threads: { type: 'string' } },
});
const seconds = Number(values.seconds);
const concurrency = Number(values.concurrency);
const threads = Number(values.threads ?? availableParallelism());
const BATCHES = [1, 32, 256, 1024];

console.log(machineLine());
console.log(
  `encoder server bench: model ${STARTER_DIR}, ${threads} inference threads, ${concurrency} requests in flight, ${seconds} s per batch size\n`,
);

const taxonomy = loadTaxonomy();
const texts = (await readStarterCatalog(taxonomy)).heldOut.map((r) => r.text);

const server = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('../containers/encoder/server.ts', import.meta.url))], {
  env: { ...process.env, PORT: '0', HOST: '127.0.0.1', MODEL_DIR: STARTER_DIR, ENCODER_THREADS: String(threads) },
  stdio: ['ignore', 'pipe', 'inherit'],
});
let log = '';
const url = await new Promise<string>((resolve, reject) => {
  server.stdout!.on('data', (d) => {
    log += d;
    const m = /listening on (http:\/\/\S+)/.exec(log);
    if (m) resolve(m[1]);
  });
  server.on('exit', (code) => reject(new Error(`server exited with ${code}`)));
});
while ((await fetch(`${url}/ping`).catch(() => null))?.status !== 200) await new Promise((r) => setTimeout(r, 50));

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
const rows: string[] = [];
for (const batch of BATCHES) {
  const latencies: number[] = [];
  let done = 0;
  let cursor = 0;
  const until = performance.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < until) {
        const slice = Array.from({ length: batch }, () => texts[cursor++ % texts.length]);
        const t0 = performance.now();
        const res = await fetch(`${url}/invocations`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ texts: slice, top_k: 3 }),
        });
        if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${await res.text()}`);
        await res.arrayBuffer();
        latencies.push(performance.now() - t0);
        done += batch;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  rows.push(
    `${String(batch).padStart(6)}  ${String(latencies.length).padStart(8)}  ${String(Math.round(done / elapsed)).padStart(9)}  ${pct(latencies, 0.5).toFixed(1).padStart(8)}  ${pct(latencies, 0.99).toFixed(1).padStart(8)}`,
  );
}
server.kill('SIGTERM');

const local = await OnnxEncoder.load(STARTER_DIR, { taxonomy, threads });
const many = Array.from({ length: 50_000 }, (_, i) => texts[i % texts.length]);
await local.predict(many.slice(0, 2000), 3);
const t0 = performance.now();
await local.predict(many, 3);
const inProcess = Math.round(many.length / ((performance.now() - t0) / 1000));
await local.close();

console.log(' batch  requests     rows/s   p50 ms   p99 ms');
console.log(rows.join('\n'));
console.log(`\nin-process OnnxEncoder, same model and threads, 50,000 texts in one call: ${inProcess} rows/s`);
