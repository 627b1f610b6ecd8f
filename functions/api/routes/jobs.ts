import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { createRoute, z } from '@hono/zod-openapi';
import type { ReadChoice } from '../../core/input/open.ts';
import { choicesOf, readOptionsSchema } from '../../core/input/read-options.ts';
import { restoredCsv } from '../../core/output/restored-csv.ts';
import { ApiError, errorResponses, notFound, notFoundResponse, zodDetails } from '../errors.ts';
import { streamMultipart } from '../multipart.ts';
import { JobIdParamSchema, JobSchema, json, PageQuerySchema, pageOf } from '../schemas.ts';
import { tenantDeps } from '../tenancy.ts';
import type { ApiApp, AppDeps } from '../types.ts';
import { jobView } from '../views.ts';

const PresignedUploadSchema = z
  .object({ jobId: z.string(), method: z.literal('PUT'), url: z.string(), headers: z.record(z.string(), z.string()), expiresAt: z.string() })
  .openapi('PresignedUpload');

const FILENAME_RE = /^[^/\\\0]{1,200}$/;

/** How to read the upload (docs/csv.md), as `aisle classify`'s options: query parameters, or form fields beside `file`. */
const ReadOptionsSchema = z.object({
  encoding: z.string().max(40).optional().openapi({ description: 'the text encoding (utf-8, utf-16le, windows-1252...); default: detected' }),
  name_column: z.string().max(200).optional().openapi({ description: 'the product name column; default: found by name' }),
  id_column: z.string().max(200).optional(),
  category_column: z.string().max(200).optional().openapi({ description: "the retailer's own category column, a hint" }),
  text_columns: z.string().max(2000).optional().openapi({ description: 'columns joined for classification, comma-separated' }),
  sheet: z.string().max(200).optional().openapi({ description: 'the .xlsx sheet to read; default: the first' }),
});
const READ_FIELDS = Object.keys(ReadOptionsSchema.shape);

/**
 * The read options among the request's fields (the core's schema validates them: input/read-options.ts). Any other
 * field but `filename` (query) and `file` (form) is refused: a misspelt option (`name_colum`), or one this server
 * does not apply (`out_format`), would else be dropped and the file read another way than asked, silently.
 */
function readChoiceOf(fields: Record<string, unknown>): ReadChoice | undefined {
  const unknown = Object.keys(fields).filter((k) => k !== 'filename' && k !== 'file' && !READ_FIELDS.includes(k));
  if (unknown.length) {
    const message = `not an option of this upload: the options are ${READ_FIELDS.join(', ')}`;
    throw new ApiError(
      400,
      'invalid_request',
      'the read options are not valid',
      unknown.map((path) => ({ path, message })),
    );
  }
  const given = Object.fromEntries(Object.entries(fields).filter(([k, v]) => READ_FIELDS.includes(k) && typeof v === 'string'));
  if (!Object.keys(given).length) return undefined;
  const parsed = readOptionsSchema.safeParse(given);
  if (!parsed.success) throw new ApiError(400, 'invalid_request', 'the read options are not valid', zodDetails(parsed.error.issues));
  return choicesOf(parsed.data).read;
}

/**
 * AWS: the file's name and how to read and write it (the read options, plus the output's delimiter and BOM): they
 * travel as the inbox object's metadata, signed into the presigned PUT (docs/aws.md).
 */
const CreateUploadSchema = ReadOptionsSchema.extend({
  filename: z.string().regex(FILENAME_RE, 'a file name: no slashes, 1..200 characters'),
  out_format: z.enum(['csv', 'tsv']).optional().openapi({ description: "the output's delimiter (comma, tab); default: the input's" }),
  bom: z.boolean().optional().openapi({ description: 'start the output with a UTF-8 BOM, for Excel' }),
});

