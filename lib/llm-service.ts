import { Duration, Stack, Validations } from 'aws-cdk-lib';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { grantObjects, grantTable } from './grants.ts';
import { SERVICE_NAME, stackLogGroup } from './handler-function.ts';
import { LAKE_PREFIXES } from './storage.ts';

export const OLLAMA_PORT = 11434;
/**
 * The model the LLM service runs: an exact Ollama tag, baked into the containers/llm image at build (its
 * Dockerfile's OLLAMA_MODEL default is this tag). The image carries it, so a task started from zero downloads
 * nothing through the NAT gateway; ECR's layers come from S3 through the VPC's gateway endpoint.
 */
export const PINNED_OLLAMA_MODEL = 'llama3.1:8b-instruct-q4_K_M';

export interface LlmServiceProps {
  readonly cluster: ecs.Cluster;
  readonly queue: sqs.Queue;
  readonly table: dynamodb.ITable;
  /** Jobs whose counts reconcile after the LLM decided go to finalize. */
  readonly finalizeQueue: sqs.IQueue;
  readonly lake: s3.IBucket;
  /** containers/llm: Ollama and the queue worker (functions/handlers/llm-worker.ts) in one image. */
  readonly repository: ecr.IRepository;
  readonly imageTag: string;
  /** EC2 GPU instance type (g5/g6 family). */
  readonly instanceType: string;
  readonly maxInstances: number;
  readonly ollamaModel: string;
}

/**
 * The LLM tier: an ECS service on GPU EC2 capacity (min 0 instances) running the containers/llm image
 * (Ollama and the queue worker in one container); the task count follows the LLM queue's backlog and drops to zero when it is empty.
 */
export class LlmService extends Construct {
  readonly service: ecs.Ec2Service;
  readonly capacityProvider: ecs.AsgCapacityProvider;
  readonly autoScalingGroup: autoscaling.AutoScalingGroup;
  readonly taskDefinition: ecs.Ec2TaskDefinition;

  constructor(scope: Construct, id: string, props: LlmServiceProps) {
    super(scope, id);
    const { cluster } = props;
    const securityGroup = new ec2.SecurityGroup(this, 'InstanceSg', {
      vpc: cluster.vpc,
      description: 'Aisle LLM GPU instances: egress only',
      allowAllOutbound: true,
    });
    const instanceRole = new iam.Role(this, 'InstanceRole', {
      assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
      description: 'Aisle LLM GPU instances (ECS container instances)',
    });
    const launchTemplate = new ec2.LaunchTemplate(this, 'LaunchTemplate', {
      instanceType: new ec2.InstanceType(props.instanceType),
      machineImage: ecs.EcsOptimizedImage.amazonLinux2023(ecs.AmiHardwareType.GPU),
      userData: ec2.UserData.forLinux(),
      // The capacity provider attaches the ECS agent's permissions to this role.
      role: instanceRole,
      securityGroup,
      requireImdsv2: true,
      detailedMonitoring: true,
      // Room for the Ollama image and model weights; encrypted at rest.
      blockDevices: [
        { deviceName: '/dev/xvda', volume: ec2.BlockDeviceVolume.ebs(100, { encrypted: true, volumeType: ec2.EbsDeviceVolumeType.GP3 }) },
      ],
    });
    this.autoScalingGroup = new autoscaling.AutoScalingGroup(this, 'Gpus', {
      vpc: cluster.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      launchTemplate,
      minCapacity: 0,
      maxCapacity: props.maxInstances,
    });
    this.capacityProvider = new ecs.AsgCapacityProvider(this, 'Capacity', {
      autoScalingGroup: this.autoScalingGroup,
      enableManagedScaling: true,
      enableManagedTerminationProtection: false,
      enableManagedDraining: true, // ECS drains tasks itself: no CDK drain-hook Lambda and topic
      machineImageType: ecs.MachineImageType.AMAZON_LINUX_2,
      targetCapacityPercent: 100,
    });
    cluster.addAsgCapacityProvider(this.capacityProvider);

    this.taskDefinition = this.llmTask(props);

    this.acknowledge(instanceRole);
    this.service = new ecs.Ec2Service(this, 'Service', {
      cluster,
      taskDefinition: this.taskDefinition,
      desiredCount: 0,
      minHealthyPercent: 0,
      maxHealthyPercent: 100,
      capacityProviderStrategies: [{ capacityProvider: this.capacityProvider.capacityProviderName, weight: 1 }],
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      circuitBreaker: { rollback: true },
    });

    this.scaleOnBacklog(props);
  }

