import { Aws, Duration, Stack, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as iam from 'aws-cdk-lib/aws-iam';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3n from 'aws-cdk-lib/aws-s3-notifications';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct, type IConstruct } from 'constructs';
import {
  SHOPPER_INBOX_PREFIX,
  SHOPPER_LAKE_PREFIXES,
  SHOPPER_RUN_DATABASE_PREFIX,
  SHOPPER_TABLE_COLUMNS,
} from '../functions/handlers/shoppers-layout.ts';
import { grantObjects, grantTable } from './grants.ts';
import { HandlerFunction } from './handler-function.ts';
import { type Insights, tenantDatePartitions } from './insights.ts';
import { WorkQueue } from './queues.ts';
import { LAKE_PREFIXES } from './storage.ts';

/** The Lambda waits on Athena's statements of a run (a few minutes for 10M events): the longest a Lambda may run. */
/** What the run's pairs query needs of the events table: its catalog entry and its partitions, nothing that writes. */
export const BOUGHT_TOGETHER_GLUE_ACTIONS = ['glue:GetTable', 'glue:GetPartitions'];

export const SHOPPERS_TIMEOUT = Duration.minutes(15);

export interface ShoppersProps {
  readonly inbox: s3.Bucket;
  readonly lake: s3.Bucket;
  /** The cascade's cache lives there. */
  readonly table: dynamodb.ITable;
  readonly alarmTopic: sns.ITopic;
  /** Athena's workgroup and the Glue database of the lake, where the shopper tables go beside `results`. */
  readonly insights: Insights;
  /** The encoder tier's endpoint, when deployed. */
  readonly encoder?: { readonly endpointName: string; grantInvoke(grantee: iam.IGrantable): void };
}

/**
 * Shopper logs on AWS (docs/aws.md#shopper-logs-on-aws): inbox `shoppers/` ObjectCreated → a queue (with its DLQ
 * and an alarm on it) → the shoppers Lambda, one log at a time, which stages the log, classifies its products and
 * has Athena cut sessions and link searches; the Glue tables `shopper_*` over the Parquet it leaves, partitioned by
 * tenant (injected: every query names one) and dt (a date projection), as the API's shopper insights read them.
 */
export class Shoppers extends Construct {
  readonly queue: WorkQueue;
  readonly handler: HandlerFunction;
  readonly tableNames: string[];
  private readonly lake: s3.IBucket;
  private readonly databaseName: string;

