/**
 * The API's wiring on AWS: the same Hono app as `aisle serve`, over DynamoDB (results, cache, jobs, keys),
 * S3 (presigned uploads and downloads, the model registry), the cascade's AWS tiers, Athena (insights, shopper insights),
 * Step Functions (retraining) and S3 Vectors (similar products), from the api function's settings (functions/config).
 */
import { AthenaClient } from '@aws-sdk/client-athena';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';
import { AthenaInsights } from '../adapters/aws/athena-insights.ts';
import { AthenaShopperInsights, AthenaSql } from '../adapters/aws/athena-shoppers.ts';
import { makeClients } from '../adapters/aws/clients.ts';
import { DynamoKeyStore } from '../adapters/aws/dynamo-key-store.ts';
import { S3JobsService } from '../adapters/aws/jobs-service.ts';
import { S3ModelRegistry } from '../adapters/aws/model-registry.ts';
import { StepFunctionsRetrainer } from '../adapters/aws/retrainer.ts';
import type { AppDeps } from '../api/app.ts';
import { clientKey } from '../api/client-address.ts';
import { configOf } from '../config/deployables.ts';
import { Cascade } from '../core/cascade.ts';
import { awsClassifyingDeps } from './deps.ts';
import { s3VectorsSimilar } from './item-vectors.ts';

/** The caller's address as API Gateway saw it (HTTP API: requestContext.http; REST API: requestContext.identity). */
export const lambdaClientOf: NonNullable<AppDeps['clientOf']> = (c) => {
  const ctx = (c.env as { event?: { requestContext?: { http?: { sourceIp?: string }; identity?: { sourceIp?: string } } } } | undefined)?.event
    ?.requestContext;
  return clientKey(ctx?.http?.sourceIp ?? ctx?.identity?.sourceIp);
};

export function awsApiDeps(): AppDeps {
  const config = configOf('api');
  const pipeline = awsClassifyingDeps('api');
  const { s3 } = makeClients();
  const raw = new DynamoDBClient({});
  const athena = new AthenaClient({});
  // The tiers are built on first use (the encoder endpoint client among them); the app needs each tenant's classify() only.
  let cascade: Promise<Cascade> | undefined;
  const forTenant: AppDeps['cascade']['forTenant'] = (tenant) => ({
    classify: async (items) => {
      cascade ??= pipeline.tiers().then((tiers) => new Cascade({ taxonomy: pipeline.taxonomy, tiers, cache: pipeline.cache }));
      return (await cascade).forTenant(tenant).classify(items);
    },
  });
  const stateMachineArn = config.retrainStateMachineArn;
  return {
    taxonomy: pipeline.taxonomy,
    cascade: { forTenant },
    results: pipeline.results,
    cache: pipeline.cache,
    jobs: new S3JobsService({ s3, jobs: pipeline.jobs, inboxBucket: config.inboxBucket, lakeBucket: config.lakeBucket }),
    models: new S3ModelRegistry(pipeline.lake),
    retrainer: stateMachineArn ? new StepFunctionsRetrainer({ sfn: new SFNClient({}), stateMachineArn }) : undefined,
    insights: new AthenaInsights({ client: athena, workGroup: config.athenaWorkgroup, database: config.glueDatabase }),
    // The shopper tables the shoppers function leaves in the same database (lib/shoppers.ts).
    shopperInsights: new AthenaShopperInsights(new AthenaSql({ client: athena, workGroup: config.athenaWorkgroup, database: config.glueDatabase })),
    similar: config.vectorIndexArn ? s3VectorsSimilar(config.vectorIndexArn) : undefined,
    keys: new DynamoKeyStore(raw, config.tableName),
    clientOf: lambdaClientOf,
    readiness: {
      store: {
        required: true,
        check: async () =>
          void (await raw.send(new GetItemCommand({ TableName: config.tableName, Key: { pk: { S: 'READY' }, sk: { S: 'READY' } } }))),
      },
    },
  };
}
