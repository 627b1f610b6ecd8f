import { Aws, Duration, Size, Stack, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { grantObjects, nagToken } from './grants.ts';
import { type HandlerFunction, stackLogGroup } from './handler-function.ts';
import { EncoderRollout } from './retraining-rollout.ts';
import { LAKE_PREFIXES } from './storage.ts';

/** Where a run's challenger is written: models/challengers/<execution name>/ (the artifact contract folder). */
export const CHALLENGERS_PREFIX = `${LAKE_PREFIXES.models}challengers/`;
/** The registry (champion, challengers, retired), written by the promote step and read by the trainer. */
export const REGISTRY_KEY = `${LAKE_PREFIXES.models}registry.json`;

export type TrainerKind = 'fargate' | 'sagemaker';

export interface RetrainingProps {
  readonly lake: s3.IBucket;
  readonly topic: sns.ITopic;
  readonly export: HandlerFunction;
  readonly evaluate: HandlerFunction;
  readonly promote: HandlerFunction;
  /**
   * Where the trainer image (containers/trainer) runs: 'fargate', a task on the shared cluster (default), or
   * 'sagemaker', a SageMaker training job (no VPC needed; billed by the second).
   */
  readonly trainer: TrainerKind;
  /** The trainer image: the program, the rules, the starter catalog and the shipped starter model. */
  readonly trainerRepository: ecr.IRepository;
  readonly trainerImageTag: string;
  /** Fargate trainer: its cluster. */
  readonly cluster?: ecs.ICluster;
  /** The encoder endpoint a promoted challenger is rolled onto (blue/green); absent: the encoder tier is off. */
  readonly encoder?: { readonly endpointName: string; readonly role: iam.IRole };
  /** EventBridge Scheduler expression, weekly by default. */
  readonly schedule: string;
}

/**
 * Weekly retraining: export labelled data → train a challenger → evaluate champion vs challenger on the same
 * held-out set → on a win: roll it onto the encoder endpoint (blue/green, lib/retraining-rollout.ts), then record
 * it as champion; on a loss: retire it, the endpoint untouched → notify. Every task retries with backoff; any failure is caught and
 * notified. Contract between the steps (JSONPath state):
 *   $.export   = retrain-export's result, at least { trainUri, heldOutUri } (S3 URIs under exports/)
 *   $.evaluation = retrain-evaluate's result, at least { promote: boolean, reason: string }
 * The challenger is written to s3://<lake>/models/challengers/<execution name>/ (input `challengerUri`).
 */
export class Retraining extends Construct {
  readonly stateMachine: sfn.StateMachine;
  readonly schedule: scheduler.CfnSchedule;
  readonly logGroup: logs.LogGroup;
  /** The Fargate trainer's task definition (trainer=fargate only). */
  trainerTaskDefinition?: ecs.FargateTaskDefinition;
  private trainingJobsAcknowledged = false;
  private readonly rollout?: EncoderRollout;

  /**
   * Long on purpose: a CDK constructor declaring the state machine's states in the order they run; they share
   * the retry and failure-notification helpers and the challenger URI.
   */
  constructor(scope: Construct, id: string, props: RetrainingProps) {
    super(scope, id);
    const retry = (task: sfn.TaskStateBase, interval = Duration.seconds(10)) =>
      task.addRetry({ errors: ['States.ALL'], interval, maxAttempts: 3, backoffRate: 2, jitterStrategy: sfn.JitterType.FULL });
    const challengerUri = sfn.JsonPath.format(`s3://${props.lake.bucketName}/${CHALLENGERS_PREFIX}{}/`, sfn.JsonPath.stringAt('$$.Execution.Name'));

    const notifyFailure = new tasks.SnsPublish(this, 'NotifyFailure', {
      topic: props.topic,
      subject: 'Aisle retraining failed',
      message: sfn.TaskInput.fromObject({
        outcome: 'failed',
        execution: sfn.JsonPath.stringAt('$$.Execution.Id'),
        error: sfn.JsonPath.stringAt('$.error.Error'),
        cause: sfn.JsonPath.stringAt('$.error.Cause'),
      }),
      resultPath: sfn.JsonPath.DISCARD,
    }).next(new sfn.Fail(this, 'Failed', { error: 'RetrainingFailed', cause: 'A retraining step failed (see the notification)' }));

    const lambdaStep = (name: string, fn: HandlerFunction, resultPath: string) => {
      const task = new tasks.LambdaInvoke(this, name, {
        lambdaFunction: fn.fn,
        payload: sfn.TaskInput.fromObject({
          execution: sfn.JsonPath.stringAt('$$.Execution.Name'),
          challengerUri,
          export: sfn.JsonPath.objectAt('$.export'),
          evaluation: sfn.JsonPath.objectAt('$.evaluation'),
        }),
        payloadResponseOnly: true,
        resultPath,
        retryOnServiceExceptions: false, // the explicit retry below covers them
      });
      retry(task);
      task.addCatch(notifyFailure, { resultPath: '$.error' });
      return task;
    };

    const start = new sfn.Pass(this, 'Start', { parameters: { export: {}, evaluation: {} } });
    const exportData = lambdaStep('ExportLabelledData', props.export, '$.export');
    const train = this.trainStep(props, challengerUri);
    retry(train, Duration.minutes(1));
    train.addCatch(notifyFailure, { resultPath: '$.error' });
    const evaluate = lambdaStep('EvaluateChallenger', props.evaluate, '$.evaluation');
    const promote = lambdaStep('PromoteChallenger', props.promote, '$.promotion');
    const notify = (name: string, outcome: string) =>
      new tasks.SnsPublish(this, name, {
        topic: props.topic,
        subject: `Aisle retraining: ${outcome}`,
        message: sfn.TaskInput.fromObject({
          outcome,
          execution: sfn.JsonPath.stringAt('$$.Execution.Id'),
          challengerUri,
          evaluation: sfn.JsonPath.objectAt('$.evaluation'),
        }),
        resultPath: sfn.JsonPath.DISCARD,
      });
    const notifyPromoted = notify('NotifyPromoted', 'challenger promoted');
    const notifyDiscarded = notify('NotifyDiscarded', 'challenger discarded');
    for (const n of [notifyPromoted, notifyDiscarded]) retry(n);

    // The registry names the new champion only once the endpoint serves it.
    promote.next(notifyPromoted);
    this.rollout = props.encoder
      ? new EncoderRollout(
          this,
          'Rollout',
          { endpointName: props.encoder.endpointName, endpointRole: props.encoder.role, challengerUri },
          promote,
          notifyFailure,
        )
      : undefined;
    const retire = lambdaStep('RetireChallenger', props.promote, '$.promotion');
    const decide = new sfn.Choice(this, 'ChallengerWins?')
      .when(sfn.Condition.booleanEquals('$.evaluation.promote', true), this.rollout?.start ?? promote)
      .otherwise(retire.next(notifyDiscarded));

    this.logGroup = stackLogGroup(this, 'Logs', logs.RetentionDays.THREE_MONTHS, {
      logGroupName: `/aws/vendedlogs/states/${Stack.of(this).stackName}-retraining`,
    });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      definitionBody: sfn.DefinitionBody.fromChainable(start.next(exportData).next(train).next(evaluate).next(decide)),
      timeout: Duration.hours(12),
      tracingEnabled: true,
      logs: { destination: this.logGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
    });

    this.rollout?.grantTo(this.stateMachine.role);
    this.acknowledgeStateMachineRole(props);
    this.schedule = this.weeklySchedule(props.schedule);
  }

  /** cdk-nag acknowledgements on the state machine's role (and the Fargate trainer's execution role). */
  private acknowledgeStateMachineRole(props: RetrainingProps): void {
    const smRole = this.stateMachine.role;
    Validations.of(smRole).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'X-Ray tracing and CloudWatch Logs delivery (logs:CreateLogDelivery…) support no resource-level permissions.',
    });
    for (const fn of [props.export, props.evaluate, props.promote]) {
      Validations.of(smRole).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${nagToken(this, fn.fn.functionArn)}:*]`,
        reason: `Invoking ${fn.node.id} by any version or alias of that one function.`,
      });
    }
    if (this.trainingJobsAcknowledged) {
      Validations.of(smRole).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:sagemaker:<AWS::Region>:<AWS::AccountId>:training-job/*]',
        reason: 'Training jobs are named after the execution, so their names are not known in advance.',
      });
    }
    if (this.trainerTaskDefinition) {
      const td = Stack.of(this).getLogicalId(this.trainerTaskDefinition.node.defaultChild as ecs.CfnTaskDefinition);
      const part = (i: number) => `{"Fn::Select":[${i},{"Fn::Split":[":",{"Ref":"${td}"}]}]}`;
      const path = (i: number) => `{"Fn::Select":[${i},{"Fn::Split":["/",${part(5)}]}]}`;
      Validations.of(smRole).acknowledge({
        id: `AwsSolutions-IAM5[Resource::arn:${part(1)}:${part(2)}:${part(3)}:${part(4)}:${path(0)}/${path(1)}:*]`,
        reason: 'ecs:RunTask on any revision of the one trainer task definition family (Step Functions runs the latest).',
      });
      Validations.of(this.trainerTaskDefinition.obtainExecutionRole()).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'ecr:GetAuthorizationToken supports no resource-level permissions; image pulls are limited to the trainer repository.',
      });
    }
  }

  /** Starts the state machine on the retraining schedule (EventBridge Scheduler). */
  private weeklySchedule(schedule: string): scheduler.CfnSchedule {
    const schedulerRole = new iam.Role(this, 'SchedulerRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com'),
      description: 'Starts the Aisle retraining state machine on its schedule',
    });
    this.stateMachine.grantStartExecution(schedulerRole);
    return new scheduler.CfnSchedule(this, 'Weekly', {
      description: 'Aisle retraining',
      scheduleExpression: schedule,
      scheduleExpressionTimezone: 'UTC',
      flexibleTimeWindow: { mode: 'FLEXIBLE', maximumWindowInMinutes: 60 },
      state: 'ENABLED',
      target: {
        arn: this.stateMachine.stateMachineArn,
        roleArn: schedulerRole.roleArn,
        input: JSON.stringify({ trigger: 'schedule' }),
        retryPolicy: { maximumRetryAttempts: 3, maximumEventAgeInSeconds: 3600 },
      },
    });
  }

  private trainStep(props: RetrainingProps, challengerUri: string): sfn.TaskStateBase {
    return props.trainer === 'sagemaker' ? this.sagemakerTrainStep(props, challengerUri) : this.fargateTrainStep(props, challengerUri);
  }

  /** What the trainer reads and writes in the lake: exports, the registry and its champion, its challenger folder. */
  private grantTrainer(lake: s3.IBucket, role: iam.IGrantable & Construct): void {
    grantObjects(lake, role, LAKE_PREFIXES.exports, 'read');
    grantObjects(lake, role, REGISTRY_KEY, 'read');
    grantObjects(lake, role, CHALLENGERS_PREFIX, 'readwrite'); // its own folder, and the champion's (a former challenger)
  }

  /** The trainer's environment (functions/config/deployables.ts `trainer`). */
  private trainerEnvironment(props: RetrainingProps, challengerUri: string): Record<string, string> {
    return {
      TRAIN_DATA_URI: sfn.JsonPath.stringAt('$.export.trainUri'),
      HELDOUT_DATA_URI: sfn.JsonPath.stringAt('$.export.heldOutUri'),
      MODEL_OUTPUT_URI: challengerUri,
      LAKE_BUCKET: props.lake.bucketName,
    };
  }

  /**
   * trainer=sagemaker: the trainer image as a SageMaker training job (SageMaker runs the image's entry with the
   * argument `train`, which the program ignores; it reads its environment and writes the challenger itself).
   */
  private sagemakerTrainStep(props: RetrainingProps, challengerUri: string): sfn.TaskStateBase {
    const role = new iam.Role(this, 'TrainingJobRole', {
      assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com'),
      description: 'Aisle training job: reads exports and the registry, writes challengers',
    });
    this.grantTrainer(props.lake, role);
    const ack = (id: string, reason: string) => Validations.of(role).acknowledge({ id, reason });
    ack(
      'AwsSolutions-IAM5[Resource::*]',
      'Training jobs write CloudWatch logs/metrics and fetch an ECR token: no resource-level permissions exist for those.',
    );
    ack(
      'AwsSolutions-IAM5[Action::s3:DeleteObject*]',
      'Added by the Step Functions SageMaker task for its output location: the job replaces its own partial output under models/challengers/.',
    );
    ack(
      'AwsSolutions-IAM5[Action::s3:Abort*]',
      'Added by the Step Functions SageMaker task for its output location: aborting its own multipart uploads.',
    );
    this.trainingJobsAcknowledged = true;
    return new tasks.SageMakerCreateTrainingJob(this, 'TrainChallenger', {
      integrationPattern: sfn.IntegrationPattern.RUN_JOB, // wait for the job (.sync), not just its start
      trainingJobName: sfn.JsonPath.stringAt('$$.Execution.Name'),
      role,
      algorithmSpecification: {
        trainingImage: tasks.DockerImage.fromEcrRepository(props.trainerRepository, props.trainerImageTag),
        trainingInputMode: tasks.InputMode.FILE,
      },
      // Fargate sets AWS_REGION for its tasks; a training job's container is told explicitly.
      environment: { ...this.trainerEnvironment(props, challengerUri), AWS_REGION: Aws.REGION },
      // SageMaker packs /opt/ml/model (empty: the program writes the folder to the lake) beside the challenger.
      outputDataConfig: { s3OutputLocation: tasks.S3Location.fromBucket(props.lake, CHALLENGERS_PREFIX) },
      resourceConfig: {
        instanceCount: 1,
        // CPU, as the Fargate task's 4 vCPU / 16 GiB: the project's trainer uses no GPU.
        instanceType: new ec2.InstanceType('m5.xlarge'),
        volumeSize: Size.gibibytes(30),
      },
      stoppingCondition: { maxRuntime: Duration.hours(6) },
      resultPath: '$.training',
    });
  }

  /** trainer=fargate: the project's own trainer as an ECS task on the shared cluster. */
  private fargateTrainStep(props: RetrainingProps, challengerUri: string): sfn.TaskStateBase {
    if (!props.cluster) throw new Error('trainer=fargate needs a cluster');
    const taskDefinition = (this.trainerTaskDefinition = new ecs.FargateTaskDefinition(this, 'TrainerTask', {
      cpu: 4096,
      memoryLimitMiB: 16384,
      runtimePlatform: { cpuArchitecture: ecs.CpuArchitecture.X86_64, operatingSystemFamily: ecs.OperatingSystemFamily.LINUX },
      ephemeralStorageGiB: 50,
    }));
    const container = taskDefinition.addContainer('trainer', {
      image: ecs.ContainerImage.fromEcrRepository(props.trainerRepository, props.trainerImageTag),
      logging: ecs.LogDrivers.awsLogs({
        streamPrefix: 'trainer',
        logGroup: stackLogGroup(this, 'TrainerLogs', logs.RetentionDays.THREE_MONTHS),
      }),
    });
    this.grantTrainer(props.lake, taskDefinition.taskRole as iam.Role);
    return new tasks.EcsRunTask(this, 'TrainChallenger', {
      integrationPattern: sfn.IntegrationPattern.RUN_JOB,
      cluster: props.cluster,
      taskDefinition,
      launchTarget: new tasks.EcsFargateLaunchTarget({ platformVersion: ecs.FargatePlatformVersion.LATEST }),
      subnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      assignPublicIp: false,
      containerOverrides: [
        {
          containerDefinition: container,
          environment: Object.entries(this.trainerEnvironment(props, challengerUri)).map(([name, value]) => ({ name, value })),
        },
      ],
      taskTimeout: sfn.Timeout.duration(Duration.hours(6)),
      resultPath: '$.training',
    });
  }
}
