import { z } from '@hono/zod-openapi';
import { MAX_NAME_LENGTH, nameProblem } from '../core/limits.ts';

/** Wire shapes of the API (snake_case on the wire for product fields, as in the CSV columns). */

/** An OpenAPI response (or request body) whose content is one JSON schema. */
export const json = <S extends z.ZodType>(description: string, schema: S) => ({ description, content: { 'application/json': { schema } } });

/** A page of `item`s and the cursor of the next page, if any. */
export const pageOf = <S extends z.ZodType>(item: S) => z.object({ items: z.array(item), next: z.string().optional() });

export const ProductSchema = z
  .object({
    // The check CSV imports make (core/limits.ts), with its reasons; the lengths are for the OpenAPI document.
    name: z
      .string()
      .trim()
      .superRefine((name, ctx) => {
        const problem = nameProblem(name);
        if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
      })
      .openapi({ minLength: 1, maxLength: MAX_NAME_LENGTH, description: 'at least one letter or digit, of any script' }),
    search_term: z.string().max(1000).optional(),
    brand: z.string().max(200).optional(),
    description: z.string().max(5000).optional(),
  })
  .openapi('Product', { example: { name: 'Organic Whole Milk 1 gal', brand: 'Horizon' } });

export const ClassifyRequestSchema = z
  .object({ items: z.array(ProductSchema).min(1, 'send at least one item').max(100, 'at most 100 items per request') })
  .openapi('ClassifyRequest');

export const CandidateSchema = z.object({ classId: z.string(), label: z.string(), score: z.number() }).openapi('Candidate');

export const TraceSchema = z
  .object({
    steps: z.array(
      z.object({
        tier: z.string(),
        outcome: z.enum(['decided', 'deferred', 'skipped', 'error']),
        reason: z.string().optional(),
        ruleId: z.string().optional(),
        candidates: z.array(CandidateSchema).optional(),
        modelVersion: z.string().optional(),
        ms: z.number().optional(),
        costUnits: z.number().optional(),
      }),
    ),
    topK: z.array(CandidateSchema),
    totalMs: z.number(),
    costUnits: z.number(),
  })
  .openapi('Trace');

export const DecisionSchema = z
  .object({
    key: z.string().openapi({ description: 'Stable key of the normalized text: the item id in /v1/items/{key}' }),
    classId: z.string().nullable(),
    label: z.string().nullable().openapi({ example: 'Food > Dairy & Eggs' }),
    levels: z.record(z.string(), z.string()).openapi({ example: { level1: 'Food', level2: 'Dairy & Eggs' } }),
    confidence: z.number(),
    tier: z.string().openapi({ description: 'cache, a tier of GET /v1/tiers, review, or human (a label)', example: 'rules' }),
    status: z.enum(['ok', 'needs_review']),
    ruleId: z.string().optional(),
    modelVersion: z.string().optional(),
    reason: z.string().optional(),
    topK: z.array(CandidateSchema).optional(),
    trace: TraceSchema.optional(),
  })
  .openapi('Decision');

export const ClassifyResponseSchema = z
  .object({ items: z.array(DecisionSchema.extend({ name: z.string() })), ms: z.number(), taxonomyVersion: z.string() })
  .openapi('ClassifyResponse');

export const ItemRecordSchema = z
  .object({
    decision: DecisionSchema,
    input: ProductSchema,
    text: z.string(),
    jobId: z.string().optional(),
    at: z.string(),
  })
  .openapi('ItemRecord');

export const ItemSchema = z.object({ current: ItemRecordSchema, history: z.array(ItemRecordSchema) }).openapi('Item');

export const LabelRequestSchema = z
  .object({
    classId: z.string().min(1).openapi({ description: 'A class id or its label ("Food > Beverages")', example: 'food.beverages' }),
  })
  .openapi('LabelRequest');

export const PageQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().optional(),
});

export const KeyParamSchema = z.object({
  key: z
    .string()
    .regex(/^[0-9a-f]{16}$/, 'an item key is 16 hex characters')
    .openapi({ param: { name: 'key', in: 'path' } }),
});

export const JobSchema = z
  .object({
    id: z.string(),
    status: z.enum(['queued', 'running', 'finalizing', 'done', 'partial', 'failed']).openapi({
      description: 'done: every valid row classified; partial: some chunks failed for good (failedChunks says why); failed: nothing came out',
    }),
    input: z.string(),
    rowsIn: z.number(),
    totalKnown: z.boolean(),
    classified: z.number(),
    rejected: z.number(),
    needsReview: z.number(),
    failed: z.number().openapi({ description: 'rows of chunks that failed for good: rowsIn = classified + rejected + failed once the job ends' }),
    failedChunks: z.array(z.object({ chunk: z.string(), rows: z.number(), reason: z.string(), at: z.string() })),
    tierCounts: z.record(z.string(), z.number()),
    progress: z.number().nullable().openapi({
      description: '0..1: rows done of the total once known, else the share of the input file read (local jobs); null when neither is known',
    }),
    createdAt: z.string(),
    updatedAt: z.string(),
    error: z.string().optional(),
    links: z.object({ self: z.string(), result: z.string().optional(), rejects: z.string().optional() }),
  })
  .openapi('Job');

export const JobIdParamSchema = z.object({
  id: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,100}$/, 'not a job id')
    .openapi({ param: { name: 'id', in: 'path' } }),
});
