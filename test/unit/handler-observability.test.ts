import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { functionObservability, jobKeysOf, observed, withJobKeys } from '../../functions/handlers/observability.ts';

/** The JSON lines Powertools wrote to stdout while `fn` ran. */
let lines: Record<string, unknown>[];
beforeEach(() => {
  lines = [];
  const capture = (chunk: unknown) => {
    for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
    return true;
  };
  vi.spyOn(process.stdout, 'write').mockImplementation(capture);
  vi.spyOn(process.stderr, 'write').mockImplementation(capture);
});
afterEach(() => vi.restoreAllMocks());

const context = { functionName: 'aisle-classify', awsRequestId: 'req-1', invokedFunctionArn: 'arn:x', memoryLimitInMB: '512' } as unknown as Context;

describe('withJobKeys', () => {
  it('logs every line of a message about a job with its job and tenant ids, and leaves the shared logger alone', () => {
    const logger = new Logger({ serviceName: 'aisle' });
    const scoped = withJobKeys({ logger }, JSON.stringify({ tenant: 'acme', jobId: 'job-7', chunk: 3 }));
    scoped.logger.info('chunk classified');
    scoped.logger.warn('slow');
    logger.info('unrelated');
    expect(lines.slice(0, 2)).toEqual([
      expect.objectContaining({ message: 'chunk classified', jobId: 'job-7', tenant: 'acme' }),
      expect.objectContaining({ message: 'slow', jobId: 'job-7', tenant: 'acme' }),
    ]);
    expect(lines[2]).not.toHaveProperty('jobId');
  });

  it('keeps the deps of a message that names no job (an S3 notification, a malformed body)', () => {
    const deps = { logger: new Logger() };
    expect(withJobKeys(deps, '{"Records":[]}')).toBe(deps);
    expect(withJobKeys(deps, 'not json')).toBe(deps);
    expect(jobKeysOf('{"jobId":"j"}')).toEqual({ jobId: 'j' });
  });
});

describe('observed', () => {
  beforeEach(() => {
    process.env.TABLE_NAME = 'aisle-table';
    process.env.POWERTOOLS_METRICS_NAMESPACE = 'AisleTest';
    process.env.AWS_LAMBDA_INITIALIZATION_TYPE = 'on-demand'; // Powertools counts cold starts of on-demand functions only
  });

  it('logs with the Lambda context, flushes the metrics the invocation added, and rethrows an error after logging it', async () => {
    const handler = observed('authorizer', async (event: { fail?: boolean }) => {
      functionObservability(() => ({})).metrics.addMetric('RowsIngested', 'Count', 5);
      functionObservability(() => ({})).logger.info('working');
      if (event.fail) throw new Error('boom');
      return 'ok';
    });
    expect(await handler({}, context)).toBe('ok');
    expect(lines).toContainEqual(expect.objectContaining({ message: 'working', function_request_id: 'req-1', function_name: 'aisle-classify' }));
    const emf = lines.filter((l) => '_aws' in l);
    expect(emf.some((l) => l.RowsIngested === 5)).toBe(true);
    expect(emf.some((l) => l.ColdStart === 1)).toBe(true);
    expect(JSON.stringify(emf)).toContain('AisleTest');

    lines.length = 0;
    await expect(handler({ fail: true }, context)).rejects.toThrow('boom');
    expect(lines).toContainEqual(expect.objectContaining({ level: 'ERROR', message: 'invocation failed' }));
    expect(lines.some((l) => '_aws' in l && l.RowsIngested === 5)).toBe(true);
  });
});
