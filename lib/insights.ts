import { Aws, Stack } from 'aws-cdk-lib';
import * as athena from 'aws-cdk-lib/aws-athena';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct, type IConstruct } from 'constructs';
import { LAKE_COLUMNS, LAKE_GLUE_TYPES } from '../functions/core/lake.ts';
import { grantObjects } from './grants.ts';
import { LAKE_PREFIXES } from './storage.ts';

/** The table the named queries read (functions/core/insights/*.sql: `FROM results`). */
export const RESULTS_TABLE = 'results';
/** The earliest day the dt projection covers. */
const PROJECTION_START = '2024-01-01';

/**
 * A Parquet table's partitions under `location`: tenant (injected, so every query must name one) and dt (a date
 * projection), so Athena reads only the partitions a query names and Glue needs no partition crawl.
 */
export function tenantDatePartitions(location: string, whose: string, dtIs: string, extra: Record<string, string> = {}) {
  return {
    partitionKeys: [
      { name: 'tenant', type: 'string', comment: `the tenant whose ${whose} (injected: every query names one)` },
      { name: 'dt', type: 'string', comment: `YYYY-MM-DD ${dtIs}` },
    ],
    parameters: {
      classification: 'parquet',
      EXTERNAL: 'TRUE',
      ...extra,
      'projection.enabled': 'true',
      'projection.tenant.type': 'injected',
      'projection.dt.type': 'date',
      'projection.dt.format': 'yyyy-MM-dd',
      'projection.dt.range': `${PROJECTION_START},NOW`,
      'projection.dt.interval': '1',
      'projection.dt.interval.unit': 'DAYS',
      'storage.location.template': `${location}tenant=\${tenant}/dt=\${dt}/`,
    },
  };
}

export interface InsightsProps {
  readonly lake: s3.IBucket;
}

/**
 * The workgroup's cap on the data one query may scan: a runaway query costs at most about $0.50. A named
 * query reads its tenant's partitions and a few columns of them, far below it.
 */
export const BYTES_SCANNED_LIMIT = 100 * 1024 ** 3;

/**
 * Glue table over the lake's results/ Parquet files and an Athena workgroup. The table is partitioned by
 * `tenant` and `dt` with partition projection, so new tenants and days need no crawler or MSCK REPAIR:
 * `tenant` is injected (a query must name its tenant, and reads only that tenant's prefix; every named query
 * does, functions/core/insights/README.md), `dt` a date range up to NOW. The `job=ID/` folders under each day
 * are read as part of that day; the job is the `job_id` column (functions/core/lake.ts says why).
 */
export class Insights extends Construct {
  readonly databaseName: string;
  readonly tableName = RESULTS_TABLE;
  readonly workGroup: athena.CfnWorkGroup;
  readonly workGroupName: string;

  constructor(scope: Construct, id: string, props: InsightsProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.databaseName = `${stack.stackName.toLowerCase().replace(/[^a-z0-9_]/g, '_')}_lake`;
    const database = new glue.CfnDatabase(this, 'Database', {
      catalogId: Aws.ACCOUNT_ID,
      databaseInput: { name: this.databaseName, description: 'Aisle results lake' },
    });
    const resultsLocation = `s3://${props.lake.bucketName}/${LAKE_PREFIXES.results}`;
    const table = new glue.CfnTable(this, 'Results', {
      catalogId: Aws.ACCOUNT_ID,
      databaseName: this.databaseName,
      tableInput: {
        name: RESULTS_TABLE,
        description: 'One row per classified item (functions/core/lake.ts LAKE_COLUMNS)',
        tableType: 'EXTERNAL_TABLE',
        ...tenantDatePartitions(resultsLocation, 'job it was', 'the job ran', { 'parquet.compression': 'SNAPPY' }),
        storageDescriptor: {
          location: resultsLocation,
          // The tenant is a partition key: Glue refuses a data column of the same name (the files still hold it).
          columns: LAKE_COLUMNS.filter(([name]) => name !== 'tenant').map(([name, type, comment]) => ({
            name,
            type: LAKE_GLUE_TYPES[type],
            comment,
          })),
          inputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
          outputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
          serdeInfo: { serializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe' },
        },
      },
    });
    table.addResourceDependency(database);

    this.workGroupName = `${stack.stackName}-insights`;
    this.workGroup = new athena.CfnWorkGroup(this, 'WorkGroup', {
      name: this.workGroupName,
      description: 'Aisle insights queries (results location and encryption enforced)',
      recursiveDeleteOption: true,
      workGroupConfiguration: {
        enforceWorkGroupConfiguration: true,
        publishCloudWatchMetricsEnabled: true,
        bytesScannedCutoffPerQuery: BYTES_SCANNED_LIMIT,
        engineVersion: { selectedEngineVersion: 'Athena engine version 3' },
        resultConfiguration: {
          outputLocation: `s3://${props.lake.bucketName}/${LAKE_PREFIXES.athenaResults}`,
          encryptionConfiguration: { encryptionOption: 'SSE_S3' },
        },
      },
    });
    this.lake = props.lake;
  }

  private readonly lake: s3.IBucket;

  /** Run the named queries: the workgroup, the catalog entries, the results to read, the output to write. */
  grantQuery(grantee: iam.IGrantable & IConstruct): void {
    const stack = Stack.of(this);
    iam.Grant.addToPrincipal({
      grantee,
      actions: ['athena:StartQueryExecution', 'athena:GetQueryExecution', 'athena:GetQueryResults', 'athena:StopQueryExecution'],
      resourceArns: [stack.formatArn({ service: 'athena', resource: 'workgroup', resourceName: this.workGroupName })],
    });
    iam.Grant.addToPrincipal({
      grantee,
      actions: ['glue:GetDatabase', 'glue:GetTable', 'glue:GetPartitions'],
      resourceArns: [
        stack.formatArn({ service: 'glue', resource: 'catalog' }),
        stack.formatArn({ service: 'glue', resource: 'database', resourceName: this.databaseName }),
        stack.formatArn({ service: 'glue', resource: 'table', resourceName: `${this.databaseName}/${RESULTS_TABLE}` }),
      ],
    });
    grantObjects(this.lake, grantee, LAKE_PREFIXES.results, 'read');
    grantObjects(this.lake, grantee, LAKE_PREFIXES.athenaResults, 'readwrite');
    // Athena checks the results bucket's location before writing query output there.
    grantee.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:GetBucketLocation'], resources: [this.lake.bucketArn] }));
  }
}
