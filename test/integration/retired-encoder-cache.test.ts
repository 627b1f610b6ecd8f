/**
 * After the retraining state machine rolls a new model onto the encoder endpoint, cached encoder decisions of
 * the retired model are not served: the cascade compares a cached decision's model version with the version the
 * endpoint answers with (SageMakerEncoder.modelVersion), and on AWS the results table's cache serves an encoder
 * decision only when it is of the registry's champion (a warm container learns the endpoint's version from its
 * next answer only). The endpoint here is the encoder container's own app behind SageMaker runtime's path,
 * swapped from the champion to a new version as UpdateEndpoint swaps fleets; the table is on dynalite and the
 * lake bucket on s3rver.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { type ServerType, serve } from '@hono/node-server';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInferenceApp } from '../../containers/encoder/app.ts';
import { REGISTRY_KEY } from '../../functions/adapters/aws/model-registry.ts';
import { SageMakerEncoder } from '../../functions/adapters/aws/sagemaker-encoder.ts';
import { Cascade } from '../../functions/core/cascade.ts';
import { createEncoderTier } from '../../functions/core/encoder-tier.ts';
import { toCascadeItem } from '../../functions/core/normalize.ts';
import { loadTaxonomy } from '../../functions/core/taxonomy.ts';
import { pipelineDeps } from '../../functions/handlers/deps.ts';
import { OnnxEncoder } from '../../functions/model/encoder.ts';
import { cascadeFactory } from '../../functions/pipeline/queued.ts';
import { STARTER_DIR, STARTER_VERSION } from '../../models/starter/train-starter.ts';
import { createTable, type Emulator, startDynalite, startS3rver } from '../support/emulators.ts';
import { MemoryStore } from '../support/memory-store.ts';

const taxonomy = loadTaxonomy();
const NAMES = ['Sea Salt Kettle Chips 8 oz', 'Organic Whole Milk 1 gal', 'Cotton Crew Socks 6 pack', 'Dish Soap Lemon 24 fl oz'];

describe('cached encoder decisions after the endpoint serves a new model', () => {
  let work: string;
  let champion: OnnxEncoder;
  let promoted: OnnxEncoder;
  let serving: OnnxEncoder;
  let shim: ServerType;
  let url: string;
  let dyn: Emulator;
  let s3: Emulator;

  beforeAll(async () => {
    // The promoted version: the starter's weights under another version name (what matters here is the name).
    work = mkdtempSync(join(tmpdir(), 'aisle-retired-'));
    const dir = join(work, 'v20261207-010000');
    cpSync(STARTER_DIR, dir, { recursive: true });
    const card = JSON.parse(readFileSync(join(dir, 'card.json'), 'utf8'));
    writeFileSync(join(dir, 'card.json'), JSON.stringify({ ...card, version: 'v20261207-010000' }));
    champion = await OnnxEncoder.load(STARTER_DIR, { taxonomy, threads: 1 });
    promoted = await OnnxEncoder.load(dir, { taxonomy, threads: 1 });
    expect([champion.modelVersion, promoted.modelVersion]).toEqual([STARTER_VERSION, 'v20261207-010000']);
    serving = champion;
    const inference = createInferenceApp({ encoder: () => serving, taxonomy });
    const app = new Hono();
    app.post('/endpoints/:name/invocations', async (c) => {
      const res = await inference.request('/invocations', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: await c.req.text(),
      });
      return new Response(await res.arrayBuffer(), { status: res.status, headers: { 'content-type': 'application/json' } });
    });
    shim = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
    await new Promise((r) => shim.once('listening', r));
    url = `http://127.0.0.1:${(shim.address() as AddressInfo).port}`;
    [dyn, s3] = await Promise.all([startDynalite(), startS3rver(['lake'])]);
    await createTable(dyn.options, 'table', false);
  }, 60_000);
  afterAll(async () => {
    await Promise.all([dyn?.stop(), s3?.stop()]);
    shim?.close();
    await Promise.all([champion?.close(), promoted?.close()]);
    rmSync(work, { recursive: true, force: true });
  });

  /** The classify Lambda's encoder tier: a SageMakerEncoder per container, a cascade per batch over the shared cache. */
  const encoderTier = () => {
    const client = new SageMakerRuntimeClient({ region: 'us-east-1', endpoint: url, credentials: { accessKeyId: 't', secretAccessKey: 't' } });
    return createEncoderTier(new SageMakerEncoder({ client, endpointName: 'aisle-encoder' }), { taxonomy });
  };
  const container = () => {
    const tier = encoderTier();
    return (cache: MemoryStore) => new Cascade({ taxonomy, tiers: [tier], cache });
  };
  const run = async (cascade: Cascade, names = NAMES) =>
    (await cascade.classify(names.map((name) => toCascadeItem({ name })))).map((d) => ({ tier: d.tier, version: d.modelVersion }));

  it('a container started after the swap serves none of them, and caches the new decisions', async () => {
    const cache = new MemoryStore();
    serving = champion;
    const startedBefore = container();
    expect((await run(startedBefore(cache))).every((d) => d.tier === 'encoder' && d.version === STARTER_VERSION)).toBe(true);
    expect((await run(startedBefore(cache))).every((d) => d.tier === 'cache' && d.version === STARTER_VERSION)).toBe(true);

    serving = promoted; // UpdateEndpoint: the new fleet takes the traffic
    const startedAfter = container();
    const decided = await run(startedAfter(cache));
    expect(decided.every((d) => d.tier === 'encoder' && d.version === 'v20261207-010000')).toBe(true);
    expect((await run(startedAfter(cache))).every((d) => d.tier === 'cache' && d.version === 'v20261207-010000')).toBe(true);
  });

  it('a warm container stops serving them once the endpoint has answered with the new version', async () => {
    const cache = new MemoryStore();
    serving = champion;
    const warm = container();
    await run(warm(cache));
    serving = promoted;
    // One new name: the batch asks the endpoint, which answers with the new version...
    await run(warm(cache), ['Frozen Peas 16 oz']);
    // ...and from then on every decision of the retired version is a miss, decided again.
    const decided = await run(warm(cache));
    expect(decided.filter((d) => d.version === STARTER_VERSION)).toEqual([]);
    expect(decided.every((d) => d.tier === 'encoder')).toBe(true);
  });

  it('a warm classify container on AWS serves none of them from the first batch after the promotion', async () => {
    const config = { tableName: 'table', lakeBucket: 'lake', encoderEndpointName: 'aisle-encoder', llmEnabled: false };
    const deps = pipelineDeps({ ...s3.clients, dynamo: dyn.clients.dynamo }, config, {
      tiers: async () => [encoderTier()],
      logger: new Logger({ logLevel: 'SILENT' }),
      metrics: new Metrics({ namespace: 'AisleTest' }),
    });
    const warm = cascadeFactory(deps); // the classify Lambda's cascade, made once per container
    serving = champion;
    await run(await warm());
    expect((await run(await warm())).every((d) => d.tier === 'cache' && d.version === STARTER_VERSION)).toBe(true);

    // The state machine's rollout and promote step: the endpoint serves the new model, the registry names it.
    serving = promoted;
    const registry = { champion: 'v20261207-010000', challengers: [], retired: [], history: [] };
    await deps.lake.put(REGISTRY_KEY, JSON.stringify(registry), 'application/json');
    const decided = await run(await warm()); // every name is cached, by the retired model
    expect(decided.filter((d) => d.version === STARTER_VERSION)).toEqual([]);
    expect(decided.every((d) => d.tier === 'encoder' && d.version === 'v20261207-010000')).toBe(true);
    expect((await run(await warm())).every((d) => d.tier === 'cache' && d.version === 'v20261207-010000')).toBe(true);
  });
});
