import { ArnFormat, Duration, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';

export interface EncoderRolloutProps {
  /** The encoder endpoint the champion is served from (lib/encoder.ts). */
  readonly endpointName: string;
  /** The endpoint's execution role: the new model runs under it (iam:PassRole). */
  readonly endpointRole: iam.IRole;
  /** s3:// URI of the challenger's artifact folder (a JSONPath-format string of the state machine). */
  readonly challengerUri: string;
}

/** Blue/green on a real-time endpoint: the new fleet takes all traffic, the old one stays 10 minutes to roll back to. */
export const BLUE_GREEN = {
  BlueGreenUpdatePolicy: {
    TrafficRoutingConfiguration: { Type: 'ALL_AT_ONCE', WaitIntervalInSeconds: 300 },
    TerminationWaitInSeconds: 600,
    MaximumExecutionTimeoutInSeconds: 3600,
  },
};

/**
 * Serves a promoted challenger: a new SageMaker model (the running model's image and role, the challenger's
 * folder as its data), a new endpoint config (the running variant with that model), then UpdateEndpoint —
 * blue/green with a baking period on real-time instances (SageMaker keeps the old fleet until the new one is
 * healthy, and rolls back itself), a plain update on a serverless endpoint — and waits until the endpoint is
 * InService. Copying the running model and variant keeps whatever the stack set (instance type, serverless
 * memory, image tag). The names carry the execution's, so each run's model and config stay its own: a manual
 * rollback is UpdateEndpoint back to the previous run's config.
 * State: $.rollout.{endpoint, config, model, target, status}.
 */
export class EncoderRollout extends Construct {
  readonly start: sfn.IChainable;
  private readonly passRole: iam.IRole;
  private readonly endpointName: string;
  /** Goes on to `next` once the endpoint serves the new model, to `onError` ($.error RolloutFailed) when it does not. */
  constructor(scope: Construct, id: string, props: EncoderRolloutProps, next: sfn.IChainable, onError: sfn.IChainable) {
    super(scope, id);
    const stack = Stack.of(this);
    const arn = (resource: string, name: string) =>
      stack.formatArn({ service: 'sagemaker', resource, resourceName: name, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
    const endpointArn = arn('endpoint', props.endpointName);
    const newName = sfn.JsonPath.format(`${props.endpointName}-{}`, sfn.JsonPath.stringAt('$$.Execution.Name'));
    const call = (
      name: string,
      action: string,
      parameters: Record<string, unknown>,
      resources: string[],
      resultPath: string,
      resultSelector?: Record<string, unknown>,
    ) => {
      const task = new tasks.CallAwsService(this, name, {
        service: 'sagemaker',
        action,
        parameters,
        iamResources: resources,
        iamAction: `sagemaker:${action[0].toUpperCase()}${action.slice(1)}`,
        resultPath,
        resultSelector,
      });
      // Throttling, or an endpoint still updating (autoscaling): a ValidationException that passes.
      task.addRetry({ errors: ['States.ALL'], interval: Duration.seconds(30), maxAttempts: 3, backoffRate: 2, jitterStrategy: sfn.JitterType.FULL });
      task.addCatch(onError, { resultPath: '$.error' });
      return task;
    };

    const describeEndpoint = call('DescribeEndpoint', 'describeEndpoint', { EndpointName: props.endpointName }, [endpointArn], '$.rollout.endpoint', {
      'EndpointConfigName.$': '$.EndpointConfigName',
    });
    const describeConfig = call(
      'DescribeEndpointConfig',
      'describeEndpointConfig',
      { 'EndpointConfigName.$': '$.rollout.endpoint.EndpointConfigName' },
      [arn('endpoint-config', '*')],
      '$.rollout.config',
      { 'Variant.$': '$.ProductionVariants[0]' },
    );
    const describeModel = call(
      'DescribeServedModel',
      'describeModel',
      { 'ModelName.$': '$.rollout.config.Variant.ModelName' },
      [arn('model', '*')],
      '$.rollout.model',
      {
        'ExecutionRoleArn.$': '$.ExecutionRoleArn',
        'Image.$': '$.PrimaryContainer.Image',
      },
    );
    const createModel = call(
      'CreateChallengerModel',
      'createModel',
      {
        'ModelName.$': '$.rollout.target.Name',
        'ExecutionRoleArn.$': '$.rollout.model.ExecutionRoleArn',
        PrimaryContainer: {
          'Image.$': '$.rollout.model.Image',
          ModelDataSource: { S3DataSource: { S3Uri: props.challengerUri, S3DataType: 'S3Prefix', CompressionType: 'None' } },
        },
      },
      [arn('model', `${props.endpointName}-*`)],
      sfn.JsonPath.DISCARD,
    );
    // The new names, and the running variant with the new model (merged into it below).
    const target = new sfn.Pass(this, 'NameChallengerModel', {
      parameters: { Name: newName, Variant: { ModelName: newName } },
      resultPath: '$.rollout.target',
    });
    const createConfig = call(
      'CreateChallengerEndpointConfig',
      'createEndpointConfig',
      {
        'EndpointConfigName.$': '$.rollout.target.Name',
        'ProductionVariants.$': 'States.Array(States.JsonMerge($.rollout.config.Variant, $.rollout.target.Variant, false))',
      },
      [arn('endpoint-config', `${props.endpointName}-*`)],
      sfn.JsonPath.DISCARD,
    );
    const update = (name: string, realTime?: Record<string, unknown>) =>
      call(
        name,
        'updateEndpoint',
        { EndpointName: props.endpointName, 'EndpointConfigName.$': '$.rollout.target.Name', ...realTime },
        [endpointArn, arn('endpoint-config', `${props.endpointName}-*`)],
        sfn.JsonPath.DISCARD,
      );
    // Only the model changes (same variant name and instance type), the one update SageMaker allows on a variant
    // registered with Application Auto Scaling. RetainAllVariantProperties: the new fleet starts at the instance
    // count autoscaling has reached, not the config's initial count (a rollout during a bulk job keeps capacity).
    const updateBlueGreen = update('UpdateEndpointBlueGreen', { DeploymentConfig: BLUE_GREEN, RetainAllVariantProperties: true });
    const updateServerless = update('UpdateServerlessEndpoint');

    const wait = new sfn.Wait(this, 'WaitForEndpoint', { time: sfn.WaitTime.duration(Duration.minutes(1)) });
    const poll = call('PollEndpoint', 'describeEndpoint', { EndpointName: props.endpointName }, [endpointArn], '$.rollout.status', {
      'EndpointStatus.$': '$.EndpointStatus',
      'EndpointConfigName.$': '$.EndpointConfigName',
    });
    const failed = new sfn.Pass(this, 'RolloutFailed', {
      parameters: {
        Error: 'RolloutFailed',
        'Cause.$': "States.Format('the endpoint did not take the new model: {}', $.rollout.status.EndpointStatus)",
      },
      resultPath: '$.error',
    }).next(onError);
    const served = new sfn.Choice(this, 'EndpointServesChallenger?')
      .when(
        sfn.Condition.and(
          sfn.Condition.stringEquals('$.rollout.status.EndpointStatus', 'InService'),
          sfn.Condition.stringEqualsJsonPath('$.rollout.status.EndpointConfigName', '$.rollout.target.Name'),
        ),
        next,
      )
      // InService on the old config: SageMaker rolled the update back.
      .when(
        sfn.Condition.or(
          sfn.Condition.stringEquals('$.rollout.status.EndpointStatus', 'Failed'),
          sfn.Condition.stringEquals('$.rollout.status.EndpointStatus', 'InService'),
        ),
        failed,
      )
      .otherwise(wait);
    wait.next(poll).next(served);

    const serverless = new sfn.Choice(this, 'ServerlessEndpoint?')
      .when(sfn.Condition.isPresent('$.rollout.config.Variant.ServerlessConfig'), updateServerless.next(wait))
      .otherwise(updateBlueGreen.next(wait));
    this.start = describeEndpoint.next(describeConfig).next(describeModel).next(target).next(createModel).next(createConfig).next(serverless);
    this.passRole = props.endpointRole;
    this.endpointName = props.endpointName;
  }

  /**
   * The state machine's role: iam:PassRole of the endpoint's role to SageMaker (CreateModel), and the cdk-nag
   * acknowledgements of the SageMaker grants the rollout's tasks added.
   */
  grantTo(role: iam.IRole): void {
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['iam:PassRole'],
        resources: [this.passRole.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } },
      }),
    );
    const arn = (resource: string) => `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:sagemaker:<AWS::Region>:<AWS::AccountId>:${resource}]`;
    const ack = (id: string, reason: string) => Validations.of(role).acknowledge({ id, reason });
    ack(arn(`model/${this.endpointName}-*`), 'CreateModel of the models this rollout names: the endpoint name and the execution name.');
    ack(
      arn(`endpoint-config/${this.endpointName}-*`),
      'CreateEndpointConfig/UpdateEndpoint with the configs this rollout names: the endpoint name and the execution name.',
    );
    ack(arn('model/*'), 'DescribeModel of the model the endpoint serves now, whose name CloudFormation or an earlier rollout chose (read only).');
    ack(
      arn('endpoint-config/*'),
      'DescribeEndpointConfig of the config the endpoint runs now, whose name CloudFormation or an earlier rollout chose (read only).',
    );
  }
}
