/**
 * Shoppers Lambda: SQS batch of S3 ObjectCreated notifications of the inbox's `shoppers/` prefix → one shopper run
 * per log (functions/handlers/shoppers-run.ts). A failing message is reported in batchItemFailures; after its
 * last delivery it rests in the queue's DLQ (an alarm), and the run starts again from empty folders when redriven.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { AthenaClient } from '@aws-sdk/client-athena';
import { DeleteObjectsCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { AthenaSql } from '../adapters/aws/athena-shoppers.ts';
import { type AwsClients, makeClients } from '../adapters/aws/clients.ts';
import { type ConfigOf, configOf } from '../config/deployables.ts';
import { Cascade } from '../core/cascade.ts';
import { objectsOf } from '../pipeline/messages.ts';
import { cascadeClassifier } from '../shoppers/classify.ts';
import { pipelineDeps } from './deps.ts';
import { functionObservability, observed } from './observability.ts';
import { runShopperUpload, type ShopperRunDeps, type ShopperUpload } from './shoppers-run.ts';

/** The uploads a notification names, each with the time it arrived. */
export function shopperUploadsOf(body: string): ShopperUpload[] {
  const times = new Map<string, string>();
  for (const r of (JSON.parse(body) as { Records?: { eventTime?: string; s3?: { object?: { key?: string } } }[] }).Records ?? []) {
    const key = r.s3?.object?.key;
    if (key && r.eventTime) times.set(decodeURIComponent(key.replace(/\+/g, ' ')), r.eventTime);
  }
  return objectsOf(body).map((o) => ({ ...o, eventTime: times.get(o.key) }));
}

/** Deletes the objects under a prefix, a listing page (up to 1,000 keys) at a time. */
export const clearFolder = (s3: S3Client, bucket: string) => async (prefix: string) => {
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    const keys = (page.Contents ?? []).flatMap((o) => (o.Key ? [{ Key: o.Key }] : []));
    if (keys.length) await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys, Quiet: true } }));
    token = page.NextContinuationToken;
  } while (token);
};

export function makeHandler(deps: ShopperRunDeps | (() => ShopperRunDeps)) {
  const resolve = typeof deps === 'function' ? deps : () => deps;
  return async (event: SQSEvent, context?: Context): Promise<SQSBatchResponse> => {
    const d = resolve();
    const record = async (r: SQSRecord) => {
      for (const upload of shopperUploadsOf(r.body)) await runShopperUpload(d, upload);
    };
    try {
      return await processPartialResponse(event, record, new BatchProcessor(EventType.SQS), {
        context: context as Context,
        throwOnFullBatchFailure: false,
        processInParallel: false,
      });
    } finally {
      d.metrics.publishStoredMetrics();
    }
  };
}

/** The run's ports over clients and the function's settings (emulator clients in tests). */
export function shopperRunDeps(
  clients: AwsClients & { athena: AthenaClient },
  config: ConfigOf<'shoppers'>,
  opts: Parameters<typeof pipelineDeps>[2] = {},
): ShopperRunDeps {
  const pipeline = pipelineDeps(clients, config, opts);
  let cascade: Promise<Cascade> | undefined;
  return {
    bucket: pipeline.bucket,
    lake: pipeline.lake,
    lakeBucket: config.lakeBucket,
    athena: new AthenaSql({ client: clients.athena, workGroup: config.athenaWorkgroup, database: config.glueDatabase }),
    classifier: (tenant) => async (names) => {
      cascade ??= pipeline.tiers().then((tiers) => new Cascade({ taxonomy: pipeline.taxonomy, tiers, cache: pipeline.cache }));
      return cascadeClassifier((await cascade).forTenant(tenant), pipeline.taxonomy)(names);
    },
    clearLakeFolder: clearFolder(clients.s3, config.lakeBucket),
    logger: pipeline.logger,
    metrics: pipeline.metrics,
  };
}

let wired: ShopperRunDeps | undefined;
export const handler = observed(
  'shoppers',
  makeHandler(() => {
    if (wired) return wired;
    const config = configOf('shoppers');
    const obs = functionObservability(() => config);
    const clients = { ...makeClients(), athena: new AthenaClient({}) };
    for (const client of [clients.s3, clients.dynamo, clients.athena]) obs.tracer.captureAWSv3Client(client);
    wired = shopperRunDeps(clients, config, { logger: obs.logger, metrics: obs.metrics });
    return wired;
  }),
);
