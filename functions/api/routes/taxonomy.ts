import { createRoute, z } from '@hono/zod-openapi';
import { errorResponses } from '../errors.ts';
import { json } from '../schemas.ts';
import type { ApiApp, AppDeps } from '../types.ts';

const TaxonomySchema = z
  .object({
    name: z.string(),
    version: z.string(),
    levels: z.array(z.string()),
    classes: z.array(
      z.object({
        id: z.string(),
        name: z.string(),
        label: z.string(),
        description: z.string(),
        path: z.array(z.string()),
        depth: z.number(),
        parentId: z.string().nullable(),
        isLeaf: z.boolean(),
      }),
    ),
  })
  .openapi('Taxonomy');

const route = createRoute({
  method: 'get',
  path: '/v1/taxonomy',
  tags: ['taxonomy'],
  summary: 'The taxonomy: every class with its path, leaves marked',
  responses: { 200: json('The taxonomy', TaxonomySchema), ...errorResponses },
});

export function taxonomyRoutes(app: ApiApp, deps: AppDeps) {
  const t = deps.taxonomy;
  const body = { name: t.name, version: t.version, levels: t.levels, classes: t.classes };
  app.openapi(route, (c) => c.json(body, 200));
}