// Documented here, validated in the handler: one operation takes three media types, and the validator would
// demand every one of them.
const createJob = createRoute({
  method: 'post',
  path: '/v1/jobs',
  tags: ['jobs'],
  summary: 'Start a CSV job',
  description:
    'Locally: upload the file (CSV, TSV, JSON lines, JSON, Parquet; plain, gzip or zstd; any encoding: docs/csv.md) as multipart/form-data ' +
    '(field `file`) or as a text/csv body (`?filename=`); it is processed in-process. `encoding`, `name_column`, `id_column`, ' +
    '`category_column`, `text_columns` (query or form fields) say how to read it, as the CLI options do. ' +
    'On AWS: POST `{"filename": "x.csv"}` as JSON, with the same options as JSON fields plus `out_format` (csv|tsv) and `bom`, ' +
    "then PUT the file to the presigned URL in the answer (to inbox/) with the headers it lists: the options travel as the object's metadata.",
  request: {
    query: ReadOptionsSchema.extend({ filename: z.string().regex(FILENAME_RE).optional() }),
    body: {
      required: true,
      content: {
        'multipart/form-data': { schema: z.object({ file: z.any().openapi({ type: 'string', format: 'binary' }) }) },
        'text/csv': { schema: z.string().openapi({ format: 'binary' }) },
        'application/json': { schema: CreateUploadSchema },
      },
    },
  },
  responses: {
    202: json('The job (local) or where to upload its CSV (AWS)', z.object({ job: JobSchema.optional(), upload: PresignedUploadSchema.optional() })),
    ...errorResponses,
  },
});

const listJobs = createRoute({
  method: 'get',
  path: '/v1/jobs',
  tags: ['jobs'],
  summary: 'Jobs, newest first, paged',
  request: { query: PageQuerySchema },
  responses: {
    200: json('A page of jobs', pageOf(JobSchema)),
    ...errorResponses,
  },
});

const getJob = createRoute({
  method: 'get',
  path: '/v1/jobs/{id}',
  tags: ['jobs'],
  summary: 'A job: status, counts, progress',
  request: { params: JobIdParamSchema },
  responses: {
    200: json('The job', JobSchema),
    ...errorResponses,
    ...notFoundResponse,
  },
});

const artifactRoute = (which: 'result' | 'rejects') =>
  createRoute({
    method: 'get',
    path: `/v1/jobs/{id}/${which}`,
    tags: ['jobs'],
    summary: which === 'result' ? "A finished job's result CSV" : "A finished job's rejects CSV (row, reason)",
    description:
      "Cells that start like a spreadsheet formula (=, +, -, @, tab, CR; not a plain number) come with a leading ' (docs/csv.md). " +
      '`?raw=1`: every cell exactly as it went in (served locally; on AWS set it at the source).',
    request: {
      params: JobIdParamSchema,
      query: z.object({
        raw: z.enum(['0', '1', 'true', 'false']).optional().openapi({ description: '1: cells exactly as they went in, formulas not neutralised' }),
      }),
    },
    responses: {
      200: { description: 'The CSV', content: { 'text/csv': { schema: z.string() } } },
      302: { description: 'Redirect to a presigned download (AWS)' },
      ...errorResponses,
      ...notFoundResponse,
      409: { description: 'The job is not finished', content: errorResponses[400].content },
    },
  });

