import { Duration } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { SqsEventSource, type SqsEventSourceProps } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3n from 'aws-cdk-lib/aws-s3-notifications';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { grantObjects, grantTable } from './grants.ts';
import { HandlerFunction } from './handler-function.ts';
import { DEAD_LETTER_CONSUMER_TIMEOUT, WorkQueue } from './queues.ts';
import { INBOX_PREFIX, LAKE_PREFIXES } from './storage.ts';

export interface PipelineProps {
  readonly inbox: s3.Bucket;
  readonly lake: s3.Bucket;
  readonly table: dynamodb.Table;
  readonly alarmTopic: sns.ITopic;
  /** Whether the LLM tier is deployed (LLM_ENABLED in the classify function). */
  readonly llmEnabled: boolean;
  /** The SageMaker endpoint of the encoder tier; empty when the tier is not deployed. */
  readonly encoderEndpointName: string;
}

/**
 * The batch path: inbox ObjectCreated:* → ingest queue → ingest Lambda → classify queue → classify Lambda
 * (→ LLM queue for the ECS worker) → finalize queue → finalize Lambda (plan → segments → compose, each a message
 * on that queue). Each queue has a DLQ and an alarm; one dead-letter Lambda reads every DLQ and tells the
 * message's job (a failed chunk ends it partial, a failed file or finalize ends it failed), so that every job ends.
 */
export class Pipeline extends Construct {
  readonly ingestQueue: WorkQueue;
  readonly classifyQueue: WorkQueue;
  readonly finalizeQueue: WorkQueue;
  readonly llmQueue: WorkQueue;
  readonly ingest: HandlerFunction;
  readonly classify: HandlerFunction;
  readonly finalize: HandlerFunction;
  readonly deadLetters: HandlerFunction;

