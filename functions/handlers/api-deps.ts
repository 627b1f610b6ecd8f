/**
 * The API's wiring on AWS: the same Hono app as `aisle serve`, over DynamoDB (results, cache, jobs, keys),
 * S3 (presigned uploads and downloads, the model registry), the cascade's AWS tiers, Athena (insights, shopper insights),
 * Step Functions (retraining), S3 Vectors (similar products, ask's retrieval) and the shopper runs' pairs (recommendations), from the api function's settings (functions/config).
 */
import { AthenaClient } from '@aws-sdk/client-athena';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import type { S3VectorsClient } from '@aws-sdk/client-s3vectors';
import { SFNClient } from '@aws-sdk/client-sfn';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { AthenaInsights } from '../adapters/aws/athena-insights.ts';
import { AthenaShopperInsights, AthenaSql } from '../adapters/aws/athena-shoppers.ts';
import { makeClients } from '../adapters/aws/clients.ts';
import { DynamoCatalogLookup } from '../adapters/aws/dynamo-catalog.ts';
import { DynamoKeyStore } from '../adapters/aws/dynamo-key-store.ts';
import { S3JobsService } from '../adapters/aws/jobs-service.ts';
import { S3ModelRegistry } from '../adapters/aws/model-registry.ts';
import { StepFunctionsRetrainer } from '../adapters/aws/retrainer.ts';
import { S3CoPurchases } from '../adapters/aws/s3-co-purchases.ts';
import type { AppDeps } from '../api/app.ts';
import { clientKey } from '../api/client-address.ts';
import { CatalogAsk } from '../ask/catalog-ask.ts';
import { configOf } from '../config/deployables.ts';
import { Cascade } from '../core/cascade.ts';
import type { Taxonomy } from '../core/taxonomy.ts';
import type { BlobStore } from '../ports.ts';
import { Recommender } from '../similar/recommend.ts';
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
  const { s3, dynamo } = makeClients();
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
    ...(config.vectorIndexArn
      ? indexServices(config.vectorIndexArn, { taxonomy: pipeline.taxonomy, lake: pipeline.lake, dynamo, tableName: config.tableName })
      : {}),
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

/**
 * What the API answers from the S3 Vectors index, each route unset (503 or 501) without it: similar products;
 * recommendations, the pairs each shopper run leaves in the lake (s3-co-purchases.ts) blended with similar items;
 * and ask, candidates from the index checked against the results table (functions/ask/indexed.ts). Ask has no chat
 * model: the LLM service's Ollama runs inside its GPU tasks, unreachable from this function and scaled to zero when
 * idle, so a product question gets its retrieved items with generation "unavailable" (docs/aws.md#ask-on-aws).
 */
export function indexServices(
  indexArn: string,
  stores: { taxonomy: Taxonomy; lake: BlobStore; dynamo: DynamoDBDocumentClient; tableName: string },
  client?: S3VectorsClient,
): Required<Pick<AppDeps, 'similar' | 'recommender' | 'ask'>> {
  const similar = s3VectorsSimilar(indexArn, stores.lake, client);
  return {
    similar,
    recommender: new Recommender(similar, new S3CoPurchases(stores.lake)),
    ask: new CatalogAsk({ taxonomy: stores.taxonomy, lookup: new DynamoCatalogLookup(stores.dynamo, stores.tableName), similar, llm: null }),
  };
}
