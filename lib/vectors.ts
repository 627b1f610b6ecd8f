import { Duration } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3vectors from 'aws-cdk-lib/aws-s3vectors';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { Construct } from 'constructs';
import { CATEGORY_MODELS_PREFIX, CHANGED_PREFIX } from '../functions/adapters/aws/s3-category-models.ts';
import { INDEX_DIMENSIONS } from '../functions/similar/vectors.ts';
import { grantObjects, grantTable } from './grants.ts';
import { HandlerFunction } from './handler-function.ts';

/** The metadata only returned with a match, never filtered on (functions/adapters/aws/s3-vectors.ts). */
export const NON_FILTERABLE_METADATA = ['name', 'classId'];

/** What querying needs: a query that filters or returns metadata needs GetVectors beside QueryVectors. */
export const QUERY_ACTIONS = ['s3vectors:QueryVectors', 's3vectors:GetVectors'];
/** What putting saved items in the index needs (functions/similar/indexing.ts upserts; nothing deletes). */
export const INDEXING_ACTIONS = ['s3vectors:PutVectors'];
/** What re-vectorizing a tenant's items needs: listing the index with its metadata (GetVectors for that), putting them back. */
export const REEMBED_ACTIONS = ['s3vectors:ListVectors', 's3vectors:GetVectors', 's3vectors:PutVectors'];

/** The tenants' fitted models: read by every function that vectorizes (s3-category-models.ts). */
const MODELS_PREFIX = `${CATEGORY_MODELS_PREFIX}tenant=`;

/** How often the category-fit function looks for tenants whose labels changed (a run finishes before the next: its timeout). */
export const CATEGORY_FIT_SCHEDULE = 'rate(10 minutes)';

/** Who uses the index: a role to grant, and where its settings go (a Lambda function's or an ECS container's environment). */
export interface IndexUser {
  role: iam.IRole;
  addEnvironment(name: string, value: string): void;
}

const lambdaUser = (handler: HandlerFunction): IndexUser => ({ role: handler.role, addEnvironment: (k, v) => void handler.fn.addEnvironment(k, v) });

export interface ItemVectorsProps {
  /** The results table: the category-fit function reads each tenant's labels from it. */
  table: dynamodb.ITable;
  /** The lake: each tenant's category model is kept under similar/category-models/. */
  lake: s3.IBucket;
}

/**
 * The similarity index on Amazon S3 Vectors: one vector bucket (SSE-S3) with one cosine float32 index for every
 * tenant's items, and the category-fit function that keeps each tenant's category model (the category part of its
 * vectors) fitted on its labels. Paid per vector stored and per query, with no capacity that idles (docs/aws.md).
 */
export class ItemVectors extends Construct {
  readonly bucket: s3vectors.CfnVectorBucket;
  readonly index: s3vectors.CfnIndex;
  /**
   * Named by its dimensions: a CloudFormation index of new dimensions is a new index (replaced, not changed), and a
   * fixed name could not be replaced. A new layout starts empty: items reach it as they are saved again.
   */
  readonly indexName = `items-${INDEX_DIMENSIONS}`;
  readonly categoryFit: HandlerFunction;

  constructor(
    scope: Construct,
    id: string,
    private readonly props: ItemVectorsProps,
  ) {
    super(scope, id);
    this.bucket = new s3vectors.CfnVectorBucket(this, 'Bucket', { encryptionConfiguration: { sseType: 'AES256' } });
    this.index = new s3vectors.CfnIndex(this, 'Index', {
      vectorBucketArn: this.bucket.attrVectorBucketArn,
      indexName: this.indexName,
      dataType: 'float32',
      dimension: INDEX_DIMENSIONS,
      distanceMetric: 'cosine',
      metadataConfiguration: { nonFilterableMetadataKeys: NON_FILTERABLE_METADATA },
      encryptionConfiguration: { sseType: 'AES256' },
    });
    this.categoryFit = this.categoryFitFunction();
  }

  /** Gives the function the index's ARN (every S3 Vectors call names the index by it) and the query actions on it alone. */
  grantQuery(handler: HandlerFunction): void {
    this.grant(lambdaUser(handler), QUERY_ACTIONS);
    grantObjects(this.props.lake, handler.role, MODELS_PREFIX, 'read');
  }

  /**
   * Gives a function or task the index's ARN and PutVectors on it alone: it puts the items it saves in the index,
   * vectorized with its tenant's model (read), and marks the tenant when it saves labels (write).
   */
  grantIndexing(user: HandlerFunction | IndexUser): void {
    const u = user instanceof Construct ? lambdaUser(user) : user;
    this.grant(u, INDEXING_ACTIONS);
    grantObjects(this.props.lake, u.role, MODELS_PREFIX, 'read');
    grantObjects(this.props.lake, u.role, CHANGED_PREFIX, 'write');
  }

  private grant(user: IndexUser, actions: string[]): void {
    user.addEnvironment('VECTOR_INDEX_ARN', this.index.attrIndexArn);
    user.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions, resources: [this.index.attrIndexArn] }));
  }

  /**
   * The category-fit function on a schedule: fits the models of tenants whose labels changed (seconds of CPU per
   * 10,000 labelled names) and re-vectorizes their items, off every request path (functions/handlers/category-fit.ts).
   */
  private categoryFitFunction(): HandlerFunction {
    const { table, lake } = this.props;
    const fn = new HandlerFunction(this, 'CategoryFitFn', {
      name: 'category-fit',
      description: "Fits each tenant's category model where its labels changed and re-vectorizes its similar-products items",
      // A run stops re-vectorizing a minute before its end (its progress saved) and ends before the next starts.
      timeout: Duration.minutes(9),
      // About one vCPU: a fit is single-threaded.
      memorySize: 2048,
      bundleFolders: { 'models/embeddings/use-lite-static': 'embeddings' },
      environment: { TABLE_NAME: table.tableName, LAKE_BUCKET: lake.bucketName },
    });
    this.grant(lambdaUser(fn), REEMBED_ACTIONS);
    grantTable(table, fn.role, 'read');
    grantObjects(lake, fn.role, CATEGORY_MODELS_PREFIX, 'readwrite');
    const schedulerRole = new iam.Role(this, 'CategoryFitSchedulerRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com'),
      description: 'Starts the Aisle category-fit function on its schedule',
    });
    // The function alone (grantInvoke would add its versions too: `<arn>:*`).
    schedulerRole.addToPolicy(new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [fn.fn.functionArn] }));
    new scheduler.CfnSchedule(this, 'CategoryFitSchedule', {
      description: 'Aisle category models: fit where labels changed',
      scheduleExpression: CATEGORY_FIT_SCHEDULE,
      flexibleTimeWindow: { mode: 'OFF' },
      state: 'ENABLED',
      target: { arn: fn.fn.functionArn, roleArn: schedulerRole.roleArn, retryPolicy: { maximumRetryAttempts: 0 } },
    });
    return fn;
  }
}
