import { mkdirSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { type ServerType, serve } from '@hono/node-server';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Hono } from 'hono';
import { ShopperCoPurchases } from '../../functions/adapters/local/bought-together.ts';
import { DuckDbCatalogItems } from '../../functions/adapters/local/catalog-items.ts';
import { classifyFile } from '../../functions/adapters/local/classify-file.ts';
import { InboxWatcher } from '../../functions/adapters/local/inbox-watcher.ts';
import { DuckDbInsights } from '../../functions/adapters/local/insights.ts';
import { LocalJobsService } from '../../functions/adapters/local/jobs-service.ts';
import { DuckDbKeyStore } from '../../functions/adapters/local/keys.ts';
import { LocalModelRegistry } from '../../functions/adapters/local/model-registry.ts';
import { LocalRetrainer } from '../../functions/adapters/local/retrainer.ts';
import { createLocalRuntime, type LocalRuntime } from '../../functions/adapters/local/runtime.ts';
import { GraphThread } from '../../functions/adapters/local/vector-index-ann.ts';
import { openLocalSimilar } from '../../functions/adapters/local/vector-index-sync.ts';
import { ollamaConfig } from '../../functions/adapters/ollama.ts';
import { OllamaChat } from '../../functions/adapters/ollama-chat.ts';
import { type AppDeps, createApp } from '../../functions/api/app.ts';
import { clientKey, proxiedAddress } from '../../functions/api/client-address.ts';
import { CatalogAsk } from '../../functions/ask/catalog-ask.ts';
import { configOf } from '../../functions/config/deployables.ts';
import type { KeyStore } from '../../functions/ports.ts';
import { LocalShopperInsights } from '../../functions/shoppers/insights.ts';
import { indexingResults } from '../../functions/similar/indexing.ts';
import { Recommender } from '../../functions/similar/recommend.ts';
import { fitInWorker, fittedOnLabels, labelledNamesOf } from '../../functions/similar/tenant-categories.ts';
import { bundleFor } from '../bundles.mjs';
import { commandArgs } from './args.ts';
import { terminalText } from './terminal.ts';

/** The category model's fit as one plain ES module, packages included (a worker thread does not inherit tsx). */
export const categoryFitWorkerScript = () =>
  bundleFor({ name: 'category-fit-worker', entry: 'functions/similar/category-fit-worker.ts', packages: 'bundle' });

/** The similarity graphs' thread as one ES module (usearch, a native addon, imported from its installed path). */
export const vectorGraphWorkerScript = () =>
  bundleFor({ name: 'graph-thread', entry: 'functions/adapters/local/vector-index-graph-worker.ts', packages: 'bundle' });

const USAGE = `usage: aisle serve [--port N] [--host H] [--no-auth] [--rate-limit N] [--inbox DIR]

Serves the HTTP API (/v1/*, OpenAPI at /openapi.json, Swagger UI at /docs) and the web inspector (/) on
http://127.0.0.1:8787 (PORT or --port). Requests need an API key (aisle keys create --name NAME) unless
--no-auth, which is allowed on a loopback host only. --rate-limit: requests per second per key (default 50,
bursts of twice that; 0 turns it off). An address that presents more than AISLE_AUTH_FAILURES bad keys
(default 30) in AISLE_AUTH_FAILURE_WINDOW_S (60) is answered 429 until the window ends.

Watches the inbox folder (default $AISLE_HOME/inbox, or --inbox DIR): each CSV file dropped there becomes a job
once it stops changing for a second; results go to $AISLE_HOME/outbox/<job>.csv (and .rejects.csv), the file
to inbox/done/ (or inbox/failed/ with a .error.txt). Write large files under a dot-name or *.part and rename.`;

/** What `aisle serve` runs on a local runtime, built in one place for the command and the API tests. */
export interface LocalService {
  deps: AppDeps;
  jobs: LocalJobsService;
  outbox: string;
  /** Loads every tenant's similarity index (items and graph) before a request needs it; the items loaded. */
  preloadSimilar(): Promise<number>;
  /** Waits for running jobs, then closes what the service opened (not the runtime). */
  close(): Promise<void>;
}

