/**
 * Handlers through makeHandler(deps) on dynalite, s3rver and local-aws-sqs: ingest's edge cases (S3 test
 * events, refused files, redelivered notifications, files with no valid row) and the retraining steps.
 * The whole pipeline on moto_server is test/e2e/aws-moto.test.ts.
 */

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buffer, text } from 'node:stream/consumers';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { CreateQueueCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { DuckDBInstance } from '@duckdb/node-api';
import type { SQSEvent } from 'aws-lambda';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AwsConfig } from '../../functions/adapters/aws/clients.ts';
import { newJobId, uploadKey } from '../../functions/core/job-ids.ts';
import { makeHandler as makeClassify } from '../../functions/handlers/classify.ts';
import { pipelineDeps } from '../../functions/handlers/deps.ts';
import { makeHandler as makeFinalize } from '../../functions/handlers/finalize.ts';
import { makeHandler as makeIngest } from '../../functions/handlers/ingest.ts';
import type { PipelineDeps } from '../../functions/handlers/pipeline.ts';
import { CHAMPION_COPY_PREFIX, type Evaluation, REGISTRY_KEY } from '../../functions/handlers/retrain.ts';
import { makeHandler as makeEvaluate } from '../../functions/handlers/retrain-evaluate.ts';
import { makeHandler as makeExport } from '../../functions/handlers/retrain-export.ts';
import { makeHandler as makePromote } from '../../functions/handlers/retrain-promote.ts';
import { ARTIFACT_FILES } from '../../functions/model/registry.ts';
import { llmMessageSchema } from '../../functions/pipeline/messages.ts';
import { forTenant, jobIdFor } from '../../functions/pipeline/queued.ts';
import { record } from '../contract/stores.ts';
import { createTable, type Emulator, startDynalite, startLocalSqs, startS3rver } from '../support/emulators.ts';

const INBOX = 'inbox';
const LAKE = 'lake';

let dyn: Emulator;
let s3: Emulator;
let sqs: Emulator;
let deps: PipelineDeps;
let config: AwsConfig & { classifyQueueUrl: string; finalizeQueueUrl: string };

beforeAll(async () => {
  [dyn, s3, sqs] = await Promise.all([startDynalite(), startS3rver([INBOX, LAKE]), startLocalSqs()]);
  await createTable(dyn.options, 'table', false);
  const url = async (name: string) => (await sqs.clients.sqs.send(new CreateQueueCommand({ QueueName: name }))).QueueUrl!;
  config = {
    tableName: 'table',
    inboxBucket: INBOX,
    lakeBucket: LAKE,
    classifyQueueUrl: await url('classify'),
    finalizeQueueUrl: await url('finalize'),
    llmEnabled: false,
  };
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  deps = pipelineDeps({ dynamo: dyn.clients.dynamo, s3: s3.clients.s3, sqs: sqs.clients.sqs }, config, {
    logger: new Logger({ logLevel: 'ERROR' }),
    metrics: new Metrics({ namespace: 'AisleTest' }),
  });
});

afterAll(async () => {
  await Promise.all([dyn?.stop(), s3?.stop(), sqs?.stop()]);
});

function sqsEvent(...bodies: unknown[]): SQSEvent {
  return {
    Records: bodies.map((b, i) => ({
      messageId: `m${i}`,
      receiptHandle: `r${i}`,
      body: typeof b === 'string' ? b : JSON.stringify(b),
      attributes: { ApproximateReceiveCount: '1', SentTimestamp: '0', SenderId: 'test', ApproximateFirstReceiveTimestamp: '0' },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:ingest',
      awsRegion: 'us-east-1',
    })),
  };
}

async function dropFile(key: string, body: string): Promise<{ jobId: string; notification: unknown }> {
  const put = await s3.clients.s3.send(new PutObjectCommand({ Bucket: INBOX, Key: key, Body: body }));
  const etag = put.ETag!.replace(/"/g, '');
  const notification = {
    Records: [
      { eventName: 'ObjectCreated:Put', s3: { bucket: { name: INBOX }, object: { key: encodeURIComponent(key).replace(/%20/g, '+'), eTag: etag } } },
    ],
  };
  return { jobId: jobIdFor(INBOX, key, etag), notification };
}

async function drain(url: string): Promise<string[]> {
  const bodies: string[] = [];
  for (;;) {
    const got = await sqs.clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, VisibilityTimeout: 60 }));
    if (!got.Messages?.length) return bodies;
    bodies.push(...got.Messages.map((m) => m.Body!));
  }
}

