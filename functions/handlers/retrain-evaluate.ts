/** Retraining step "evaluate" (Step Functions task): see functions/handlers/retrain.ts. */

import { observed } from './observability.ts';
import { evaluateRun, retrainStep } from './retrain.ts';
import { awsRetrainDeps } from './step-deps.ts';

export const makeHandler = retrainStep(evaluateRun);
export const handler = observed(
  'retrain-evaluate',
  makeHandler(() => awsRetrainDeps('retrain-evaluate')),
);
