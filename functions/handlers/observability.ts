/**
 * Powertools around every Lambda handler (docs/aws.md#operate). One logger, one metrics buffer and one tracer
 * per process (a Lambda runs one function), named by the function's settings. Each invocation logs with the
 * Lambda context (request id, cold start), is traced as a handler subsegment with a cold-start annotation and
 * its error recorded, and flushes its metrics. A queue message about a job logs with the job and tenant ids
 * as persistent keys (withJobKeys), so a job's lines are found by `jobId` across every function.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import type { Context } from 'aws-lambda';
import { type ConfigOf, configOf, type Deployable } from '../config/deployables.ts';

/** The Powertools settings of a function (functions/config: POWERTOOLS_*); unset fields take Powertools' defaults. */
export type ObservabilitySettings = Partial<
  Pick<ConfigOf<'authorizer'>, 'powertoolsServiceName' | 'powertoolsMetricsNamespace' | 'powertoolsLogLevel'>
>;

export interface Observability {
  logger: Logger;
  metrics: Metrics;
  tracer: Tracer;
}

/** A logger, metrics and tracer named by the settings. */
export function observability(config: ObservabilitySettings): Observability {
  const serviceName = config.powertoolsServiceName;
  return {
    logger: new Logger({ serviceName, logLevel: config.powertoolsLogLevel }),
    metrics: new Metrics({ serviceName, namespace: config.powertoolsMetricsNamespace }),
    tracer: new Tracer({ serviceName }),
  };
}

let processObservability: Observability | undefined;

/** This process's one set, made from `settings()` on first use; the handler wiring and `observed` share it. */
export function functionObservability(settings: () => ObservabilitySettings): Observability {
  processObservability ??= observability(settings());
  return processObservability;
}

/**
 * Wraps a Lambda handler with the process's Powertools: context in the log lines, a handler subsegment with the
 * cold start annotated and the error recorded, the cold-start metric, and metrics flushed after each invocation.
 */
export function observed<E, R>(fn: Deployable, handler: (event: E, context: Context) => Promise<R>): (event: E, context: Context) => Promise<R> {
  return async (event, context) => {
    const { logger, metrics, tracer } = functionObservability(() => configOf(fn) as ObservabilitySettings);
    if (context) logger.addContext(context);
    metrics.captureColdStartMetric(context?.functionName);
    const parent = tracer.isTracingEnabled() ? tracer.getSegment() : undefined;
    const segment = parent?.addNewSubsegment(`## ${context?.functionName ?? 'handler'}`);
    if (segment) {
      tracer.setSegment(segment);
      tracer.annotateColdStart();
      tracer.addServiceNameAnnotation();
    }
    try {
      return await handler(event, context);
    } catch (err) {
      if (segment) tracer.addErrorAsMetadata(err as Error);
      logger.error('invocation failed', err as Error);
      throw err;
    } finally {
      segment?.close();
      if (parent) tracer.setSegment(parent);
      if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
      logger.resetKeys();
    }
  };
}

/** The job and tenant a queue message is about, when its body says (classify, finalize and LLM messages do). */
export function jobKeysOf(body: string): { jobId: string; tenant?: string } | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined; // the step reports the malformed body itself
  }
  const { jobId, tenant } = (parsed ?? {}) as { jobId?: unknown; tenant?: unknown };
  if (typeof jobId !== 'string' || !jobId) return undefined;
  return typeof tenant === 'string' ? { jobId, tenant } : { jobId };
}

/**
 * The deps a message's step runs with: its logger a child carrying the job and tenant as persistent keys (a
 * child per message, because a batch's messages run in parallel and may belong to different jobs).
 */
export function withJobKeys<D extends { logger: Logger }>(deps: D, body: string): D {
  const keys = jobKeysOf(body);
  return keys ? { ...deps, logger: deps.logger.createChild({ persistentKeys: keys }) } : deps;
}
