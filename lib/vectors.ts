import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3vectors from 'aws-cdk-lib/aws-s3vectors';
import { Construct } from 'constructs';
import { ITEM_DIMENSIONS } from '../functions/similar/vectors.ts';
import type { HandlerFunction } from './handler-function.ts';

/** The metadata only returned with a match, never filtered on (functions/adapters/aws/s3-vectors.ts). */
export const NON_FILTERABLE_METADATA = ['name', 'classId'];

/** What querying needs: a query that filters or returns metadata needs GetVectors beside QueryVectors. */
export const QUERY_ACTIONS = ['s3vectors:QueryVectors', 's3vectors:GetVectors'];
/** What putting saved items in the index needs (functions/similar/indexing.ts upserts; nothing deletes). */
export const INDEXING_ACTIONS = ['s3vectors:PutVectors'];

/** Who uses the index: a role to grant, and where its settings go (a Lambda function's or an ECS container's environment). */
export interface IndexUser {
  role: iam.IPrincipal & iam.IGrantable & { addToPrincipalPolicy(statement: iam.PolicyStatement): iam.AddToPrincipalPolicyResult };
  addEnvironment(name: string, value: string): void;
}

const lambdaUser = (handler: HandlerFunction): IndexUser => ({ role: handler.role, addEnvironment: (k, v) => void handler.fn.addEnvironment(k, v) });

/**
 * The similarity index on Amazon S3 Vectors: one vector bucket (SSE-S3) with one cosine float32 index for every
 * tenant's items. Paid per vector stored and per query, with no capacity that idles (docs/aws.md).
 */
export class ItemVectors extends Construct {
  readonly bucket: s3vectors.CfnVectorBucket;
  readonly index: s3vectors.CfnIndex;
  readonly indexName = 'items';

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.bucket = new s3vectors.CfnVectorBucket(this, 'Bucket', { encryptionConfiguration: { sseType: 'AES256' } });
    this.index = new s3vectors.CfnIndex(this, 'Index', {
      vectorBucketArn: this.bucket.attrVectorBucketArn,
      indexName: this.indexName,
      dataType: 'float32',
      dimension: ITEM_DIMENSIONS,
      distanceMetric: 'cosine',
      metadataConfiguration: { nonFilterableMetadataKeys: NON_FILTERABLE_METADATA },
      encryptionConfiguration: { sseType: 'AES256' },
    });
  }

  /** Gives the function the index's ARN (every S3 Vectors call names the index by it) and the query actions on it alone. */
  grantQuery(handler: HandlerFunction): void {
    this.grant(lambdaUser(handler), QUERY_ACTIONS);
  }

  /** Gives a function or task the index's ARN and PutVectors on it alone: it puts the items it saves in the index. */
  grantIndexing(user: HandlerFunction | IndexUser): void {
    this.grant(user instanceof Construct ? lambdaUser(user) : user, INDEXING_ACTIONS);
  }

  private grant(user: IndexUser, actions: string[]): void {
    user.addEnvironment('VECTOR_INDEX_ARN', this.index.attrIndexArn);
    user.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions, resources: [this.index.attrIndexArn] }));
  }
}
