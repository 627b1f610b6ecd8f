/**
 * A flood of made-up API keys against a real `aisle serve` child process (auth on, one valid key): a legitimate
 * client classifies one item every 25 ms, first alone, then while `rate` requests/s with random well-formed
 * keys come from `clients` other addresses. Every client binds its own loopback address (127.0.0.1 is the
 * legitimate one, 127.0.0.2… the flood): Linux routes all of 127/8 to lo, so the server sees real, distinct
 * source addresses and no trusted-proxy header is needed. Prints the legitimate calls' p50/p99 latency without
 * and with the flood, how the flood was answered, and the server's peak RSS.
 * Run: npx tsx bench/key-flood.ts [seconds per phase] [flood req/s] [flood clients]. Prints machine and commit.
 */
import { execSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newApiKey } from '../functions/core/api-keys.ts';
import { loadAverages, machineLine } from './machine.ts';

const seconds = Number(process.argv[2] ?? 10);
const rate = Number(process.argv[3] ?? 200);
const clients = Number(process.argv[4] ?? 4);
const LEGIT_EVERY_MS = 25;

const home = mkdtempSync(join(tmpdir(), 'aisle-bench-flood-'));
const env = { ...process.env, AISLE_HOME: home };
const bin = join(import.meta.dirname, '../bin/aisle.mjs');
const key = execSync(`node ${bin} keys create --name bench`, { env }).toString().trim();
const port = 19000 + Math.floor(Math.random() * 1000);
const server = spawn(process.execPath, [bin, 'serve', '--port', String(port)], { env, stdio: ['ignore', 'pipe', 'inherit'] });
await new Promise<void>((ok) => server.stdout!.on('data', (d: Buffer) => d.toString().includes('aisle serve: http') && ok()));

/** The server's peak resident set (VmHWM), in MiB. */
const peakRssMiB = () => Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${server.pid}/status`, 'utf8'))![1]) / 1024;

const agentFor = (address: string) => new Agent({ keepAlive: true, maxSockets: 64, localAddress: address } as ConstructorParameters<typeof Agent>[0]);

/** One POST /v1/classify: its status and milliseconds. */
function classify(agent: Agent, bearer: string): Promise<{ status: number; ms: number }> {
  const body = JSON.stringify({ items: [{ name: 'Whole Milk 1 gal' }] });
  const started = performance.now();
  return new Promise((resolve) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/v1/classify',
        method: 'POST',
        agent,
        headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode!, ms: performance.now() - started }));
      },
    );
    req.on('error', () => resolve({ status: 0, ms: performance.now() - started }));
    req.end(body);
  });
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;

/** The legitimate client for `seconds`: one call every LEGIT_EVERY_MS, each awaited before the next. */
async function legitimate(): Promise<{ p50: number; p99: number; max: number; n: number; failed: number }> {
  const agent = agentFor('127.0.0.1');
  const until = performance.now() + seconds * 1000;
  const times: number[] = [];
  let failed = 0;
  while (performance.now() < until) {
    const next = performance.now() + LEGIT_EVERY_MS;
    const r = await classify(agent, key);
    if (r.status === 200) times.push(r.ms);
    else failed++;
    await new Promise((ok) => setTimeout(ok, Math.max(0, next - performance.now())));
  }
  agent.destroy();
  times.sort((a, b) => a - b);
  return { p50: quantile(times, 0.5), p99: quantile(times, 0.99), max: times.at(-1) ?? NaN, n: times.length, failed };
}

/** `rate` requests/s with random well-formed keys, spread over `clients` addresses, sent without waiting for answers. */
function flood(): { stop(): Promise<Record<string, number>> } {
  const agents = Array.from({ length: clients }, (_, i) => agentFor(`127.0.0.${i + 2}`));
  const answers: Record<string, number> = {};
  const inFlight = new Set<Promise<void>>();
  let sent = 0;
  const started = performance.now();
  const timer = setInterval(() => {
    const due = Math.floor(((performance.now() - started) / 1000) * rate);
    for (; sent < due; sent++) {
      const p = classify(agents[sent % clients], newApiKey('flood', 'write').key).then(({ status }) => {
        answers[status] = (answers[status] ?? 0) + 1;
        inFlight.delete(p);
      });
      inFlight.add(p);
    }
  }, 5);
  return {
    async stop() {
      clearInterval(timer);
      await Promise.all(inFlight);
      for (const a of agents) a.destroy();
      return { sent, ...answers };
    },
  };
}

const fmt = (r: Awaited<ReturnType<typeof legitimate>>) =>
  `p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms, max ${r.max.toFixed(1)} ms (${r.n} calls, ${r.failed} not 200)`;

console.log(machineLine());
console.log(
  `aisle serve (auth on, one key, default limits: 50 req/s per key, 30 failed auths per address per 60 s), client on the same machine; ` +
    `legitimate client: POST /v1/classify (one rule-decided item) every ${LEGIT_EVERY_MS} ms from 127.0.0.1; ` +
    `flood: ${rate} req/s of random well-formed keys from ${clients} addresses (127.0.0.2…); ${seconds} s per phase; load average before: ${loadAverages()}`,
);
await classify(agentFor('127.0.0.1'), key); // warm: the key check and the decision are cached
const quiet = await legitimate();
console.log(`legitimate, no flood:   ${fmt(quiet)}`);
const attack = flood();
const loud = await legitimate();
const answered = await attack.stop();
console.log(`legitimate, with flood: ${fmt(loud)}`);
console.log(`flood answers: ${JSON.stringify(answered)} (status: count; 0 = connection error)`);
console.log(`server peak RSS: ${peakRssMiB().toFixed(0)} MiB`);
server.kill('SIGTERM');
await new Promise((ok) => server.once('exit', ok));
rmSync(home, { recursive: true, force: true });