  /** The task: Ollama and the queue worker in one GPU container, with its queues, table and outbox grants. */
  private llmTask(props: LlmServiceProps): ecs.Ec2TaskDefinition {
    const taskDefinition = new ecs.Ec2TaskDefinition(this, 'Task', { networkMode: ecs.NetworkMode.AWS_VPC });
    const logGroup = stackLogGroup(this, 'Logs', logs.RetentionDays.ONE_MONTH);
    taskDefinition.addContainer('llm', {
      image: ecs.ContainerImage.fromEcrRepository(props.repository, props.imageTag),
      gpuCount: 1,
      memoryReservationMiB: 12 * 1024,
      environment: {
        LLM_QUEUE_URL: props.queue.queueUrl,
        FINALIZE_QUEUE_URL: props.finalizeQueue.queueUrl,
        TABLE_NAME: props.table.tableName,
        LAKE_BUCKET: props.lake.bucketName,
        OLLAMA_HOST: `http://127.0.0.1:${OLLAMA_PORT}`, // Ollama runs in the same container as the worker
        OLLAMA_MODEL: props.ollamaModel,
        POWERTOOLS_SERVICE_NAME: `${SERVICE_NAME}-llm-worker`,
      },
      healthCheck: {
        command: ['CMD-SHELL', `curl -sf http://127.0.0.1:${OLLAMA_PORT}/api/version >/dev/null || exit 1`],
        interval: Duration.seconds(30),
        retries: 3,
        startPeriod: Duration.minutes(2), // Ollama starts and finds the model in the image
      },
      logging: ecs.LogDrivers.awsLogs({ logGroup, streamPrefix: 'llm' }),
    });
    props.finalizeQueue.grantSendMessages(taskDefinition.taskRole);
    // The worker writes its decisions as work parts under outbox/<jobId>/work/, as classify does.
    grantObjects(props.lake, taskDefinition.taskRole as iam.Role, LAKE_PREFIXES.outbox, 'write');
    props.queue.grantConsumeMessages(taskDefinition.taskRole);
    grantTable(props.table, taskDefinition.taskRole, 'readwrite');
    return taskDefinition;
  }

  /** The task count follows the LLM queue's backlog, from zero up to maxInstances tasks. */
  private scaleOnBacklog(props: LlmServiceProps): void {
    // Backlog = waiting + in flight: a task working through its messages must not be scaled away.
    const backlog = new cloudwatch.MathExpression({
      expression: 'visible + inFlight',
      label: 'LLM queue backlog',
      period: Duration.minutes(1),
      usingMetrics: {
        visible: props.queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' }),
        inFlight: props.queue.metricApproximateNumberOfMessagesNotVisible({ period: Duration.minutes(1), statistic: 'Maximum' }),
      },
    });
    const scaling = this.service.autoScaleTaskCount({ minCapacity: 0, maxCapacity: props.maxInstances });
    scaling.scaleOnMetric('Backlog', {
      metric: backlog,
      adjustmentType: appscaling.AdjustmentType.EXACT_CAPACITY,
      scalingSteps: [
        { upper: 0, change: 0 },
        { lower: 1, change: 1 },
        { lower: 500, change: props.maxInstances },
      ],
      cooldown: Duration.minutes(5),
      evaluationPeriods: 1,
    });
  }

  /** The findings that remain are AWS requirements or CDK-generated ECS wiring; each says why. */
  private acknowledge(instanceRole: iam.Role): void {
    const asgName = Stack.of(this).getLogicalId(this.autoScalingGroup.node.defaultChild as autoscaling.CfnAutoScalingGroup);
    const ack = (scope: Construct, id: string, reason: string) => Validations.of(scope).acknowledge({ id, reason });
    ack(
      instanceRole,
      'AwsSolutions-IAM5[Resource::*]',
      'ECS agent permissions added by ECS for container instances: ecs:DiscoverPollEndpoint, ecr:GetAuthorizationToken support no resource-level permissions; ecs:Poll/StartTelemetrySession are limited to this cluster by condition.',
    );
    ack(
      instanceRole,
      'AwsSolutions-IAM5[Action::ecs:Submit*]',
      'ECS agent state reporting (SubmitContainerStateChange, SubmitTaskStateChange…), limited to this cluster by resource.',
    );
    ack(
      instanceRole,
      `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:autoscaling:<AWS::Region>:<AWS::AccountId>:autoScalingGroup:*:autoScalingGroupName/<${asgName}>]`,
      'Managed termination handling on this Auto Scaling group only; the group id segment is not known before creation.',
    );
    ack(
      this.taskDefinition.obtainExecutionRole(),
      'AwsSolutions-IAM5[Resource::*]',
      'ecr:GetAuthorizationToken supports no resource-level permissions; image pulls are limited to the aisle-llm repository.',
    );
    ack(
      this.taskDefinition,
      'AwsSolutions-ECS2',
      'Only non-secret configuration (queue URLs, table and bucket names, Ollama address and model) is passed as environment variables.',
    );
    ack(
      this.autoScalingGroup,
      'AwsSolutions-AS3',
      'Scaling of this group is driven by the ECS capacity provider, whose decisions are visible in ECS service events and CloudWatch; the DLQ alarms cover failed work.',
    );
  }
}
