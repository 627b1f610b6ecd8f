import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { type ServerType, serve } from '@hono/node-server';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInferenceApp, type InvocationResponse } from '../../containers/encoder/app.ts';
import { SageMakerEncoder } from '../../functions/adapters/aws/sagemaker-encoder.ts';
import { toCascadeItem } from '../../functions/core/normalize.ts';
import { loadTaxonomy } from '../../functions/core/taxonomy.ts';
import { defaultTiers } from '../../functions/handlers/deps.ts';
import { OnnxEncoder } from '../../functions/model/encoder.ts';
import { STARTER_DIR, STARTER_VERSION } from '../../models/starter/train-starter.ts';
import { HF_CLASS_IDS, tinySoftmax, writeTinyHfExport } from '../fixtures/tiny-hf-export.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SERVER = join(ROOT, 'containers/encoder/server.ts');
const taxonomy = loadTaxonomy();

interface Running {
  url: string;
  proc: ChildProcess;
  output: () => string;
}
const running: Running[] = [];

/** Starts the container's entry as a real process on a free port and waits until /ping says the model is loaded. */
async function startServer(modelDir: string): Promise<Running> {
  const proc = spawn(process.execPath, ['--import', 'tsx', SERVER], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', MODEL_DIR: modelDir, ENCODER_THREADS: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), 60_000);
    const check = () => {
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    proc.stdout!.on('data', check);
    proc.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${out}`));
    });
  });
  const server = { url, proc, output: () => out };
  running.push(server);
  const exited = () => new Error(`server exited with ${proc.exitCode}:\n${out}`);
  for (let i = 0; i < 600; i++) {
    const res = await fetch(`${url}/ping`).catch(() => null);
    if (!res) {
      // Connection refused: the server closed; give the process a moment to report its exit.
      await Promise.race([new Promise((r) => proc.once('exit', r)), new Promise((r) => setTimeout(r, 5000))]);
    }
    if (proc.exitCode !== null) throw exited();
    if (res?.status === 200) return server;
    expect(res?.status).toBe(503); // listening, model still loading
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`model never loaded:\n${out}`);
}

const invoke = (url: string, body: unknown, type = 'application/json') =>
  fetch(`${url}/invocations`, { method: 'POST', headers: { 'content-type': type }, body: typeof body === 'string' ? body : JSON.stringify(body) });

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'aisle-encoder-container-'));
});
afterAll(async () => {
  for (const s of running) s.proc.kill('SIGTERM');
  await rm(tmp, { recursive: true, force: true });
});

describe('encoder container (real process)', () => {
  let starter: Running;
  beforeAll(async () => {
    starter = await startServer(STARTER_DIR);
  });

  it('answers /ping and classifies a batch with top-k labels and probabilities', async () => {
    expect((await fetch(`${starter.url}/ping`)).status).toBe(200);
    const texts = [
      'Coca-Cola Classic Soda 12 pk 12 fl oz cans',
      'Pampers Swaddlers Diapers Size 2, 84 ct',
      'Tide Original Liquid Laundry Detergent 92 fl oz',
    ];
    const res = await invoke(starter.url, { texts, top_k: 2 });
    expect(res.status).toBe(200);
    const body = (await res.json()) as InvocationResponse;
    expect(body.modelVersion).toBe(STARTER_VERSION);
    expect(body.predictions.map((p) => p.labels[0].classId)).toEqual(['food.beverages', 'non-food.baby-care', 'non-food.household']);
    for (const p of body.predictions) {
      expect(p.labels).toHaveLength(2);
      expect(p.labels[0].probability).toBeGreaterThanOrEqual(p.labels[1].probability);
      expect(p.labels[0].probability + p.labels[1].probability).toBeLessThanOrEqual(1 + 1e-6);
      expect(p.labels[0].label).toBe(taxonomy.get(p.labels[0].classId)!.label);
      expect(p.accepted).toBe(p.labels[0].probability >= p.labels[0].threshold);
    }
    // SageMaker's "instances" form gives the same answers; top_k defaults to 3.
    const viaInstances = (await (
      await invoke(starter.url, { instances: [texts[0], { text: texts[1] }, { name: texts[2] }] })
    ).json()) as InvocationResponse;
    expect(viaInstances.predictions.map((p) => p.labels.length)).toEqual([3, 3, 3]);
    viaInstances.predictions.forEach((p, i) => expect(p.labels[0]).toEqual(body.predictions[i].labels[0]));
  });

  it('matches the in-process encoder exactly', async () => {
    const texts = ['organic whole milk half gallon', 'DeWalt 20V MAX Cordless Drill', 'Purina ONE dry dog food 16.5 lb'];
    const local = await OnnxEncoder.load(STARTER_DIR, { threads: 1 });
    try {
      const expected = await local.predict(texts, 3);
      const body = (await (await invoke(starter.url, { texts, top_k: 3 })).json()) as InvocationResponse;
      body.predictions.forEach((p, i) =>
        p.labels.forEach((l, j) => {
          expect(l.classId).toBe(expected[i][j].classId);
          expect(l.probability).toBeCloseTo(expected[i][j].score, 6);
          expect(l.threshold).toBe(local.threshold(l.classId));
        }),
      );
    } finally {
      await local.close();
    }
  });

  it('refuses bad requests with a clear 4xx', async () => {
    const cases: [unknown, string, number, RegExp][] = [
      ['{not json', 'application/json', 400, /not valid JSON/],
      [{}, 'application/json', 400, /exactly one of "texts" or "instances"/],
      [{ texts: ['a'], instances: ['b'] }, 'application/json', 400, /exactly one/],
      [{ texts: [1, 2] }, 'application/json', 400, /texts\.0/],
      [{ texts: ['a'], top_k: 0 }, 'application/json', 400, /top_k/],
      ['a,b', 'text/csv', 415, /application\/json/],
    ];
    for (const [body, type, status, message] of cases) {
      const res = await invoke(starter.url, body, type);
      expect(res.status, JSON.stringify(body)).toBe(status);
      expect(((await res.json()) as { message: string }).message).toMatch(message);
    }
    expect((await invoke(starter.url, { texts: [] })).status).toBe(200);
    expect((await fetch(`${starter.url}/nope`)).status).toBe(404);
  });

  for (const withTypes of [true, false]) {
    it(`serves a Hugging Face-style export ${withTypes ? 'with' : 'without'} token_type_ids`, async () => {
      const dir = await writeTinyHfExport(tmp, withTypes ? 'hf-with-types' : 'hf-without-types', withTypes);
      const server = await startServer(dir);
      const body = (await (
        await invoke(server.url, { texts: ['Whole MILK', 'dish soaps!', 'sparkling water'], top_k: 3 })
      ).json()) as InvocationResponse;
      expect(body.modelVersion).toBe(withTypes ? 'hf-with-types' : 'hf-without-types');
      expect(body.predictions.map((p) => p.labels[0].classId)).toEqual(['food.dairy-eggs', 'non-food.household', 'food.beverages']);
      // Probabilities are the export's logits at the calibrated temperature: token types were fed as zeros.
      const milk = tinySoftmax([4, 0, 1]);
      for (const l of body.predictions[0].labels) expect(l.probability).toBeCloseTo(milk[HF_CLASS_IDS.indexOf(l.classId)], 5);
      expect(body.predictions[0].labels[0]).toMatchObject({ label: 'Food > Dairy & Eggs', threshold: 0.6 });
      server.proc.kill('SIGTERM');
    });
  }

  it('exits with a clear error when the model folder cannot be loaded', async () => {
    await expect(startServer(join(tmp, 'missing-model'))).rejects.toThrow(/exited with 1[\s\S]*cannot load the model/);
  });
});

describe('SageMaker encoder adapter against the container', () => {
  let starter: Running;
  let shim: ServerType;
  let shimUrl: string;
  const calls: number[] = [];

  beforeAll(async () => {
    starter = running.find((s) => s.url && s.proc.exitCode === null && s.output().includes(STARTER_VERSION)) ?? (await startServer(STARTER_DIR));
    // SageMaker runtime's path is /endpoints/{name}/invocations; this shim forwards it to the container.
    const app = new Hono();
    app.post('/endpoints/:name/invocations', async (c) => {
      if (c.req.param('name') !== 'aisle-encoder') {
        return c.json({ message: `Endpoint ${c.req.param('name')} not found.` }, 400, { 'x-amzn-errortype': 'ValidationError' });
      }
      const texts = ((await c.req.raw.clone().json()) as { texts: string[] }).texts;
      calls.push(texts.length);
      const res = await fetch(`${starter.url}/invocations`, {
        method: 'POST',
        headers: { 'content-type': c.req.header('content-type')! },
        body: await c.req.arrayBuffer(),
      });
      return new Response(await res.arrayBuffer(), {
        status: res.status,
        headers: { 'content-type': 'application/json', 'x-amzn-invoked-production-variant': 'AllTraffic' },
      });
    });
    shim = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
    await new Promise((r) => shim.once('listening', r));
    shimUrl = `http://127.0.0.1:${(shim.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    shim?.close();
  });

  const client = () =>
    new SageMakerRuntimeClient({
      region: 'us-east-1',
      endpoint: shimUrl,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts: 1,
    });

  it('predicts in batches through InvokeEndpoint, in order, with the thresholds the endpoint reports', async () => {
    const encoder = new SageMakerEncoder({ client: client(), endpointName: 'aisle-encoder', batchSize: 2, concurrency: 2 });
    expect(encoder.modelVersion).toBe('unknown');
    const texts = ['Coca-Cola 2 L', 'Pampers Size 3 diapers', 'Tide Pods 42 ct', 'Fancy Feast wet cat food 24 ct', 'Cheerios cereal 18 oz'];
    const got = await encoder.predict(texts, 2);
    expect(calls).toEqual([2, 2, 1]);
    expect(encoder.modelVersion).toBe(STARTER_VERSION);
    const local = await OnnxEncoder.load(STARTER_DIR, { threads: 1 });
    try {
      const expected = await local.predict(texts, 2);
      got.forEach((top, i) => {
        expect(top.map((c) => c.classId)).toEqual(expected[i].map((c) => c.classId));
        top.forEach((c, j) => expect(c.score).toBeCloseTo(expected[i][j].score, 6));
        expect(encoder.threshold(top[0].classId)).toBe(local.threshold(top[0].classId));
      });
    } finally {
      await local.close();
    }
    expect(encoder.threshold('class-never-seen')).toBe(1);
  });

  it("is the AWS pipeline's encoder tier when ENCODER_ENDPOINT_NAME names an endpoint", async () => {
    expect((await defaultTiers(taxonomy, {})).map((t) => t.name)).toEqual(['rules']);
    // The SDK's own endpoint override, so the handler's wiring is exercised unchanged.
    const saved = { ...process.env };
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME: shimUrl,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
    });
    try {
      const tiers = await defaultTiers(taxonomy, { encoderEndpointName: 'aisle-encoder' });
      expect(tiers.map((t) => t.name)).toEqual(['rules', 'encoder']);
      const [outcome] = await tiers[1].decide([toCascadeItem({ name: 'Pampers Swaddlers Diapers Size 2, 84 ct' })], { hints: [[]] });
      expect(outcome).toMatchObject({ kind: 'decided', classId: 'non-food.baby-care', modelVersion: STARTER_VERSION });
    } finally {
      for (const key of ['AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME', 'AWS_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY']) {
        if (saved[key] === undefined) delete process.env[key];
        else process.env[key] = saved[key];
      }
    }
  });

  it('surfaces endpoint errors', async () => {
    const encoder = new SageMakerEncoder({ client: client(), endpointName: 'no-such-endpoint' });
    await expect(encoder.predict(['milk'])).rejects.toThrow(/no-such-endpoint not found/);
  });
});

describe('inference app', () => {
  it('answers 503 on /ping and /invocations while the model loads', async () => {
    const app = createInferenceApp({ encoder: () => null, taxonomy });
    expect((await app.request('/ping')).status).toBe(503);
    const res = await app.request('/invocations', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"texts":["x"]}' });
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ error: 'model_loading' });
  });
});
