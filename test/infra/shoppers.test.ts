import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHOPPER_TABLE_COLUMNS } from '../../functions/handlers/shoppers-layout.ts';
import { SHOPPER_TABLES } from '../../functions/shoppers/registry.ts';
import { VISIBILITY_FACTOR } from '../../lib/queues.ts';
import { BOUGHT_TOGETHER_GLUE_ACTIONS, SHOPPERS_TIMEOUT } from '../../lib/shoppers.ts';
import { writeShopperTables } from '../support/shopper-fixture.ts';
import { type Synthesized, synthesize } from './synth.ts';

// The shopper-log construct (lib/shoppers.ts) in the default stack's template.
type Resource = { Properties: Record<string, any> };
let s: Synthesized;
beforeAll(() => {
  s = synthesize();
});
const resources = (type: string) => Object.entries(s.template.findResources(type)) as [string, Resource][];
const one = (type: string, idPrefix: string): [string, Resource] => {
  const hits = resources(type).filter(([id]) => id.startsWith(idPrefix));
  expect(hits, `one ${type} ${idPrefix}…`).toHaveLength(1);
  return hits[0];
};
const statementsOf = (roleIdPrefix: string) =>
  resources('AWS::IAM::Policy')
    .filter(([, p]) => p.Properties.Roles.some((r: { Ref: string }) => r.Ref.startsWith(roleIdPrefix)))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[]);
const actions = (st: { Action: string | string[] }) => [st.Action].flat();

describe('shopper logs on AWS', () => {
  it('sends the inbox shoppers/ objects to their queue, one log per invocation, a DLQ after two tries, alarmed', () => {
    const notifications = one('Custom::S3BucketNotifications', 'StorageInboxNotifications')[1].Properties.NotificationConfiguration;
    const [queueId, queue] = one('AWS::SQS::Queue', 'ShoppersLogsQueue');
    expect(notifications.QueueConfigurations).toContainEqual({
      Events: ['s3:ObjectCreated:*'],
      Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'shoppers/' }] } },
      QueueArn: { 'Fn::GetAtt': [queueId, 'Arn'] },
    });
    const [dlqId] = one('AWS::SQS::Queue', 'ShoppersLogsDlq');
    expect(queue.Properties.RedrivePolicy).toEqual({ deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] }, maxReceiveCount: 2 });
    expect(queue.Properties.VisibilityTimeout).toBe(SHOPPERS_TIMEOUT.toSeconds() * VISIBILITY_FACTOR);
    const [fnId, fn] = one('AWS::Lambda::Function', 'ShoppersShoppersFn');
    expect(fn.Properties.Timeout).toBe(900);
    expect(Object.keys(fn.Properties.Environment.Variables).sort()).toEqual([
      'ATHENA_WORKGROUP',
      'ENCODER_ENDPOINT_NAME',
      'GLUE_DATABASE',
      'INBOX_BUCKET',
      'LAKE_BUCKET',
      'NODE_OPTIONS',
      'POWERTOOLS_METRICS_NAMESPACE',
      'POWERTOOLS_SERVICE_NAME',
      'TABLE_NAME',
    ]);
    const [, mapping] = resources('AWS::Lambda::EventSourceMapping').find(([, m]) => m.Properties.FunctionName.Ref === fnId)!;
    expect(mapping.Properties).toMatchObject({
      BatchSize: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 2 },
    });
    expect(mapping.Properties.EventSourceArn).toEqual({ 'Fn::GetAtt': [queueId, 'Arn'] });
    const [, alarm] = one('AWS::CloudWatch::Alarm', 'ShoppersLogsDlqAlarm');
    expect(alarm.Properties).toMatchObject({
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Value: { 'Fn::GetAtt': [dlqId, 'QueueName'] } }],
    });
    expect(alarm.Properties.AlarmActions).toHaveLength(1);
    // Errors and throttles of the function, like every handler's.
    for (const metric of ['Errors', 'Throttles'])
      expect(resources('AWS::CloudWatch::Alarm').some(([id]) => id.startsWith(`ObservabilityShoppersFn${metric}`))).toBe(true);
  });

  it('makes a Glue table per shopper table, partitioned by tenant (injected) and day (projected), over its lake folder', () => {
    const tables = resources('AWS::Glue::Table').filter(([, t]) => t.Properties.TableInput.Name.startsWith('shopper_'));
    expect(tables.map(([, t]) => t.Properties.TableInput.Name).sort()).toEqual(SHOPPER_TABLES.map((t) => `shopper_${t}`).sort());
    for (const [, t] of tables) {
      const input = t.Properties.TableInput;
      const name = input.Name.replace(/^shopper_/, '') as keyof typeof SHOPPER_TABLE_COLUMNS;
      expect(input.PartitionKeys.map((k: { Name: string }) => k.Name)).toEqual(['tenant', 'dt']);
      expect(input.Parameters).toMatchObject({ 'projection.enabled': 'true', 'projection.tenant.type': 'injected', 'projection.dt.type': 'date' });
      expect(JSON.stringify(input.Parameters['storage.location.template'])).toContain(`/shoppers/tables/${name}/tenant=\${tenant}/dt=\${dt}/`);
      expect(input.StorageDescriptor.Columns.map((c: { Name: string; Type: string }) => [c.Name, c.Type])).toEqual(SHOPPER_TABLE_COLUMNS[name]);
    }
  });

  it('grants the function its prefixes, the workgroup and its runs’ own Glue databases only; the API reads the shopper tables', () => {
    const fn = statementsOf('ShoppersShoppersFnRole');
    const glue = fn.filter((st) => actions(st).some((a) => a.startsWith('glue:')));
    expect(JSON.stringify(glue)).toContain('database/shoppers_run_*');
    expect(glue.flatMap(actions).every((a) => a !== 'glue:*')).toBe(true);
    const s3Objects = fn.filter((st) => actions(st).includes('s3:GetObject')).map((st) => JSON.stringify(st.Resource));
    expect(s3Objects.every((r) => /\/shoppers\/\*|\/athena-results\/\*/.test(r))).toBe(true);
    expect(fn.filter((st) => actions(st).includes('s3:DeleteObject')).map((st) => JSON.stringify(st.Resource))).toEqual([
      expect.stringContaining('/shoppers/*'),
    ]);
    const api = statementsOf('ApiFnRole');
    const apiGlue = JSON.stringify(api.filter((st) => actions(st).includes('glue:GetTable')));
    for (const table of SHOPPER_TABLES) expect(apiGlue).toContain(`/shopper_${table}`);
    expect(JSON.stringify(api.filter((st) => actions(st).includes('s3:GetObject')))).toContain('/shoppers/tables/*');
    expect(s.nagFindings).toEqual([]);
  });
});

