/**
 * The API's wiring on AWS: the same Hono app as `aisle serve`, over DynamoDB (results, cache, jobs, keys),
 * S3 (presigned uploads and downloads, the model registry), the cascade's AWS tiers, Athena (insights) and
 * Step Functions (retraining). Environment names: HELPERS.md / lib/stack.ts.
 */
import { AthenaClient } from '@aws-sdk/client-athena';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';
import type { AppDeps } from '../api/app.ts';
import { AthenaInsights } from '../adapters/aws/athena-insights.ts';
import { configFromEnv, ConfigError, makeClients } from '../adapters/aws/clients.ts';
import { DynamoKeyStore } from '../adapters/aws/dynamo-key-store.ts';
import { S3JobsService } from '../adapters/aws/jobs-service.ts';
import { S3ModelRegistry } from '../adapters/aws/model-registry.ts';
import { StepFunctionsRetrainer } from '../adapters/aws/retrainer.ts';
import { Cascade } from '../core/cascade.ts';
import { awsDeps } from './deps.ts';

export function awsApiDeps(env: NodeJS.ProcessEnv = process.env): AppDeps {
  const config = configFromEnv(env);
  const pipeline = awsDeps();
  const { s3 } = makeClients();
  const raw = new DynamoDBClient({});
  // The tiers are built on first use (the encoder endpoint client among them); the app needs classify() only.
  let cascade: Promise<Cascade> | undefined;
  const classify: AppDeps['cascade']['classify'] = async (items) => {
    cascade ??= pipeline.tiers().then((tiers) => new Cascade({ taxonomy: pipeline.taxonomy, tiers, cache: pipeline.cache }));
    return (await cascade).classify(items);
  };
  const stateMachineArn = env.RETRAIN_STATE_MACHINE_ARN;
  if (!env.ATHENA_WORKGROUP || !env.GLUE_DATABASE) throw new ConfigError('ATHENA_WORKGROUP and GLUE_DATABASE must be set for insights');
  return {
    taxonomy: pipeline.taxonomy,
    cascade: { classify },
    results: pipeline.results,
    cache: pipeline.cache,
    jobs: new S3JobsService({ s3, jobs: pipeline.jobs, inboxBucket: config.inboxBucket, lakeBucket: config.lakeBucket }),
    models: new S3ModelRegistry(pipeline.lake),
    retrainer: stateMachineArn ? new StepFunctionsRetrainer({ sfn: new SFNClient({}), stateMachineArn }) : undefined,
    insights: new AthenaInsights({ client: new AthenaClient({}), workGroup: env.ATHENA_WORKGROUP, database: env.GLUE_DATABASE }),
    keys: new DynamoKeyStore(raw, config.tableName),
    readiness: {
      store: { required: true, check: async () => void (await raw.send(new GetItemCommand({ TableName: config.tableName, Key: { pk: { S: 'READY' }, sk: { S: 'READY' } } }))) },
    },
  };
}
