/**
 * Wiring of the pipeline functions on AWS: adapters over clients made on first use, from each function's
 * configuration (functions/config). The steps that classify nothing (ingest, finalize, dead letters, retraining)
 * take it from here; the ones that classify from deps.ts, which adds the cascade's tiers. Kept apart so the
 * shipped rules (250 KB) and the tier registry stay out of the bundles of functions that never run them.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import taxonomyJson from '../../models/taxonomy.json' with { type: 'json' };
import { type AwsClients, type AwsConfig, makeClients } from '../adapters/aws/clients.ts';
import { DynamoJobStore } from '../adapters/aws/dynamo-jobs.ts';
import { DynamoCache, DynamoResultStore } from '../adapters/aws/dynamodb.ts';
import { S3ModelRegistry, servedVersionsOf } from '../adapters/aws/model-registry.ts';
import { S3BlobStore } from '../adapters/aws/s3.ts';
import { SqsQueue } from '../adapters/aws/sqs.ts';
import { ConfigError, configOf, type Deployable } from '../config/deployables.ts';
import { parseTaxonomy, type Taxonomy } from '../core/taxonomy.ts';
import type { Tier } from '../core/types.ts';
import type { Queue } from '../ports.ts';
import { functionObservability, observability } from './observability.ts';
import type { PipelineDeps } from './pipeline.ts';
import type { RetrainDeps } from './retrain.ts';

/** The cascade's tiers of a function, from its taxonomy and settings. */
export type TiersOf = (taxonomy: Taxonomy, config: AwsConfig) => Promise<Tier[]>;

/**
 * PipelineDeps over the given clients and names (AWS in production, emulators in tests). Without `tiers` the
 * function classifies nothing, and asking for its tiers says so.
 */
export function stepDeps(
  clients: AwsClients,
  config: AwsConfig,
  opts: { tiers?: () => Promise<Tier[]>; logger?: Logger; metrics?: Metrics } = {},
): PipelineDeps {
  // Imported, not read from disk: the bundler inlines the files into the Lambda package.
  const taxonomy = parseTaxonomy(taxonomyJson, 'models/taxonomy.json');
  const obs = opts.logger && opts.metrics ? { logger: opts.logger, metrics: opts.metrics } : observability(config);
  const buckets = new Map<string, S3BlobStore>();
  const lake = new S3BlobStore(clients.s3, config.lakeBucket);
  // With an encoder, its cached decisions are served only when of the registry's champion (after a model swap).
  const servedVersions = config.encoderEndpointName ? servedVersionsOf(new S3ModelRegistry(lake)) : undefined;
  const cache = new DynamoCache(clients.dynamo, config.tableName, { servedVersions });
  let tiers: Promise<Tier[]> | undefined;
  // A function sends only to the queues its settings name; another queue says which setting it lacks.
  const queue = <T>(url: string | undefined, setting: string): Queue<T> =>
    url ? new SqsQueue<T>(clients.sqs, url) : { send: () => Promise.reject(new ConfigError(`${setting} is not set for this function`)) };
  return {
    taxonomy,
    bucket: (name) => buckets.get(name) ?? buckets.set(name, new S3BlobStore(clients.s3, name)).get(name)!,
    lake,
    jobs: new DynamoJobStore(clients.dynamo, config.tableName),
    results: new DynamoResultStore(clients.dynamo, config.tableName, cache),
    cache,
    tiers: () => (tiers ??= opts.tiers ? opts.tiers() : Promise.reject(new ConfigError('this function classifies nothing: it has no tiers'))),
    classifyQueue: queue(config.classifyQueueUrl, 'CLASSIFY_QUEUE_URL'),
    finalizeQueue: queue(config.finalizeQueueUrl, 'FINALIZE_QUEUE_URL'),
    llmQueue: config.llmEnabled && config.llmQueueUrl ? new SqsQueue(clients.sqs, config.llmQueueUrl) : undefined,
    ...obs,
  };
}

/** PipelineDeps over X-Ray-traced clients, from the settings of the function it runs in. */
function tracedDeps(config: AwsConfig, tiersOf?: TiersOf): PipelineDeps {
  if (config.llmEnabled && !config.llmQueueUrl) throw new ConfigError('LLM_QUEUE_URL must be set when LLM_ENABLED=true');
  const obs = functionObservability(() => config); // the same set `observed` wraps the handler with
  const clients = makeClients();
  for (const client of [clients.s3, clients.sqs, clients.dynamo]) obs.tracer.captureAWSv3Client(client);
  const taxonomy = parseTaxonomy(taxonomyJson, 'models/taxonomy.json');
  const tiers = tiersOf && (() => tiersOf(taxonomy, config));
  return stepDeps(clients, config, { tiers, logger: obs.logger, metrics: obs.metrics });
}

const wired = new Map<Deployable, unknown>();
/** Made on the function's first invocation and kept: a Lambda runs one function. */
const once = <T>(fn: Deployable, make: () => T): T => (wired.get(fn) ?? wired.set(fn, make()).get(fn)) as T;

/** The Lambda wiring of one pipeline function; `tiersOf` for a function that classifies. */
export const awsDeps = (fn: 'ingest' | 'classify' | 'finalize' | 'dead-letters' | 'api' | 'category-fit', tiersOf?: TiersOf): PipelineDeps =>
  once(fn, () => tracedDeps(configOf(fn), tiersOf));

/** The retraining steps' wiring on AWS (results table, lake bucket). */
export const awsRetrainDeps = (step: 'retrain-export' | 'retrain-evaluate' | 'retrain-promote'): RetrainDeps =>
  once(step, () => {
    const config = configOf(step);
    const deps = tracedDeps(config);
    return { taxonomy: deps.taxonomy, results: deps.results, lake: deps.lake, lakeBucket: config.lakeBucket, logger: deps.logger };
  });
