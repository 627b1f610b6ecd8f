/**
 * One shopper-log upload processed on AWS (issue 17 item 5; docs/aws.md#shopper-logs-on-aws): the same pipeline as
 * `aisle shoppers` (functions/shoppers/pipeline.ts) with Athena as its engine. The Lambda streams the CSV once into
 * staged rows and classifies the distinct products through the cascade (cached); parsing, duplicates, sessions and
 * search links run as Athena statements over the lake (window functions there, never all of a tenant's events in
 * the Lambda), and the tables are UNLOADed as Parquet into the tenant's partition of the day the log arrived.
 */
import { createHash } from 'node:crypto';
import type { Logger } from '@aws-lambda-powertools/logger';
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { AthenaShopperEngine, type AthenaSql, s3Parts } from '../adapters/aws/athena-shoppers.ts';
import { writeBoughtTogether } from '../adapters/aws/s3-co-purchases.ts';
import { TENANT_RE } from '../core/api-keys.ts';
import { UserError } from '../core/errors.ts';
import type { BlobStore } from '../ports.ts';
import { processShopperLogs, type ShopperSummary } from '../shoppers/pipeline.ts';
import type { ProductClassifier } from '../shoppers/ports.ts';
import { SHOPPER_TABLES } from '../shoppers/registry.ts';
import { SHOPPER_RUN_DATABASE_PREFIX, shopperRunFolders, shopperUploadOf } from './shoppers-layout.ts';

export interface ShopperRunDeps {
  /** A bucket's objects (the inbox, where uploads land). */
  bucket: (name: string) => BlobStore;
  lake: BlobStore;
  lakeBucket: string;
  /** Athena in the workgroup of the deployment (each run makes its own database for its intermediate tables). */
  athena: AthenaSql;
  /** The cascade of a tenant, as the pipeline's classifier. */
  classifier: (tenant: string) => ProductClassifier;
  /** Deletes every object under a prefix of the lake: a run retried after a failure starts from empty folders. */
  clearLakeFolder: (prefix: string) => Promise<void>;
  logger: Logger;
  metrics: Metrics;
}

/** An uploaded object, from its S3 notification. */
export interface ShopperUpload {
  bucket: string;
  key: string;
  etag: string;
  /** When it arrived (the notification's eventTime): the day its tables are partitioned by. */
  eventTime?: string;
}

/** The run's summary, as written to `shoppers/runs/…` (the counts of `aisle shoppers`, and where the tables went). */
export interface ShopperRunRecord extends Omit<ShopperSummary, 'outputs'> {
  runId: string;
  tenant: string;
  dt: string;
  source: string;
  demographics: string | null;
  /** s3:// folders by table, and the rejects. */
  outputs: Record<string, string>;
}

/** The id of an upload's run: the same on a redelivery of its notification, another for a new version of the file. */
export const shopperRunId = (upload: Pick<ShopperUpload, 'key' | 'etag'>) =>
  createHash('sha256').update(`${upload.key}\n${upload.etag}`).digest('hex').slice(0, 16);

/**
 * Processes one upload: a log starts a run; a demographics file is only kept (each run reads the tenant's last one
 * by name). A run whose summary exists is done already (a redelivered notification); one that failed before is
 * started again from empty folders. Returns the summary, or undefined when there was nothing to run.
 */
export async function runShopperUpload(deps: ShopperRunDeps, upload: ShopperUpload): Promise<ShopperRunRecord | undefined> {
  const what = shopperUploadOf(upload.key);
  if (!what) {
    deps.logger.warn('not a shopper upload: ignored', { key: upload.key });
    return undefined;
  }
  if (!TENANT_RE.test(what.tenant)) throw new UserError(`${upload.key}: tenant "${what.tenant}" is not a tenant id`);
  if (what.kind === 'demographics') {
    deps.logger.info('demographics kept for the next shopper log of the tenant', { key: upload.key, tenant: what.tenant });
    return undefined;
  }
  const runId = shopperRunId(upload);
  const dt = (upload.eventTime ? new Date(upload.eventTime) : new Date()).toISOString().slice(0, 10);
  const folders = shopperRunFolders(what.tenant, dt, runId);
  if (await deps.lake.exists(folders.summary)) {
    deps.logger.info('shopper run already done', { key: upload.key, runId });
    return undefined;
  }
  for (const prefix of [folders.work, folders.rejects, ...SHOPPER_TABLES.map(folders.table)]) await deps.clearLakeFolder(prefix);

  const inbox = deps.bucket(upload.bucket);
  const demographicsKeys = (await inbox.list(`shoppers/tenant=${what.tenant}/demographics/`)).filter((k) => k.endsWith('.csv')).sort();
  const demographics = demographicsKeys.length ? `s3://${upload.bucket}/${demographicsKeys.at(-1)}` : undefined;
  const lakeUri = (prefix: string) => `s3://${deps.lakeBucket}/${prefix}`;
  const outputFolder = (file: string) => (file === 'rejects.csv' ? lakeUri(folders.rejects) : lakeUri(folders.table(file.replace(/\.parquet$/, ''))));

  const engine = await AthenaShopperEngine.open({
    sql: deps.athena,
    lake: deps.lake,
    lakeBucket: deps.lakeBucket,
    workPrefix: folders.work,
    runDatabase: `${SHOPPER_RUN_DATABASE_PREFIX}${runId}`,
    outputFolder,
    read: async (uri) => {
      const { bucket, key } = s3Parts(uri);
      const body = await deps.bucket(bucket).get(key);
      if (!body) throw new UserError(`${uri}: no such object`);
      return body;
    },
  });
  let summary: ShopperSummary;
  let boughtTogether: string;
  try {
    summary = await processShopperLogs(
      { logs: `s3://${upload.bucket}/${upload.key}`, demographics, out: lakeUri(folders.work) },
      { engine, classify: deps.classifier(what.tenant) },
      undefined,
      (step) => deps.logger.info('shopper run step', { step, runId }),
    );
    // What the API recommends from: pairs over every run of the tenant, this one's events included (s3-co-purchases.ts).
    boughtTogether = await writeBoughtTogether(deps, what.tenant, runId);
  } finally {
    await engine.close();
  }
  const outputs = Object.fromEntries(Object.keys(summary.outputs).map((t) => [t, outputFolder(t === 'rejects' ? 'rejects.csv' : `${t}.parquet`)]));
  outputs.bought_together = lakeUri(boughtTogether);
  const record: ShopperRunRecord = { ...summary, runId, tenant: what.tenant, dt, source: upload.key, demographics: demographics ?? null, outputs };
  const rejected = Object.values(summary.rejected).reduce((a, b) => a + b, 0);
  deps.metrics.addMetric('ShopperEventsIn', MetricUnit.Count, summary.eventsIn);
  deps.metrics.addMetric('ShopperEventsRejected', MetricUnit.Count, rejected);
  // Written last: its presence says the run is complete.
  await deps.lake.put(folders.summary, JSON.stringify(record, null, 2), 'application/json');
  deps.logger.info('shopper run done', { runId, tenant: what.tenant, eventsIn: summary.eventsIn, rejected, sessions: summary.sessions });
  return record;
}
