/** Retraining step "export" (Step Functions task): see functions/handlers/retrain.ts. */

import { observed } from './observability.ts';
import { exportLabelled, retrainStep } from './retrain.ts';
import { awsRetrainDeps } from './step-deps.ts';

export const makeHandler = retrainStep(exportLabelled);
export const handler = observed(
  'retrain-export',
  makeHandler(() => awsRetrainDeps('retrain-export')),
);
