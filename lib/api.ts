import { CfnOutput, Duration, Fn, Stack, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaAuthorizer, HttpLambdaResponseType } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { stackLogGroup } from './handler-function.ts';

export interface ApiProps {
  /** The Hono app (functions/handlers/api.ts). */
  readonly handler: lambda.IFunction;
  /** The API-key authorizer (functions/handlers/authorizer.ts). */
  readonly authorizer: lambda.IFunction;
  readonly edge: ApiEdgeOptions;
  /** Where CloudFront writes its access logs when the WAF is on (the access-log bucket). */
  readonly accessLogBucket: s3.IBucket;
}

/** The API's edge: each option off, or at a safe default, until the deployer sets it (docs/aws.md#api-edge). */
export interface ApiEdgeOptions {
  /** Browser origins allowed to call the API (CORS), e.g. ['https://shop.example.com']; none: no CORS headers. */
  readonly corsOrigins: string[];
  /** A custom domain (api.example.com) and the ARN of its ACM certificate in the stack's region; both or neither. */
  readonly domainName: string;
  readonly certificateArn: string;
  /** Stage throttling: steady requests per second and burst, for the whole API. */
  readonly rateLimit: number;
  readonly burstLimit: number;
  /**
   * A CloudFront distribution with an AWS WAF web ACL in front of the API (HTTP APIs cannot carry a web ACL
   * themselves): a rate-based rule blocks an address above `wafRateLimit` requests in 5 minutes (a flood of
   * guessed API keys never reaches the authorizer), and Amazon's IP reputation list. CloudFront web ACLs live
   * in us-east-1: deploy the stack there to turn it on.
   */
  readonly waf: boolean;
  readonly wafRateLimit: number;
}

export const DEFAULT_EDGE: ApiEdgeOptions = {
  corsOrigins: [],
  domainName: '',
  certificateArn: '',
  rateLimit: 50,
  burstLimit: 100,
  waf: false,
  wafRateLimit: 1000,
};

/** The path every data route lives under; the only prefix the Hono app itself guards with API keys. */
export const PROTECTED_ROUTE = '/v1/{proxy+}';

/**
 * HTTP API → api Lambda. `/v1/*` needs `Authorization: Bearer <API key>`, checked at the edge by a REQUEST
 * authorizer (simple responses, cached per key for five minutes) and again by the app; everything else
 * (the web inspector's page, /docs, /openapi.json, /health) is public, as in the app. Default-stage
 * throttling; JSON access logs.
 */
export class Api extends Construct {
  readonly httpApi: apigw.HttpApi;
  readonly stage: apigw.HttpStage;
  readonly accessLogs: logs.LogGroup;
  /** The distribution in front of the API when the WAF is on. */
  distribution?: cloudfront.Distribution;
  private domainUrl?: string;