describe('recommendations on AWS: the bought-together pairs', () => {
  /** Every action a role is allowed on resources whose rendering matches `resource`, sorted. */
  const allowedOn = (roleIdPrefix: string, resource: RegExp) =>
    [...new Set(statementsOf(roleIdPrefix).flatMap((st) => (resource.test(JSON.stringify(st.Resource)) ? actions(st) : [])))].sort();
  const listPrefixes = (roleIdPrefix: string) =>
    statementsOf(roleIdPrefix)
      .filter((st) => actions(st).includes('s3:ListBucket'))
      .flatMap((st) => (st as { Condition?: { StringLike: { 's3:prefix': string[] } } }).Condition?.StringLike['s3:prefix'] ?? []);

  it('lets the API read the pairs folder alone (get and list it, nothing else), and the shoppers function read the events table’s catalog entry', () => {
    expect(allowedOn('ApiFnRole', /\/shoppers\/bought-together\/\*/)).toEqual(['s3:GetObject']);
    expect(listPrefixes('ApiFnRole')).toContain('shoppers/bought-together/*');
    // The shoppers function writes the pairs under its shoppers/ prefix, and reads the events table (no write on it).
    expect(allowedOn('ShoppersShoppersFnRole', /table\/.*\/shopper_events"/)).toEqual([...BOUGHT_TOGETHER_GLUE_ACTIONS].sort());
    expect(allowedOn('ShoppersShoppersFnRole', /\/shoppers\/\*/)).toEqual([
      's3:AbortMultipartUpload',
      's3:DeleteObject',
      's3:GetObject',
      's3:PutObject',
    ]);
    // Ask on AWS reads the items' current decisions by key: BatchGetItem on the table (the API's grant already).
    expect(JSON.stringify(statementsOf('ApiFnRole').filter((st) => actions(st).includes('dynamodb:BatchGetItem')))).toContain('Table');
    expect(s.nagFindings).toEqual([]);
  });
});

describe('the Glue columns are the pipeline’s', () => {
  const root = mkdtempSync(join(tmpdir(), 'aisle-shopper-columns-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('names and types the columns of each table as the pipeline writes them', async () => {
    await writeShopperTables(join(root, 'in'), join(root, 'out'), { events: 1500, shoppers: 80, seed: 4 });
    const c = await (await DuckDBInstance.create(':memory:')).connect();
    const GLUE: Record<string, string> = { BIGINT: 'bigint', INTEGER: 'int', DOUBLE: 'double', VARCHAR: 'string', BOOLEAN: 'boolean' };
    for (const table of SHOPPER_TABLES) {
      const reader = await c.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet('${join(root, 'out', `${table}.parquet`)}')`);
      const columns = reader.getRowsJS().map(([name, type]) => [name, GLUE[String(type)] ?? `unmapped ${type}`]);
      expect(columns, table).toEqual(SHOPPER_TABLE_COLUMNS[table]);
    }
    c.closeSync();
  }, 120_000);
});
