import { AthenaClient, GetQueryExecutionCommand, ListQueryExecutionsCommand } from '@aws-sdk/client-athena';
import { CreateBucketCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { CreateStateMachineCommand, SFNClient } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AthenaShopperInsights } from '../../functions/adapters/aws/athena-shoppers.ts';
import { DynamoJobStore } from '../../functions/adapters/aws/dynamo-jobs.ts';
import { S3JobsService } from '../../functions/adapters/aws/jobs-service.ts';
import { REGISTRY_KEY, S3ModelRegistry, versionPrefix } from '../../functions/adapters/aws/model-registry.ts';
import { StepFunctionsRetrainer } from '../../functions/adapters/aws/retrainer.ts';
import { S3BlobStore } from '../../functions/adapters/aws/s3.ts';
import { jobIdFor, jobOfObject } from '../../functions/pipeline/queued.ts';
import { createTable, type Emulator, motoMissing, skipReason, startMoto, TEST_CREDENTIALS, TEST_REGION } from '../support/emulators.ts';

const skip = skipReason(motoMissing());

describe.skipIf(!!skip)('the API on AWS: presigned jobs, registry, retraining, Lambda entry (moto_server)', () => {
  let moto: Emulator;
  const table = 'aisle-api-test';
  const env: Record<string, string> = {};

  beforeAll(async () => {
    moto = await startMoto();
    for (const b of ['inbox', 'lake']) await moto.clients.s3.send(new CreateBucketCommand({ Bucket: b }));
    await createTable(moto.options, table, false);
    Object.assign(env, {
      AWS_ENDPOINT_URL: moto.endpoint,
      AWS_REGION: TEST_REGION,
      AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
      TABLE_NAME: table,
      INBOX_BUCKET: 'inbox',
      LAKE_BUCKET: 'lake',
      ATHENA_WORKGROUP: 'primary',
      GLUE_DATABASE: 'aisle',
      LLM_ENABLED: 'false',
      POWERTOOLS_DEV: 'true',
    });
  });
  afterAll(async () => {
    for (const k of Object.keys(env)) delete process.env[k];
    await moto?.stop();
  });

  it("hands out a presigned upload whose key gives ingest the same job id and the tenant's, and serves results by presigned GET", async () => {
    const shared = new DynamoJobStore(moto.clients.dynamo, table);
    const jobs = shared.forTenant('acme');
    const service = new S3JobsService({ s3: moto.clients.s3, jobs: shared, inboxBucket: 'inbox', lakeBucket: 'lake' }).forTenant('acme');
    const upload = await service.createUpload('../My Catalog.csv');
    expect(upload.method).toBe('PUT');
    expect((await service.get(upload.jobId))?.status).toBe('queued');
    expect(await service.forTenant('default').get(upload.jobId)).toBeNull(); // the job is the tenant's alone

    const put = await fetch(upload.url, { method: 'PUT', headers: upload.headers, body: 'product_name\nWhole Milk\n' });
    expect(put.status).toBe(200);
    const key = `inbox/uploads/acme/${upload.jobId}/My_Catalog.csv`;
    const head = await moto.clients.s3.send(new HeadObjectCommand({ Bucket: 'inbox', Key: key }));
    expect(jobOfObject('inbox', key, head.ETag ?? '')).toEqual({ tenant: 'acme', jobId: upload.jobId });
    expect(jobOfObject('inbox', 'inbox/other.csv', '"e"')).toMatchObject({ tenant: 'default' });
    expect(jobIdFor('inbox', 'inbox/other.csv', '"e"')).not.toBe(upload.jobId);

    expect(await service.artifact(upload.jobId, 'result')).toBeNull(); // not done yet
    await moto.clients.s3.send(
      new PutObjectCommand({ Bucket: 'lake', Key: `outbox/${upload.jobId}/result.csv`, Body: 'product_name,level1\nWhole Milk,Food\n' }),
    );
    await jobs.update(upload.jobId, { status: 'done', output: `outbox/${upload.jobId}/result.csv`, rejects: `outbox/${upload.jobId}/rejects.csv` });
    const art = await service.artifact(upload.jobId, 'result');
    expect(art?.kind).toBe('redirect');
    const got = await fetch((art as { url: string }).url);
    expect(await got.text()).toContain('Whole Milk,Food');
    expect(await service.artifact(upload.jobId, 'rejects')).toBeNull(); // no rejects file was written
  });

  it('reads the champion, challengers and their metrics from the lake registry', async () => {
    const lake = new S3BlobStore(moto.clients.s3, 'lake');
    const registry = new S3ModelRegistry(lake);
    expect(await registry.champion()).toBeNull();
    await lake.put(
      REGISTRY_KEY,
      JSON.stringify({
        champion: 'v2',
        challengers: ['v3'],
        retired: ['v1'],
        history: [{ at: '2026-11-20T00:00:00.000Z', action: 'promote', version: 'v2', replaced: 'v1' }],
      }),
    );
    await lake.put(`${versionPrefix('v2')}metrics.json`, JSON.stringify({ levels: [{ accuracy: 0.99 }] }));
    const all = await registry.list();
    expect(all.map((m) => [m.version, m.role])).toEqual([
      ['v2', 'champion'],
      ['v3', 'challenger'],
      ['v1', 'retired'],
    ]);
    expect(all[0]).toMatchObject({ metrics: { levels: [{ accuracy: 0.99 }] }, createdAt: '2026-11-20T00:00:00.000Z' });
    await expect(registry.promote('v3')).rejects.toThrow(/retraining state machine/);
  });

  it('starts the retraining state machine and reports its execution', async () => {
    const sfn = new SFNClient(moto.options);
    const { stateMachineArn } = await sfn.send(
      new CreateStateMachineCommand({
        name: 'aisle-retrain',
        roleArn: 'arn:aws:iam::123456789012:role/sfn',
        definition: JSON.stringify({ StartAt: 'Done', States: { Done: { Type: 'Succeed' } } }),
      }),
    );
    const retrainer = new StepFunctionsRetrainer({ sfn, stateMachineArn: stateMachineArn! });
    const run = await retrainer.start();
    expect(run.id).toMatch(/^arn:aws:states:.*:execution:aisle-retrain:v\d{8}-\d{6}$/);
    const seen = await retrainer.get(run.id);
    expect(['running', 'succeeded']).toContain(seen?.status);
    expect(await retrainer.get('not-an-arn')).toBeNull();
  });

  it('the Lambda entry answers API Gateway events with the same app', async () => {
    Object.assign(process.env, env);
    const { handler } = await import('../../functions/handlers/api.ts');
    const event = (path: string, headers: Record<string, string> = {}) => ({
      version: '2.0',
      routeKey: '$default',
      rawPath: path,
      rawQueryString: '',
      headers: { host: 'api.example', ...headers },
      requestContext: {
        http: { method: 'GET', path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'test' },
        requestId: 'r1',
        stage: '$default',
        domainName: 'api.example',
        timeEpoch: Date.now(),
      },
      isBase64Encoded: false,
    });
    const call = handler as unknown as (e: unknown, c: unknown) => Promise<{ statusCode: number; body: string }>;
    const health = await call(event('/health'), {});
    expect(health.statusCode).toBe(200);
    const ready = await call(event('/ready'), {});
    expect(ready.statusCode).toBe(200);
    const noKey = await call(event('/v1/taxonomy'), {});
    expect(noKey.statusCode).toBe(401);
    expect(JSON.parse(noKey.body).error.code).toBe('unauthorized');
  });

  it("answers the shopper insights from the shopper tables on Athena, the caller's tenant's alone", async () => {
    Object.assign(process.env, env);
    const { awsApiDeps } = await import('../../functions/handlers/api-deps.ts');
    const insights = awsApiDeps().shopperInsights;
    expect(insights).toBeInstanceOf(AthenaShopperInsights);
    expect(await insights!.forTenant('acme').run('top_purchased_categories', { topN: 3 })).toEqual([]); // moto runs no SQL
    const athena = new AthenaClient(moto.options);
    const { QueryExecutionIds = [] } = await athena.send(new ListQueryExecutionsCommand({}));
    const sent = await Promise.all(
      QueryExecutionIds.map(async (id) => (await athena.send(new GetQueryExecutionCommand({ QueryExecutionId: id }))).QueryExecution!),
    );
    const query = sent.find((q) => q.Query?.includes('shopper_events'))!;
    expect(query.Query).toContain('WITH events AS (SELECT t.* FROM shopper_events t');
    expect(query.Query).toContain("FROM shopper_events t WHERE t.tenant = 'acme')");
    expect(query.QueryExecutionContext?.Database).toBe('aisle');
  });
});
