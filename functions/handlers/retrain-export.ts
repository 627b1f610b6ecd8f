/** Retraining step "export" (Step Functions task): see functions/handlers/retrain.ts. */
import { awsRetrainDeps } from './deps.ts';
import { exportLabelled, type RetrainDeps, type RetrainEvent } from './retrain.ts';

export function makeHandler(deps: RetrainDeps | (() => RetrainDeps)) {
  const resolve = typeof deps === 'function' ? deps : () => deps;
  return async (event: RetrainEvent) => exportLabelled(resolve(), event);
}

export const handler = makeHandler(() => awsRetrainDeps('retrain-export'));
