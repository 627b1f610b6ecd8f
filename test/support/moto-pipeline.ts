/**
 * The queued pipeline's AWS resources on moto_server, as the AWS end-to-end tests need them: the inbox and lake
 * buckets, the table, three queues each with its DLQ, and the inbox's object notifications to the ingest queue.
 */
import { CreateBucketCommand, PutBucketNotificationConfigurationCommand } from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import type { AwsConfig } from '../../functions/adapters/aws/clients.ts';
import { createTable, type Emulator } from './emulators.ts';
import { type QueuePair, queueWithDlq } from './sqs-lambda.ts';

export interface MotoPipeline {
  config: AwsConfig;
  queues: { ingest: QueuePair; classify: QueuePair; finalize: QueuePair };
}

export async function motoPipeline(moto: Emulator, names: { inbox: string; lake: string; table: string }): Promise<MotoPipeline> {
  const { s3, sqs } = moto.clients;
  await s3.send(new CreateBucketCommand({ Bucket: names.inbox }));
  await s3.send(new CreateBucketCommand({ Bucket: names.lake }));
  await createTable(moto.options, names.table, true);
  const queues = {
    ingest: await queueWithDlq(sqs, 'ingest'),
    classify: await queueWithDlq(sqs, 'classify'),
    finalize: await queueWithDlq(sqs, 'finalize'),
  };
  const ingestArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queues.ingest.url, AttributeNames: ['QueueArn'] }))).Attributes!
    .QueueArn;
  await s3.send(
    new PutBucketNotificationConfigurationCommand({
      Bucket: names.inbox,
      NotificationConfiguration: { QueueConfigurations: [{ QueueArn: ingestArn, Events: ['s3:ObjectCreated:*'] }] },
    }),
  );
  const config: AwsConfig = {
    tableName: names.table,
    inboxBucket: names.inbox,
    lakeBucket: names.lake,
    classifyQueueUrl: queues.classify.url,
    finalizeQueueUrl: queues.finalize.url,
    llmEnabled: false,
  };
  return { config, queues };
}
