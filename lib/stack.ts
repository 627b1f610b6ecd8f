import { type CfnElement, CfnOutput, CfnParameter, Duration, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { Alerts } from './alerts.ts';
import { Api, DEFAULT_EDGE } from './api.ts';
import { Encoder, VARIANT_NAME } from './encoder.ts';
import { grantObjects, grantTable } from './grants.ts';
import { HandlerFunction, METRICS_NAMESPACE, SERVICE_NAME } from './handler-function.ts';
import { Insights } from './insights.ts';
import { LlmService, PINNED_OLLAMA_MODEL } from './llm-service.ts';
import { Network } from './network.ts';
import { Observability } from './observability.ts';
import { Pipeline } from './pipeline.ts';
import { Retraining, type TrainerKind } from './retraining.ts';
import { Shoppers } from './shoppers.ts';
import { INBOX_PREFIX, LAKE_PREFIXES, Storage } from './storage.ts';
import { AisleTable } from './table.ts';
import { ItemVectors } from './vectors.ts';

/** Deployment switches, read from CDK context (`-c name=value` or cdk.json); defaults in DEFAULT_SETTINGS. */
export interface AisleSettings {
  /** Deploy the LLM tier (ECS GPU service). false: no ECS resources, LLM_ENABLED=false in classify. */
  readonly llmEnabled: boolean;
  /** Deploy the encoder tier (SageMaker endpoint). false: ENCODER_ENDPOINT_NAME is empty. */
  readonly encoderEnabled: boolean;
  /**
   * A real-time GPU endpoint (CUDA; for DeBERTa) instead of the default serverless CPU endpoint, which costs
   * nothing idle and serves the project's own small model (docs/aws.md#encoder-hosting).
   */
  readonly encoderGpu: boolean;
  readonly encoderMaxInstances: number;
  readonly llmMaxInstances: number;
  /** Which trainer the retraining state machine runs. */
  readonly trainer: TrainerKind;
  /** EventBridge Scheduler expression for retraining (UTC). */
  readonly retrainSchedule: string;
  /** API edge (lib/api.ts ApiEdgeOptions): browser origins allowed by CORS, comma-separated; '' for none. */
  readonly apiCorsOrigins: string;
  /** A custom domain for the API and its ACM certificate's ARN (same region); '' for none. */
  readonly apiDomainName: string;
  readonly apiCertificateArn: string;
  /** Stage throttling of the whole API: requests per second, and burst. */
  readonly apiRateLimit: number;
  readonly apiBurstLimit: number;
  /** CloudFront + AWS WAF in front of the API (us-east-1 only), blocking an address above apiWafRateLimit requests per 5 minutes. */
  readonly apiWaf: boolean;
  readonly apiWafRateLimit: number;
}

export const DEFAULT_SETTINGS: AisleSettings = {
  llmEnabled: true,
  encoderEnabled: true,
  encoderGpu: false,
  encoderMaxInstances: 4,
  llmMaxInstances: 2,
  trainer: 'fargate',
  retrainSchedule: 'cron(0 3 ? * SUN *)',
  apiCorsOrigins: DEFAULT_EDGE.corsOrigins.join(','),
  apiDomainName: DEFAULT_EDGE.domainName,
  apiCertificateArn: DEFAULT_EDGE.certificateArn,
  apiRateLimit: DEFAULT_EDGE.rateLimit,
  apiBurstLimit: DEFAULT_EDGE.burstLimit,
  apiWaf: DEFAULT_EDGE.waf,
  apiWafRateLimit: DEFAULT_EDGE.wafRateLimit,
};

/** Reads the switches from context; strings from `-c` are parsed ("false", "4"). */
export function settingsFromContext(scope: Construct): AisleSettings {
  const read = <K extends keyof AisleSettings>(key: K): AisleSettings[K] => {
    const raw = scope.node.tryGetContext(key) as unknown;
    const fallback = DEFAULT_SETTINGS[key];
    if (raw === undefined || raw === null || raw === '') return fallback;
    if (typeof fallback === 'boolean') {
      if (raw === true || raw === 'true') return true as AisleSettings[K];
      if (raw === false || raw === 'false') return false as AisleSettings[K];
      throw new Error(`context ${key} must be true or false, got ${String(raw)}`);
    }
    if (typeof fallback === 'number') {
      const n = Number(raw);
      if (!Number.isInteger(n) || n < 1) throw new Error(`context ${key} must be a positive integer, got ${String(raw)}`);
      return n as AisleSettings[K];
    }
    return String(raw) as AisleSettings[K];
  };
  const keys = Object.keys(DEFAULT_SETTINGS) as (keyof AisleSettings)[];
  const settings = Object.fromEntries(keys.map((key) => [key, read(key)])) as unknown as AisleSettings;
  if (settings.trainer !== 'fargate' && settings.trainer !== 'sagemaker') {
    throw new Error(`context trainer must be fargate or sagemaker, got ${settings.trainer}`);
  }
  return settings;
}

export interface AisleStackProps extends StackProps {
  readonly settings?: Partial<AisleSettings>;
}

/**
 * The whole AWS deployment, environment-agnostic (no lookups: `cdk synth` runs offline). Container images
 * are not built here: they are pushed to ECR repositories named by parameters (see docs/aws.md).
 */
export class AisleStack extends Stack {
  readonly settings: AisleSettings;

  /**
   * Long on purpose: a CDK constructor wiring the constructs together in dependency order, declarative; each
   * step takes the ones made before it (table, buckets, topic, encoder, pipeline queues, API function).
   */
  constructor(scope: Construct, id: string, props: AisleStackProps = {}) {
    super(scope, id, props);
    const settings = (this.settings = { ...settingsFromContext(this), ...props.settings });
    const param = (id: string, def: string, description: string) =>
      new CfnParameter(this, id, { type: 'String', default: def, description }).valueAsString;
    const imageTag = param('ImageTag', 'latest', 'Tag of the container images in the ECR repositories');
    const repository = (id: string, def: string, what: string) =>
      ecr.Repository.fromRepositoryName(this, `${id}Ref`, param(id, def, `ECR repository of ${what}`));

    const alerts = new Alerts(this, 'Alerts');
    const storage = new Storage(this, 'Storage');
    const { table } = new AisleTable(this, 'Data');
    const insights = new Insights(this, 'Insights', { lake: storage.lake });

    const encoder = settings.encoderEnabled
      ? new Encoder(this, 'Encoder', {
          lake: storage.lake,
          repository: repository('EncoderRepository', 'aisle-encoder', 'the encoder server (containers/encoder)'),
          imageTag,
          modelPrefix: param(
            'EncoderModelPrefix',
            '',
            'Lake key prefix of the model folder the endpoint serves (e.g. models/champion/); empty: the model baked into the image',
          ),
          gpu: settings.encoderGpu,
          instanceType: settings.encoderGpu
            ? param('EncoderInstanceType', 'ml.g5.xlarge', 'SageMaker GPU instance type of the encoder endpoint')
            : '',
          maxInstances: settings.encoderMaxInstances,
        })
      : undefined;
    const encoderEndpointName = encoder?.endpointName ?? '';

    const pipeline = new Pipeline(this, 'Pipeline', {
      inbox: storage.inbox,
      lake: storage.lake,
      table,
      alarmTopic: alerts.topic,
      llmEnabled: settings.llmEnabled,
      encoderEndpointName,
    });
    encoder?.grantInvoke(pipeline.classify.role);
    const shoppers = new Shoppers(this, 'Shoppers', { inbox: storage.inbox, lake: storage.lake, table, alarmTopic: alerts.topic, insights, encoder });

    const network = settings.llmEnabled || settings.trainer === 'fargate' ? new Network(this, 'Network') : undefined;
    const llm =
      settings.llmEnabled && network
        ? new LlmService(this, 'Llm', {
            cluster: network.cluster,
            queue: pipeline.llmQueue.queue,
            finalizeQueue: pipeline.finalizeQueue.queue,
            table,
            lake: storage.lake,
            repository: repository('LlmRepository', 'aisle-llm', 'Ollama + the LLM queue worker (containers/llm)'),
            imageTag,
            instanceType: param('LlmInstanceType', 'g5.xlarge', 'EC2 GPU instance type of the LLM service (g5/g6 family)'),
            maxInstances: settings.llmMaxInstances,
            ollamaModel: param(
              'OllamaModel',
              PINNED_OLLAMA_MODEL,
              'Exact Ollama tag the worker asks for: the one the aisle-llm image was built with (never downloaded at start)',
            ),
          })
        : undefined;

    // The API: the Hono app and its API-key authorizer.
    const apiFn = new HandlerFunction(this, 'ApiFn', {
      name: 'api',
      description: 'Aisle HTTP API (Hono app)',
      timeout: Duration.seconds(29), // API Gateway gives up after 30 s
      memorySize: 1024,
      // The named insight queries are .sql files read next to the module (core/insights.ts, core/shoppers-sql.ts);
      // the static embedding table vectorizes similar-product queries (handlers/api-deps.ts).
      bundleFolders: {
        'functions/core/insights': 'insights',
        'functions/core/shoppers': 'shoppers',
        'models/embeddings/use-lite-static': 'embeddings',
      },
      // The web inspector, built from functions/api/ui (api/routes/ui.ts reads it from ./inspector/).
      bundleCommands: (inputDir, outputDir) => [`cd "${inputDir}" && node --import tsx functions/api/ui/build.ts "${outputDir}/inspector"`],
      environment: {
        TABLE_NAME: table.tableName,
        INBOX_BUCKET: storage.inbox.bucketName,
        LAKE_BUCKET: storage.lake.bucketName,
        ENCODER_ENDPOINT_NAME: encoderEndpointName,
        ATHENA_WORKGROUP: insights.workGroupName,
        GLUE_DATABASE: insights.databaseName,
      },
    });
    grantTable(table, apiFn.role, 'readwrite');
    grantObjects(storage.inbox, apiFn.role, INBOX_PREFIX, 'readwrite'); // uploads (presigned PUT) land where ingest picks them up
    grantObjects(storage.lake, apiFn.role, LAKE_PREFIXES.outbox, 'read'); // job downloads
    grantObjects(storage.lake, apiFn.role, LAKE_PREFIXES.models, 'read');
    encoder?.grantInvoke(apiFn.role); // synchronous POST /v1/classify runs the cascade in the API function
    insights.grantQuery(apiFn.role);
    shoppers.grantInsights(apiFn.role);
    shoppers.grantBoughtTogether(apiFn.role); // recommendations (functions/adapters/aws/s3-co-purchases.ts)
    // Similar products: the API queries the index; classify, the LLM worker and the API (human labels) put the items they save in it.
    const vectors = new ItemVectors(this, 'Vectors', { table, lake: storage.lake });
    vectors.grantQuery(apiFn);
    vectors.grantIndexing(apiFn);
    vectors.grantIndexing(pipeline.classify);
    if (llm) {
      // The LLM worker's image carries models/ (the static table with it); its container reads VECTOR_INDEX_ARN.
      const container = llm.taskDefinition.defaultContainer!;
      vectors.grantIndexing({ role: llm.taskDefinition.taskRole, addEnvironment: (k, v) => container.addEnvironment(k, v) });
    }

    const authorizerFn = new HandlerFunction(this, 'AuthorizerFn', {
      name: 'authorizer',
      description: 'Checks Authorization: Bearer <API key> against the hashed keys in the table',
      timeout: Duration.seconds(5),
      memorySize: 256,
      environment: { TABLE_NAME: table.tableName },
    });
    grantTable(table, authorizerFn.role, 'getItem');
    const api = new Api(this, 'Api', {
      handler: apiFn.fn,
      authorizer: authorizerFn.fn,
      accessLogBucket: storage.accessLogs,
      edge: {
        corsOrigins: settings.apiCorsOrigins
          .split(',')
          .map((o) => o.trim())
          .filter(Boolean),
        domainName: settings.apiDomainName,
        certificateArn: settings.apiCertificateArn,
        rateLimit: settings.apiRateLimit,
        burstLimit: settings.apiBurstLimit,
        waf: settings.apiWaf,
        wafRateLimit: settings.apiWafRateLimit,
      },
    });

    // Retraining: three Lambda steps around the trainer.
    const { exportFn, evaluateFn, promoteFn } = this.retrainFunctions(table, storage.lake);

    const retraining = new Retraining(this, 'Retraining', {
      lake: storage.lake,
      topic: alerts.topic,
      export: exportFn,
      evaluate: evaluateFn,
      promote: promoteFn,
      trainer: settings.trainer,
      cluster: network?.cluster,
      trainerRepository: repository('TrainerRepository', 'aisle-trainer', "the project's trainer (containers/trainer)"),
      trainerImageTag: imageTag,
      encoder: encoder && { endpointName: encoder.endpointName, role: encoder.role },
      schedule: settings.retrainSchedule,
    });

    // The one CDK-provided function: it applies the inbox notification configuration at deploy time.
    for (const child of this.node.children) {
      if (child.node.id.startsWith('BucketNotificationsHandler')) {
        Validations.of(child).acknowledge({
          id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
          reason: 'CDK-provided custom resource that sets the S3 → SQS notification at deploy time; basic logging only.',
        });
      }
    }

    // POST /v1/retrain starts the state machine; GET follows the execution (Retrainer port on AWS).
    apiFn.fn.addEnvironment('RETRAIN_STATE_MACHINE_ARN', retraining.stateMachine.stateMachineArn);
    retraining.stateMachine.grantStartExecution(apiFn.role);
    retraining.stateMachine.grantExecution(apiFn.role, 'states:DescribeExecution');
    Validations.of(apiFn.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:{"Fn::Select":[6,{"Fn::Split":[":",{"Ref":"${this.getLogicalId(retraining.stateMachine.node.defaultChild as CfnElement)}"}]}]}:*]`,
      reason: 'DescribeExecution on the executions of the one retraining state machine; execution names are made per run.',
    });

    // Last: it watches every function and queue made above.
    const observability = new Observability(this, 'Observability', {
      topic: alerts.topic,
      table,
      api: api.httpApi,
      encoderEndpointName: encoder?.endpointName,
      encoderVariantName: VARIANT_NAME,
      llm: llm && network ? { cluster: network.cluster, service: llm.service, queue: pipeline.llmQueue.queue } : undefined,
      metricsNamespace: METRICS_NAMESPACE,
      serviceName: SERVICE_NAME,
    });

    new CfnOutput(this, 'InboxBucket', { value: storage.inbox.bucketName, description: 'Drop CSVs under inbox/' });
    new CfnOutput(this, 'LakeBucket', { value: storage.lake.bucketName, description: 'outbox/, results/, models/, exports/' });
    new CfnOutput(this, 'ApiUrl', { value: api.url });
    new CfnOutput(this, 'TableName', { value: table.tableName });
    new CfnOutput(this, 'AlertsTopic', { value: alerts.topic.topicArn, description: 'Subscribe to get DLQ alarms and retraining outcomes' });
    new CfnOutput(this, 'RetrainingStateMachine', { value: retraining.stateMachine.stateMachineArn });
    new CfnOutput(this, 'Dashboard', { value: observability.dashboard.dashboardName, description: 'CloudWatch dashboard of the deployment' });
    new CfnOutput(this, 'AthenaWorkGroup', { value: insights.workGroupName });
    if (encoder) new CfnOutput(this, 'EncoderEndpoint', { value: encoder.endpointName });
  }

  /** The three Lambda steps around the trainer (export, evaluate, promote), each with its grants. */
  private retrainFunctions(table: dynamodb.Table, lake: s3.Bucket) {
    const retrainFn = (name: 'retrain-export' | 'retrain-evaluate' | 'retrain-promote', id: string, description: string) =>
      new HandlerFunction(this, id, {
        name,
        description,
        timeout: Duration.minutes(15),
        memorySize: 2048,
        environment: { TABLE_NAME: table.tableName, LAKE_BUCKET: lake.bucketName },
      });
    const exportFn = retrainFn('retrain-export', 'RetrainExportFn', 'Exports human-labelled items and a held-out set to exports/');
    grantTable(table, exportFn.role, 'read');
    grantObjects(lake, exportFn.role, LAKE_PREFIXES.exports, 'readwrite');
    const evaluateFn = retrainFn('retrain-evaluate', 'RetrainEvaluateFn', 'Compares champion and challenger on the same held-out set');
    grantObjects(lake, evaluateFn.role, LAKE_PREFIXES.models, 'read');
    grantObjects(lake, evaluateFn.role, LAKE_PREFIXES.exports, 'read');
    const promoteFn = retrainFn('retrain-promote', 'RetrainPromoteFn', 'Makes the challenger the champion and rolls it onto the endpoint');
    grantObjects(lake, promoteFn.role, LAKE_PREFIXES.models, 'readwrite');
    grantTable(table, promoteFn.role, 'readwrite');
    return { exportFn, evaluateFn, promoteFn };
  }
}
