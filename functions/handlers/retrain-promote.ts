/** Retraining step "promote" (Step Functions task): see functions/handlers/retrain.ts. */

import { observed } from './observability.ts';
import { promoteRun, retrainStep } from './retrain.ts';
import { awsRetrainDeps } from './step-deps.ts';

export const makeHandler = retrainStep(promoteRun);
export const handler = observed(
  'retrain-promote',
  makeHandler(() => awsRetrainDeps('retrain-promote')),
);
