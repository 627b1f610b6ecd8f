import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { AisleTable, WARM_WRITES_CONTEXT } from '../../lib/table.ts';

const tableOf = (context: Record<string, unknown>) => {
  const stack = new Stack(new App({ context }), 'T');
  new AisleTable(stack, 'Data');
  return Object.values(Template.fromStack(stack).findResources('AWS::DynamoDB::Table'))[0] as { Properties: Record<string, any> };
};

describe('the results table', () => {
  it('expires items on expiresAt (cache and machine history) and is on demand without pre-warmed throughput by default', () => {
    const table = tableOf({});
    expect(table.Properties.TimeToLiveSpecification).toEqual({ AttributeName: 'expiresAt', Enabled: true });
    expect(table.Properties.BillingMode).toBe('PAY_PER_REQUEST');
    expect(table.Properties.WarmThroughput).toBeUndefined();
  });

  it(`pre-warms the table and its index for a bulk job with -c ${WARM_WRITES_CONTEXT}=N`, () => {
    const table = tableOf({ [WARM_WRITES_CONTEXT]: '40000' });
    expect(table.Properties.WarmThroughput).toEqual({ WriteUnitsPerSecond: 40_000, ReadUnitsPerSecond: 40_000 });
    expect(table.Properties.GlobalSecondaryIndexes[0].WarmThroughput).toEqual({ WriteUnitsPerSecond: 40_000, ReadUnitsPerSecond: 40_000 });
  });
});
