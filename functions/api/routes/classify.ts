import { createRoute, z } from '@hono/zod-openapi';
import { toCascadeItem } from '../../core/normalize.ts';
import { decisionSignature, type ProductInput } from '../../core/types.ts';
import type { ItemRecord } from '../../ports.ts';
import { errorResponses } from '../errors.ts';
import { ClassifyRequestSchema, ClassifyResponseSchema, json } from '../schemas.ts';
import { tenantDeps } from '../tenancy.ts';
import type { ApiApp, AppDeps } from '../types.ts';
import { decisionView } from '../views.ts';

const route = createRoute({
  method: 'post',
  path: '/v1/classify',
  tags: ['classify'],
  summary: 'Classify 1..100 products; answers in the same order',
  request: {
    query: z.object({
      trace: z.enum(['0', '1', 'true', 'false']).optional().openapi({ description: "1: include each decision's full trace" }),
    }),
    body: { required: true, content: { 'application/json': { schema: ClassifyRequestSchema } } },
  },
  responses: {
    200: json('One decision per item, in order', ClassifyResponseSchema),
    ...errorResponses,
  },
});

/** Decisions remembered per tenant and key: a repeat of the same decision adds nothing to an item's history. */
const RECENT_LIMIT = 100_000;

export function classifyRoutes(app: ApiApp, deps: AppDeps, clock: () => Date) {
  const recent = new Map<string, string>();
  app.openapi(route, async (c) => {
    const started = performance.now();
    const { items } = c.req.valid('json');
    const withTrace = ['1', 'true'].includes(c.req.valid('query').trace ?? '');
    const inputs: ProductInput[] = items.map((i) => ({
      name: i.name,
      ...(i.search_term ? { searchTerm: i.search_term } : {}),
      ...(i.brand ? { brand: i.brand } : {}),
      ...(i.description ? { description: i.description } : {}),
    }));
    const cascadeItems = inputs.map(toCascadeItem);
    const own = tenantDeps(deps, c.get('principal').tenant);
    const decisions = await own.cascade.classify(cascadeItems);
    // A cache hit repeats a stored decision: only fresh decisions join an item's history.
    let at: string | undefined;
    const fresh: ItemRecord[] = [];
    // The decision is claimed in `recent` before it is written, with no await between the check and the claim:
    // a concurrent call (or the same name twice in one call) with the same decision then writes nothing.
    if (recent.size + decisions.length > RECENT_LIMIT) recent.clear();
    const recentId = (key: string) => `${own.tenant}\u0000${key}`;
    decisions.forEach((decision, i) => {
      const sig = decisionSignature(decision);
      if (decision.tier === 'cache' || recent.get(recentId(decision.key)) === sig) return;
      recent.set(recentId(decision.key), sig);
      fresh.push({ decision, input: inputs[i], text: cascadeItems[i].text, at: (at ??= clock().toISOString()) });
    });
    if (fresh.length) {
      try {
        await own.results.saveDecisions(fresh);
      } catch (err) {
        // Not written: the next call for these items writes them.
        for (const r of fresh) if (recent.get(recentId(r.decision.key)) === decisionSignature(r.decision)) recent.delete(recentId(r.decision.key));
        throw err;
      }
    }
    return c.json(
      {
        items: decisions.map((d, i) => ({ name: inputs[i].name, ...decisionView(deps.taxonomy, d, withTrace) })),
        ms: performance.now() - started,
        taxonomyVersion: deps.taxonomy.version,
      },
      200,
    );
  });
}
