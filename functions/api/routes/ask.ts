import { createRoute, z } from '@hono/zod-openapi';
import { askCatalog, DEFAULT_K } from '../../ask/service.ts';
import { ApiError, ErrorSchema, errorResponses } from '../errors.ts';
import { TokenBuckets } from '../rate-limit.ts';
import { json } from '../schemas.ts';
import { tenantDeps } from '../tenancy.ts';
import type { ApiApp, AppDeps } from '../types.ts';

/** Questions cost an LLM call each: a tighter bucket per key than the API's, on top of it. */
export const ASK_RATE_LIMIT = { ratePerSecond: 2, burst: 10 };

const AskRequestSchema = z
  .object({
    question: z.string().trim().min(3).max(500).openapi({ example: 'which gluten-free snacks do we carry?' }),
    kind: z.enum(['product', 'analytics']).optional().openapi({ description: 'Guessed from the question when absent' }),
    k: z
      .number()
      .int()
      .min(1)
      .max(50)
      .optional()
      .openapi({ description: `Items to retrieve for a product question (default ${DEFAULT_K})` }),
    classIds: z.array(z.string().min(1).max(100)).max(20).optional().openapi({ description: 'Only items of these classes (or their subclasses)' }),
  })
  .openapi('AskRequest');

const GenerationSchema = z.object({
  status: z.enum(['answered', 'unavailable', 'rejected']),
  model: z.string().optional(),
  reason: z.string().optional(),
});

const RetrievedSchema = z.object({
  key: z.string(),
  name: z.string(),
  brand: z.string().optional(),
  classId: z.string().nullable(),
  label: z.string(),
  status: z.enum(['ok', 'needs_review']),
  score: z.number(),
});

const AskResponseSchema = z
  .union([
    z.object({
      kind: z.literal('product'),
      question: z.string(),
      items: z.array(RetrievedSchema),
      generation: GenerationSchema,
      answer: z.string().optional(),
      citations: z.array(z.string()).optional().openapi({ description: 'Keys of retrieved items only: an answer citing any other is rejected' }),
    }),
    z.object({
      kind: z.literal('analytics'),
      question: z.string(),
      query: z
        .object({
          name: z.string(),
          source: z.enum(['lake', 'shoppers']),
          description: z.string(),
          params: z.record(z.string(), z.unknown()),
          plannedBy: z.enum(['llm', 'keywords']),
        })
        .nullable(),
      generation: GenerationSchema,
      summary: z.string(),
      rows: z.array(z.record(z.string(), z.unknown())).optional(),
      rowsBeforeFilters: z.number().optional(),
      figures: z.record(z.string(), z.number()).optional(),
      known: z.array(z.string()).optional(),
    }),
  ])
  .openapi('AskResponse');

const askRoute = createRoute({
  method: 'post',
  path: '/v1/ask',
  tags: ['ask'],
  summary: "Ask about the catalog: items answered from the tenant's own items with cited keys, or figures from a named insight query",
  request: { body: { required: true, content: { 'application/json': { schema: AskRequestSchema } } } },
  responses: {
    200: json('The answer, the items or rows it rests on, and how it was made', AskResponseSchema),
    ...errorResponses,
    501: json('Ask is not set up on this server', ErrorSchema),
  },
});

export function askRoutes(app: ApiApp, deps: AppDeps) {
  const nowMs = deps.clock ? () => deps.clock!().getTime() : Date.now;
  const buckets = deps.rateLimit === null ? null : new TokenBuckets(ASK_RATE_LIMIT.ratePerSecond, ASK_RATE_LIMIT.burst, nowMs);
  app.openapi(askRoute, async (c) => {
    if (!deps.ask) throw new ApiError(501, 'not_implemented', 'ask is not set up on this server');
    const principal = c.get('principal');
    const taken = buckets?.take(principal.keyId);
    if (taken && !taken.ok) {
      const why = `too many questions for this key: at most ${ASK_RATE_LIMIT.ratePerSecond}/s (bursts of ${ASK_RATE_LIMIT.burst})`;
      throw new ApiError(429, 'rate_limited', why, undefined, { 'Retry-After': String(taken.retryAfterSeconds) });
    }
    const body = c.req.valid('json');
    const unknown = body.classIds?.filter((id) => !deps.taxonomy.resolve(id));
    if (unknown?.length)
      throw new ApiError(400, 'invalid_request', 'unknown class', [{ path: 'classIds', message: `not in the taxonomy: ${unknown.join(', ')}` }]);
    const classIds = body.classIds?.map((id) => deps.taxonomy.resolve(id)!.id);
    // Object-level authorization: the caller's tenant's items and insight queries, nobody else's.
    const services = deps.ask.forTenant(principal.tenant, tenantDeps(deps, principal.tenant).insights);
    const answer = await askCatalog(services, { question: body.question, kind: body.kind, k: body.k, filters: classIds ? { classIds } : undefined });
    return c.json(answer, 200);
  });
}
