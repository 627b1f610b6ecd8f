/**
 * What travels on the job pipeline's queues, validated on receipt (a malformed message fails, is retried,
 * then lands in the queue's DLQ; it never half-runs). Rows are the input CSV's fields, in header order.
 */
// zod/mini: every pipeline Lambda bundles these schemas; zod's classic API would add ~440 kB to each.
import * as z from 'zod/mini';
import { DEFAULT_TENANT, TENANT_RE } from '../core/api-keys.ts';
import { columnChoiceSchema } from '../core/input/read-options.ts';

/** A chunk of a job's valid rows for the classify queue. */
/** Whose job a message is about; messages sent before tenants existed are the default tenant's. */
const tenant = z._default(z.string().check(z.regex(TENANT_RE)), DEFAULT_TENANT);
const jobId = z.string().check(z.minLength(1));

export const classifyMessageSchema = z
  .object({
    tenant,
    jobId,
    /** Position of the chunk in the input (0-based): stable across redeliveries, so it counts once. */
    chunk: z.int().check(z.nonnegative()),
    header: z.array(z.string()).check(z.minLength(1)),
    /** The columns the user named (an S3 drop's metadata, the API upload's fields); absent: found by name. */
    columns: z.optional(columnChoiceSchema),
    rows: z.array(z.array(z.string())).check(z.minLength(1)),
    /** Data row number of each row in the input (1-based, header excluded), parallel to rows. */
    rowNumbers: z.array(z.int().check(z.positive())).check(z.minLength(1)),
  })
  .check(z.refine((m) => m.rows.length === m.rowNumbers.length, { message: 'rows and rowNumbers differ in length', path: ['rowNumbers'] }));
export type ClassifyMessage = z.infer<typeof classifyMessageSchema>;

/** Rows of a chunk that no cheaper tier was sure of, for the LLM worker (LLM_ENABLED=true). */
export const llmMessageSchema = z.object({
  tenant,
  jobId,
  /** The chunk id the worker counts these rows under (JobProgress.addChunk): `<chunk>-llm`. */
  chunkId: z.string().check(z.minLength(1)),
  header: z.array(z.string()).check(z.minLength(1)),
  columns: z.optional(columnChoiceSchema),
  rows: z
    .array(
      z.object({
        /** Data row number in the input (1-based, header excluded). */
        n: z.int().check(z.positive()),
        values: z.array(z.string()),
        /** Best candidates of the earlier tiers, hints for the prompt. */
        hints: z.array(z.object({ classId: z.string(), score: z.number() })),
      }),
    )
    .check(z.minLength(1)),
});
export type LlmMessage = z.infer<typeof llmMessageSchema>;

/**
 * The finalize queue's three kinds (functions/pipeline/finalize.ts). Each is strict: a malformed message with a
 * jobId among other fields is none of them (the dead-letter consumer tells messages apart by shape).
 */
const plan = z.string().check(z.regex(/^[0-9a-f]{16}$/));
const dt = z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/));
const finalizeStep = {
  /** A job whose counts reconciled (sent once per job): plans its segments. */
  job: z.strictObject({ kind: z.optional(z.literal('finalize')), tenant, jobId }),
  /** One segment of a finalize plan: a count shard's work parts → its CSV segment and lake parts. */
  segment: z.strictObject({
    kind: z.literal('segment'),
    tenant,
    jobId,
    /** The plan's id: a redriven job is planned again under another id, so no segment of an earlier plan is composed. */
    plan,
    /** The lake partition every segment of the plan writes to (a plan may cross midnight). */
    dt,
    /** Position of the segment in the output (0-based) and how many the plan has. */
    segment: z.int().check(z.nonnegative()),
    segments: z.int().check(z.positive()),
    /** The count shard: the prefix of the chunk ids whose work parts the segment reads. */
    shard: z.string().check(z.regex(/^[0-9]+$/)),
    /** Classified rows in the earlier segments (its first lake row is rowsBefore + 1) and in this one. */
    rowsBefore: z.int().check(z.nonnegative()),
    rows: z.int().check(z.nonnegative()),
  }),
  /** Every segment of a plan is written: compose the result CSV and end the job. */
  compose: z.strictObject({
    kind: z.literal('compose'),
    tenant,
    jobId,
    plan,
    dt,
    segments: z.int().check(z.nonnegative()),
  }),
};
export const finalizeMessageSchema = z.union([finalizeStep.job, finalizeStep.segment, finalizeStep.compose]);
export type FinalizeMessage = z.infer<typeof finalizeMessageSchema>;
export type SegmentMessage = z.infer<typeof finalizeStep.segment>;
export type ComposeMessage = z.infer<typeof finalizeStep.compose>;

interface S3EventRecord {
  eventName?: string;
  s3?: { bucket?: { name?: string }; object?: { key?: string; eTag?: string; size?: number } };
}

/** The objects an SQS message (an S3 notification's body) from an S3 notification names; the s3:TestEvent S3 sends on setup names none. */
export function objectsOf(body: string): { bucket: string; key: string; etag: string }[] {
  const parsed = JSON.parse(body) as { Event?: string; Records?: S3EventRecord[] };
  if (parsed.Event === 's3:TestEvent') return [];
  if (!Array.isArray(parsed.Records)) throw new Error('not an S3 event notification: no Records');
  return parsed.Records.filter((r) => r.eventName?.startsWith('ObjectCreated:')).map((r) => {
    const bucket = r.s3?.bucket?.name;
    const rawKey = r.s3?.object?.key;
    if (!bucket || !rawKey) throw new Error('S3 event record without bucket or key');
    // Keys arrive URL-encoded, spaces as "+".
    return { bucket, key: decodeURIComponent(rawKey.replace(/\+/g, ' ')), etag: r.s3?.object?.eTag ?? '' };
  });
}

/** Parses a queue message body as JSON and checks it against a schema; the error says what is wrong. */
export function parseMessage<T>(schema: z.ZodMiniType<T>, body: string): T {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new Error(`message body is not JSON: ${body.slice(0, 80)}`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success)
    throw new Error(`malformed message: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'} ${i.message}`).join('; ')}`);
  return parsed.data;
}