  constructor(scope: Construct, id: string, props: ApiProps) {
    super(scope, id);
    const authorizer = new HttpLambdaAuthorizer('ApiKey', props.authorizer, {
      responseTypes: [HttpLambdaResponseType.SIMPLE],
      identitySource: ['$request.header.Authorization'],
      resultsCacheTtl: Duration.minutes(5),
    });
    const integration = new HttpLambdaIntegration('Hono', props.handler);
    const { edge } = props;
    if (!edge.domainName !== !edge.certificateArn) throw new Error('apiDomainName and apiCertificateArn go together: give both or neither');
    this.httpApi = new apigw.HttpApi(this, 'HttpApi', {
      description: 'Aisle API (Hono app)',
      createDefaultStage: false,
      defaultIntegration: integration,
      corsPreflight: edge.corsOrigins.length
        ? {
            allowOrigins: edge.corsOrigins,
            allowMethods: [apigw.CorsHttpMethod.GET, apigw.CorsHttpMethod.POST, apigw.CorsHttpMethod.PUT, apigw.CorsHttpMethod.DELETE],
            allowHeaders: ['authorization', 'content-type'],
            maxAge: Duration.hours(1),
          }
        : undefined,
    });
    this.httpApi.addRoutes({ path: PROTECTED_ROUTE, methods: [apigw.HttpMethod.ANY], integration, authorizer });
    const publicRoute = this.httpApi.node.findAll().find((c) => c.node.id === 'DefaultRoute');
    if (publicRoute) {
      Validations.of(publicRoute).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason:
          'The $default route serves only public pages (web inspector shell, /docs, /openapi.json, /health); every /v1/* path matches the authorized route, and the app checks the key again.',
      });
    }
    this.accessLogs = stackLogGroup(this, 'AccessLogs', logs.RetentionDays.THREE_MONTHS);
    this.stage = this.httpApi.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: edge.rateLimit, burstLimit: edge.burstLimit },
      accessLogSettings: {
        destination: new apigw.LogGroupLogDestination(this.accessLogs),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            ip: '$context.identity.sourceIp',
            requestTime: '$context.requestTime',
            method: '$context.httpMethod',
            path: '$context.path',
            status: '$context.status',
            latencyMs: '$context.responseLatency',
            integrationError: '$context.integrationErrorMessage',
            authorizerError: '$context.authorizer.error',
            keyId: '$context.authorizer.keyId',
          }),
        ),
      },
    });
    if (edge.domainName) this.customDomain(edge);
    if (edge.waf) this.distribution = this.wafFront(edge, props.accessLogBucket);
  }

  /** The API's URL: the WAF's distribution, else the custom domain, else the stage's own. */
  get url(): string {
    if (this.distribution) return `https://${this.distribution.distributionDomainName}/`;
    return this.domainUrl ?? this.stage.url;
  }

  /** api.example.com → the $default stage; the output names the target for the deployer's DNS record. */
  private customDomain(edge: ApiEdgeOptions): void {
    const domain = new apigw.DomainName(this, 'Domain', {
      domainName: edge.domainName,
      certificate: acm.Certificate.fromCertificateArn(this, 'Certificate', edge.certificateArn),
    });
    new apigw.ApiMapping(this, 'Mapping', { api: this.httpApi, domainName: domain, stage: this.stage });
    this.domainUrl = `https://${edge.domainName}/`;
    new CfnOutput(Stack.of(this), 'ApiDomainTarget', {
      value: domain.regionalDomainName,
      description: `Point ${edge.domainName} here (CNAME, or an alias record in Route 53)`,
    });
  }

  /** CloudFront + a WAF web ACL (rate-based rule per address, IP reputation list) in front of the API. */
  private wafFront(edge: ApiEdgeOptions, logBucket: s3.IBucket): cloudfront.Distribution {
    const webAcl = new wafv2.CfnWebACL(this, 'WebAcl', {
      scope: 'CLOUDFRONT',
      defaultAction: { allow: {} },
      visibilityConfig: { cloudWatchMetricsEnabled: true, metricName: 'aisle-api', sampledRequestsEnabled: true },
      rules: [
        {
          name: 'rate-per-address',
          priority: 0,
          action: { block: {} },
          statement: { rateBasedStatement: { limit: edge.wafRateLimit, aggregateKeyType: 'IP', evaluationWindowSec: 300 } },
          visibilityConfig: { cloudWatchMetricsEnabled: true, metricName: 'aisle-api-rate', sampledRequestsEnabled: true },
        },
        {
          name: 'ip-reputation',
          priority: 1,
          overrideAction: { none: {} },
          statement: { managedRuleGroupStatement: { vendorName: 'AWS', name: 'AWSManagedRulesAmazonIpReputationList' } },
          visibilityConfig: { cloudWatchMetricsEnabled: true, metricName: 'aisle-api-reputation', sampledRequestsEnabled: true },
        },
      ],
    });
    // The origin is the API's own host name (the custom domain when there is one).
    const originHost = edge.domainName || Fn.select(2, Fn.split('/', this.stage.url));
    const distribution = new cloudfront.Distribution(this, 'Edge', {
      comment: 'Aisle API behind AWS WAF',
      webAclId: webAcl.attrArn,
      enableLogging: true,
      logBucket,
      logFilePrefix: 'cloudfront/',
      defaultBehavior: {
        origin: new origins.HttpOrigin(originHost, { protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY }),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
        // Authorization reaches the origin only as part of the cache key (a CloudFront rule); with a default TTL of
        // 0 nothing is cached unless the app says so, and never across keys.
        cachePolicy: new cloudfront.CachePolicy(this, 'PassThrough', {
          comment: 'Aisle API: per-key cache key, nothing cached by default',
          defaultTtl: Duration.seconds(0),
          minTtl: Duration.seconds(0),
          maxTtl: Duration.seconds(1),
          headerBehavior: cloudfront.CacheHeaderBehavior.allowList('Authorization'),
          queryStringBehavior: cloudfront.CacheQueryStringBehavior.all(),
        }),
        originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
      },
    });
    Validations.of(distribution).acknowledge({
      id: 'AwsSolutions-CFR1',
      reason: 'A retailer serves many countries: access is limited by API keys, the rate-based rule and the IP reputation list, not geography.',
    });
    Validations.of(distribution).acknowledge({
      id: 'AwsSolutions-CFR4',
      reason:
        'The distribution uses the default *.cloudfront.net certificate, whose minimum viewer TLS CloudFront fixes; put a custom domain on the API for your own TLS policy.',
    });
    return distribution;
  }
}
