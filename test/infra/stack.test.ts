import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { LAKE_COLUMNS, lakePartKey } from '../../functions/core/lake.ts';
import { HANDLERS } from '../../lib/handler-function.ts';
import { BYTES_SCANNED_LIMIT } from '../../lib/insights.ts';
import { PINNED_OLLAMA_MODEL } from '../../lib/llm-service.ts';
import { VISIBILITY_FACTOR } from '../../lib/queues.ts';
import { type Synthesized, synthesize } from './synth.ts';

// One synthesis with real esbuild bundling for the whole file (the slow part: every handler is bundled once).
let s: Synthesized;
beforeAll(() => {
  s = synthesize({}, { bundle: true });
});

type Resource = { Type: string; Properties: Record<string, any>; DeletionPolicy?: string };
const resources = (type: string): [string, Resource][] => Object.entries(s.template.findResources(type)) as [string, Resource][];
const only = (type: string, props: object = {}): [string, Resource] => {
  const found = Object.entries(s.template.findResources(type, { Properties: props })) as [string, Resource][];
  expect(found, `exactly one ${type} matching ${JSON.stringify(props)}`).toHaveLength(1);
  return found[0];
};
const ref = (id: string) => ({ Ref: id });
const arnOf = (id: string) => ({ 'Fn::GetAtt': [id, 'Arn'] });

/** Our handler functions (not the CDK-provided notification handler), by handler file name. */
function handlerFunctions(): Map<string, [string, Resource]> {
  const byName = new Map<string, [string, Resource]>();
  for (const [id, r] of resources('AWS::Lambda::Function')) {
    const env = r.Properties.Environment?.Variables ?? {};
    if (env.POWERTOOLS_SERVICE_NAME) byName.set(id, [id, r]);
  }
  return byName;
}
const fnByIdPrefix = (prefix: string): [string, Resource] => {
  const hits = [...handlerFunctions().values()].filter(([id]) => id.startsWith(prefix));
  expect(hits, `one function with logical id ${prefix}…`).toHaveLength(1);
  return hits[0];
};
const FUNCTIONS = {
  ingest: 'PipelineIngestFn',
  classify: 'PipelineClassifyFn',
  finalize: 'PipelineFinalizeFn',
  'dead-letters': 'PipelineDeadLettersFn',
  api: 'ApiFn',
  authorizer: 'AuthorizerFn',
  shoppers: 'ShoppersShoppersFn',
  'retrain-export': 'RetrainExportFn',
  'retrain-evaluate': 'RetrainEvaluateFn',
  'retrain-promote': 'RetrainPromoteFn',
} as const;

describe('S3', () => {
  it('has three private, encrypted, TLS-only buckets, the data ones retained', () => {
    const buckets = resources('AWS::S3::Bucket');
    expect(buckets).toHaveLength(3);
    for (const [id, b] of buckets) {
      expect(b.Properties.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      expect(b.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm).toBe('AES256');
      expect(b.DeletionPolicy).toBe('Retain');
      const policy = resources('AWS::S3::BucketPolicy').find(([, p]) => JSON.stringify(p.Properties.Bucket) === JSON.stringify(ref(id)));
      expect(policy, `bucket policy of ${id}`).toBeDefined();
      expect(JSON.stringify(policy![1].Properties.PolicyDocument)).toContain('"aws:SecureTransport":"false"');
    }
  });

  it('expires inbox uploads, aborts incomplete multipart uploads, tiers old results, versions the lake', () => {
    const [, inbox] = only('AWS::S3::Bucket', { LoggingConfiguration: { LogFilePrefix: 'inbox/' } });
    const inboxRules = inbox.Properties.LifecycleConfiguration.Rules;
    expect(inboxRules).toContainEqual(expect.objectContaining({ Prefix: 'inbox/', ExpirationInDays: 30, Status: 'Enabled' }));
    expect(inboxRules).toContainEqual(expect.objectContaining({ AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } }));
    const [, lake] = only('AWS::S3::Bucket', { LoggingConfiguration: { LogFilePrefix: 'lake/' } });
    expect(lake.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(lake.Properties.LifecycleConfiguration.Rules).toContainEqual(
      expect.objectContaining({ Prefix: 'results/', Transitions: [{ StorageClass: 'INTELLIGENT_TIERING', TransitionInDays: 30 }] }),
    );
  });

  it('sends every ObjectCreated event (multipart uploads too) under inbox/ to the ingest queue, under shoppers/ to the shoppers queue', () => {
    const [, n] = only('Custom::S3BucketNotifications');
    const [inboxId] = only('AWS::S3::Bucket', { LoggingConfiguration: { LogFilePrefix: 'inbox/' } });
    expect(n.Properties.BucketName).toEqual(ref(inboxId));
    const ingestQueue = resources('AWS::SQS::Queue').find(([id]) => id.startsWith('PipelineIngestQueue'))![0];
    expect(n.Properties.NotificationConfiguration.QueueConfigurations).toEqual([
      {
        Events: ['s3:ObjectCreated:*'],
        Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'inbox/' }] } },
        QueueArn: arnOf(ingestQueue),
      },
      {
        Events: ['s3:ObjectCreated:*'],
        Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'shoppers/' }] } },
        QueueArn: arnOf(resources('AWS::SQS::Queue').find(([id]) => id.startsWith('ShoppersLogsQueue'))![0]),
      },
    ]);
  });
});

