/**
 * Shared AWS clients and the names the pipeline's adapters are wired with. Handlers make them on their first
 * invocation (handlers/deps.ts), so importing a handler needs no AWS settings.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ConfigOf } from '../../config/deployables.ts';

/** What a function that wires the pipeline may have: its own deployable's settings, all but table and lake optional. */
export type AwsConfig = Pick<ConfigOf<'finalize'>, 'tableName' | 'lakeBucket'> & Partial<ConfigOf<'ingest'> & ConfigOf<'classify'> & ConfigOf<'api'>>;

/** Endpoint overrides for emulators (tests); on AWS every field is absent and the SDK's defaults apply. */
export interface ClientOptions {
  region?: string;
  endpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

export interface AwsClients {
  dynamo: DynamoDBDocumentClient;
  s3: S3Client;
  sqs: SQSClient;
}

/** DynamoDB document client that drops undefined members (optional fields of records). */
export function documentClient(client: DynamoDBClient): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}

export function makeClients(opts: ClientOptions = {}): AwsClients {
  const common = { region: opts.region, endpoint: opts.endpoint, credentials: opts.credentials };
  return {
    dynamo: documentClient(new DynamoDBClient(common)),
    // Checksums only when an operation requires them: streamed puts of unknown length stay valid on S3-compatible
    // servers (s3rver corrupts them otherwise) and the request stays a plain PUT.
    s3: new S3Client({ ...common, forcePathStyle: !!opts.endpoint, requestChecksumCalculation: 'WHEN_REQUIRED' }),
    sqs: new SQSClient(common),
  };
}

/** Runs fn over items with at most `limit` calls in flight. */
export async function inParallel<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** Waits with exponential backoff and full jitter: attempt 0 → up to base ms, capped at max ms. */
export function backoff(attempt: number, baseMs = 50, maxMs = 5_000): Promise<void> {
  const ms = Math.random() * Math.min(maxMs, baseMs * 2 ** attempt);
  return new Promise((resolve) => setTimeout(resolve, ms));
}
