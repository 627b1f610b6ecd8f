import { createRoute, z } from '@hono/zod-openapi';
import { describeCascade } from '../../tiers/registry.ts';
import { json } from '../schemas.ts';
import type { ApiApp, AppDeps } from '../types.ts';

const health = createRoute({
  method: 'get',
  path: '/health',
  tags: ['health'],
  summary: 'Liveness: the process answers',
  security: [],
  responses: {
    200: json('Alive', z.object({ status: z.literal('ok'), version: z.string() })),
  },
});

const CheckSchema = z.object({ ok: z.boolean(), required: z.boolean(), ms: z.number(), error: z.string().optional() });
const ReadySchema = z.object({ ready: z.boolean(), degraded: z.array(z.string()), checks: z.record(z.string(), CheckSchema) });

const ready = createRoute({
  method: 'get',
  path: '/ready',
  tags: ['health'],
  summary: 'Readiness: the store, the encoder and the LLM, each reachable or not',
  security: [],
  responses: {
    200: json('Every required dependency answers (optional ones may be degraded)', ReadySchema),
    503: json('A required dependency is down (see Retry-After)', ReadySchema),
  },
});

const TiersSchema = z.object({ items: z.array(z.object({ name: z.string(), summary: z.string() }).openapi('Tier')) });
const tiers = createRoute({
  method: 'get',
  path: '/v1/tiers',
  tags: ['health'],
  summary: 'The tiers of the cascade in the order they are consulted, with what each does',
  responses: { 200: json('Cache first, review last', TiersSchema) },
});

const PROBE_TIMEOUT_MS = 2000;

export function healthRoutes(app: ApiApp, deps: AppDeps) {
  app.openapi(health, (c) => c.json({ status: 'ok' as const, version: deps.version ?? '0.1.0' }, 200));
  app.openapi(tiers, (c) => c.json({ items: describeCascade() }, 200));

  app.openapi(ready, async (c) => {
    const entries = await Promise.all(
      Object.entries(deps.readiness ?? {}).map(async ([name, probe]) => {
        const started = performance.now();
        let timer: NodeJS.Timeout | undefined;
        try {
          await Promise.race([
            probe.check(),
            new Promise((_, reject) => {
              timer = setTimeout(() => reject(new Error(`no answer in ${PROBE_TIMEOUT_MS} ms`)), PROBE_TIMEOUT_MS);
            }),
          ]);
          return [name, { ok: true, required: probe.required, ms: performance.now() - started }] as const;
        } catch (err) {
          return [name, { ok: false, required: probe.required, ms: performance.now() - started, error: (err as Error).message }] as const;
        } finally {
          clearTimeout(timer);
        }
      }),
    );
    const checks = Object.fromEntries(entries);
    const isReady = entries.every(([, r]) => r.ok || !r.required);
    const body = { ready: isReady, degraded: entries.filter(([, r]) => !r.ok).map(([n]) => n), checks };
    if (isReady) return c.json(body, 200);
    c.header('Retry-After', '5');
    return c.json(body, 503);
  });
}
