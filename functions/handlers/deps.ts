/**
 * Wiring of the pipeline handlers on AWS: adapters over clients made on first use, from the environment
 * names fixed in HELPERS.md. Tests build PipelineDeps themselves (pipelineDeps with emulator clients).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { configFromEnv, lazy, makeClients, type AwsClients, type AwsConfig } from '../adapters/aws/clients.ts';
import { DynamoCache, DynamoJobStore, DynamoResultStore } from '../adapters/aws/dynamodb.ts';
import { S3BlobStore } from '../adapters/aws/s3.ts';
import { SqsQueue } from '../adapters/aws/sqs.ts';
import rulesJson from '../../models/rules.json' with { type: 'json' };
import taxonomyJson from '../../models/taxonomy.json' with { type: 'json' };
import { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { SageMakerEncoder } from '../adapters/aws/sagemaker-encoder.ts';
import { createEncoderTier } from '../core/encoder-tier.ts';
import { RuleSet, RulesTier } from '../core/rules.ts';
import { parseTaxonomy, type Taxonomy } from '../core/taxonomy.ts';
import type { Tier } from '../core/types.ts';
import type { PipelineDeps } from './pipeline.ts';
import type { RetrainDeps } from './retrain.ts';

export const SERVICE = 'aisle';

export function observability(): { logger: Logger; metrics: Metrics; tracer: Tracer } {
  const serviceName = process.env.POWERTOOLS_SERVICE_NAME ?? SERVICE;
  return {
    logger: new Logger({ serviceName }),
    metrics: new Metrics({ serviceName, namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'Aisle' }),
    tracer: new Tracer({ serviceName }),
  };
}

/** The cascade's tiers after the cache: the shipped rules, then the SageMaker encoder when an endpoint is named. */
export async function defaultTiers(taxonomy: Taxonomy, config: Pick<AwsConfig, 'encoderEndpointName'>): Promise<Tier[]> {
  const tiers: Tier[] = [new RulesTier(RuleSet.parse(rulesJson, taxonomy, 'models/rules.json'))];
  if (config.encoderEndpointName) {
    const encoder = new SageMakerEncoder({ client: new SageMakerRuntimeClient({}), endpointName: config.encoderEndpointName });
    tiers.push(createEncoderTier(encoder, { taxonomy }));
  }
  return tiers;
}

/** PipelineDeps over the given clients and names (AWS in production, emulators in tests). */
export function pipelineDeps(
  clients: AwsClients,
  config: AwsConfig,
  opts: { tiers?: () => Promise<Tier[]>; logger?: Logger; metrics?: Metrics } = {},
): PipelineDeps {
  // Imported, not read from disk: the bundler inlines the files into the Lambda package.
  const taxonomy = parseTaxonomy(taxonomyJson, 'models/taxonomy.json');
  const obs = opts.logger && opts.metrics ? { logger: opts.logger, metrics: opts.metrics } : observability();
  const buckets = new Map<string, S3BlobStore>();
  const cache = new DynamoCache(clients.dynamo, config.tableName);
  let tiers: Promise<Tier[]> | undefined;
  return {
    taxonomy,
    bucket: (name) => buckets.get(name) ?? buckets.set(name, new S3BlobStore(clients.s3, name)).get(name)!,
    lake: new S3BlobStore(clients.s3, config.lakeBucket),
    jobs: new DynamoJobStore(clients.dynamo, config.tableName),
    results: new DynamoResultStore(clients.dynamo, config.tableName, cache),
    cache,
    tiers: () => (tiers ??= opts.tiers ? opts.tiers() : defaultTiers(taxonomy, config)),
    classifyQueue: new SqsQueue(clients.sqs, config.classifyQueueUrl),
    finalizeQueue: new SqsQueue(clients.sqs, config.finalizeQueueUrl),
    llmQueue: config.llmEnabled && config.llmQueueUrl ? new SqsQueue(clients.sqs, config.llmQueueUrl) : undefined,
    ...obs,
  };
}

/** The Lambda wiring: configuration from the environment, X-Ray-traced clients; made on the first invocation. */
export const awsDeps = lazy((): PipelineDeps => {
  const config = configFromEnv();
  if (config.llmEnabled && !config.llmQueueUrl) throw new Error('LLM_ENABLED=true needs LLM_QUEUE_URL');
  const obs = observability();
  const clients = makeClients();
  obs.tracer.captureAWSv3Client(clients.s3);
  obs.tracer.captureAWSv3Client(clients.sqs);
  obs.tracer.captureAWSv3Client(clients.dynamo);
  return pipelineDeps(clients, config, { logger: obs.logger, metrics: obs.metrics });
});

/** The retraining steps' wiring on AWS (results table, lake bucket), made on the first invocation. */
export const awsRetrainDeps = lazy((): RetrainDeps => {
  const deps = awsDeps();
  return { taxonomy: deps.taxonomy, results: deps.results, lake: deps.lake, lakeBucket: configFromEnv().lakeBucket, logger: deps.logger };
});
