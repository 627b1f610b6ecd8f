import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_ASSUMPTIONS, idleCost, loadPrices } from '../../functions/core/cost.ts';
import { type Synthesized, synthesize } from './synth.ts';

// The idle month `aisle cost` and docs/aws.md state, read off the default stack's template: what bills by the
// hour or the month whatever the traffic. Everything else in the stack bills per request or per byte stored.
type Resource = { Properties: Record<string, any> };
let s: Synthesized;
beforeAll(() => {
  s = synthesize();
});
const all = (type: string) => Object.values(s.template.findResources(type)) as Resource[];

describe('idle cost of the default stack', () => {
  it('keeps nothing running that bills by the hour but the NAT gateway', () => {
    for (const config of all('AWS::SageMaker::EndpointConfig')) {
      for (const variant of config.Properties.ProductionVariants) expect(variant.ServerlessConfig, 'serverless encoder').toBeDefined();
    }
    for (const asg of all('AWS::AutoScaling::AutoScalingGroup'))
      expect(asg.Properties.MinSize).toBe(String(DEFAULT_ASSUMPTIONS.idle.ec2MinInstances));
    for (const service of all('AWS::ECS::Service')) expect(service.Properties.DesiredCount).toBe(0);
    expect(
      all('AWS::EC2::VPCEndpoint').every((e) => e.Properties.VpcEndpointType !== 'Interface'),
      'no interface endpoints (billed hourly)',
    ).toBe(true);
    expect(all('AWS::RDS::DBInstance').concat(all('AWS::ElastiCache::CacheCluster'), all('AWS::EKS::Cluster'))).toEqual([]);
    expect(all('AWS::DynamoDB::Table').every((t) => t.Properties.BillingMode === 'PAY_PER_REQUEST')).toBe(true);
  });

  it('states the counts the template has (NAT gateways, keys, alarm metrics, dashboards) and comes to at most $50 a month', () => {
    // A metric-math alarm bills each metric it reads.
    const alarmMetrics = all('AWS::CloudWatch::Alarm').reduce(
      (n, a) => n + (a.Properties.MetricName ? 1 : a.Properties.Metrics.filter((m: any) => m.MetricStat).length),
      0,
    );
    const counted = {
      natGateways: all('AWS::EC2::NatGateway').length,
      kmsKeys: all('AWS::KMS::Key').length,
      alarmMetrics,
      dashboards: all('AWS::CloudWatch::Dashboard').length,
    };
    expect(counted).toEqual({
      natGateways: DEFAULT_ASSUMPTIONS.idle.natGateways,
      kmsKeys: DEFAULT_ASSUMPTIONS.idle.kmsKeys,
      alarmMetrics: DEFAULT_ASSUMPTIONS.idle.alarmMetrics,
      dashboards: DEFAULT_ASSUMPTIONS.idle.dashboards,
    });
    const idle = idleCost(loadPrices(), { ...DEFAULT_ASSUMPTIONS, idle: { ...DEFAULT_ASSUMPTIONS.idle, ...counted } });
    expect(idle.totalPerMonth).toBeLessThanOrEqual(50);
  });
});
