import { beforeAll, describe, expect, it } from 'vitest';
import { DEPLOYABLES, type Deployable } from '../../functions/config/deployables.ts';
import type { Setting } from '../../functions/config/settings.ts';
import { HANDLERS } from '../../lib/handler-function.ts';
import { type Synthesized, synthesize } from './synth.ts';

// What lib/ gives each function and container is what its configuration reads (functions/config): no setting it
// ignores, every setting it requires. NODE_OPTIONS is read by Node itself, AWS_REGION by the AWS SDK.
const PLATFORM = ['NODE_OPTIONS', 'AWS_REGION'];

let s: Synthesized;
beforeAll(() => {
  s = synthesize();
});

type Resource = { Properties: Record<string, any> };
const resources = (type: string) => Object.values(s.template.findResources(type)) as Resource[];

function expectFits(deployable: Deployable, names: string[]): void {
  const settings: Record<string, Setting> = DEPLOYABLES[deployable];
  const required = Object.keys(settings).filter((name) => !settings[name].schema.safeParse(undefined).success);
  expect(
    names.filter((n) => !PLATFORM.includes(n) && !(n in settings)),
    `${deployable}: settings it does not read`,
  ).toEqual([]);
  expect(
    required.filter((n) => !names.includes(n)),
    `${deployable}: required settings missing`,
  ).toEqual([]);
}

describe("deployed settings match each deployable's configuration", () => {
  it('each Lambda function gets exactly what its handler reads', () => {
    const roles = s.template.findResources('AWS::IAM::Role');
    const seen: string[] = [];
    for (const fn of resources('AWS::Lambda::Function')) {
      // Our handlers' roles say which handler they serve ("Aisle <name> handler"); CDK's own functions have none.
      const name = /^Aisle (\S+) handler$/.exec(roles[fn.Properties.Role['Fn::GetAtt']?.[0]]?.Properties.Description ?? '')?.[1];
      if (!name) continue;
      seen.push(name);
      expectFits(name as Deployable, Object.keys(fn.Properties.Environment.Variables));
    }
    expect(seen.sort()).toEqual([...HANDLERS].sort());
  });

  it('the LLM worker container gets what llm-worker reads', () => {
    const [task] = resources('AWS::ECS::TaskDefinition').filter((t) => t.Properties.ContainerDefinitions.some((c: any) => c.Name === 'llm'));
    const llm = task.Properties.ContainerDefinitions.find((c: any) => c.Name === 'llm');
    expectFits(
      'llm-worker',
      llm.Environment.map((e: { Name: string }) => e.Name),
    );
  });

  it('the training task gets what the trainer reads, the encoder model what the encoder reads', () => {
    const [machine] = resources('AWS::StepFunctions::StateMachine');
    const definition = JSON.stringify(machine.Properties.DefinitionString);
    const overrides = /\\"Environment\\":\[(.*?)\]/.exec(definition)?.[1] ?? '';
    const names = [...overrides.matchAll(/\\"Name\\":\\"(\w+)\\"/g)].map((m) => m[1]);
    expect(names.length).toBeGreaterThan(0);
    expectFits('trainer', names);
    const [model] = resources('AWS::SageMaker::Model');
    expectFits('encoder', Object.keys(model.Properties.PrimaryContainer.Environment ?? {}));
  });
});
