import { Stack, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type { IConstruct } from 'constructs';
import { TABLE_KEYS } from './table.ts';

/**
 * Least-privilege grants spelled out action by action (the L2 `grantRead`/`grantReadWriteData` helpers add
 * wildcard actions and every index of a table). Object grants are scoped to one key prefix; the wildcard
 * that remains (`<bucket>/<prefix>*`) is acknowledged for cdk-nag right here, with its reason.
 */
export type ObjectAccess = 'read' | 'write' | 'readwrite';

const OBJECT_ACTIONS: Record<ObjectAccess, string[]> = {
  read: ['s3:GetObject'],
  write: ['s3:PutObject', 's3:AbortMultipartUpload'],
  readwrite: ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload'],
};

/** The way cdk-nag renders a token in a finding id: `<LogicalId.Arn>` for a Fn::GetAtt. */
export function nagToken(scope: IConstruct, value: string): string {
  const resolved = Stack.of(scope).resolve(value) as unknown;
  if (typeof resolved === 'string') return resolved;
  const getAtt = (resolved as { 'Fn::GetAtt'?: [string, string] })['Fn::GetAtt'];
  if (getAtt) return `<${getAtt[0]}.${getAtt[1]}>`;
  const ref = (resolved as { Ref?: string }).Ref;
  if (ref) return `<${ref}>`;
  throw new Error(`cannot render ${JSON.stringify(resolved)} as a cdk-nag token`);
}

export function grantObjects(bucket: s3.IBucket, grantee: iam.IGrantable & IConstruct, prefix: string, access: ObjectAccess): void {
  const objects = `${bucket.bucketArn}/${prefix}*`;
  grantee.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({ actions: OBJECT_ACTIONS[access], resources: [objects] }));
  if (access !== 'write') {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['s3:ListBucket'],
        resources: [bucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': [`${prefix}*`] } },
      }),
    );
  }
  Validations.of(grantee).acknowledge({
    id: `AwsSolutions-IAM5[Resource::${nagToken(grantee, bucket.bucketArn)}/${prefix}*]`,
    reason: `Objects are addressed by key under ${prefix}: the grant is scoped to that prefix of one bucket.`,
  });
}

export type TableAccess = 'getItem' | 'read' | 'readwrite';

const TABLE_READ = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:ConditionCheckItem', 'dynamodb:DescribeTable'];
const TABLE_WRITE = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem', 'dynamodb:TransactWriteItems'];
const TABLE_ACTIONS: Record<TableAccess, string[]> = {
  getItem: ['dynamodb:GetItem'],
  read: TABLE_READ,
  readwrite: [...TABLE_READ, ...TABLE_WRITE, 'dynamodb:TransactGetItems'],
};

/** The table and its one GSI, named (no `index/*`); no Scan: every access path is a key or the GSI. */
export function grantTable(table: dynamodb.ITable, grantee: iam.IGrantable, access: TableAccess): void {
  const resources = access === 'getItem' ? [table.tableArn] : [table.tableArn, `${table.tableArn}/index/${TABLE_KEYS.gsi}`];
  grantee.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({ actions: TABLE_ACTIONS[access], resources }));
}