export function localService(
  rt: LocalRuntime,
  opts: {
    keys: KeyStore | null;
    rateLimit?: AppDeps['rateLimit'];
    clientOf?: AppDeps['clientOf'];
    /** The similarity graphs' own thread (the command's), so their searches run beside HTTP on another core. */
    graphThread?: GraphThread;
  },
): LocalService {
  const config = configOf('local');
  const { graphThread } = opts;
  const outbox = join(rt.home, 'outbox');
  mkdirSync(outbox, { recursive: true });
  const csvRaw = configOf('local').aisleCsvRaw;
  const jobs = new LocalJobsService({
    home: rt.home,
    jobs: rt.jobs,
    run: async (job, tenant, read) => {
      // A server's jobs run in the background: the lake export is not in anyone's way, so it runs at once.
      const output = join(outbox, `${job.id}.csv`);
      // A failed job stays failed (an upload is never resumed): its staged decisions are removed with it.
      await classifyFile(rt.forTenant(tenant), {
        input: job.input,
        output,
        jobId: job.id,
        lake: 'now',
        csvRaw,
        maxRecordBytes: config.aisleMaxRecordBytes,
        resumable: false,
        ...read,
      });
    },
    csvRaw,
  });
  const insights = new DuckDbInsights(join(rt.home, 'lake'), { say: rt.warn });
  // Each tenant's item vectors carry a category model fitted on its labelled items (refitted as labels come), in a
  // worker thread: the server answers with the model it has meanwhile.
  const similar = openLocalSimilar(
    rt.home,
    rt.warn,
    (embedder) => fittedOnLabels(labelledNamesOf(rt.store), fitInWorker(categoryFitWorkerScript, embedder)),
    graphThread,
  );
  const deps: AppDeps = {
    taxonomy: rt.taxonomy,
    cascade: rt.cascade,
    // Decisions and labels written through the API go to the similarity index too (jobs reach it through the lake).
    results: indexingResults(rt.store, similar.index, similar.vectorizer),
    similar: similar.similar,
    recommender: new Recommender(similar.similar, ShopperCoPurchases.forHome(rt.home)),
    cache: rt.cache,
    jobs,
    models: LocalModelRegistry.forHome(rt.home),
    retrainer: new LocalRetrainer({ home: rt.home, store: rt.store }),
    insights,
    // A question to a stopped Ollama is answered at once with the retrieved items (the refused connection says so).
    ask: new CatalogAsk({
      taxonomy: rt.taxonomy,
      catalog: new DuckDbCatalogItems(rt.db, insights),
      llm: new OllamaChat(ollamaConfig(config)),
      similar: similar.similar,
    }),
    shopperInsights: new LocalShopperInsights(rt.home),
    keys: opts.keys,
    rateLimit: opts.rateLimit,
    failedAuthLimit: { failures: config.aisleAuthFailures, windowSeconds: config.aisleAuthFailureWindowS },
    maxUploadBytes: config.aisleMaxUploadBytes,
    clientOf: opts.clientOf,
    readiness: {
      store: { required: true, check: async () => void (await rt.jobs.list({ limit: 1 })) },
      // Similar products answer without the graphs below 10,000 items a tenant, and their thread restarts when it dies: optional.
      ...(graphThread && { 'similar index': { required: false, check: () => graphThread.check() } }),
      ...Object.fromEntries(rt.unavailable.map((u) => [u.name, { required: false, check: () => Promise.reject(new Error(u.reason)) }])),
    },
  };
  return {
    deps,
    jobs,
    outbox,
    preloadSimilar: () => similar.index.preload(),
    close: async () => {
      await jobs.idle();
      await insights.close();
      await similar.close();
    },
  };
}

/**
 * The client of a request to the Node server: the connection's address, or with `header` (a proxy in front
 * sets it, AISLE_CLIENT_ADDRESS_HEADER) the address that proxy put there.
 */
export function nodeClientOf(header?: string): NonNullable<AppDeps['clientOf']> {
  return (c) => clientKey(header ? proxiedAddress(c.req.header(header)) : getConnInfo(c).remote.address);
}

/** Starts the app on host:port (port 0: any free one); resolves once it listens. */
export function listen(
  app: Pick<Hono, 'fetch'>,
  opts: { host: string; port: number },
): Promise<{ url: string; server: ServerType; close(): Promise<void> }> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, hostname: opts.host, port: opts.port }, (info) => {
      const host = info.family === 'IPv6' ? `[${info.address}]` : info.address;
      resolve({ url: `http://${host}:${info.port}`, server, close: () => new Promise<void>((done) => server.close(() => done())) });
    });
    server.once('error', reject);
  });
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

const SIGNAL_NUMBER = { SIGINT: 2, SIGTERM: 15 } as const;

/**
 * Resolves on the first SIGINT or SIGTERM, saying which running jobs the stop waits for and what stopping at once
 * does to them; a second signal stops at once (exit 128 + the signal's number, as its default action would).
 */