describe('ingest handler', () => {
  it('ignores the s3:TestEvent and fails only the malformed record of a batch', async () => {
    const ingest = makeIngest(deps);
    const res = await ingest(sqsEvent({ Service: 'Amazon S3', Event: 's3:TestEvent' }, 'not json'));
    expect(res.batchItemFailures).toEqual([{ itemIdentifier: 'm1' }]);
  });

  it('chunks valid rows, writes rejects, records the total, and a redelivery adds nothing', async () => {
    const rows = Array.from({ length: 450 }, (_, i) => `${i},Sparkling Water ${i} 12 oz`);
    rows.splice(10, 0, '999,'); // empty name
    const { jobId, notification } = await dropFile('drops/my catalog.csv', `sku,product_name\n${rows.join('\n')}\n`);
    const ingest = makeIngest(deps);
    expect((await ingest(sqsEvent(notification))).batchItemFailures).toEqual([]);
    const messages = (await drain(config.classifyQueueUrl)).map((b) => JSON.parse(b));
    expect(messages.map((m) => m.chunk)).toEqual([0, 1, 2]);
    expect(messages.reduce((s, m) => s + m.rows.length, 0)).toBe(450);
    expect(messages[1].rowNumbers[0]).toBe(202); // data row 11 was the rejected one
    const job = await deps.jobs.get(jobId);
    expect(job).toMatchObject({ status: 'running', rowsIn: 451, rejected: 1, totalKnown: true, input: `s3://${INBOX}/drops/my catalog.csv` });
    const rejects = parse(await text((await deps.lake.get(`outbox/${jobId}/rejects.csv`))!), { columns: true }) as Record<string, string>[];
    expect(rejects).toHaveLength(1);
    expect(rejects[0].reason).toMatch(/empty product name/);

    expect((await ingest(sqsEvent(notification))).batchItemFailures).toEqual([]);
    expect(await drain(config.classifyQueueUrl)).toEqual([]);
    expect((await deps.jobs.get(jobId))?.rowsIn).toBe(451);
  });

  it('fails the job with a clear reason when the file has no product name column', async () => {
    const { jobId, notification } = await dropFile('drops/wrong.csv', 'sku,colour\n1,red\n');
    await makeIngest(deps)(sqsEvent(notification));
    const job = await deps.jobs.get(jobId);
    expect(job?.status).toBe('failed');
    expect(job?.error).toMatch(/no product name column/);
  });

  it('sends a job whose every row is rejected straight to finalize, once', async () => {
    const { jobId, notification } = await dropFile('drops/empty-names.csv', 'product_name,brand\n,x\n,y\n');
    const ingest = makeIngest(deps);
    await ingest(sqsEvent(notification));
    await ingest(sqsEvent(notification));
    expect(await drain(config.finalizeQueueUrl)).toEqual([JSON.stringify({ tenant: 'default', jobId })]);
    expect(await deps.jobs.get(jobId)).toMatchObject({ status: 'finalizing', rowsIn: 2, rejected: 2, classified: 0 });
  });
});

describe('classify handler', () => {
  it('stores and counts a chunk once, sends the unsure rows to the LLM queue when enabled, and fails only a malformed message', async () => {
    const llmQueueUrl = (await sqs.clients.sqs.send(new CreateQueueCommand({ QueueName: 'llm' }))).QueueUrl!;
    const llmDeps = pipelineDeps(
      { dynamo: dyn.clients.dynamo, s3: s3.clients.s3, sqs: sqs.clients.sqs },
      { ...config, llmEnabled: true, llmQueueUrl },
      {
        logger: new Logger({ logLevel: 'CRITICAL' }),
        metrics: new Metrics({ namespace: 'AisleTest' }),
      },
    );
    await llmDeps.jobs.create({ id: 'cjob', input: 's3://inbox/x.csv', status: 'running' });
    await llmDeps.lake.put('outbox/cjob/work/header.json', JSON.stringify({ header: ['product_name'] }));
    const chunk = {
      jobId: 'cjob',
      chunk: 0,
      header: ['product_name'],
      rows: [['Sparkling Water 12 oz'], ['Zorblax Quantum Widget']],
      rowNumbers: [1, 2],
    };
    const classify = makeClassify(llmDeps);
    const res = await classify(sqsEvent(chunk, { jobId: 'cjob', rows: 'oops' }));
    expect(res.batchItemFailures).toEqual([{ itemIdentifier: 'm1' }]);
    await classify(sqsEvent(chunk)); // redelivered
    // The sure row is stored and counted; the unsure one waits for the LLM worker, which completes it as chunk 00000000-llm.
    const job = await llmDeps.jobs.get('cjob');
    expect(job).toMatchObject({ classified: 1, tierCounts: { rules: 1 } });
    const sent = (await drain(llmQueueUrl)).map((b) => llmMessageSchema.parse(JSON.parse(b)));
    expect(sent.length).toBeGreaterThanOrEqual(1);
    for (const m of sent) expect(m).toMatchObject({ jobId: 'cjob', chunkId: '00000000-llm', rows: [{ n: 2, values: ['Zorblax Quantum Widget'] }] });
  });
});

