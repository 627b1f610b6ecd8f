import { createRoute } from '@hono/zod-openapi';
import type { Taxonomy } from '../../core/taxonomy.ts';
import type { Decision } from '../../core/types.ts';
import { ApiError, errorResponses, notFound, notFoundResponse } from '../errors.ts';
import { ItemRecordSchema, ItemSchema, json, KeyParamSchema, LabelRequestSchema } from '../schemas.ts';
import { type TenantDeps, tenantDeps } from '../tenancy.ts';
import type { ApiApp, AppDeps } from '../types.ts';
import { recordView } from '../views.ts';

const getItem = createRoute({
  method: 'get',
  path: '/v1/items/{key}',
  tags: ['items'],
  summary: "An item's current decision and its history, newest first",
  request: { params: KeyParamSchema },
  responses: {
    200: json('The item', ItemSchema),
    ...errorResponses,
    ...notFoundResponse,
  },
});

const putLabel = createRoute({
  method: 'put',
  path: '/v1/items/{key}/label',
  tags: ['items'],
  summary: 'Give an item a human label: stored as gold, it overrides the cache and every tier',
  request: { params: KeyParamSchema, body: { required: true, content: { 'application/json': { schema: LabelRequestSchema } } } },
  responses: {
    200: json('The labelled item', ItemRecordSchema),
    ...errorResponses,
    ...notFoundResponse,
  },
});

/** Resolves a class id or label against the taxonomy, or answers 400 naming the field. */
export function resolveClass(taxonomy: Taxonomy, idOrLabel: string): string {
  const cls = taxonomy.resolve(idOrLabel);
  if (!cls) {
    throw new ApiError(400, 'invalid_request', 'the label is not in the taxonomy', [
      { path: 'classId', message: `"${idOrLabel}" is not a class of taxonomy ${taxonomy.name} ${taxonomy.version} (GET /v1/taxonomy lists them)` },
    ]);
  }
  return cls.id;
}

/** Labels one of the tenant's items as gold and writes the label to its cache, so its next classify answers `human`. */
export async function labelItem(own: TenantDeps, key: string, classId: string, labelledBy: string) {
  const record = await own.results.setHumanLabel(key, classId, labelledBy);
  if (!record) throw notFound(`item ${key}`);
  if (own.cache) {
    const gold: Decision = { ...record.decision, trace: undefined };
    await own.cache.putMany([gold]);
  }
  return record;
}

export function itemRoutes(app: ApiApp, deps: AppDeps) {
  app.openapi(getItem, async (c) => {
    const { key } = c.req.valid('param');
    const item = await tenantDeps(deps, c.get('principal').tenant).results.getItem(key);
    if (!item) throw notFound(`item ${key}`);
    return c.json({ current: recordView(deps.taxonomy, item.current), history: item.history.map((r) => recordView(deps.taxonomy, r)) }, 200);
  });

  app.openapi(putLabel, async (c) => {
    const { key } = c.req.valid('param');
    const classId = resolveClass(deps.taxonomy, c.req.valid('json').classId);
    const { tenant, name } = c.get('principal');
    const record = await labelItem(tenantDeps(deps, tenant), key, classId, name);
    return c.json(recordView(deps.taxonomy, record), 200);
  });
}
