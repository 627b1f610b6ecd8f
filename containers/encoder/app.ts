/**
 * The SageMaker inference contract as a Hono app: GET /ping answers 200 once the model is loaded (503 before),
 * POST /invocations classifies a batch of texts and answers the top-k classes with calibrated probabilities
 * and each class's acceptance threshold. Inference is the in-process encoder (functions/model): the same
 * code the one-machine runtime uses.
 *
 * Request:  {"texts": ["Coca-Cola 12 oz", ...], "top_k": 3}   (also {"instances": [...]}, SageMaker's batch
 *           form; an instance is a string or an object with "text" or "name")
 * Response: {"modelVersion": "starter-1", "predictions": [{"labels": [{"classId": "food.beverages",
 *           "label": "Food > Beverages", "probability": 0.98, "threshold": 0.71}], "accepted": true}]}
 */
import { Hono } from 'hono';
import { z } from 'zod';
import type { Taxonomy } from '../../functions/core/taxonomy.ts';
import type { Encoder } from '../../functions/ports.ts';

/** Most texts one request may carry; SageMaker caps payloads at 6 MB anyway. */
export const MAX_TEXTS = 10_000;
export const MAX_TOP_K = 20;
export const DEFAULT_TOP_K = 3;

const instanceSchema = z.union([
  z.string(),
  z.object({ text: z.string() }).transform((o) => o.text),
  z.object({ name: z.string() }).transform((o) => o.name),
]);

const requestSchema = z
  .object({
    texts: z.array(z.string()).max(MAX_TEXTS, `at most ${MAX_TEXTS} texts per request`).optional(),
    instances: z.array(instanceSchema).max(MAX_TEXTS, `at most ${MAX_TEXTS} instances per request`).optional(),
    top_k: z.number().int().min(1).max(MAX_TOP_K).optional(),
  })
  .refine((b) => (b.texts === undefined) !== (b.instances === undefined), { message: 'send exactly one of "texts" or "instances"' });

export interface InferenceAppOptions {
  /** The loaded encoder, or null while it loads. */
  encoder: () => Encoder | null;
  /** Turns class ids into labels ("Food > Beverages") in the answers. */
  taxonomy: Taxonomy;
}

export interface InvocationLabel {
  classId: string;
  label: string;
  probability: number;
  threshold: number;
}

export interface InvocationResponse {
  modelVersion: string;
  predictions: { labels: InvocationLabel[]; accepted: boolean }[];
}

export function createInferenceApp(opts: InferenceAppOptions): Hono {
  const app = new Hono();
  const notReady = () => ({ error: 'model_loading', message: 'the model is still loading' });

  app.get('/ping', (c) => (opts.encoder() ? c.body(null, 200) : c.json(notReady(), 503)));

  // Batch transform asks for this once; real-time endpoints never do.
  app.get('/execution-parameters', (c) => c.json({ MaxConcurrentTransforms: 1, BatchStrategy: 'MULTI_RECORD', MaxPayloadInMB: 6 }));

  app.post('/invocations', async (c) => {
    const encoder = opts.encoder();
    if (!encoder) return c.json(notReady(), 503);
    const type = c.req.header('content-type') ?? 'application/json';
    if (!/^application\/json\b/i.test(type)) {
      return c.json({ error: 'unsupported_media_type', message: `send application/json, not ${type}` }, 415);
    }
    let json: unknown;
    try {
      json = await c.req.json();
    } catch {
      return c.json({ error: 'bad_request', message: 'the body is not valid JSON' }, 400);
    }
    const parsed = requestSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue.path.length ? `${issue.path.join('.')}: ` : '';
      return c.json({ error: 'bad_request', message: `${where}${issue.message}` }, 400);
    }
    const texts = parsed.data.texts ?? parsed.data.instances ?? [];
    const topK = parsed.data.top_k ?? DEFAULT_TOP_K;
    const candidates = texts.length ? await encoder.predict(texts, topK) : [];
    const body: InvocationResponse = {
      modelVersion: encoder.modelVersion,
      predictions: candidates.map((top) => {
        const labels = top.map((cand) => ({
          classId: cand.classId,
          label: opts.taxonomy.get(cand.classId)?.label ?? cand.classId,
          probability: cand.score,
          threshold: encoder.threshold(cand.classId),
        }));
        return { labels, accepted: labels.length > 0 && labels[0].probability >= labels[0].threshold };
      }),
    };
    return c.json(body);
  });

  app.notFound((c) =>
    c.json({ error: 'not_found', message: `${c.req.method} ${c.req.path}: the endpoints are GET /ping and POST /invocations` }, 404),
  );
  app.onError((err, c) => {
    console.error(`encoder server: ${err.stack ?? err.message}`);
    return c.json({ error: 'internal', message: err.message }, 500);
  });
  return app;
}