describe("a tenant's upload, from ingest to finalize", () => {
  it("keeps the job, its decisions and its lake rows the tenant's: the default tenant sees none of them", async () => {
    const jobId = newJobId();
    const { notification } = await dropFile(uploadKey('acme', jobId, 'acme.csv'), 'product_name\nAcme Sparkling Water 12 oz\nAcme Zorblax Widget\n');
    await makeIngest(deps)(sqsEvent(notification));
    const chunks = await drain(config.classifyQueueUrl);
    expect(chunks.map((b) => JSON.parse(b).tenant)).toEqual(['acme']);
    await makeClassify(deps)(sqsEvent(...chunks));
    const finalize = await drain(config.finalizeQueueUrl);
    expect(finalize).toEqual([JSON.stringify({ tenant: 'acme', jobId })]);
    // The job's message sends its segments, the last segment sends compose: run the queue until it is empty.
    for (let batch = finalize; batch.length; batch = await drain(config.finalizeQueueUrl)) {
      expect((await makeFinalize(deps)(sqsEvent(...batch))).batchItemFailures).toEqual([]);
    }

    const acme = forTenant(deps, 'acme');
    expect(await acme.jobs.get(jobId)).toMatchObject({ status: 'done', classified: 2 });
    expect(await deps.jobs.get(jobId)).toBeNull();
    expect((await deps.jobs.list({ limit: 100 })).items.map((j) => j.id)).not.toContain(jobId);
    const review = (await acme.results.listReview({ limit: 10 })).items;
    expect(review.map((r) => r.input.name)).toEqual(['Acme Zorblax Widget']);
    const key = review[0].decision.key;
    expect(await deps.results.getItem(key)).toBeNull();
    expect((await deps.results.listReview({ limit: 100 })).items.map((r) => r.decision.key)).not.toContain(key);
    const lakeParts = (await deps.lake.list('results/')).filter((k) => k.includes(`job=${jobId}/`));
    expect(lakeParts).toHaveLength(1);
    const part = join(mkdtempSync(join(tmpdir(), 'aisle-lake-part-')), 'part.parquet');
    writeFileSync(part, await buffer((await deps.lake.get(lakeParts[0]))!));
    const db = await (await DuckDBInstance.create(':memory:')).connect();
    const tenants = (await db.runAndReadAll(`SELECT DISTINCT tenant FROM read_parquet('${part}')`)).getRows();
    db.closeSync();
    expect(tenants).toEqual([['acme']]);
  });
});

/** A stand-in for a trained version's file: metrics.json must be JSON (the promotion reads which files it names). */
const fakeArtifact = (run: string, f: string) => (f === 'metrics.json' ? JSON.stringify({ run }) : `${run} ${f}`);