  /** Long on purpose: declarative, the queue, the function and its grants, then the Glue tables. */
  constructor(scope: Construct, id: string, props: ShoppersProps) {
    super(scope, id);
    const { inbox, lake, table } = props;
    this.lake = lake;
    const { workGroupName, databaseName } = props.insights;
    this.databaseName = databaseName;
    const stack = Stack.of(this);
    // A run that failed twice waits in the DLQ for an operator (a redrive starts it again from empty folders).
    this.queue = new WorkQueue(this, 'Logs', {
      consumerTimeout: SHOPPERS_TIMEOUT,
      maxReceiveCount: 2,
      alarmTopic: props.alarmTopic,
      unreadDlq: {
        alarmDescription:
          'A shopper log failed twice and waits in the shoppers dead-letter queue: read the shoppers function log (runId, step), fix, then redrive the DLQ.',
      },
    });
    inbox.addEventNotification(s3.EventType.OBJECT_CREATED, new s3n.SqsDestination(this.queue.queue), { prefix: SHOPPER_INBOX_PREFIX });
    lake.addLifecycleRule({ id: 'expire-shopper-work', prefix: SHOPPER_LAKE_PREFIXES.work, expiration: Duration.days(7) });

    this.handler = new HandlerFunction(this, 'ShoppersFn', {
      name: 'shoppers',
      description: 'Runs a shopper log dropped under inbox shoppers/: staged, classified, sessions and links by Athena, Parquet by tenant and day',
      timeout: SHOPPERS_TIMEOUT,
      memorySize: 1024,
      // The pipeline's SQL files, read next to the module (functions/core/shoppers-sql.ts).
      bundleFolders: { 'functions/core/shoppers': 'shoppers' },
      environment: {
        TABLE_NAME: table.tableName,
        LAKE_BUCKET: lake.bucketName,
        INBOX_BUCKET: inbox.bucketName,
        ENCODER_ENDPOINT_NAME: props.encoder?.endpointName ?? '',
        ATHENA_WORKGROUP: workGroupName,
        GLUE_DATABASE: databaseName,
      },
    });
    const role = this.handler.role;
    // One log per invocation; two at once keep Athena's concurrent DML quota (25 by default) far off.
    this.handler.fn.addEventSource(new SqsEventSource(this.queue.queue, { batchSize: 1, maxConcurrency: 2, reportBatchItemFailures: true }));
    grantObjects(inbox, role, SHOPPER_INBOX_PREFIX, 'read');
    // Staged rows, the run's tables (Athena writes them with the caller's rights), its outputs and its summary.
    grantObjects(lake, role, 'shoppers/', 'readwrite');
    role.addToPolicy(new iam.PolicyStatement({ actions: ['s3:DeleteObject'], resources: [`${lake.bucketArn}/shoppers/*`] }));
    grantObjects(lake, role, LAKE_PREFIXES.athenaResults, 'readwrite');
    role.addToPolicy(new iam.PolicyStatement({ actions: ['s3:GetBucketLocation'], resources: [lake.bucketArn] }));
    grantTable(table, role, 'readwrite'); // the cascade's cache
    props.encoder?.grantInvoke(role);
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['athena:StartQueryExecution', 'athena:GetQueryExecution', 'athena:GetQueryResults', 'athena:StopQueryExecution'],
        resources: [stack.formatArn({ service: 'athena', resource: 'workgroup', resourceName: workGroupName })],
      }),
    );
    // Each run makes a database of its own for its intermediate tables, and drops it with them.
    const runDatabase = `${SHOPPER_RUN_DATABASE_PREFIX}*`;
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: [
          'glue:CreateDatabase',
          'glue:GetDatabase',
          'glue:DeleteDatabase',
          'glue:CreateTable',
          'glue:GetTable',
          'glue:GetTables',
          'glue:UpdateTable',
          'glue:DeleteTable',
          'glue:BatchDeleteTable',
          'glue:GetPartitions',
        ],
        resources: [
          stack.formatArn({ service: 'glue', resource: 'catalog' }),
          stack.formatArn({ service: 'glue', resource: 'database', resourceName: runDatabase }),
          stack.formatArn({ service: 'glue', resource: 'table', resourceName: `${runDatabase}/*` }),
          stack.formatArn({ service: 'glue', resource: 'database', resourceName: databaseName }),
        ],
      }),
    );
    // The bought-together pairs (functions/adapters/aws/s3-co-purchases.ts) read every run's events of the tenant.
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: BOUGHT_TOGETHER_GLUE_ACTIONS,
        resources: [stack.formatArn({ service: 'glue', resource: 'table', resourceName: `${databaseName}/shopper_events` })],
      }),
    );
    for (const resource of [`database/${runDatabase}`, `table/${runDatabase}/*`]) {
      Validations.of(role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:glue:<AWS::Region>:<AWS::AccountId>:${resource}]`,
        reason: 'Each shopper run makes a Glue database of its own, named by the run (shoppers_run_<id>), for its intermediate tables.',
      });
    }

    this.tableNames = Object.keys(SHOPPER_TABLE_COLUMNS).map((t) => `shopper_${t}`);
    for (const [name, columns] of Object.entries(SHOPPER_TABLE_COLUMNS)) {
      const location = `s3://${lake.bucketName}/${SHOPPER_LAKE_PREFIXES.tables}${name}/`;
      const glueTable = new glue.CfnTable(this, `Table${name.replace(/(^|_)(\w)/g, (_, __, c: string) => c.toUpperCase())}`, {
        catalogId: Aws.ACCOUNT_ID,
        databaseName: databaseName,
        tableInput: {
          name: `shopper_${name}`,
          description: `Shopper ${name.replace('_', ' ')} of each tenant's runs (functions/handlers/shoppers-layout.ts)`,
          tableType: 'EXTERNAL_TABLE',
          ...tenantDatePartitions(location, 'log it was', 'the log arrived'),
          storageDescriptor: {
            location,
            columns: columns.map(([column, type]) => ({ name: column, type })),
            inputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
            outputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
            serdeInfo: { serializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe' },
          },
        },
      });
      glueTable.node.addDependency(props.insights); // its database
    }
  }

  /** Read each tenant's bought-together pairs that the shopper runs leave in the lake (the API's recommendations). */
  grantBoughtTogether(grantee: iam.IGrantable & IConstruct): void {
    grantObjects(this.lake, grantee, SHOPPER_LAKE_PREFIXES.boughtTogether, 'read');
  }

  /** Read the shopper tables through Athena (the API's shopper insights): their catalog entries and their files. */
  grantInsights(grantee: iam.IGrantable & IConstruct): void {
    const stack = Stack.of(this);
    iam.Grant.addToPrincipal({
      grantee,
      actions: ['glue:GetTable', 'glue:GetPartitions'],
      resourceArns: this.tableNames.map((t) => stack.formatArn({ service: 'glue', resource: 'table', resourceName: `${this.databaseName}/${t}` })),
    });
    grantObjects(this.lake, grantee, SHOPPER_LAKE_PREFIXES.tables, 'read');
  }
}