  /**
   * Long on purpose: a CDK constructor, declarative: the four queues, then each stage's function with its grants
   * and event source, in the order a file flows through them.
   */
  constructor(scope: Construct, id: string, props: PipelineProps) {
    super(scope, id);
    const { inbox, lake, table, alarmTopic } = props;
    // A failing message is reported in batchItemFailures: only it is retried.
    const messagesOf = (q: WorkQueue, opts: SqsEventSourceProps) => new SqsEventSource(q.queue, { ...opts, reportBatchItemFailures: true });
    const timeouts = {
      ingest: Duration.minutes(15), // streams a whole CSV (millions of rows) into the classify queue
      classify: Duration.minutes(1),
      finalize: Duration.minutes(15), // a segment: one count shard's rows (~200,000) to CSV and Parquet; compose copies inside S3
      llm: Duration.minutes(2), // the LLM worker's longest time on one message batch
    };

    this.ingestQueue = new WorkQueue(this, 'Ingest', { consumerTimeout: timeouts.ingest, maxReceiveCount: 3, alarmTopic });
    this.classifyQueue = new WorkQueue(this, 'Classify', { consumerTimeout: timeouts.classify, alarmTopic });
    this.finalizeQueue = new WorkQueue(this, 'Finalize', { consumerTimeout: timeouts.finalize, maxReceiveCount: 3, alarmTopic });
    this.llmQueue = new WorkQueue(this, 'Llm', { consumerTimeout: timeouts.llm, alarmTopic });

    // ObjectCreated:* and not only Put: large CSVs arrive by multipart upload (CompleteMultipartUpload).
    inbox.addEventNotification(s3.EventType.OBJECT_CREATED, new s3n.SqsDestination(this.ingestQueue.queue), {
      prefix: INBOX_PREFIX,
    });

    this.ingest = new HandlerFunction(this, 'IngestFn', {
      name: 'ingest',
      description: 'Streams an inbox CSV, validates rows, writes rejects, sends row chunks to the classify queue',
      timeout: timeouts.ingest,
      memorySize: 1024,
      environment: {
        TABLE_NAME: table.tableName,
        LAKE_BUCKET: lake.bucketName,
        CLASSIFY_QUEUE_URL: this.classifyQueue.queue.queueUrl,
        FINALIZE_QUEUE_URL: this.finalizeQueue.queue.queueUrl, // a file with no valid row is final at once
      },
    });
    grantObjects(inbox, this.ingest.role, INBOX_PREFIX, 'read');
    grantObjects(lake, this.ingest.role, LAKE_PREFIXES.outbox, 'write'); // rejects, the job's header
    grantTable(table, this.ingest.role, 'readwrite');
    this.classifyQueue.queue.grantSendMessages(this.ingest.role);
    this.finalizeQueue.queue.grantSendMessages(this.ingest.role);
    // One CSV per message; a few files at once keep the classify queue fed without flooding it.
    this.ingest.fn.addEventSource(messagesOf(this.ingestQueue, { batchSize: 1, maxConcurrency: 5 }));

    this.classify = new HandlerFunction(this, 'ClassifyFn', {
      name: 'classify',
      description: 'Runs the cascade on a batch of rows; defers to the LLM queue; hands reconciled jobs to finalize',
      timeout: timeouts.classify,
      memorySize: 1024,
      // The static embedding table makes the vectors of the items it saves (handlers/item-vectors.ts), when indexed.
      bundleFolders: { 'models/embeddings/use-lite-static': 'embeddings' },
      environment: {
        TABLE_NAME: table.tableName,
        LAKE_BUCKET: lake.bucketName,
        FINALIZE_QUEUE_URL: this.finalizeQueue.queue.queueUrl,
        LLM_QUEUE_URL: props.llmEnabled ? this.llmQueue.queue.queueUrl : '',
        LLM_ENABLED: String(props.llmEnabled),
        ENCODER_ENDPOINT_NAME: props.encoderEndpointName,
      },
    });
    grantTable(table, this.classify.role, 'readwrite');
    grantObjects(lake, this.classify.role, LAKE_PREFIXES.models, 'read'); // rules and taxonomy versions
    grantObjects(lake, this.classify.role, LAKE_PREFIXES.outbox, 'write'); // work parts for finalize
    this.finalizeQueue.queue.grantSendMessages(this.classify.role);
    if (props.llmEnabled) this.llmQueue.queue.grantSendMessages(this.classify.role);
    // maxConcurrency caps the fan-out (and the load on the encoder endpoint) without reserving account
    // concurrency, which new accounts (limit 10) cannot spare.
    this.classify.fn.addEventSource(messagesOf(this.classifyQueue, { batchSize: 10, maxBatchingWindow: Duration.seconds(1), maxConcurrency: 50 }));

    this.finalize = new HandlerFunction(this, 'FinalizeFn', {
      name: 'finalize',
      description: 'Plans a reconciled job in segments, writes each segment (CSV slice and lake parts), composes outbox/<jobId>/result.csv',
      timeout: timeouts.finalize,
      memorySize: 2048,
      // Its own queue: the job's message fans out segment messages, and the last segment sends compose.
      environment: { TABLE_NAME: table.tableName, LAKE_BUCKET: lake.bucketName, FINALIZE_QUEUE_URL: this.finalizeQueue.queue.queueUrl },
    });
    grantTable(table, this.finalize.role, 'readwrite');
    grantObjects(inbox, this.finalize.role, INBOX_PREFIX, 'read');
    grantObjects(lake, this.finalize.role, LAKE_PREFIXES.outbox, 'readwrite');
    grantObjects(lake, this.finalize.role, LAKE_PREFIXES.results, 'readwrite');
    this.finalizeQueue.queue.grantSendMessages(this.finalize.role);
    // One message (a plan, a segment, a compose) per invocation; a 50M-row job's 250 segments run 20 at a time.
    this.finalize.fn.addEventSource(messagesOf(this.finalizeQueue, { batchSize: 1, maxConcurrency: 20 }));

    this.deadLetters = new HandlerFunction(this, 'DeadLettersFn', {
      name: 'dead-letters',
      description: 'Records a message that failed for good against its job: a failed chunk (kept for redrive), a failed file or finalize',
      timeout: DEAD_LETTER_CONSUMER_TIMEOUT,
      memorySize: 512,
      environment: { TABLE_NAME: table.tableName, LAKE_BUCKET: lake.bucketName, FINALIZE_QUEUE_URL: this.finalizeQueue.queue.queueUrl },
    });
    grantTable(table, this.deadLetters.role, 'readwrite');
    grantObjects(lake, this.deadLetters.role, LAKE_PREFIXES.outbox, 'write'); // failed chunks' messages, kept for redrive
    this.finalizeQueue.queue.grantSendMessages(this.deadLetters.role);
    for (const q of [this.ingestQueue, this.classifyQueue, this.llmQueue, this.finalizeQueue]) {
      // A message of a DLQ that cannot be recorded (the table throttles) is retried until the DLQ's retention ends.
      this.deadLetters.fn.addEventSource(new SqsEventSource(q.deadLetterQueue, { batchSize: 10, reportBatchItemFailures: true, maxConcurrency: 2 }));
    }
  }
}
