import { createRoute, z } from '@hono/zod-openapi';
import { ApiError, errorResponses, notFound, notFoundResponse } from '../errors.ts';
import { ItemRecordSchema, json, KeyParamSchema, PageQuerySchema, pageOf } from '../schemas.ts';
import { type TenantDeps, tenantDeps } from '../tenancy.ts';
import type { ApiApp, AppDeps } from '../types.ts';
import { recordView } from '../views.ts';
import { labelItem, resolveClass } from './items.ts';

const listReview = createRoute({
  method: 'get',
  path: '/v1/review',
  tags: ['review'],
  summary: 'The needs_review queue, oldest first, paged',
  request: { query: PageQuerySchema },
  responses: {
    200: json('A page of items', pageOf(ItemRecordSchema)),
    ...errorResponses,
  },
});

const acceptOne = createRoute({
  method: 'post',
  path: '/v1/review/{key}/accept',
  tags: ['review'],
  summary: "Accept an item's best guess (or the class given) as its human label",
  request: {
    params: KeyParamSchema,
    body: { required: false, content: { 'application/json': { schema: z.object({ classId: z.string().min(1).optional() }) } } },
  },
  responses: {
    200: json('The labelled item', ItemRecordSchema),
    ...errorResponses,
    ...notFoundResponse,
    409: { description: 'The item is not in review, or has no guess to accept', content: errorResponses[400].content },
  },
});

const acceptMany = createRoute({
  method: 'post',
  path: '/v1/review/accept',
  tags: ['review'],
  summary: 'Bulk accept: each listed item in review has its best guess become its human label',
  request: {
    body: { required: true, content: { 'application/json': { schema: z.object({ keys: z.array(KeyParamSchema.shape.key).min(1).max(500) }) } } },
  },
  responses: {
    200: json(
      'What was accepted and what was not',
      z.object({ accepted: z.array(z.string()), failed: z.array(z.object({ key: z.string(), code: z.string(), message: z.string() })) }),
    ),
    ...errorResponses,
  },
});

export function reviewRoutes(app: ApiApp, deps: AppDeps) {
  app.openapi(listReview, async (c) => {
    const { limit, cursor } = c.req.valid('query');
    const page = await tenantDeps(deps, c.get('principal').tenant).results.listReview({ limit, cursor });
    return c.json({ items: page.items.map((r) => recordView(deps.taxonomy, r)), ...(page.next ? { next: page.next } : {}) }, 200);
  });

  const accept = async (own: TenantDeps, key: string, by: string, classId?: string) => {
    const item = await own.results.getItem(key);
    if (!item) throw notFound(`item ${key}`);
    if (item.current.decision.status !== 'needs_review') {
      const why = `item ${key} is not in review (${item.current.decision.tier}, ${item.current.decision.status}): relabel it with PUT /v1/items/${key}/label`;
      throw new ApiError(409, 'not_in_review', why);
    }
    if (classId) return labelItem(own, key, resolveClass(deps.taxonomy, classId), by);
    const guess = item.current.decision.classId;
    if (!guess) throw new ApiError(409, 'no_guess', `item ${key} has no guess to accept: label it with PUT /v1/items/${key}/label`);
    return labelItem(own, key, guess, by);
  };

  app.openapi(acceptOne, async (c) => {
    const { key } = c.req.valid('param');
    const body = c.req.header('content-type')?.includes('json') ? c.req.valid('json') : {};
    const { tenant, name } = c.get('principal');
    const record = await accept(tenantDeps(deps, tenant), key, name, body?.classId);
    return c.json(recordView(deps.taxonomy, record), 200);
  });

  app.openapi(acceptMany, async (c) => {
    const { tenant, name } = c.get('principal');
    const own = tenantDeps(deps, tenant);
    const accepted: string[] = [];
    const failed: { key: string; code: string; message: string }[] = [];
    for (const key of c.req.valid('json').keys) {
      try {
        await accept(own, key, name);
        accepted.push(key);
      } catch (err) {
        if (!(err instanceof ApiError)) throw err;
        failed.push({ key, code: err.code, message: err.message });
      }
    }
    return c.json({ accepted, failed }, 200);
  });
}
