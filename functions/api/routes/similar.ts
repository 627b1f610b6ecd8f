import { createRoute, z } from '@hono/zod-openapi';
import type { Taxonomy } from '../../core/taxonomy.ts';
import { MAX_K } from '../../similar/similar.ts';
import { ApiError, errorResponses, notFound, notFoundResponse } from '../errors.ts';
import { json, KeyParamSchema } from '../schemas.ts';
import type { ApiApp, AppDeps } from '../types.ts';
import { resolveClass } from './items.ts';

const SimilarItemSchema = z
  .object({
    key: z.string(),
    name: z.string(),
    classId: z.string().nullable(),
    label: z.string().nullable().openapi({ example: 'Food > Dairy & Eggs' }),
    score: z.number().openapi({ description: 'cosine similarity of the two item vectors, -1..1 (1: the same)' }),
  })
  .openapi('SimilarItem');

const SimilarResponseSchema = z.object({ item: SimilarItemSchema.optional(), similar: z.array(SimilarItemSchema) }).openapi('SimilarResponse');

const RecommendationSchema = SimilarItemSchema.extend({
  score: z.number().openapi({ description: '0..1: bought-together strength and similarity, blended by how much purchase history the item has' }),
  sources: z.array(z.enum(['bought_together', 'similar'])),
  lift: z.number().optional().openapi({ description: 'how much more often the two are bought together than by chance' }),
  sessions: z.number().optional().openapi({ description: 'purchase sessions holding both' }),
  similarity: z.number().optional(),
}).openapi('Recommendation');

const kParam = z.coerce.number().int().min(1).max(MAX_K).default(10);
const categoryParam = z.string().min(1).max(200).optional().openapi({ description: 'only items of this class or below it (id or label)' });

const SimilarQuerySchema = z.object({ k: kParam, category: categoryParam });

const SimilarTextSchema = z
  .object({
    text: z.string().trim().min(1, 'give a text').max(1000),
    k: z.number().int().min(1).max(MAX_K).default(10),
    category: categoryParam,
  })
  .openapi('SimilarRequest', { example: { text: 'oat milk barista', k: 5 } });

const itemSimilar = createRoute({
  method: 'get',
  path: '/v1/items/{key}/similar',
  tags: ['similar'],
  summary: 'The items most like this one (cosine over item vectors), best first, each with its score',
  request: { params: KeyParamSchema, query: SimilarQuerySchema },
  responses: { 200: json('Similar items', SimilarResponseSchema), ...errorResponses, ...notFoundResponse },
});

const textSimilar = createRoute({
  method: 'post',
  path: '/v1/similar',
  tags: ['similar'],
  summary: 'The items most like a free text (a product name, a shopper’s words), best first',
  request: { body: { required: true, content: { 'application/json': { schema: SimilarTextSchema } } } },
  responses: { 200: json('Similar items', SimilarResponseSchema), ...errorResponses },
});

const itemRecommend = createRoute({
  method: 'get',
  path: '/v1/items/{key}/recommend',
  tags: ['similar'],
  summary: 'Recommendations: items bought together with this one (lift), blended with similar items for items with little history',
  request: { params: KeyParamSchema, query: SimilarQuerySchema },
  responses: {
    200: json('Recommendations', z.object({ recommendations: z.array(RecommendationSchema) }).openapi('Recommendations')),
    ...errorResponses,
    ...notFoundResponse,
  },
});

const unavailable = () => new ApiError(503, 'unavailable', 'similar products are not set up on this server');

function view(taxonomy: Taxonomy, item: { key: string; name: string; classId: string | null; score: number }) {
  return { ...item, label: item.classId ? (taxonomy.get(item.classId)?.label ?? null) : null };
}

/** Every route answers from the caller's tenant's index alone (forTenant), like every other route. */
export function similarRoutes(app: ApiApp, deps: AppDeps) {
  const category = (c?: string) => (c ? { classId: resolveClass(deps.taxonomy, c) } : {});

  app.openapi(itemSimilar, async (c) => {
    if (!deps.similar) throw unavailable();
    const { key } = c.req.valid('param');
    const q = c.req.valid('query');
    const found = await deps.similar.forTenant(c.get('principal').tenant).similarToItem(key, q.k, category(q.category));
    if (!found) throw notFound(`item ${key}`);
    return c.json({ item: view(deps.taxonomy, found.item), similar: found.similar.map((s) => view(deps.taxonomy, s)) }, 200);
  });

  app.openapi(textSimilar, async (c) => {
    if (!deps.similar) throw unavailable();
    const body = c.req.valid('json');
    const found = await deps.similar.forTenant(c.get('principal').tenant).similarToText(body.text, body.k, category(body.category));
    return c.json({ similar: found.map((s) => view(deps.taxonomy, s)) }, 200);
  });

  app.openapi(itemRecommend, async (c) => {
    if (!deps.recommender) throw unavailable();
    const { key } = c.req.valid('param');
    const q = c.req.valid('query');
    const found = await deps.recommender.forTenant(c.get('principal').tenant).recommend(key, q.k, category(q.category));
    if (!found) throw notFound(`item ${key}`);
    return c.json({ recommendations: found.map((r) => ({ ...r, label: r.classId ? (deps.taxonomy.get(r.classId)?.label ?? null) : null })) }, 200);
  });
}