describe('retraining steps', () => {
  const report = (version: string, l1: number, f1: number) => ({
    rows: 200,
    modelVersion: version,
    levels: [
      { accuracy: l1, macroF1: l1 },
      { accuracy: f1, macroF1: f1 },
    ],
  });

  it('exports labelled items, evaluates champion vs challenger on the same rows, and promotes the winner', async () => {
    const retrainDeps = { ...deps, lakeBucket: LAKE };
    // Enough labelled products that both sides of the hash split get some.
    await deps.results.saveDecisions(
      Array.from({ length: 60 }, (_, i) => record(`l${i}`, '2026-05-01T00:00:00.000Z', { tier: 'llm', classId: 'non-food.household' })),
    );
    await deps.results.saveDecisions([record('h1', '2026-05-01T00:00:00.000Z', { tier: 'rules', classId: 'food.beverages' })]);
    await deps.results.setHumanLabel('h1', 'food.dairy-eggs', 'tester');
    const payload = (execution: string, evaluation: Record<string, unknown> = {}) => ({
      execution,
      challengerUri: `s3://${LAKE}/models/challengers/${execution}/`,
      export: {},
      evaluation,
    });

    const exported = await makeExport(retrainDeps)(payload('run-1'));
    expect(exported).toMatchObject({
      trainUri: `s3://${LAKE}/exports/run-1/train.csv`,
      heldOutUri: `s3://${LAKE}/exports/run-1/heldout.csv`,
      byTier: { human: 1, llm: 60 },
    });
    expect(exported.trainRows + exported.heldOutRows).toBe(61);
    expect(exported.heldOutRows).toBeGreaterThan(0);
    const read = async (key: string) => parse(await text((await deps.lake.get(key))!), { columns: true }) as Record<string, string>[];
    const all = [...(await read('exports/run-1/train.csv')), ...(await read('exports/run-1/heldout.csv'))];
    expect(all).toContainEqual({ product_name: 'product h1', brand: '', level1: 'Food', level2: 'Dairy & Eggs', tier: 'human' });
    expect(all.filter((r) => r.tier === 'llm').every((r) => r.level1 === 'Non-Food')).toBe(true);
    // The split is stable: a second export puts every product on the same side.
    await makeExport(retrainDeps)(payload('run-1b'));
    expect(await read('exports/run-1b/heldout.csv')).toEqual(await read('exports/run-1/heldout.csv'));

    const evaluation: Evaluation = {
      heldOutRows: 200,
      champion: { version: 'v1', report: report('v1', 0.95, 0.8) },
      challenger: { version: 'run-1', report: report('run-1', 0.96, 0.85) },
    };
    await deps.lake.put('models/challengers/run-1/evaluation.json', JSON.stringify(evaluation));
    const verdict = await makeEvaluate(retrainDeps)(payload('run-1'));
    expect(verdict).toMatchObject({ promote: true, champion: 'v1', challenger: 'run-1' });
    expect(verdict.table).toContainEqual({ metric: 'level2MacroF1', champion: 0.8, challenger: 0.85 });

    await deps.lake.put(
      'models/challengers/run-2/evaluation.json',
      JSON.stringify({ ...evaluation, challenger: { version: 'run-2', report: report('run-2', 0.9, 0.9) } }),
    );
    expect(await makeEvaluate(retrainDeps)(payload('run-2'))).toMatchObject({
      promote: false,
      reason: expect.stringMatching(/Level 1 accuracy .*lower/),
    });
    await deps.lake.put('models/challengers/run-3/evaluation.json', JSON.stringify({ ...evaluation, heldOutRows: 300 }));
    await expect(makeEvaluate(retrainDeps)(payload('run-3'))).rejects.toThrow(/not the 300 held-out rows/);
    await expect(makeEvaluate(retrainDeps)({ ...payload('run-1'), challengerUri: 's3://elsewhere/x/' })).rejects.toThrow(/not in the lake bucket/);

    const promote = makePromote(retrainDeps);
    await expect(promote(payload('run-1', { promote: true }))).rejects.toThrow(/does not exist/);
    for (const run of ['run-1', 'run-2', 'run-4'])
      for (const f of ARTIFACT_FILES) await deps.lake.put(`models/challengers/${run}/${f}`, fakeArtifact(run, f));
    expect(await promote(payload('run-1', { promote: true }))).toEqual({ champion: 'run-1', promoted: true });
    expect(await promote(payload('run-2', { promote: false }))).toEqual({ champion: 'run-1', promoted: false });
    expect(await promote(payload('run-4', { promote: true }))).toEqual({ champion: 'run-4', promoted: true });
    const registry = JSON.parse(await text((await deps.lake.get(REGISTRY_KEY))!));
    expect(registry).toMatchObject({ champion: 'run-4', retired: ['run-2', 'run-1'] });
    expect(registry.history.map((h: { action: string; version: string }) => `${h.action} ${h.version}`)).toEqual([
      'promote run-1',
      'retire run-2',
      'promote run-4',
    ]);
    // The champion's folder is copied where a redeploy's model reads it (EncoderModelPrefix=models/champion/).
    for (const f of ARTIFACT_FILES) expect(await text((await deps.lake.get(`${CHAMPION_COPY_PREFIX}${f}`))!)).toBe(fakeArtifact('run-4', f));
  });
});
