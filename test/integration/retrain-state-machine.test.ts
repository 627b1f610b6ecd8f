/**
 * The retraining state machine as `cdk synth` writes it, run end to end (test/support/asl-runner.ts) with its
 * real Lambda steps (export, evaluate, promote) over moto_server's S3 and DynamoDB, and its SageMaker calls
 * (DescribeEndpoint, DescribeEndpointConfig, DescribeModel, CreateModel, CreateEndpointConfig) sent to
 * moto_server. Recorded, not emulated: UpdateEndpoint (moto has none: the test records the request and applies
 * its effect by re-creating the endpoint on the new config in moto), the training task (it writes a challenger
 * folder and an evaluation.json with the figures each case needs; containers/trainer/task.ts has its own test),
 * and SNS publishes.
 */
import { text } from 'node:stream/consumers';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3BlobStore } from '../../functions/adapters/aws/s3.ts';
import { loadTaxonomy } from '../../functions/core/taxonomy.ts';
import { pipelineDeps } from '../../functions/handlers/deps.ts';
import { CHAMPION_COPY_PREFIX, REGISTRY_KEY, type RetrainDeps, type RetrainEvent } from '../../functions/handlers/retrain.ts';
import { makeHandler as makeEvaluate } from '../../functions/handlers/retrain-evaluate.ts';
import { makeHandler as makeExport } from '../../functions/handlers/retrain-export.ts';
import { makeHandler as makePromote } from '../../functions/handlers/retrain-promote.ts';
import { ARTIFACT_FILES } from '../../functions/model/registry.ts';
import { BLUE_GREEN } from '../../lib/retraining-rollout.ts';
import { record } from '../contract/stores.ts';
import { synthesize } from '../infra/synth.ts';
import { type AslState, resolveDefinition, runStateMachine } from '../support/asl-runner.ts';
import { createTable, type Emulator, motoMissing, skipReason, startMoto } from '../support/emulators.ts';

const skip = skipReason(motoMissing());
const LAKE = 'lake';
const ROLE = 'arn:aws:iam::123456789012:role/aisle-encoder';
const IMAGE = '123456789012.dkr.ecr.us-east-1.amazonaws.com/aisle-encoder:v7';

// biome-ignore lint/suspicious/noExplicitAny: JSON of SageMaker answers, task parameters and the template, read by shape
type Obj = Record<string, any>;

