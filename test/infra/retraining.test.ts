import { beforeAll, describe, expect, it } from 'vitest';
import { CHAMPION_COPY_PREFIX, REGISTRY_KEY as REGISTRY_READ_KEY } from '../../functions/handlers/retrain.ts';
import { CHAMPION_PREFIX } from '../../lib/encoder.ts';
import { REGISTRY_KEY } from '../../lib/retraining.ts';
import { BLUE_GREEN } from '../../lib/retraining-rollout.ts';
import { resolveDefinition } from '../support/asl-runner.ts';
import { type Synthesized, synthesize } from './synth.ts';

type Json = any;

const machineOf = (s: Synthesized) => {
  const [[id, sm]] = Object.entries(s.template.findResources('AWS::StepFunctions::StateMachine')) as [string, Json][];
  const machine = resolveDefinition(sm.Properties.DefinitionString, (t) => JSON.stringify(t).replace(/"/g, "'"));
  return { id, machine };
};

/** Every policy statement attached to a role, by the role's logical id prefix. */
function statementsOf(s: Synthesized, rolePrefix: string): Json[] {
  const policies = Object.values(s.template.findResources('AWS::IAM::Policy')) as Json[];
  return policies
    .filter((p) => p.Properties.Roles.some((r: Json) => r.Ref?.startsWith(rolePrefix)))
    .flatMap((p) => p.Properties.PolicyDocument.Statement);
}
const grants = (statements: Json[], action: string) =>
  statements.filter((st) => [st.Action].flat().includes(action)).map((st) => JSON.stringify(st.Resource));

describe('retraining, default stack (Fargate trainer, encoder endpoint)', () => {
  let s: Synthesized;
  beforeAll(() => {
    s = synthesize();
  });

  it('on a win rolls the challenger onto the endpoint before the registry names it; on a loss retires it', () => {
    const { States } = machineOf(s).machine;
    expect(States['ChallengerWins?'].Choices![0]).toMatchObject({ Variable: '$.evaluation.promote', BooleanEquals: true, Next: 'DescribeEndpoint' });
    expect(States['ChallengerWins?'].Default).toBe('RetireChallenger');
    expect(States.RetireChallenger.Next).toBe('NotifyDiscarded');
    // describe → describe → describe → name → create model → create config → update → wait/poll → promote
    const chain = [
      'DescribeEndpoint',
      'DescribeEndpointConfig',
      'DescribeServedModel',
      'NameChallengerModel',
      'CreateChallengerModel',
      'CreateChallengerEndpointConfig',
    ];
    for (let i = 0; i < chain.length - 1; i++) expect(States[chain[i]].Next).toBe(chain[i + 1]);
    expect(States.CreateChallengerEndpointConfig.Next).toBe('ServerlessEndpoint?');
    expect(States.UpdateEndpointBlueGreen.Parameters).toEqual({
      EndpointName: 'aisle-encoder',
      'EndpointConfigName.$': '$.rollout.target.Name',
      DeploymentConfig: BLUE_GREEN,
      RetainAllVariantProperties: true,
    });
    expect(States.UpdateServerlessEndpoint.Parameters).not.toHaveProperty('RetainAllVariantProperties');
    expect(States.UpdateServerlessEndpoint.Parameters).not.toHaveProperty('DeploymentConfig');
    expect(States['EndpointServesChallenger?'].Choices![0].Next).toBe('PromoteChallenger');
    expect(States.PromoteChallenger.Next).toBe('NotifyPromoted');
    expect(States.RolloutFailed.Next).toBe('NotifyFailure');
    for (const name of [...chain.filter((n) => n !== 'NameChallengerModel'), 'UpdateEndpointBlueGreen', 'UpdateServerlessEndpoint', 'PollEndpoint']) {
      expect(States[name].Resource).toMatch(/:states:::aws-sdk:sagemaker:/);
      expect(States[name].Catch?.[0]).toMatchObject({ ErrorEquals: ['States.ALL'], Next: 'NotifyFailure' });
      expect(States[name].Retry?.[0].MaxAttempts).toBe(3);
    }
  });

  it("the state machine may create models and configs named after the endpoint, update only it, and pass only the endpoint's role", () => {
    const st = statementsOf(s, 'RetrainingStateMachineRole');
    expect(grants(st, 'sagemaker:CreateModel').join()).toContain(':model/aisle-encoder-*');
    expect(grants(st, 'sagemaker:CreateEndpointConfig').join()).toContain(':endpoint-config/aisle-encoder-*');
    expect(grants(st, 'sagemaker:UpdateEndpoint').join()).toContain(':endpoint/aisle-encoder"');
    const pass = st.find((x) => x.Action === 'iam:PassRole' && JSON.stringify(x.Resource).includes('EncoderExecutionRole'));
    expect(pass.Condition).toEqual({ StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } });
    expect(JSON.stringify(pass.Resource)).toContain('EncoderExecutionRole');
  });

  it('the Fargate trainer reads the exports and the registry, and writes challengers', () => {
    const st = statementsOf(s, 'RetrainingTrainerTaskTaskRole');
    const reads = grants(st, 's3:GetObject').join();
    for (const key of ['exports/*', `${REGISTRY_KEY}*`, 'models/challengers/*']) expect(reads).toContain(key);
    expect(grants(st, 's3:PutObject').join()).toContain('models/challengers/*');
  });

  it('the promote step copies to the prefix a redeployed endpoint model reads; the registry key is one', () => {
    expect(CHAMPION_COPY_PREFIX).toBe(CHAMPION_PREFIX);
    expect(REGISTRY_READ_KEY).toBe(REGISTRY_KEY);
  });

  it('stays cdk-nag clean', () => {
    expect(s.nagFindings).toEqual([]);
  });
});

describe('retraining with the SageMaker trainer', () => {
  let s: Synthesized;
  beforeAll(() => {
    s = synthesize({ llmEnabled: false, trainer: 'sagemaker' });
  });

  it('runs the trainer image as a training job with the trainer environment', () => {
    const { States } = machineOf(s).machine;
    const train = States.TrainChallenger;
    expect(train.Resource).toMatch(/:sagemaker:createTrainingJob\.sync$/);
    const params = train.Parameters as Json;
    expect(params.AlgorithmSpecification.TrainingImage).toContain('TrainerRepository');
    expect(Object.keys(params.Environment).sort()).toEqual([
      'AWS_REGION',
      'HELDOUT_DATA_URI.$',
      'LAKE_BUCKET',
      'MODEL_OUTPUT_URI.$',
      'TRAIN_DATA_URI.$',
    ]);
    expect(params.ResourceConfig.InstanceType).toBe('ml.m5.xlarge');
    const st = statementsOf(s, 'RetrainingTrainingJobRole');
    expect(grants(st, 's3:GetObject').join()).toContain(`${REGISTRY_KEY}*`);
    expect(s.nagFindings).toEqual([]);
  });
});

describe('retraining without the encoder tier', () => {
  let s: Synthesized;
  beforeAll(() => {
    s = synthesize({ encoderEnabled: false });
  });

  it('promotes in the registry alone', () => {
    const { States } = machineOf(s).machine;
    expect(States['ChallengerWins?'].Choices![0].Next).toBe('PromoteChallenger');
    expect(States.DescribeEndpoint).toBeUndefined();
    expect(JSON.stringify(statementsOf(s, 'RetrainingStateMachineRole'))).not.toMatch(/EncoderExecutionRole|sagemaker:(CreateModel|UpdateEndpoint)/);
    expect(s.nagFindings).toEqual([]);
  });
});
