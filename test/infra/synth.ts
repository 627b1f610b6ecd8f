import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { type AisleSettings, AisleStack } from '../../lib/stack.ts';

export interface Synthesized {
  stack: AisleStack;
  /** The cloud assembly folder (bundled Lambda assets are staged there as asset.<hash>/). */
  outdir: string;
  template: Template;
  /** AwsSolutions findings not acknowledged, as `RuleId[finding] at construct/path`. */
  nagFindings: string[];
}

/**
 * Synthesizes the stack once (call from beforeAll). `bundle: false` skips esbuild (asset hashes become
 * placeholders), which is what every test but the one that checks bundling wants.
 */
export function synthesize(settings: Partial<AisleSettings> = {}, { bundle = false } = {}): Synthesized {
  // The built-in CloudFormation rule check is slow (~20 s here) and only warns: `cdk synth` in CI runs it.
  const app = new App({ builtinCloudFormationValidation: false, context: bundle ? {} : { 'aws:cdk:bundling-stacks': [] } });
  const stack = new AisleStack(app, 'Aisle', { settings });
  const template = Template.fromStack(stack);
  const outdir = app.synth().directory;
  const report = new AwsSolutionsChecks(app).validateScope(app);
  const nagFindings = report.violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath}`));
  return { stack, outdir, template, nagFindings };
}
