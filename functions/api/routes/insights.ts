import { createRoute, z } from '@hono/zod-openapi';
import { BadJobIdError, UnknownQueryError } from '../../core/insights.ts';
import { ApiError, errorResponses, notFoundResponse } from '../errors.ts';
import { json } from '../schemas.ts';
import { tenantDeps } from '../tenancy.ts';
import type { ApiApp, AppDeps } from '../types.ts';

const QuerySchema = z.object({ name: z.string(), description: z.string() }).openapi('InsightQuery');

const list = createRoute({
  method: 'get',
  path: '/v1/insights',
  tags: ['insights'],
  summary: 'The named insight queries over the results lake',
  responses: {
    200: json('Query names and what each answers', z.object({ items: z.array(QuerySchema) })),
    ...errorResponses,
    ...notFoundResponse,
  },
});

const runOne = createRoute({
  method: 'get',
  path: '/v1/insights/{name}',
  tags: ['insights'],
  summary: 'Run a named query (DuckDB locally, Athena on AWS); `job` limits it to one job',
  request: {
    params: z.object({
      name: z
        .string()
        .regex(/^[a-z0-9_]{1,64}$/)
        .openapi({ param: { name: 'name', in: 'path' }, example: 'tier_mix' }),
    }),
    query: z.object({
      job: z
        .string()
        .regex(/^[A-Za-z0-9_.-]{1,128}$/, 'letters, digits, ".", "_" and "-" only')
        .optional(),
    }),
  },
  responses: {
    200: json('The rows', z.object({ name: z.string(), job: z.string().nullable(), rows: z.array(z.record(z.string(), z.unknown())) })),
    ...errorResponses,
    ...notFoundResponse,
  },
});

export function insightsRoutes(app: ApiApp, deps: AppDeps) {
  const insights = (tenant: string) => {
    const own = tenantDeps(deps, tenant).insights;
    if (!own) throw new ApiError(404, 'not_found', 'insights are not configured on this server');
    return own;
  };
  app.openapi(list, async (c) => c.json({ items: await insights(c.get('principal').tenant).list() }, 200));
  app.openapi(runOne, async (c) => {
    const { name } = c.req.valid('param');
    const { job } = c.req.valid('query');
    try {
      return c.json({ name, job: job ?? null, rows: await insights(c.get('principal').tenant).run(name, { jobId: job }) }, 200);
    } catch (err) {
      if (err instanceof UnknownQueryError) throw new ApiError(404, 'not_found', err.message);
      if (err instanceof BadJobIdError) throw new ApiError(400, 'invalid_request', err.message, [{ path: 'query.job', message: err.message }]);
      throw err;
    }
  });
}
