import { createRoute, z } from '@hono/zod-openapi';
import { DEFAULT_TENANT } from '../../core/api-keys.ts';
import { ApiError, errorResponses, notFound, notFoundResponse } from '../errors.ts';
import { json } from '../schemas.ts';
import type { ApiApp, AppDeps } from '../types.ts';

const ModelVersionSchema = z
  .object({
    version: z.string(),
    role: z.enum(['champion', 'challenger', 'retired']),
    metrics: z.record(z.string(), z.unknown()).openapi({ description: 'metrics.json: accuracy, macro-F1 per level, thresholds, confusion matrix' }),
    createdAt: z.string(),
  })
  .openapi('ModelVersion');

const TrainingRunSchema = z
  .object({
    id: z.string(),
    status: z.enum(['running', 'succeeded', 'failed']),
    startedAt: z.string(),
    finishedAt: z.string().optional(),
    detail: z.string().optional(),
    progress: z.string().optional().openapi({ description: "What the run is doing now: locally the trainer's latest line" }),
    error: z.string().optional().openapi({ description: 'Why the run failed' }),
  })
  .openapi('TrainingRun');

const listModels = createRoute({
  method: 'get',
  path: '/v1/models',
  tags: ['models'],
  summary: 'The champion, the challengers and their metrics',
  responses: {
    200: json(
      'Model versions',
      z.object({ champion: ModelVersionSchema.nullable(), challengers: z.array(ModelVersionSchema), retired: z.array(ModelVersionSchema) }),
    ),
    ...errorResponses,
  },
});

const retrain = createRoute({
  method: 'post',
  path: '/v1/models/retrain',
  tags: ['models'],
  summary: 'Start retraining in the background (export → train → evaluate → promote)',
  responses: {
    202: json('The run started', TrainingRunSchema),
    ...errorResponses,
  },
});

const getRun = createRoute({
  method: 'get',
  path: '/v1/models/retrain/{id}',
  tags: ['models'],
  summary: 'A retraining run',
  request: {
    params: z.object({
      id: z
        .string()
        .min(1)
        .max(200)
        .openapi({ param: { name: 'id', in: 'path' } }),
    }),
  },
  responses: {
    200: json('The run', TrainingRunSchema),
    ...errorResponses,
    ...notFoundResponse,
  },
});

/**
 * Retraining changes the model every tenant shares, from the default tenant's labels (a tenant's own models are
 * not built yet): the operator's keys, of the default tenant, alone start and follow it.
 */
const OPERATOR_ONLY = `retraining the shared model is for keys of the ${DEFAULT_TENANT} tenant (the operator's)`;

export function modelRoutes(app: ApiApp, deps: AppDeps) {
  app.openapi(listModels, async (c) => {
    const all = await deps.models.list();
    return c.json(
      {
        champion: all.find((m) => m.role === 'champion') ?? null,
        challengers: all.filter((m) => m.role === 'challenger'),
        retired: all.filter((m) => m.role === 'retired'),
      },
      200,
    );
  });

  app.openapi(retrain, async (c) => {
    if (c.get('principal').tenant !== DEFAULT_TENANT) throw new ApiError(403, 'forbidden', OPERATOR_ONLY);
    if (!deps.retrainer)
      throw new ApiError(503, 'unavailable', 'retraining is not configured on this deployment', undefined, { 'Retry-After': '3600' });
    const run = await deps.retrainer.start();
    c.header('Location', `/v1/models/retrain/${encodeURIComponent(run.id)}`);
    return c.json(run, 202);
  });

  app.openapi(getRun, async (c) => {
    const { id } = c.req.valid('param');
    // Another tenant is not told that the run exists.
    const run = c.get('principal').tenant === DEFAULT_TENANT ? await deps.retrainer?.get(id) : null;
    if (!run) throw notFound(`training run ${id}`);
    return c.json(run, 200);
  });
}
