import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Synthesized, synthesize } from './synth.ts';

// Deployment switches: synthesized without bundling (asset hashes are placeholders; the stack test bundles).
const env = (s: Synthesized, idPrefix: string): Record<string, unknown> => {
  const fns = Object.entries(s.template.findResources('AWS::Lambda::Function')).filter(([id]) => id.startsWith(idPrefix));
  expect(fns).toHaveLength(1);
  return (fns[0][1] as any).Properties.Environment.Variables;
};
const count = (s: Synthesized, type: string) => Object.keys(s.template.findResources(type)).length;

describe('llmEnabled=false', () => {
  let s: Synthesized;
  beforeAll(() => {
    s = synthesize({ llmEnabled: false });
  });

  it('removes every ECS GPU resource and tells classify the LLM tier is off', () => {
    for (const type of ['AWS::ECS::CapacityProvider', 'AWS::AutoScaling::AutoScalingGroup', 'AWS::EC2::LaunchTemplate', 'AWS::ECS::Service']) {
      expect(count(s, type), type).toBe(0);
    }
    expect(s.template.toJSON().Parameters.LlmInstanceType).toBeUndefined();
    expect(env(s, 'PipelineClassifyFn')).toMatchObject({ LLM_ENABLED: 'false', LLM_QUEUE_URL: '' });
    expect(env(s, 'ApiFn')).not.toHaveProperty('LLM_ENABLED'); // the API's cascade never asks the LLM on AWS
  });

  it('keeps the Fargate trainer (its cluster) and stays cdk-nag clean', () => {
    expect(count(s, 'AWS::ECS::Cluster')).toBe(1);
    expect(s.nagFindings).toEqual([]);
  });
});

describe('llmEnabled=false with the SageMaker trainer', () => {
  let s: Synthesized;
  beforeAll(() => {
    s = synthesize({ llmEnabled: false, trainer: 'sagemaker' });
  });

  it('has no ECS or VPC at all and trains with a SageMaker training job', () => {
    expect(count(s, 'AWS::ECS::Cluster')).toBe(0);
    expect(count(s, 'AWS::EC2::VPC')).toBe(0);
    const definition = JSON.stringify(Object.values(s.template.findResources('AWS::StepFunctions::StateMachine'))[0]);
    expect(definition).toContain(':sagemaker:createTrainingJob.sync');
    // The trainer image (containers/trainer), its program reading the same environment as on Fargate.
    expect(definition).toContain('TrainerRepository');
    for (const name of ['TRAIN_DATA_URI', 'HELDOUT_DATA_URI', 'MODEL_OUTPUT_URI', 'LAKE_BUCKET']) expect(definition).toContain(name);
    expect(s.nagFindings).toEqual([]);
  });
});

describe('encoderGpu=true', () => {
  let s: Synthesized;
  beforeAll(() => {
    s = synthesize({ encoderGpu: true });
  });

  it('runs a real-time GPU endpoint on the CUDA provider, from a parameterised instance type, scaled on invocations', () => {
    const [model] = Object.values(s.template.findResources('AWS::SageMaker::Model')) as any[];
    expect(model.Properties.PrimaryContainer.Environment).toEqual({ ENCODER_DEVICE: 'cuda' });
    const [config] = Object.values(s.template.findResources('AWS::SageMaker::EndpointConfig')) as any[];
    expect(config.Properties.ProductionVariants[0]).toMatchObject({ InstanceType: { Ref: 'EncoderInstanceType' }, InitialInstanceCount: 1 });
    expect(config.Properties.ProductionVariants[0].ServerlessConfig).toBeUndefined();
    expect(s.template.toJSON().Parameters.EncoderInstanceType.Default).toBe('ml.g5.xlarge');
    const targets = Object.entries(
      s.template.findResources('AWS::ApplicationAutoScaling::ScalableTarget', { Properties: { ServiceNamespace: 'sagemaker' } }),
    );
    expect(targets).toHaveLength(1);
    expect((targets[0][1] as any).Properties).toMatchObject({
      ScalableDimension: 'sagemaker:variant:DesiredInstanceCount',
      MinCapacity: 1,
      MaxCapacity: 4,
    });
    s.template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      ScalingTargetId: { Ref: targets[0][0] },
      PolicyType: 'TargetTrackingScaling',
      TargetTrackingScalingPolicyConfiguration: Match.objectLike({
        PredefinedMetricSpecification: { PredefinedMetricType: 'SageMakerVariantInvocationsPerInstance' },
      }),
    });
    expect(s.nagFindings).toEqual([]);
  });
});

describe('encoderEnabled=false', () => {
  let s: Synthesized;
  beforeAll(() => {
    s = synthesize({ encoderEnabled: false, llmEnabled: false });
  });

  it('has no SageMaker resources and an empty ENCODER_ENDPOINT_NAME', () => {
    expect(count(s, 'AWS::SageMaker::Endpoint')).toBe(0);
    expect(env(s, 'PipelineClassifyFn').ENCODER_ENDPOINT_NAME).toBe('');
    expect(JSON.stringify(s.template.toJSON())).not.toContain('sagemaker:InvokeEndpoint');
  });
});

describe('context switches', () => {
  it('reads -c values as strings and rejects bad ones', async () => {
    const { App } = await import('aws-cdk-lib');
    const { AisleStack } = await import('../../lib/stack.ts');
    const off = new AisleStack(new App({ context: { llmEnabled: 'false', 'aws:cdk:bundling-stacks': [] } }), 'A');
    expect(off.settings.llmEnabled).toBe(false);
    expect(() => new AisleStack(new App({ context: { llmEnabled: 'nope' } }), 'B')).toThrow(/llmEnabled must be true or false/);
    expect(() => new AisleStack(new App({ context: { trainer: 'gpu' } }), 'C')).toThrow(/trainer must be fargate or sagemaker/);
  });
});
