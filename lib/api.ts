import { Duration, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaAuthorizer, HttpLambdaResponseType } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { stackLogGroup } from './handler-function.ts';

export interface ApiProps {
  /** The Hono app (functions/handlers/api.ts). */
  readonly handler: lambda.IFunction;
  /** The API-key authorizer (functions/handlers/authorizer.ts). */
  readonly authorizer: lambda.IFunction;
}

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

  constructor(scope: Construct, id: string, props: ApiProps) {
    super(scope, id);
    const authorizer = new HttpLambdaAuthorizer('ApiKey', props.authorizer, {
      responseTypes: [HttpLambdaResponseType.SIMPLE],
      identitySource: ['$request.header.Authorization'],
      resultsCacheTtl: Duration.minutes(5),
    });
    const integration = new HttpLambdaIntegration('Hono', props.handler);
    this.httpApi = new apigw.HttpApi(this, 'HttpApi', {
      description: 'Aisle API (Hono app)',
      createDefaultStage: false,
      defaultIntegration: integration,
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
      throttle: { rateLimit: 50, burstLimit: 100 },
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
  }

  get url(): string {
    return this.stage.url;
  }
}
