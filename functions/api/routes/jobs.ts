import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { createRoute, z } from '@hono/zod-openapi';
import { restoredCsv } from '../../core/csv.ts';
import { ApiError, errorResponses, notFound, notFoundResponse, zodDetails } from '../errors.ts';
import { JobIdParamSchema, JobSchema, json, PageQuerySchema, pageOf } from '../schemas.ts';
import { tenantDeps } from '../tenancy.ts';
import type { ApiApp, AppDeps } from '../types.ts';
import { jobView } from '../views.ts';

const PresignedUploadSchema = z
  .object({ jobId: z.string(), method: z.literal('PUT'), url: z.string(), headers: z.record(z.string(), z.string()), expiresAt: z.string() })
  .openapi('PresignedUpload');

const FILENAME_RE = /^[^/\\\0]{1,200}$/;

const CreateUploadSchema = z.object({ filename: z.string().regex(FILENAME_RE, 'a file name: no slashes, 1..200 characters') });

// Documented here, validated in the handler: one operation takes three media types, and the validator would
// demand every one of them.
const createJob = createRoute({
  method: 'post',
  path: '/v1/jobs',
  tags: ['jobs'],
  summary: 'Start a CSV job',
  description:
    'Locally: upload the CSV as multipart/form-data (field `file`) or as a text/csv body (`?filename=`); it is processed in-process. ' +
    'On AWS: POST `{"filename": "x.csv"}` as JSON and PUT the CSV to the presigned URL in the answer (to inbox/).',
  request: {
    query: z.object({ filename: z.string().regex(FILENAME_RE).optional() }),
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
      const parsed = CreateUploadSchema.safeParse(await c.req.json());
      if (!parsed.success) throw new ApiError(400, 'invalid_request', 'the request is not valid', zodDetails(parsed.error.issues));
      return c.json({ upload: await jobs.createUpload(parsed.data.filename) }, 202);
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
    if (type.includes('multipart/form-data')) {
      const form = await c.req.parseBody();
      const file = form.file;
      if (!(file instanceof File)) {
        throw new ApiError(400, 'invalid_request', 'the form has no CSV file', [
          { path: 'file', message: 'attach the CSV as the form field "file"' },
        ]);
      }
      filename = file.name || 'upload.csv';
      body = Readable.fromWeb(file.stream() as WebReadableStream<Uint8Array>);
    } else if (type.includes('text/csv') || type.includes('text/plain')) {
      filename = c.req.query('filename') ?? 'upload.csv';
      const raw = c.req.raw.body;
      if (!raw) throw new ApiError(400, 'invalid_request', 'the request has no body');
      body = Readable.fromWeb(raw as WebReadableStream<Uint8Array>);
    } else {
      throw new ApiError(
        415,
        'unsupported_media_type',
        `send the CSV as multipart/form-data (field "file") or text/csv, not "${type || 'no content type'}"`,
      );
    }
    if (!FILENAME_RE.test(filename))
      throw new ApiError(400, 'invalid_request', 'bad file name', [{ path: 'filename', message: 'no slashes, at most 200 characters' }]);
    const job = await jobs.submit({ filename, body });
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
      if (job.status !== 'done') throw new ApiError(409, 'not_ready', `job ${id} is ${job.status}: its ${which} is there once it is done`);
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

const uploadHere = () =>
  new ApiError(400, 'upload_required', 'this server takes the CSV itself: send it as multipart/form-data (field "file") or as a text/csv body');
