import { beforeAll, describe, expect, it } from 'vitest';
import { type Synthesized, synthesize } from './synth.ts';

type Resource = { Properties: Record<string, any> };
const all = (s: Synthesized, type: string) => Object.values(s.template.findResources(type)) as Resource[];
const CERT = 'arn:aws:acm:us-east-1:123456789012:certificate/0f0e0d0c-0b0a-0908-0706-050403020100';

describe('API edge: defaults', () => {
  let s: Synthesized;
  beforeAll(() => {
    s = synthesize();
  });

  it('no CORS, custom domain, WAF or distribution (each needs the deployer to ask); stage throttled at 50/s, bursts of 100', () => {
    const [api] = all(s, 'AWS::ApiGatewayV2::Api');
    expect(api.Properties.CorsConfiguration).toBeUndefined();
    for (const type of ['AWS::ApiGatewayV2::DomainName', 'AWS::WAFv2::WebACL', 'AWS::CloudFront::Distribution'])
      expect(all(s, type), type).toEqual([]);
    const [stage] = all(s, 'AWS::ApiGatewayV2::Stage');
    expect(stage.Properties.DefaultRouteSettings).toMatchObject({ ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 });
  });
});

describe('API edge: every option on', () => {
  let s: Synthesized;
  beforeAll(() => {
    s = synthesize({
      apiCorsOrigins: 'https://shop.example.com, https://admin.example.com',
      apiDomainName: 'api.example.com',
      apiCertificateArn: CERT,
      apiRateLimit: 20,
      apiBurstLimit: 40,
      apiWaf: true,
      apiWafRateLimit: 500,
    });
  });

  it('allows the named origins only, with the Authorization header', () => {
    const [api] = all(s, 'AWS::ApiGatewayV2::Api');
    expect(api.Properties.CorsConfiguration).toMatchObject({
      AllowOrigins: ['https://shop.example.com', 'https://admin.example.com'],
      AllowHeaders: ['authorization', 'content-type'],
    });
  });

  it('maps the custom domain with its certificate to the stage, and outputs the DNS target', () => {
    const [domain] = all(s, 'AWS::ApiGatewayV2::DomainName');
    expect(domain.Properties).toMatchObject({ DomainName: 'api.example.com', DomainNameConfigurations: [{ CertificateArn: CERT }] });
    expect(all(s, 'AWS::ApiGatewayV2::ApiMapping')).toHaveLength(1);
    expect(s.template.toJSON().Outputs.ApiDomainTarget).toBeDefined();
    const [stage] = all(s, 'AWS::ApiGatewayV2::Stage');
    expect(stage.Properties.DefaultRouteSettings).toMatchObject({ ThrottlingRateLimit: 20, ThrottlingBurstLimit: 40 });
  });

  it('puts CloudFront with a WAF web ACL in front: a rate-based block per address and the IP reputation list', () => {
    const [acl] = all(s, 'AWS::WAFv2::WebACL');
    expect(acl.Properties.Scope).toBe('CLOUDFRONT');
    const rules = acl.Properties.Rules as any[];
    expect(rules.find((r) => r.Name === 'rate-per-address')).toMatchObject({
      Action: { Block: {} },
      Statement: { RateBasedStatement: { Limit: 500, AggregateKeyType: 'IP', EvaluationWindowSec: 300 } },
    });
    expect(JSON.stringify(rules)).toContain('AWSManagedRulesAmazonIpReputationList');
    const [distribution] = all(s, 'AWS::CloudFront::Distribution');
    const config = distribution.Properties.DistributionConfig;
    expect(config.WebACLId).toBeDefined();
    expect(config.Origins[0].DomainName).toBe('api.example.com');
    expect(config.Logging).toBeDefined();
    // CloudFront forwards Authorization only when the cache key carries it; nothing is cached by default.
    const [policy] = all(s, 'AWS::CloudFront::CachePolicy');
    expect(policy.Properties.CachePolicyConfig).toMatchObject({
      DefaultTTL: 0,
      ParametersInCacheKeyAndForwardedToOrigin: { HeadersConfig: { HeaderBehavior: 'whitelist', Headers: ['Authorization'] } },
    });
    expect(JSON.stringify(s.stack.resolve(s.template.toJSON().Outputs.ApiUrl.Value))).toContain('DomainName');
    expect(s.nagFindings).toEqual([]);
  });

  it('refuses a domain without its certificate', () => {
    expect(() => synthesize({ apiDomainName: 'api.example.com' })).toThrow(/give both or neither/);
  });
});
