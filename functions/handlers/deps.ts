/**
 * The cascade's tiers on AWS, for the functions that classify (classify, the API, shopper logs, the LLM worker's
 * pipeline): the shipped rules and the SageMaker encoder. The rest of the wiring is step-deps.ts.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import rulesJson from '../../models/rules.json' with { type: 'json' };
import type { AwsClients, AwsConfig } from '../adapters/aws/clients.ts';
import { SageMakerEncoder } from '../adapters/aws/sagemaker-encoder.ts';
import { configOf } from '../config/deployables.ts';
import { RuleSet } from '../core/rules.ts';
import type { Taxonomy } from '../core/taxonomy.ts';
import type { Tier } from '../core/types.ts';
import { loadTiers, selectableTierNames } from '../tiers/registry.ts';
import { indexedOnS3Vectors } from './item-vectors.ts';
import type { PipelineDeps } from './pipeline.ts';
import { awsDeps, stepDeps } from './step-deps.ts';

/**
 * The cascade's tiers after the cache, from the registry: the shipped rules, the SageMaker encoder when an
 * endpoint is named. No LLM client is lent: on AWS unsure rows go to the LLM queue instead.
 */
export async function defaultTiers(taxonomy: Taxonomy, config: Pick<AwsConfig, 'encoderEndpointName'>): Promise<Tier[]> {
  const endpointName = config.encoderEndpointName;
  const encoder = endpointName ? async () => new SageMakerEncoder({ client: new SageMakerRuntimeClient({}), endpointName }) : undefined;
  const services = { rules: () => RuleSet.parse(rulesJson, taxonomy, 'models/rules.json'), encoder };
  return (await loadTiers(selectableTierNames(), { taxonomy, env: {}, warn: () => undefined, services })).tiers;
}

/** PipelineDeps over the given clients and names with the cascade's tiers (`opts.tiers` in their place in tests). */
export function pipelineDeps(
  clients: AwsClients,
  config: AwsConfig,
  opts: { tiers?: () => Promise<Tier[]>; logger?: Logger; metrics?: Metrics } = {},
): PipelineDeps {
  const deps: PipelineDeps = stepDeps(clients, config, { ...opts, tiers: opts.tiers ?? (() => defaultTiers(deps.taxonomy, config)) });
  return deps;
}

const classifying = new Map<'classify' | 'api', PipelineDeps>();
/**
 * The Lambda wiring of a pipeline function that classifies; with a vector index (VECTOR_INDEX_ARN), every decision
 * and human label it saves is put in the index too.
 */
export function awsClassifyingDeps(fn: 'classify' | 'api'): PipelineDeps {
  let deps = classifying.get(fn);
  if (!deps) {
    const wired = awsDeps(fn, defaultTiers);
    const { vectorIndexArn } = configOf(fn);
    deps = vectorIndexArn ? { ...wired, results: indexedOnS3Vectors(wired.results, vectorIndexArn, wired.lake) } : wired;
    classifying.set(fn, deps);
  }
  return deps;
}