/** The job routes (submit, list, get, result and rejects files): one registration and one handler each. */
export function jobRoutes(app: ApiApp, deps: AppDeps) {
  app.openAPIRegistry.registerPath(createJob);
  app.post(createJob.path, async (c) => {
    const type = c.req.header('content-type') ?? '';
    const jobs = tenantDeps(deps, c.get('principal').tenant).jobs;
    if (type.includes('application/json')) {
      if (!jobs.createUpload) throw uploadHere();
      const parsed = CreateUploadSchema.strict().safeParse(await c.req.json());
      if (!parsed.success) throw new ApiError(400, 'invalid_request', 'the request is not valid', zodDetails(parsed.error.issues));
      const { filename, ...options } = parsed.data;
      const checked = readOptionsSchema.safeParse(options);
      if (!checked.success) throw new ApiError(400, 'invalid_request', 'the read options are not valid', zodDetails(checked.error.issues));
      return c.json({ upload: await jobs.createUpload(filename, checked.data) }, 202);
    }
    if (!jobs.submit) {
      throw new ApiError(
        400,
        'upload_url_required',
        'this deployment takes CSVs through S3: POST {"filename": "x.csv"} as JSON, then PUT the file to the URL it returns',
      );
    }
    let filename: string;
    let body: Readable;
    let read: ReadChoice | undefined | Promise<ReadChoice | undefined>;
    if (type.includes('multipart/form-data')) {
      const raw = c.req.raw.body;
      if (!raw) throw new ApiError(400, 'invalid_request', 'the request has no body');
      // Streamed to the job's input file; the fields after the file part are known once it is written, and
      // submit checks them (readChoiceOf) before the job starts.
      const form = await streamMultipart(type, Readable.fromWeb(raw as WebReadableStream<Uint8Array>));
      const query = c.req.query();
      filename = form.filename || 'upload.csv';
      body = form.file;
      const options = form.fields.then((fields) => readChoiceOf({ ...query, ...fields }));
      // Settled while the file is still being written, it is awaited by submit: not an unhandled rejection.
      options.catch(() => {});
      read = options;
    } else if (RAW_BODY_TYPES.test(type)) {
      read = readChoiceOf(c.req.query());
      filename = c.req.query('filename') ?? 'upload.csv';
      const raw = c.req.raw.body;
      if (!raw) throw new ApiError(400, 'invalid_request', 'the request has no body');
      body = Readable.fromWeb(raw as WebReadableStream<Uint8Array>);
    } else {
      throw new ApiError(
        415,
        'unsupported_media_type',
        `send the file as multipart/form-data (field "file"), or as the body: text/csv (application/octet-stream for gzip, JSON, Parquet), not "${type || 'no content type'}"`,
      );
    }
    if (!FILENAME_RE.test(filename)) {
      body.destroy();
      throw new ApiError(400, 'invalid_request', 'bad file name', [{ path: 'filename', message: 'no slashes, at most 200 characters' }]);
    }
    const job = await jobs.submit({ filename, body, read });
    return c.json({ job: jobView(job) }, 202);
  });

  app.openapi(listJobs, async (c) => {
    const page = await tenantDeps(deps, c.get('principal').tenant).jobs.list(c.req.valid('query'));
    return c.json({ items: page.items.map(jobView), ...(page.next ? { next: page.next } : {}) }, 200);
  });

  app.openapi(getJob, async (c) => {
    const { id } = c.req.valid('param');
    const job = await tenantDeps(deps, c.get('principal').tenant).jobs.get(id);
    if (!job) throw notFound(`job ${id}`);
    return c.json(jobView(job), 200);
  });

  for (const which of ['result', 'rejects'] as const) {
    app.openapi(artifactRoute(which), async (c) => {
      const { id } = c.req.valid('param');
      const { raw } = c.req.valid('query');
      const jobs = tenantDeps(deps, c.get('principal').tenant).jobs;
      const job = await jobs.get(id);
      if (!job) throw notFound(`job ${id}`);
      if (job.status !== 'done' && job.status !== 'partial')
        throw new ApiError(409, 'not_ready', `job ${id} is ${job.status}: its ${which} is there once it is done`);
      const artifact = await jobs.artifact(id, which);
      if (!artifact) throw notFound(`${which} of job ${id}`);
      const wantsRaw = raw === '1' || raw === 'true';
      if (artifact.kind === 'redirect') {
        if (wantsRaw)
          throw new ApiError(400, 'raw_unavailable', 'this deployment serves its CSVs as written, formulas neutralised: raw=1 is for aisle serve');
        return c.redirect(artifact.url, 302);
      }
      const body = wantsRaw && !artifact.csvRaw ? Readable.from(restoredCsv(artifact.body)) : artifact.body;
      c.header('Content-Type', artifact.contentType);
      c.header('Content-Disposition', `attachment; filename="${artifact.filename.replace(/"/g, '')}"`);
      return c.body(Readable.toWeb(body) as ReadableStream, 200);
    });
  }
}

/** Content types of a file sent as the request body (the file's format is told by its content: input/open.ts). */
const RAW_BODY_TYPES = /text\/(csv|plain|tab-separated-values)|application\/(octet-stream|gzip|x-gzip|zstd|x-ndjson|jsonl|vnd\.apache\.parquet)/;

const uploadHere = () =>
  new ApiError(400, 'upload_required', 'this server takes the CSV itself: send it as multipart/form-data (field "file") or as a text/csv body');
