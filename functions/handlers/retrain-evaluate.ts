/** Retraining step "evaluate" (Step Functions task): see functions/handlers/retrain.ts. */
import { awsRetrainDeps } from './deps.ts';
import { evaluateRun, type RetrainDeps, type RetrainEvent } from './retrain.ts';

export function makeHandler(deps: RetrainDeps | (() => RetrainDeps)) {
  const resolve = typeof deps === 'function' ? deps : () => deps;
  return async (event: RetrainEvent) => evaluateRun(resolve(), event);
}

export const handler = makeHandler(() => awsRetrainDeps('retrain-evaluate'));