describe.skipIf(skip)('the retraining state machine, end to end', () => {
  let moto: Emulator;
  let deps: RetrainDeps;
  let machine: { StartAt: string; States: Record<string, AslState> };
  const updates: Obj[] = [];
  const published: Obj[] = [];
  /** What the recorded training task writes next (each case sets it), and whether SageMaker rolls the next update back. */
  let challengerScores = { l1: 0, f1: 0 };
  let rollBack = false;

  /** SageMaker's JSON protocol on moto_server (the project ships no SageMaker control-plane client). */
  const sagemaker = async (action: string, body: Obj): Promise<Obj> => {
    const res = await fetch(moto.endpoint, {
      method: 'POST',
      headers: {
        'X-Amz-Target': `SageMaker.${action}`,
        'Content-Type': 'application/x-amz-json-1.1',
        Authorization: 'AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/sagemaker/aws4_request, SignedHeaders=host, Signature=x',
      },
      body: JSON.stringify(body),
    });
    const out = (await res.json()) as Obj;
    if (!res.ok) throw Object.assign(new Error(out.Message ?? out.message), { name: `SageMaker.${out.__type}` });
    return out;
  };

  const report = (version: string, l1: number, f1: number) => ({
    rows: 40,
    modelVersion: version,
    levels: [
      { accuracy: l1, macroF1: l1 },
      { accuracy: f1, macroF1: f1 },
    ],
  });

  const tasks = async (resource: string, parameters: unknown, state: string): Promise<unknown> => {
    const params = parameters as Obj;
    if (resource.startsWith('lambda:RetrainExportFn')) return makeExport(deps)(params as RetrainEvent);
    if (resource.startsWith('lambda:RetrainEvaluateFn')) return makeEvaluate(deps)(params as RetrainEvent);
    if (resource.startsWith('lambda:RetrainPromoteFn')) return makePromote(deps)(params as RetrainEvent);
    if (resource.endsWith(':ecs:runTask.sync')) {
      const env = Object.fromEntries(params.Overrides.ContainerOverrides[0].Environment.map((e: Obj) => [e.Name, e.Value]));
      for (const uri of [env.TRAIN_DATA_URI, env.HELDOUT_DATA_URI]) expect(await deps.lake.exists(uri.replace(`s3://${LAKE}/`, ''))).toBe(true);
      const out = env.MODEL_OUTPUT_URI.replace(`s3://${LAKE}/`, '');
      const version = out.split('/').at(-2);
      for (const f of ARTIFACT_FILES) await deps.lake.put(`${out}${f}`, f === 'metrics.json' ? '{}' : `${version} ${f}`);
      const evaluation = {
        heldOutRows: 40,
        champion: { version: 'v1', report: report('v1', 0.95, 0.8) },
        challenger: { version, report: report(version, challengerScores.l1, challengerScores.f1) },
      };
      await deps.lake.put(`${out}evaluation.json`, JSON.stringify(evaluation));
      return { TaskArn: 'arn:aws:ecs:us-east-1:123456789012:task/recorded' };
    }
    if (resource.endsWith(':sns:publish')) {
      published.push(params);
      return { MessageId: 'recorded' };
    }
    const sdk = /:aws-sdk:sagemaker:(\w+)$/.exec(resource);
    if (sdk) {
      const action = sdk[1][0].toUpperCase() + sdk[1].slice(1);
      if (action !== 'UpdateEndpoint') return sagemaker(action, params);
      updates.push(params);
      await sagemaker('DescribeEndpointConfig', { EndpointConfigName: params.EndpointConfigName }); // it must exist
      if (!rollBack) {
        await sagemaker('DeleteEndpoint', { EndpointName: params.EndpointName });
        await sagemaker('CreateEndpoint', { EndpointName: params.EndpointName, EndpointConfigName: params.EndpointConfigName });
      }
      return {};
    }
    throw new Error(`no task for ${resource} (${state})`);
  };

  const readRegistry = async () => JSON.parse(await text((await deps.lake.get(REGISTRY_KEY))!));
  const endpoint = () => sagemaker('DescribeEndpoint', { EndpointName: 'aisle-encoder' });

  beforeAll(async () => {
    moto = await startMoto();
    await moto.clients.s3.send(new CreateBucketCommand({ Bucket: LAKE }));
    await createTable(moto.options, 'table', true);
    process.env.POWERTOOLS_METRICS_DISABLED = 'true';
    const pipeline = pipelineDeps(moto.clients, { tableName: 'table', inboxBucket: 'inbox', lakeBucket: LAKE, llmEnabled: false } as never, {
      logger: new Logger({ logLevel: 'ERROR' }),
      metrics: new Metrics({ namespace: 'AisleTest' }),
    });
    deps = {
      taxonomy: loadTaxonomy(),
      results: pipeline.results,
      lake: new S3BlobStore(moto.clients.s3, LAKE),
      lakeBucket: LAKE,
      logger: pipeline.logger,
    };
    // Labelled items for the export: LLM decisions and a human label.
    await deps.results.saveDecisions(
      Array.from({ length: 80 }, (_, i) => record(`p${i}`, '2026-05-01T00:00:00.000Z', { tier: 'llm', classId: 'non-food.household' })),
    );
    await deps.results.setHumanLabel('p0', 'food.dairy-eggs', 'tester');
    // Not confident: an LLM decision sent to review is no label.
    await deps.results.saveDecisions([
      record('unsure', '2026-05-01T00:00:00.000Z', { tier: 'llm', classId: 'food.snacks-sweets', status: 'needs_review', confidence: 0.4 }),
    ]);
    // The champion v1, served by the endpoint the stack made (its model and config named by CloudFormation).
    for (const f of ARTIFACT_FILES) await deps.lake.put(`models/challengers/v1/${f}`, f === 'metrics.json' ? '{}' : `v1 ${f}`);
    await deps.lake.put(REGISTRY_KEY, JSON.stringify({ champion: 'v1', challengers: [], retired: [], history: [] }));
    await sagemaker('CreateModel', { ModelName: 'Model-cfn1', ExecutionRoleArn: ROLE, PrimaryContainer: { Image: IMAGE } });
    await sagemaker('CreateEndpointConfig', {
      EndpointConfigName: 'Config-cfn1',
      // moto knows no g5 types: a g4dn stands for the stack's ml.g5.xlarge.
      ProductionVariants: [
        { VariantName: 'AllTraffic', ModelName: 'Model-cfn1', InitialInstanceCount: 1, InstanceType: 'ml.g4dn.xlarge', InitialVariantWeight: 1 },
      ],
    });
    await sagemaker('CreateEndpoint', { EndpointName: 'aisle-encoder', EndpointConfigName: 'Config-cfn1' });

    const s = synthesize();
    const [definition] = Object.values(s.template.findResources('AWS::StepFunctions::StateMachine')).map((r: Obj) => r.Properties.DefinitionString);
    machine = resolveDefinition(definition, (token) => {
      if (token.Ref === 'AWS::Partition') return 'aws';
      if (typeof token.Ref === 'string' && token.Ref.startsWith('StorageLake')) return LAKE;
      if (token['Fn::GetAtt']) return `lambda:${(token['Fn::GetAtt'] as string[])[0]}`;
      return String(token.Ref);
    });
  }, 120_000);
  afterAll(async () => {
    await moto?.stop();
  });

  it('promotes on a win: exports, trains, evaluates, rolls the challenger onto the endpoint blue/green, then records it', async () => {
    challengerScores = { l1: 0.96, f1: 0.85 };
    const name = 'v20261207-010000';
    const run = await runStateMachine(machine, { name, input: { trigger: 'schedule' }, tasks });
    expect(run.error).toBeUndefined();
    expect(run.status).toBe('SUCCEEDED');
    expect(run.path).toEqual([
      'Start',
      'ExportLabelledData',
      'TrainChallenger',
      'EvaluateChallenger',
      'ChallengerWins?',
      'DescribeEndpoint',
      'DescribeEndpointConfig',
      'DescribeServedModel',
      'NameChallengerModel',
      'CreateChallengerModel',
      'CreateChallengerEndpointConfig',
      'ServerlessEndpoint?',
      'UpdateEndpointBlueGreen',
      'WaitForEndpoint',
      'PollEndpoint',
      'EndpointServesChallenger?',
      'PromoteChallenger',
      'NotifyPromoted',
    ]);
    // The export wrote both sides of the split from the table's labels: the human one and confident LLM decisions.
    const exported = (run.output as Obj).export;
    expect(exported.trainRows + exported.heldOutRows).toBe(80);
    expect(exported.byTier).toEqual({ human: 1, llm: 79 });

    // The endpoint now runs a new config: the running variant with a model over the challenger's folder.
    const target = `aisle-encoder-${name}`;
    expect(updates).toEqual([
      { EndpointName: 'aisle-encoder', EndpointConfigName: target, DeploymentConfig: BLUE_GREEN, RetainAllVariantProperties: true },
    ]);
    expect((await endpoint()).EndpointConfigName).toBe(target);
    const config = await sagemaker('DescribeEndpointConfig', { EndpointConfigName: target });
    expect(config.ProductionVariants).toEqual([
      { VariantName: 'AllTraffic', ModelName: target, InitialInstanceCount: 1, InstanceType: 'ml.g4dn.xlarge', InitialVariantWeight: 1 },
    ]);
    const model = await sagemaker('DescribeModel', { ModelName: target });
    expect(model.ExecutionRoleArn).toBe(ROLE);
    expect(model.PrimaryContainer).toEqual({
      Image: IMAGE,
      ModelDataSource: { S3DataSource: { S3Uri: `s3://${LAKE}/models/challengers/${name}/`, S3DataType: 'S3Prefix', CompressionType: 'None' } },
    });

    // Then, and only then, the registry names it; its folder is the champion copy; the topic hears of it.
    expect(await readRegistry()).toMatchObject({ champion: name, retired: ['v1'] });
    expect(await text((await deps.lake.get(`${CHAMPION_COPY_PREFIX}model.onnx`))!)).toBe(`${name} model.onnx`);
    expect(published.at(-1)).toMatchObject({ Subject: 'Aisle retraining: challenger promoted', Message: { outcome: 'challenger promoted' } });
  });

  it('keeps the champion on a loss: the challenger is retired and the endpoint is not touched', async () => {
    challengerScores = { l1: 0.9, f1: 0.9 }; // higher Level 2 macro-F1, lower Level 1 accuracy: a loss
    const before = await endpoint();
    const updatesBefore = updates.length;
    const name = 'v20261207-020000';
    const run = await runStateMachine(machine, { name, input: { trigger: 'schedule' }, tasks });
    expect(run.status).toBe('SUCCEEDED');
    expect(run.path.slice(-3)).toEqual(['ChallengerWins?', 'RetireChallenger', 'NotifyDiscarded']);
    expect(run.path).not.toContain('DescribeEndpoint');
    expect(updates.length).toBe(updatesBefore);
    expect((await endpoint()).EndpointConfigName).toBe(before.EndpointConfigName);
    await expect(sagemaker('DescribeModel', { ModelName: `aisle-encoder-${name}` })).rejects.toThrow(/Could not find model/);
    const registry = await readRegistry();
    expect(registry.champion).toBe('v20261207-010000');
    expect(registry.retired).toContain(name);
    expect(published.at(-1)).toMatchObject({ Message: { outcome: 'challenger discarded', evaluation: { promote: false } } });
  });

  it('does not record a champion the endpoint does not serve: a rolled-back update fails the run and notifies', async () => {
    challengerScores = { l1: 0.97, f1: 0.9 };
    rollBack = true;
    const name = 'v20261207-030000';
    const run = await runStateMachine(machine, { name, input: { trigger: 'schedule' }, tasks });
    rollBack = false;
    expect(run.status).toBe('FAILED');
    expect(run.path.slice(-5)).toEqual(['PollEndpoint', 'EndpointServesChallenger?', 'RolloutFailed', 'NotifyFailure', 'Failed']);
    expect(updates.at(-1)).toMatchObject({ EndpointConfigName: `aisle-encoder-${name}` });
    expect((await readRegistry()).champion).toBe('v20261207-010000');
    expect(published.at(-1)).toMatchObject({ Message: { outcome: 'failed', error: 'RolloutFailed' } });
  });

  it('updates a serverless endpoint without a blue/green deployment config (SageMaker has none for it)', async () => {
    await sagemaker('CreateEndpointConfig', {
      EndpointConfigName: 'Config-serverless',
      ProductionVariants: [{ VariantName: 'AllTraffic', ModelName: 'Model-cfn1', ServerlessConfig: { MemorySizeInMB: 4096, MaxConcurrency: 20 } }],
    });
    await sagemaker('DeleteEndpoint', { EndpointName: 'aisle-encoder' });
    await sagemaker('CreateEndpoint', { EndpointName: 'aisle-encoder', EndpointConfigName: 'Config-serverless' });
    challengerScores = { l1: 0.98, f1: 0.95 };
    const name = 'v20261207-040000';
    const run = await runStateMachine(machine, { name, input: { trigger: 'schedule' }, tasks });
    expect(run.status).toBe('SUCCEEDED');
    expect(run.path).toContain('UpdateServerlessEndpoint');
    expect(updates.at(-1)).toEqual({ EndpointName: 'aisle-encoder', EndpointConfigName: `aisle-encoder-${name}` });
    const config = await sagemaker('DescribeEndpointConfig', { EndpointConfigName: `aisle-encoder-${name}` });
    expect(config.ProductionVariants[0]).toMatchObject({
      ModelName: `aisle-encoder-${name}`,
      ServerlessConfig: { MemorySizeInMB: 4096, MaxConcurrency: 20 },
    });
    expect((await readRegistry()).champion).toBe(name);
  });
});
