import { beforeAll, describe, expect, it } from 'vitest';
import { StaticEmbedder } from '../../functions/embeddings/static-embedder.ts';
import { CategoryVectorizer } from '../../functions/similar/category-model.ts';
import { INDEX_DIMENSIONS, ItemVectorizer } from '../../functions/similar/vectors.ts';
import { CATEGORY_FIT_SCHEDULE, INDEXING_ACTIONS, QUERY_ACTIONS, REEMBED_ACTIONS } from '../../lib/vectors.ts';
import { type Synthesized, synthesize } from './synth.ts';

// The similarity index on Amazon S3 Vectors (lib/vectors.ts) in the default stack's template, and who may use it.
type Resource = { Properties: Record<string, any> };
let s: Synthesized;
beforeAll(() => {
  s = synthesize();
});
const resources = (type: string) => Object.entries(s.template.findResources(type)) as [string, Resource][];
const only = (type: string): [string, Resource] => {
  const hits = resources(type);
  expect(hits, `one ${type}`).toHaveLength(1);
  return hits[0];
};
const indexArn = () => ({ 'Fn::GetAtt': [only('AWS::S3Vectors::Index')[0], 'IndexArn'] });
const fn = (prefix: string) => resources('AWS::Lambda::Function').find(([id]) => id.startsWith(prefix))![1];
const roleOf = (f: Resource) => f.Properties.Role['Fn::GetAtt'][0] as string;
const s3VectorsStatements = () =>
  resources('AWS::IAM::Policy').flatMap(([, p]) =>
    (p.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[])
      .filter((st) => [st.Action].flat().some((a) => a.startsWith('s3vectors:')))
      .map((st) => ({ roles: p.Properties.Roles.map((r: { Ref: string }) => r.Ref), statement: st })),
  );

describe('similar products on AWS: the S3 Vectors index', () => {
  it('is one cosine float32 index of the item vectors, in an SSE-S3 vector bucket, with name and classId only returned', () => {
    const [bucketId, bucket] = only('AWS::S3Vectors::VectorBucket');
    expect(bucket.Properties.EncryptionConfiguration).toEqual({ SseType: 'AES256' });
    const index = only('AWS::S3Vectors::Index')[1].Properties;
    expect(index).toMatchObject({
      VectorBucketArn: { 'Fn::GetAtt': [bucketId, 'VectorBucketArn'] },
      DataType: 'float32',
      DistanceMetric: 'cosine',
      IndexName: `items-${INDEX_DIMENSIONS}`,
      Dimension: INDEX_DIMENSIONS,
      MetadataConfiguration: { NonFilterableMetadataKeys: ['name', 'classId'] },
      EncryptionConfiguration: { SseType: 'AES256' },
    });
    // The dimensions queries are made with (the name's vector and the category slots, fitted or not): a mismatch
    // would fail every PutVectors and QueryVectors.
    expect(INDEX_DIMENSIONS).toBe(new CategoryVectorizer(new ItemVectorizer(StaticEmbedder.load()), null).dimensions);
  });

  it('lets the API query and put, classify and the LLM worker put, the category fit list and put, on that index alone, and no other function any S3 Vectors action', () => {
    const [api, classify, fit] = [fn('ApiFn'), fn('PipelineClassifyFn'), fn('VectorsCategoryFitFn')];
    for (const f of [api, classify, fit]) expect(f.Properties.Environment.Variables.VECTOR_INDEX_ARN).toEqual(indexArn());
    // Per role, every S3 Vectors action it is allowed, and on what (statements may be merged or not).
    const allowed = new Map<string, Set<string>>();
    for (const { roles, statement } of s3VectorsStatements()) {
      expect(statement).toMatchObject({ Effect: 'Allow', Resource: indexArn() });
      for (const role of roles) for (const a of [statement.Action].flat()) allowed.set(role, (allowed.get(role) ?? new Set()).add(a));
    }
    // The LLM worker's task (ECS) saves the LLM's decisions: it puts them in the index too.
    const task = resources('AWS::ECS::TaskDefinition').find(([id]) => id.startsWith('LlmTask'))![1].Properties;
    const llmContainer = (task.ContainerDefinitions as { Environment: { Name: string; Value: unknown }[] }[])[0];
    expect(llmContainer.Environment).toContainEqual({ Name: 'VECTOR_INDEX_ARN', Value: indexArn() });
    expect(Object.fromEntries([...allowed].map(([role, actions]) => [role, [...actions].sort()]))).toEqual({
      [roleOf(api)]: [...QUERY_ACTIONS, ...INDEXING_ACTIONS].sort(),
      [roleOf(classify)]: [...INDEXING_ACTIONS],
      [roleOf(fit)]: [...REEMBED_ACTIONS].sort(),
      [task.TaskRoleArn['Fn::GetAtt'][0]]: [...INDEXING_ACTIONS],
    });
  });

  it("keeps each tenant's category model in the lake: the fit writes it, those that vectorize read it and mark changed labels", () => {
    // Per role, the lake object actions it has under similar/category-models/ (other prefixes are other features').
    const lakeGrants = new Map<string, string[]>();
    for (const [, p] of resources('AWS::IAM::Policy'))
      for (const st of p.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[]) {
        const where = JSON.stringify(st.Resource);
        const prefix = /similar\/category-models\/([a-z=/]*)\*/.exec(where)?.[1];
        if (prefix === undefined || [st.Action].flat().includes('s3:ListBucket')) continue;
        for (const role of p.Properties.Roles.map((r: { Ref: string }) => r.Ref))
          lakeGrants.set(role, [...(lakeGrants.get(role) ?? []), ...[st.Action].flat().map((a) => `${a} ${prefix || '(all)'}`)].sort());
      }
    const [api, classify, fit] = [fn('ApiFn'), fn('PipelineClassifyFn'), fn('VectorsCategoryFitFn')];
    expect(lakeGrants.get(roleOf(fit))).toEqual(['s3:AbortMultipartUpload (all)', 's3:GetObject (all)', 's3:PutObject (all)']);
    for (const f of [api, classify])
      expect(lakeGrants.get(roleOf(f))).toEqual(['s3:AbortMultipartUpload changed/', 's3:GetObject tenant=', 's3:PutObject changed/']);
    const [, schedule] = resources('AWS::Scheduler::Schedule').find(([id]) => id.startsWith('VectorsCategoryFit'))!;
    expect(schedule.Properties).toMatchObject({
      ScheduleExpression: CATEGORY_FIT_SCHEDULE,
      Target: { Arn: { 'Fn::GetAtt': [expect.stringMatching(/^VectorsCategoryFitFn/), 'Arn'] } },
    });
  });

  it('is cdk-nag clean', () => {
    expect(s.nagFindings.filter((f) => /Vectors|s3vectors/.test(f))).toEqual([]);
  });
});