export function untilStopped(opts: {
  running: () => { id: string; input: string }[];
  /** Where the inbox keeps the files of its running jobs (a job whose input is there runs again at the next start). */
  inboxProcessing: string;
  signals?: Pick<NodeJS.EventEmitter, 'on'>;
  say?: (line: string) => void;
  exitNow?: (code: number) => void;
}): Promise<void> {
  const { signals = process, say = (line) => console.log(line), exitNow = (code) => process.exit(code) } = opts;
  return new Promise((stopping) => {
    let signalled = false;
    const onSignal = (signal: keyof typeof SIGNAL_NUMBER) => {
      const running = opts.running();
      if (!signalled) {
        signalled = true;
        say(`aisle serve: stopping${running.length ? `: ${stopWaitsFor(running, opts.inboxProcessing)}` : ''}`);
        stopping();
        return;
      }
      say(`aisle serve: stopped at once${running.length ? ` (${plural(running.length, 'job')} left unfinished)` : ''}`);
      exitNow(128 + SIGNAL_NUMBER[signal]);
    };
    signals.on('SIGINT', () => onSignal('SIGINT'));
    signals.on('SIGTERM', () => onSignal('SIGTERM'));
  });
}

const plural = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;

/** What a stop waits for, and what a second Ctrl-C would leave of each kind of job. */
function stopWaitsFor(running: { id: string; input: string }[], inboxProcessing: string): string {
  const fromInbox = running.filter((j) => j.input.startsWith(inboxProcessing + sep)).length;
  const uploaded = running.length - fromInbox;
  const kinds = [fromInbox && `${fromInbox} from the inbox`, uploaded && `${uploaded} uploaded`].filter(Boolean).join(', ');
  const whatStopNowLeaves = [
    fromInbox && "an inbox file's job runs again from the start at the next `aisle serve`",
    uploaded && 'an uploaded job is not resumed: it stays unfinished, upload its file again',
  ]
    .filter(Boolean)
    .join('; ');
  return `waiting for ${plural(running.length, 'running job')} to finish (${kinds}). Ctrl-C again stops now: ${whatStopNowLeaves}`;
}

export async function run(argv: string[]): Promise<number> {
  const args = commandArgs(argv, USAGE, {
    options: {
      port: { type: 'string' },
      host: { type: 'string', default: '127.0.0.1' },
      'no-auth': { type: 'boolean', default: false },
      'rate-limit': { type: 'string' },
      inbox: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (!args) return 0;
  const { values } = args;
  const port = values.port === undefined ? configOf('local').port : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`aisle serve: --port must be 0..65535, not "${values.port}"`);
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

  // Its warnings may quote files and catalog text: control characters are shown as markers, one line each.
  const rt = await createLocalRuntime({ warn: (m) => process.stderr.write(`aisle: ${terminalText(m)}\n`) });
  const keyStore = noAuth ? null : new DuckDbKeyStore(join(rt.home, 'keys.duckdb'));
  const graphThread = new GraphThread(await vectorGraphWorkerScript(), rt.warn);
  const service = localService(rt, {
    keys: keyStore,
    graphThread,
    rateLimit: rate === undefined ? undefined : rate === 0 ? null : { ratePerSecond: rate, burst: rate * 2 },
    clientOf: nodeClientOf(configOf('local').aisleClientAddressHeader),
  });
  // Loaded before it listens: at 1M items the first similar requests would otherwise wait seconds for it.
  const loadFrom = performance.now();
  const similarItems = await service.preloadSimilar();
  if (similarItems)
    console.log(
      `aisle serve: similarity index loaded: ${similarItems.toLocaleString('en')} items (${((performance.now() - loadFrom) / 1000).toFixed(1)} s)`,
    );
  const app = createApp(service.deps);
  const { url, close } = await listen(app, { host: values.host, port });
  console.log(`aisle serve: ${url} (inspector at ${url}/, API docs at ${url}/docs); tiers: ${rt.tierNames.join(' → ')}`);
  if (noAuth) console.log('aisle serve: authentication is OFF (--no-auth): only this machine can reach it');
  else if (!(await keyStore!.list()).some((k) => !k.revokedAt))
    console.log('aisle serve: no API keys yet: create one with `aisle keys create --name NAME`');
  // Its lines name files others dropped (and the columns in them): control characters are shown as markers.
  const inbox = new InboxWatcher({
    dir: resolve(values.inbox ?? join(rt.home, 'inbox')),
    jobs: service.jobs,
    log: (line) => console.log(terminalText(line)),
  });
  await inbox.start();
  console.log(`aisle serve: watching ${inbox.dir} for CSV files (results in ${service.outbox})`);
  await untilStopped({ running: () => service.jobs.runningJobs(), inboxProcessing: inbox.processing });
  await close();
  await inbox.close();
  await service.close();
  await graphThread.close();
  await rt.close();
  return 0;
}
