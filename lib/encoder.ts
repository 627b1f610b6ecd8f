import { ArnFormat, Aws, CfnCondition, Duration, Fn, Stack, Validations } from 'aws-cdk-lib';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import type * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import { Construct } from 'constructs';
import { grantObjects } from './grants.ts';
import { LAKE_PREFIXES } from './storage.ts';

/**
 * Serverless capacity: 2 GB (the starter model is 8 MB; SageMaker gives vCPUs in proportion to memory) and
 * up to 50 requests at once (the account's default serverless concurrency quota is 200 per region; beyond
 * 50, classify retries throttled calls).
 */
export const SERVERLESS_CAPACITY = { memorySizeInMb: 2048, maxConcurrency: 50 } as const;

/** Where promotions put the serving model: an uncompressed model folder (the artifact contract). */
export const CHAMPION_PREFIX = `${LAKE_PREFIXES.models}champion/`;
export const VARIANT_NAME = 'AllTraffic';

export interface EncoderProps {
  readonly lake: s3.IBucket;
  /** The containers/encoder image (SageMaker contract: GET /ping, POST /invocations on 8080). */
  readonly repository: ecr.IRepository;
  readonly imageTag: string;
  /**
   * The model folder under the lake bucket (model.onnx, tokenizer.json, labels.json…), copied by SageMaker
   * to /opt/ml/model uncompressed; '' serves the model baked into the image.
   */
  readonly modelPrefix: string;
  /**
   * false (the default): serverless inference on CPU, billed per request and nothing when idle; right for the
   * project's own small model. true: a real-time GPU instance, the container on ONNX Runtime's CUDA provider
   * (ENCODER_DEVICE=cuda), for DeBERTa; it runs (and bills) all the time.
   */
  readonly gpu: boolean;
  /** Real-time GPU instance type; used only with gpu. */
  readonly instanceType: string;
  readonly maxInstances: number;
}

/** The encoder tier: SageMaker model (champion in the lake) → endpoint config → endpoint, autoscaled. */
export class Encoder extends Construct {
  readonly endpoint: sagemaker.CfnEndpoint;
  readonly endpointName: string;
  readonly endpointArn: string;
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: EncoderProps) {
    super(scope, id);
    const stack = Stack.of(this);
    // A fixed lower-case name: SageMaker ARNs are lower case, so the IAM grants below match it exactly.
    this.endpointName = `${stack.stackName.toLowerCase()}-encoder`;
    this.role = new iam.Role(this, 'ExecutionRole', {
      assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com'),
      description: 'Aisle encoder endpoint: pulls its image, reads the champion model, writes logs and metrics',
    });
    this.grantRole(props);

    const fromImage = new CfnCondition(this, 'ModelFromImage', { expression: Fn.conditionEquals(props.modelPrefix, '') });
    const model = new sagemaker.CfnModel(this, 'Model', {
      executionRoleArn: this.role.roleArn,
      primaryContainer: {
        image: props.repository.repositoryUriForTag(props.imageTag),
        // The container logs the provider it loaded on; cuda fails at start rather than serve on the CPU.
        environment: { ENCODER_DEVICE: props.gpu ? 'cuda' : 'cpu' },
        // Empty prefix: the model baked into the image (the first deploy needs nothing in the lake).
        modelDataSource: Fn.conditionIf(fromImage.logicalId, Aws.NO_VALUE, {
          S3DataSource: { S3Uri: `s3://${props.lake.bucketName}/${props.modelPrefix}`, S3DataType: 'S3Prefix', CompressionType: 'None' },
        }),
      },
    });
    model.node.addDependency(this.role);

    const capacity = props.gpu
      ? { initialInstanceCount: 1, instanceType: props.instanceType, initialVariantWeight: 1 }
      : { serverlessConfig: { ...SERVERLESS_CAPACITY } };
    const variant = { modelName: model.attrModelName, variantName: VARIANT_NAME, ...capacity };
    const config = new sagemaker.CfnEndpointConfig(this, 'Config', { productionVariants: [variant] });
    this.endpoint = new sagemaker.CfnEndpoint(this, 'Endpoint', {
      endpointName: this.endpointName,
      endpointConfigName: config.attrEndpointConfigName,
    });
    this.endpointArn = this.endpoint.ref; // Ref of AWS::SageMaker::Endpoint is its ARN

    // Serverless endpoints scale themselves (to zero); real-time instances scale on invocations per instance.
    if (props.gpu) this.scaleOnInvocations(props.maxInstances);
  }

  /** The execution role's grants: image pull, models/ in the lake, the endpoint's logs and metrics. */
  private grantRole(props: EncoderProps): void {
    const stack = Stack.of(this);
    props.repository.grantPull(this.role);
    grantObjects(props.lake, this.role, LAKE_PREFIXES.models, 'read'); // champion and challengers
    this.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
        resources: [
          stack.formatArn({
            service: 'logs',
            resource: 'log-group',
            resourceName: `/aws/sagemaker/Endpoints/${this.endpointName}:*`,
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
        ],
      }),
    );
    this.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['cloudwatch:PutMetricData'],
        resources: ['*'], // PutMetricData has no resource-level permissions
        conditions: { StringEquals: { 'cloudwatch:namespace': ['/aws/sagemaker/Endpoints', 'AWS/SageMaker'] } },
      }),
    );

    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'ecr:GetAuthorizationToken and cloudwatch:PutMetricData (limited by namespace condition) support no resource-level permissions.',
    });
    Validations.of(this.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:/aws/sagemaker/Endpoints/${this.endpointName}:*]`,
      reason: "The endpoint's own log group; the wildcard covers its log streams, named by SageMaker per instance.",
    });
  }

  /** Real-time instances: from one up to maxInstances, tracking invocations per instance. */
  private scaleOnInvocations(maxInstances: number): void {
    const target = new appscaling.ScalableTarget(this, 'Scaling', {
      serviceNamespace: appscaling.ServiceNamespace.SAGEMAKER,
      resourceId: `endpoint/${this.endpointName}/variant/${VARIANT_NAME}`,
      scalableDimension: 'sagemaker:variant:DesiredInstanceCount',
      minCapacity: 1,
      maxCapacity: maxInstances,
    });
    target.node.addDependency(this.endpoint);
    target.scaleToTrackMetric('InvocationsPerInstance', {
      predefinedMetric: appscaling.PredefinedMetric.SAGEMAKER_VARIANT_INVOCATIONS_PER_INSTANCE,
      targetValue: 1000, // invocations per instance per minute
      scaleInCooldown: Duration.minutes(10),
      scaleOutCooldown: Duration.minutes(2),
    });
  }

  /** sagemaker:InvokeEndpoint on this endpoint only. */
  grantInvoke(grantee: iam.IGrantable): void {
    iam.Grant.addToPrincipal({ grantee, actions: ['sagemaker:InvokeEndpoint'], resourceArns: [this.endpointArn] });
  }
}
