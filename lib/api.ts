import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaAuthorizer, HttpLambdaResponseType } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

export interface ApiProps {
  /** The Hono app (functions/handlers/api.ts). */
  readonly handler: lambda.IFunction;
  /** The API-key authorizer (functions/handlers/authorizer.ts). */
  readonly authorizer: lambda.IFunction;
  readonly rateLimit?: number;
  readonly burstLimit?: number;
}

/**
 * HTTP API → api Lambda. Every route needs `Authorization: Bearer <API key>`, checked by a REQUEST
 * authorizer (simple responses, cached per key for five minutes); default-stage throttling; JSON access logs.
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
    this.httpApi = new apigw.HttpApi(this, 'HttpApi', {
      description: 'Aisle API (Hono app)',
      createDefaultStage: false,
      defaultIntegration: new HttpLambdaIntegration('Hono', props.handler),
      defaultAuthorizer: authorizer,
    });
    this.accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: logs.RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.stage = this.httpApi.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: props.rateLimit ?? 50, burstLimit: props.burstLimit ?? 100 },
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