describe('SQS', () => {
  const workQueues = ['Ingest', 'Classify', 'Finalize', 'Llm'];

  it.each(workQueues)('%s queue: DLQ with maxReceiveCount, SSE, TLS-only, an alarm on the DLQ to the alerts topic', (name) => {
    const [queueId, queue] = resources('AWS::SQS::Queue').find(([id]) => id.startsWith(`Pipeline${name}Queue`))!;
    const [dlqId, dlq] = resources('AWS::SQS::Queue').find(([id]) => id.startsWith(`Pipeline${name}Dlq`))!;
    expect(queue.Properties.RedrivePolicy).toEqual({ deadLetterTargetArn: arnOf(dlqId), maxReceiveCount: expect.any(Number) });
    for (const q of [queue, dlq]) expect(q.Properties.SqsManagedSseEnabled).toBe(true);
    for (const id of [queueId, dlqId]) {
      const policy = resources('AWS::SQS::QueuePolicy').find(([, p]) => JSON.stringify(p.Properties.Queues).includes(`"${id}"`));
      expect(JSON.stringify(policy?.[1].Properties.PolicyDocument)).toContain('"aws:SecureTransport":"false"');
    }
    const alarm = resources('AWS::CloudWatch::Alarm').find(([, a]) => JSON.stringify(a.Properties.Dimensions ?? []).includes(`"${dlqId}"`));
    expect(alarm, `alarm on ${dlqId}`).toBeDefined();
    expect(alarm![1].Properties).toMatchObject({
      // The dead-letter Lambda empties the DLQ within seconds: the alarm counts what it received.
      MetricName: 'NumberOfMessagesReceived',
      Statistic: 'Sum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
    const [topicId] = only('AWS::SNS::Topic');
    expect(alarm![1].Properties.AlarmActions).toEqual([ref(topicId)]);
  });

  it('alerts topic is encrypted with a rotating key CloudWatch may use', () => {
    const [, topic] = only('AWS::SNS::Topic');
    const [keyId, key] = only('AWS::KMS::Key');
    expect(topic.Properties.KmsMasterKeyId).toEqual(arnOf(keyId));
    expect(key.Properties.EnableKeyRotation).toBe(true);
    expect(JSON.stringify(key.Properties.KeyPolicy)).toContain('cloudwatch.amazonaws.com');
  });

  it('event source mappings report batch item failures and queues give six times the consumer timeout', () => {
    const mappings = resources('AWS::Lambda::EventSourceMapping');
    expect(mappings).toHaveLength(8);
    const consumers = new Set<string>();
    for (const [, m] of mappings) {
      expect(m.Properties.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
      const queueId = m.Properties.EventSourceArn['Fn::GetAtt'][0] as string;
      const fnId = m.Properties.FunctionName.Ref as string;
      const timeout = s.template.toJSON().Resources[fnId].Properties.Timeout as number;
      const visibility = s.template.toJSON().Resources[queueId].Properties.VisibilityTimeout as number;
      expect(visibility).toBeGreaterThanOrEqual(VISIBILITY_FACTOR * timeout);
      consumers.add(`${queueId.replace(/Queue.*/, '').replace(/(Dlq).*/, '$1')}->${fnId.replace(/Fn.*/, '')}`);
    }
    // Every pipeline DLQ is read by the dead-letter function, so that a job whose messages fail for good still ends
    // (the shoppers DLQ waits for an operator: lib/shoppers.ts).
    expect([...consumers].sort()).toEqual([
      'PipelineClassify->PipelineClassify',
      'PipelineClassifyDlq->PipelineDeadLetters',
      'PipelineFinalize->PipelineFinalize',
      'PipelineFinalizeDlq->PipelineDeadLetters',
      'PipelineIngest->PipelineIngest',
      'PipelineIngestDlq->PipelineDeadLetters',
      'PipelineLlmDlq->PipelineDeadLetters',
      'ShoppersLogs->ShoppersShoppers',
    ]);
  });
});

describe('Lambda', () => {
  it('every handler file has one function: Node 24, arm64, X-Ray active, Powertools env, a log retention', () => {
    const fns = handlerFunctions();
    expect(fns.size).toBe(HANDLERS.length);
    for (const [id, fn] of fns.values()) {
      expect(fn.Properties.Runtime, id).toBe('nodejs24.x');
      expect(fn.Properties.Architectures, id).toEqual(['arm64']);
      expect(fn.Properties.TracingConfig, id).toEqual({ Mode: 'Active' });
      expect(fn.Properties.Handler, id).toBe('index.handler');
      expect(fn.Properties.Environment.Variables, id).toMatchObject({ POWERTOOLS_SERVICE_NAME: 'aisle', NODE_OPTIONS: '--enable-source-maps' });
      const logGroupId = fn.Properties.LoggingConfig.LogGroup.Ref as string;
      expect(s.template.toJSON().Resources[logGroupId].Properties.RetentionInDays, id).toBe(30);
    }
  });

  it('sets exactly the settings each function reads (functions/config), and no other', () => {
    const env = (prefix: string) => fnByIdPrefix(prefix)[1].Properties.Environment.Variables;
    const LAMBDA_BASE = ['POWERTOOLS_SERVICE_NAME', 'POWERTOOLS_METRICS_NAMESPACE', 'NODE_OPTIONS'];
    const keys = (prefix: string) =>
      Object.keys(env(prefix))
        .filter((k) => !LAMBDA_BASE.includes(k))
        .sort();
    expect(keys(FUNCTIONS.ingest)).toEqual(['CLASSIFY_QUEUE_URL', 'FINALIZE_QUEUE_URL', 'LAKE_BUCKET', 'TABLE_NAME']);
    expect(env(FUNCTIONS.classify)).toMatchObject({ LLM_ENABLED: 'true', ENCODER_ENDPOINT_NAME: 'aisle-encoder' });
    expect(keys(FUNCTIONS.classify)).toEqual([
      'ENCODER_ENDPOINT_NAME',
      'FINALIZE_QUEUE_URL',
      'LAKE_BUCKET',
      'LLM_ENABLED',
      'LLM_QUEUE_URL',
      'TABLE_NAME',
      'VECTOR_INDEX_ARN', // the items it saves go into the similar-products index
    ]);
    expect(env(FUNCTIONS.classify).LLM_QUEUE_URL).toEqual(ref(resources('AWS::SQS::Queue').find(([id]) => id.startsWith('PipelineLlmQueue'))![0]));
    expect(keys(FUNCTIONS.finalize)).toEqual(['FINALIZE_QUEUE_URL', 'LAKE_BUCKET', 'TABLE_NAME']); // segments and compose
    expect(keys(FUNCTIONS['dead-letters'])).toEqual(['FINALIZE_QUEUE_URL', 'LAKE_BUCKET', 'TABLE_NAME']);
    // GLUE_TABLE was never read; the API sends to no queue (uploads land in the inbox, ingest takes them from there).
    expect(keys(FUNCTIONS.api)).toEqual([
      'ATHENA_WORKGROUP',
      'ENCODER_ENDPOINT_NAME',
      'GLUE_DATABASE',
      'INBOX_BUCKET',
      'LAKE_BUCKET',
      'RETRAIN_STATE_MACHINE_ARN',
      'TABLE_NAME',
      'VECTOR_INDEX_ARN',
    ]);
    expect(env(FUNCTIONS.api).RETRAIN_STATE_MACHINE_ARN).toEqual(ref(only('AWS::StepFunctions::StateMachine')[0]));
    expect(keys(FUNCTIONS.authorizer)).toEqual(['TABLE_NAME']);
    for (const step of [FUNCTIONS['retrain-export'], FUNCTIONS['retrain-evaluate'], FUNCTIONS['retrain-promote']]) {
      expect(keys(step)).toEqual(['LAKE_BUCKET', 'TABLE_NAME']);
    }
  });

  it('bundles ESM with esbuild, without onnxruntime-node, the AWS SDK or esbuild; the API bundle carries the insight queries and the inspector', () => {
    for (const [id, fn] of handlerFunctions().values()) {
      const hash = (fn.Properties.Code.S3Key as string).replace(/\.zip$/, '');
      const dir = join(s.outdir, `asset.${hash}`);
      expect(existsSync(join(dir, 'index.mjs')), `${id} bundle`).toBe(true);
      const code = readFileSync(join(dir, 'index.mjs'), 'utf8');
      expect(code, id).not.toMatch(/onnxruntime/);
      expect(
        readdirSync(dir).some((f) => f.endsWith('.node')),
        `${id} has no native addon`,
      ).toBe(false);
      expect(statSync(join(dir, 'index.mjs')).size).toBeGreaterThan(0);
    }
    const api = fnByIdPrefix(FUNCTIONS.api)[1];
    const apiDir = join(s.outdir, `asset.${(api.Properties.Code.S3Key as string).replace(/\.zip$/, '')}`);
    expect(readdirSync(join(apiDir, 'insights')).filter((f) => f.endsWith('.sql')).length).toBeGreaterThan(5);
    // The shopper SQL, where functions/core/shoppers-sql.ts finds it in a bundle: the pipeline's steps and the named insights.
    const shoppersDir = join(s.outdir, `asset.${(fnByIdPrefix(FUNCTIONS.shoppers)[1].Properties.Code.S3Key as string).replace(/\.zip$/, '')}`);
    for (const dir of [apiDir, shoppersDir]) expect(readdirSync(join(dir, 'shoppers/insights')).filter((f) => f.endsWith('.sql')).length).toBe(10);
    expect(readdirSync(shoppersDir)).toContain('shoppers');
    expect(readdirSync(join(shoppersDir, 'shoppers'))).toContain('parse_events.sql');
    expect(readdirSync(join(apiDir, 'inspector')).sort()).toEqual(['app.css', 'app.js', 'index.html']);
    // The static table beside the handlers that make item vectors (handlers/item-vectors.ts): the API's queries, classify's saves.
    const classifyDir = join(s.outdir, `asset.${(fnByIdPrefix(FUNCTIONS.classify)[1].Properties.Code.S3Key as string).replace(/\.zip$/, '')}`);
    for (const dir of [apiDir, classifyDir]) expect(readdirSync(join(dir, 'embeddings')).sort()).toEqual(['axes.f32', 'table.json', 'vectors.i8']);
    expect(readFileSync(join(apiDir, 'inspector/index.html'), 'utf8')).toContain('<script type="module" src="/ui/app.js">');
    expect(readFileSync(join(apiDir, 'inspector/app.js'), 'utf8')).toContain('Nothing waits for review.');
    expect(readFileSync(join(apiDir, 'index.mjs'), 'utf8')).toContain('import("esbuild")'); // left out, never reached there
  });

  it('carries the shipped rules only in the functions that classify', () => {
    const bundleOf = (prefix: string) =>
      readFileSync(join(s.outdir, `asset.${(fnByIdPrefix(prefix)[1].Properties.Code.S3Key as string).replace(/\.zip$/, '')}`, 'index.mjs'), 'utf8');
    const rule = 'unknown.gift-card'; // a rule id of models/rules.json
    for (const fn of [FUNCTIONS.classify, FUNCTIONS.api, FUNCTIONS.shoppers]) expect(bundleOf(fn), fn).toContain(rule);
    for (const fn of [FUNCTIONS.ingest, FUNCTIONS.finalize, FUNCTIONS['dead-letters'], FUNCTIONS['retrain-export']]) {
      expect(bundleOf(fn), fn).not.toContain(rule);
    }
  });
});

describe('IAM', () => {
  // Actions AWS offers no resource-level permission for (or that CDK scopes by condition instead).
  const STAR_OK = new Set([
    'xray:PutTraceSegments',
    'xray:PutTelemetryRecords',
    'xray:GetSamplingRules',
    'xray:GetSamplingTargets',
    // Step Functions' ecs:runTask.sync: task ids are not known before the run.
    'ecs:StopTask',
    'ecs:DescribeTasks',
    'ecr:GetAuthorizationToken',
    'cloudwatch:PutMetricData',
    'logs:CreateLogDelivery',
    'logs:GetLogDelivery',
    'logs:UpdateLogDelivery',
    'logs:DeleteLogDelivery',
    'logs:ListLogDeliveries',
    'logs:PutResourcePolicy',
    'logs:DescribeResourcePolicies',
    'logs:DescribeLogGroups',
    'ecs:DiscoverPollEndpoint',
    'ecs:Poll',
    'ecs:StartTelemetrySession',
    'logs:CreateLogStream',
    'logs:PutLogEvents',
  ]);

  it('grants "*" resources only for actions that have no resource-level permissions', () => {
    const offending: string[] = [];
    for (const [id, p] of [...resources('AWS::IAM::Policy'), ...resources('AWS::IAM::Role')]) {
      const docs = p.Type === 'AWS::IAM::Role' ? (p.Properties.Policies ?? []).map((x: any) => x.PolicyDocument) : [p.Properties.PolicyDocument];
      for (const doc of docs) {
        for (const st of doc.Statement) {
          const res = [st.Resource].flat();
          if (!res.includes('*')) continue;
          for (const action of [st.Action].flat()) if (!STAR_OK.has(action)) offending.push(`${id}: ${action}`);
        }
      }
    }
    expect(offending).toEqual([]);
  });

  it('scopes each handler to its own prefixes, queues and table', () => {
    const policyOf = (fnPrefix: string) => {
      const [, fn] = fnByIdPrefix(fnPrefix);
      const roleId = fn.Properties.Role['Fn::GetAtt'][0] as string;
      const [, policy] = resources('AWS::IAM::Policy').find(([, p]) => JSON.stringify(p.Properties.Roles) === JSON.stringify([ref(roleId)]))!;
      return JSON.stringify(policy.Properties.PolicyDocument);
    };
    const ingest = policyOf(FUNCTIONS.ingest);
    expect(ingest).toMatch(/"\/inbox\/\*"/);
    expect(ingest).toContain('sqs:SendMessage');
    expect(ingest).not.toContain('sagemaker:');
    expect(ingest).toMatch(/"\/outbox\/\*"/);
    expect(policyOf(FUNCTIONS.classify)).toMatch(/"\/outbox\/\*"/); // work parts for finalize
    const classify = JSON.parse(policyOf(FUNCTIONS.classify));
    const invoke = classify.Statement.find((st: any) => [st.Action].flat().includes('sagemaker:InvokeEndpoint'));
    const [endpointId] = only('AWS::SageMaker::Endpoint');
    expect(invoke.Resource).toEqual(ref(endpointId));
    const authorizer = JSON.parse(policyOf(FUNCTIONS.authorizer));
    const [tableId] = only('AWS::DynamoDB::Table');
    expect(authorizer.Statement).toContainEqual(expect.objectContaining({ Action: 'dynamodb:GetItem', Resource: arnOf(tableId) }));
    for (const fn of Object.values(FUNCTIONS)) {
      const doc = policyOf(fn);
      expect(doc, fn).not.toContain('dynamodb:Scan');
      expect(doc, fn).not.toMatch(/"s3:[A-Za-z]*\*"/); // no wildcard S3 actions
      expect(doc, fn).not.toMatch(/index\/\*/); // the GSI by name, not every index
    }
  });
});

describe('DynamoDB', () => {
  it('one on-demand table pk/sk with PITR, SSE, TTL expiresAt, GSI gsi1, retained', () => {
    const [, t] = only('AWS::DynamoDB::Table');
    expect(t.Properties).toMatchObject({
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true },
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      GlobalSecondaryIndexes: [
        {
          IndexName: 'gsi1',
          KeySchema: [
            { AttributeName: 'gsi1pk', KeyType: 'HASH' },
            { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
    });
    expect(t.DeletionPolicy).toBe('Retain');
  });
});

describe('API', () => {
  it('HTTP API: /v1/* behind a REQUEST authorizer on the Authorization header, the rest public', () => {
    const [apiId] = only('AWS::ApiGatewayV2::Api', { ProtocolType: 'HTTP' });
    const [authId, auth] = only('AWS::ApiGatewayV2::Authorizer');
    expect(auth.Properties).toMatchObject({
      AuthorizerType: 'REQUEST',
      IdentitySource: ['$request.header.Authorization'],
      EnableSimpleResponses: true,
      AuthorizerPayloadFormatVersion: '2.0',
    });
    expect(JSON.stringify(auth.Properties.AuthorizerUri)).toContain(fnByIdPrefix(FUNCTIONS.authorizer)[0]);
    s.template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      ApiId: ref(apiId),
      RouteKey: 'ANY /v1/{proxy+}',
      AuthorizationType: 'CUSTOM',
      AuthorizerId: ref(authId),
    });
    s.template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: '$default', AuthorizationType: 'NONE' });
  });

  it('default stage throttles and writes JSON access logs to a log group', () => {
    const [, stage] = only('AWS::ApiGatewayV2::Stage', { StageName: '$default' });
    expect(stage.Properties.AutoDeploy).toBe(true);
    expect(stage.Properties.DefaultRouteSettings).toMatchObject({ ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 });
    const dest = stage.Properties.AccessLogSettings.DestinationArn['Fn::GetAtt'][0] as string;
    expect(s.template.toJSON().Resources[dest].Type).toBe('AWS::Logs::LogGroup');
    expect(JSON.parse(stage.Properties.AccessLogSettings.Format)).toMatchObject({ requestId: '$context.requestId', status: '$context.status' });
  });
});

describe('Insights', () => {
  it('Glue table over results/ as Parquet with tenant and dt partition projection, columns from the lake layout', () => {
    const [, db] = only('AWS::Glue::Database');
    const [, table] = only('AWS::Glue::Table', { TableInput: { Name: 'results' } });
    expect(table.Properties.DatabaseName).toBe(db.Properties.DatabaseInput.Name);
    const input = table.Properties.TableInput;
    expect(input.Name).toBe('results');
    expect(input.PartitionKeys).toEqual([
      expect.objectContaining({ Name: 'tenant', Type: 'string' }),
      expect.objectContaining({ Name: 'dt', Type: 'string' }),
    ]);
    expect(input.Parameters).toMatchObject({
      'projection.enabled': 'true',
      // A query names its tenant (every named query does) and reads that tenant's prefix only.
      'projection.tenant.type': 'injected',
      'projection.dt.type': 'date',
      'projection.dt.format': 'yyyy-MM-dd',
      'projection.dt.range': '2024-01-01,NOW',
    });
    expect(JSON.stringify(input.Parameters['storage.location.template'])).toContain('/results/tenant=${tenant}/dt=${dt}/');
    // The same layout the writers use (functions/core/lake.ts).
    expect(lakePartKey('acme', '2026-01-02', 'j', 0)).toBe('results/tenant=acme/dt=2026-01-02/job=j/part-0.parquet');
    expect(input.StorageDescriptor.SerdeInfo.SerializationLibrary).toContain('ParquetHiveSerDe');
    expect(input.StorageDescriptor.Columns.map((c: any) => c.Name)).toEqual(LAKE_COLUMNS.map(([n]) => n).filter((n) => n !== 'tenant'));
  });

  it('Athena workgroup enforces an encrypted results location in the lake', () => {
    const [, wg] = only('AWS::Athena::WorkGroup');
    const conf = wg.Properties.WorkGroupConfiguration;
    expect(conf.EnforceWorkGroupConfiguration).toBe(true);
    expect(conf.BytesScannedCutoffPerQuery).toBe(BYTES_SCANNED_LIMIT);
    expect(conf.ResultConfiguration.EncryptionConfiguration).toEqual({ EncryptionOption: 'SSE_S3' });
    expect(JSON.stringify(conf.ResultConfiguration.OutputLocation)).toContain('/athena-results/');
    expect(fnByIdPrefix(FUNCTIONS.api)[1].Properties.Environment.Variables.ATHENA_WORKGROUP).toBe(wg.Properties.Name);
  });
});

describe('Retraining', () => {
  it('state machine logs ALL with execution data, traces with X-Ray, and runs export → train → evaluate → choice', () => {
    const [smId, sm] = only('AWS::StepFunctions::StateMachine');
    expect(sm.Properties.LoggingConfiguration).toMatchObject({ Level: 'ALL', IncludeExecutionData: true });
    expect(sm.Properties.TracingConfiguration).toEqual({ Enabled: true });
    const definition = JSON.stringify(sm.Properties.DefinitionString);
    for (const state of [
      'ExportLabelledData',
      'TrainChallenger',
      'EvaluateChallenger',
      'ChallengerWins?',
      'PromoteChallenger',
      'NotifyPromoted',
      'NotifyDiscarded',
      'NotifyFailure',
    ]) {
      expect(definition).toContain(`\\"${state}\\"`);
    }
    expect(definition).toContain('arn:'); // resolved service integrations
    expect(definition).toContain(':ecs:runTask.sync'); // the project's own trainer on Fargate by default
    expect(definition).toContain('\\"BackoffRate\\":2');
    expect(definition).toContain('\\"Catch\\"');
    const [, schedule] = only('AWS::Scheduler::Schedule', { Description: 'Aisle retraining' });
    expect(schedule.Properties.ScheduleExpression).toBe('cron(0 3 ? * SUN *)');
    expect(schedule.Properties.Target.Arn).toEqual(ref(smId));
    expect(schedule.Properties.State).toBe('ENABLED');
  });

  it('Fargate trainer task gets the export and challenger locations', () => {
    const [, task] = only('AWS::ECS::TaskDefinition', { RequiresCompatibilities: ['FARGATE'] });
    expect(task.Properties.ContainerDefinitions[0].Name).toBe('trainer');
    const definition = JSON.stringify(only('AWS::StepFunctions::StateMachine')[1].Properties.DefinitionString);
    for (const name of ['TRAIN_DATA_URI', 'HELDOUT_DATA_URI', 'MODEL_OUTPUT_URI']) expect(definition).toContain(name);
  });
});

describe('Encoder on SageMaker', () => {
  it('model from the ECR image (and a lake model folder when given), a serverless CPU endpoint by default', () => {
    const [modelId, model] = only('AWS::SageMaker::Model');
    expect(JSON.stringify(model.Properties.PrimaryContainer.Image)).toContain('EncoderRepository');
    expect(model.Properties.PrimaryContainer.Environment).toEqual({ ENCODER_DEVICE: 'cpu' });
    // The model baked into the image unless EncoderModelPrefix names a folder in the lake.
    const source = model.Properties.PrimaryContainer.ModelDataSource['Fn::If'];
    expect(source[1]).toEqual({ Ref: 'AWS::NoValue' });
    expect(source[2].S3DataSource).toMatchObject({ S3DataType: 'S3Prefix', CompressionType: 'None' });
    expect(JSON.stringify(source[2].S3DataSource.S3Uri)).toContain('EncoderModelPrefix');
    expect(s.template.toJSON().Parameters.EncoderModelPrefix.Default).toBe('');
    const [, config] = only('AWS::SageMaker::EndpointConfig');
    // Serverless: billed per request, nothing when idle; no instance and no instance autoscaling.
    expect(config.Properties.ProductionVariants[0].ServerlessConfig).toEqual({ MemorySizeInMB: 2048, MaxConcurrency: 50 });
    expect(config.Properties.ProductionVariants[0].InstanceType).toBeUndefined();
    expect(config.Properties.ProductionVariants[0].ModelName).toEqual({ 'Fn::GetAtt': [modelId, 'ModelName'] });
    expect(s.template.toJSON().Parameters.EncoderInstanceType).toBeUndefined();
    expect(resources('AWS::ApplicationAutoScaling::ScalableTarget').filter(([, t]) => t.Properties.ServiceNamespace === 'sagemaker')).toEqual([]);
    only('AWS::SageMaker::Endpoint', { EndpointName: 'aisle-encoder' });
  });
});

describe('LLM on ECS', () => {
  it('GPU capacity provider on an ASG from 0 with an ECS GPU AMI and a parameterised instance type', () => {
    const [, cp] = only('AWS::ECS::CapacityProvider');
    expect(cp.Properties.AutoScalingGroupProvider.ManagedScaling).toMatchObject({ Status: 'ENABLED' });
    const [, asg] = only('AWS::AutoScaling::AutoScalingGroup');
    expect(asg.Properties.MinSize).toBe('0');
    const [, lt] = only('AWS::EC2::LaunchTemplate');
    expect(lt.Properties.LaunchTemplateData.InstanceType).toEqual(ref('LlmInstanceType'));
    expect(s.template.toJSON().Parameters.LlmInstanceType.Default).toBe('g5.xlarge');
    const amiParam = lt.Properties.LaunchTemplateData.ImageId.Ref as string;
    expect(s.template.toJSON().Parameters[amiParam].Default).toContain('/gpu/');
    expect(lt.Properties.LaunchTemplateData.BlockDeviceMappings[0].Ebs.Encrypted).toBe(true);
  });

  it('task runs the containers/llm image (Ollama + worker) with a GPU, the queue env and its models volume', () => {
    const [, task] = only('AWS::ECS::TaskDefinition', { RequiresCompatibilities: ['EC2'] });
    expect(task.Properties.ContainerDefinitions).toHaveLength(1);
    const [llm] = task.Properties.ContainerDefinitions;
    expect(JSON.stringify(llm.Image)).toContain('LlmRepository');
    expect(llm.ResourceRequirements).toEqual([{ Type: 'GPU', Value: '1' }]);
    const env = Object.fromEntries(llm.Environment.map((e: any) => [e.Name, e.Value]));
    expect(env).toMatchObject({ OLLAMA_HOST: 'http://127.0.0.1:11434', OLLAMA_MODEL: ref('OllamaModel') });
    expect(Object.keys(env)).toEqual(expect.arrayContaining(['LLM_QUEUE_URL', 'FINALIZE_QUEUE_URL', 'TABLE_NAME', 'LAKE_BUCKET']));
    // The model is in the image (OLLAMA_MODELS): no volume may hide it, and the parameter defaults to the pinned tag.
    expect(llm.MountPoints ?? []).toEqual([]);
    expect(task.Properties.Volumes ?? []).toEqual([]);
    expect(s.template.toJSON().Parameters.OllamaModel.Default).toBe(PINNED_OLLAMA_MODEL);
    const taskPolicy = JSON.stringify(
      resources('AWS::IAM::Policy').find(([, p]) => JSON.stringify(p.Properties.Roles).includes(task.Properties.TaskRoleArn['Fn::GetAtt'][0]))![1],
    );
    expect(taskPolicy).toContain('sqs:ReceiveMessage');
    expect(taskPolicy).toContain('sqs:SendMessage');
  });

  it('service scales on the LLM queue backlog down to zero', () => {
    const [targetId, target] = only('AWS::ApplicationAutoScaling::ScalableTarget', { ServiceNamespace: 'ecs' });
    expect(target.Properties.MinCapacity).toBe(0);
    const policies = Object.values(
      s.template.findResources('AWS::ApplicationAutoScaling::ScalingPolicy', {
        Properties: { ScalingTargetId: ref(targetId), PolicyType: 'StepScaling' },
      }),
    ) as Resource[];
    expect(policies).toHaveLength(2); // one step policy up, one down
    for (const p of policies) expect(p.Properties.StepScalingPolicyConfiguration.AdjustmentType).toBe('ExactCapacity');
    const toZero = policies.flatMap((p) => p.Properties.StepScalingPolicyConfiguration.StepAdjustments);
    expect(toZero).toContainEqual(expect.objectContaining({ ScalingAdjustment: 0 }));
    const alarms = resources('AWS::CloudWatch::Alarm').filter(([, a]) =>
      JSON.stringify(a.Properties.Metrics ?? []).includes('ApproximateNumberOfMessagesVisible'),
    );
    expect(alarms.length).toBe(2); // scale-out (backlog ≥ 1) and scale-in (backlog 0)
    const llmQueue = resources('AWS::SQS::Queue').find(([id]) => id.startsWith('PipelineLlmQueue'))![0];
    for (const [, a] of alarms) expect(JSON.stringify(a.Properties.Metrics)).toContain(llmQueue);
    const [, service] = only('AWS::ECS::Service');
    expect(service.Properties.DesiredCount).toBe(0);
  });
});

describe('cdk-nag', () => {
  it('AwsSolutions: no unacknowledged finding (errors or warnings)', () => {
    expect(s.nagFindings).toEqual([]);
  });
});
