#!/usr/bin/env node
// CDK app entry (cdk.json runs it with tsx). Environment-agnostic: synthesizes offline, deploys to the
// account and region of the caller's credentials.
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { AisleStack } from '../lib/stack.ts';

const app = new App();
new AisleStack(app, app.node.tryGetContext('stackName') ?? 'Aisle', {
  description: 'Aisle: retail product classification (cache → rules → encoder → LLM → review)',
});
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();
