import { createRoute, z } from '@hono/zod-openapi';
import { ZodError } from 'zod';
import { UnknownQueryError } from '../../core/insights.ts';
import { DEFAULT_SHOPPER_INSIGHT_PARAMS as DEFAULTS } from '../../shoppers/registry.ts';
import { ApiError, errorResponses, notFoundResponse, zodDetails } from '../errors.ts';
import { json } from '../schemas.ts';
import { tenantDeps } from '../tenancy.ts';
import type { ApiApp, AppDeps } from '../types.ts';

const InsightSchema = z.object({ name: z.string(), description: z.string() }).openapi('ShopperInsight');

const list = createRoute({
  method: 'get',
  path: '/v1/shoppers/insights',
  tags: ['shoppers'],
  summary: "The named shopper insights over the caller's shopper tables",
  responses: {
    200: json('Insight names and what each answers', z.object({ items: z.array(InsightSchema) })),
    ...errorResponses,
    ...notFoundResponse,
  },
});

const runOne = createRoute({
  method: 'get',
  path: '/v1/shoppers/insights/{name}',
  tags: ['shoppers'],
  summary: 'Run a named shopper insight (DuckDB over the shopper tables locally, Athena over the lake on AWS)',
  request: {
    params: z.object({
      name: z
        .string()
        .regex(/^[a-z0-9_]{1,64}$/)
        .openapi({ param: { name: 'name', in: 'path' }, example: 'frequent_category_sets' }),
    }),
    // Checked by the shopper insight registry (one set of bounds for the API, the CLI and whoever asks by name).
    query: z.object({
      min_support: z
        .string()
        .optional()
        .openapi({ description: `share of purchase sessions, 0..1, a category set must reach (default ${DEFAULTS.minSupport})`, example: '0.02' }),
      top: z
        .string()
        .optional()
        .openapi({ description: `rows kept by ranked queries, 1..1000, per category where they rank within one (default ${DEFAULTS.topN})` }),
    }),
  },
  responses: {
    200: json(
      'The rows',
      z.object({
        name: z.string(),
        params: z.object({ min_support: z.number(), top: z.number() }),
        rows: z.array(z.record(z.string(), z.unknown())),
      }),
    ),
    ...errorResponses,
    ...notFoundResponse,
  },
});

const numberOrUndefined = (text: string | undefined) => (text === undefined || text === '' ? undefined : Number(text));

export function shopperRoutes(app: ApiApp, deps: AppDeps) {
  const insights = (tenant: string) => {
    const own = tenantDeps(deps, tenant).shopperInsights;
    if (!own) throw new ApiError(404, 'not_found', 'shopper insights are not configured on this server');
    return own;
  };
  app.openapi(list, async (c) => c.json({ items: await insights(c.get('principal').tenant).list() }, 200));
  app.openapi(runOne, async (c) => {
    const { name } = c.req.valid('param');
    const query = c.req.valid('query');
    const params = { minSupport: numberOrUndefined(query.min_support), topN: numberOrUndefined(query.top) };
    try {
      const rows = await insights(c.get('principal').tenant).run(name, params);
      return c.json({ name, params: { min_support: params.minSupport ?? DEFAULTS.minSupport, top: params.topN ?? DEFAULTS.topN }, rows }, 200);
    } catch (err) {
      if (err instanceof UnknownQueryError) throw new ApiError(404, 'not_found', err.message);
      if (err instanceof ZodError) {
        // The registry's parameter names, as the query string spells them.
        const spelled = err.issues.map((i) => ({ ...i, path: i.path.map((p) => (p === 'minSupport' ? 'min_support' : p === 'topN' ? 'top' : p)) }));
        throw new ApiError(400, 'invalid_request', 'bad shopper insight parameters', zodDetails(spelled, 'query'));
      }
      throw err;
    }
  });
}
