import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { type ServerType, serve } from '@hono/node-server';
import type { Hono } from 'hono';
import { createApp } from '../../functions/api/app.ts';
import { classifyFile } from '../../functions/adapters/local/classify-file.ts';
import { DuckDbInsights } from '../../functions/adapters/local/insights.ts';
import { LocalJobsService } from '../../functions/adapters/local/jobs-service.ts';
import { DuckDbKeyStore } from '../../functions/adapters/local/keys.ts';
import { LocalModelRegistry } from '../../functions/adapters/local/model-registry.ts';
import { LocalRetrainer } from '../../functions/adapters/local/retrainer.ts';
import { createLocalRuntime } from '../../functions/adapters/local/runtime.ts';

const USAGE = `usage: aisle serve [--port N] [--host H] [--no-auth] [--rate-limit N]

Serves the HTTP API (/v1/*, OpenAPI at /openapi.json, Swagger UI at /docs) and the web inspector (/) on
http://127.0.0.1:8787 (PORT or --port). Requests need an API key (aisle keys create --name NAME) unless
--no-auth, which is allowed on a loopback host only. --rate-limit: requests per second per key (default 50,
bursts of twice that; 0 turns it off).`;

/** Starts the app on host:port (port 0: any free one); resolves once it listens. */
export function listen(app: Pick<Hono, 'fetch'>, opts: { host: string; port: number }): Promise<{ url: string; server: ServerType; close(): Promise<void> }> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, hostname: opts.host, port: opts.port }, (info) => {
      const host = info.family === 'IPv6' ? `[${info.address}]` : info.address;
      resolve({ url: `http://${host}:${info.port}`, server, close: () => new Promise<void>((done) => server.close(() => done())) });
    });
    server.once('error', reject);
  });
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string' },
      host: { type: 'string', default: '127.0.0.1' },
      'no-auth': { type: 'boolean', default: false },
      'rate-limit': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const port = Number(values.port ?? process.env.PORT ?? 8787);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`aisle serve: --port must be 0..65535, not "${values.port ?? process.env.PORT}"`);
    return 2;
  }
  const noAuth = values['no-auth'];
  if (noAuth && !LOOPBACK.has(values.host)) {
    console.error(`aisle serve: --no-auth is allowed only on a loopback host (127.0.0.1, ::1), not ${values.host}`);
    return 2;
  }
  const rate = values['rate-limit'] === undefined ? undefined : Number(values['rate-limit']);
  if (rate !== undefined && !(rate >= 0)) {
    console.error('aisle serve: --rate-limit must be a number ≥ 0');
    return 2;
  }

  const rt = await createLocalRuntime();
  const outbox = join(rt.home, 'outbox');
  mkdirSync(outbox, { recursive: true });
  const jobs = new LocalJobsService({
    home: rt.home,
    jobs: rt.jobs,
    run: async (job) => {
      await classifyFile(rt, { input: job.input, output: join(outbox, `${job.id}.csv`), jobId: job.id });
    },
  });
  const keyStore = noAuth ? null : new DuckDbKeyStore(join(rt.home, 'keys.duckdb'));
  const app = createApp({
    taxonomy: rt.taxonomy,
    cascade: rt.cascade,
    results: rt.store,
    cache: rt.cache,
    jobs,
    models: new LocalModelRegistry({ root: join(rt.home, 'models') }),
    retrainer: new LocalRetrainer({ home: rt.home }),
    insights: new DuckDbInsights(join(rt.home, 'lake')),
    keys: keyStore,
    rateLimit: rate === undefined ? undefined : rate === 0 ? null : { ratePerSecond: rate, burst: rate * 2 },
    readiness: {
      store: { required: true, check: async () => void (await rt.jobs.list({ limit: 1 })) },
      ...Object.fromEntries(rt.unavailable.map((u) => [u.name, { required: false, check: async () => { throw new Error(u.reason); } }])),
    },
  });
  const { url, close } = await listen(app, { host: values.host, port });
  console.log(`aisle serve: ${url} (inspector at ${url}/, API docs at ${url}/docs); tiers: ${rt.tierNames.join(' → ')}`);
  if (noAuth) console.log('aisle serve: authentication is OFF (--no-auth): only this machine can reach it');
  else if (!(await keyStore!.list()).some((k) => !k.revokedAt)) console.log('aisle serve: no API keys yet: create one with `aisle keys create --name NAME`');
  await new Promise<void>((done) => {
    const stop = () => done();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await close();
  await jobs.idle();
  await rt.close();
  return 0;
}
