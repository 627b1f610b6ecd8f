import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';

/** Key names fixed for every runtime (docs/aws.md): results, cache, jobs and API keys share this table. */
export const TABLE_KEYS = {
  partitionKey: 'pk',
  sortKey: 'sk',
  ttl: 'expiresAt',
  gsi: 'gsi1',
  gsiPartitionKey: 'gsi1pk',
  gsiSortKey: 'gsi1sk',
} as const;

/**
 * Context switch: write units per second the table (and its index) can take from its first second, instead of
 * on-demand's start of 4,000 that doubles over tens of minutes (docs/aws-scale.md: a bulk job's writes).
 */
export const WARM_WRITES_CONTEXT = 'tableWarmWritesPerSecond';

/**
 * The single DynamoDB table: on-demand, PITR, TTL (expiresAt) on cache and machine history items, one GSI
 * (review queue, job list).
 */
export class AisleTable extends Construct {
  readonly table: dynamodb.Table;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const S = dynamodb.AttributeType.STRING;
    const warmWrites = Number(this.node.tryGetContext(WARM_WRITES_CONTEXT) ?? 0);
    // Pre-warmed throughput is a one-time charge, so only when asked for (a first bulk job of millions of rows).
    const warmThroughput = warmWrites > 0 ? { writeUnitsPerSecond: warmWrites, readUnitsPerSecond: Math.max(12_000, warmWrites) } : undefined;
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: TABLE_KEYS.partitionKey, type: S },
      sortKey: { name: TABLE_KEYS.sortKey, type: S },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      timeToLiveAttribute: TABLE_KEYS.ttl,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
      warmThroughput,
    });
    this.table.addGlobalSecondaryIndex({
      indexName: TABLE_KEYS.gsi,
      partitionKey: { name: TABLE_KEYS.gsiPartitionKey, type: S },
      sortKey: { name: TABLE_KEYS.gsiSortKey, type: S },
      warmThroughput,
    });
  }
}
