/**
 * Every environment variable Aisle reads, defined once: how its text is read (a zod schema, with its default),
 * what it allows (for error messages and docs/configuration.md) and what it is for. deployables.ts composes
 * them into one schema per deployable.
 */
// zod/mini: the authorizer Lambda bundles config and nothing else of zod: 30 kB instead of 460 kB with zod's classic API.
import * as z from 'zod/mini';

export interface Setting<S extends z.ZodMiniType = z.ZodMiniType> {
  schema: S;
  /** The allowed values in words, completing "NAME must be …". */
  allowed: string;
  description: string;
}

const setting = <S extends z.ZodMiniType>(schema: S, allowed: string, description: string): Setting<S> => ({ schema, allowed, description });

/** The same setting, not required here (unset: the description says what happens). */
export const optional = <S extends z.ZodMiniType>(s: Setting<S>) => ({ ...s, schema: z.optional(s.schema) });

/** The same setting with this deployable's own default. */
export const withDefault = <S extends z.ZodMiniType>(s: Setting<S>, value: z.output<S>) =>
  ({ ...s, schema: z._default(s.schema, value as never) }) as Setting<z.ZodMiniDefault<S>>;

const name = (description: string) => setting(z.string(), 'a non-empty name', description);
const queueUrl = (description: string) => setting(z.url(), 'an SQS queue URL', description);
const s3Uri = (description: string) => setting(z.string().check(z.regex(/^s3:\/\/[^/]+\/.+/)), 'an s3://bucket/key URI', description);
const int = (min: number, description: string, max = Number.MAX_SAFE_INTEGER) =>
  setting(
    z.coerce.number().check(z.refine(Number.isInteger), z.minimum(min), z.maximum(max)),
    max < Number.MAX_SAFE_INTEGER ? `an integer from ${min} to ${max}` : `an integer >= ${min}`,
    description,
  );

const text = (value: string, allowed: string, description: string) => setting(z._default(z.string(), value), allowed, description);
const httpUrl = (h: string) => (/^https?:\/\//.test(h) ? h : `http://${h}`).replace(/\/+$/, '');
const seconds = (raw: string) => Math.round(parseFloat(raw) * (raw.endsWith('h') ? 3600 : raw.endsWith('m') ? 60 : 1));

const LOG_LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'CRITICAL', 'SILENT'] as const;

/** Every setting, by its variable's name. */
export const SETTINGS = {
  TABLE_NAME: name('DynamoDB table: results, decision cache, jobs, API keys.'),
  LAKE_BUCKET: name('S3 bucket of the lake: job outputs (outbox/), results, exports, model versions.'),
  INBOX_BUCKET: name('S3 bucket where CSV uploads land (the API hands out presigned uploads into it).'),
  CLASSIFY_QUEUE_URL: queueUrl('SQS queue of row chunks, read by the classify function.'),
  FINALIZE_QUEUE_URL: queueUrl('SQS queue of reconciled jobs, read by the finalize function.'),
  LLM_QUEUE_URL: queueUrl('SQS queue of the rows no cheaper tier was sure of, read by the LLM worker; needed when LLM_ENABLED=true.'),
  LLM_ENABLED: setting(
    z._default(z.stringbool(), true),
    'true or false (also 1/0, yes/no, on/off)',
    'Use the LLM tier. Locally: when Ollama answers. On AWS: classify sends unsure rows to LLM_QUEUE_URL instead of review.',
  ),
  ENCODER_ENDPOINT_NAME: name('SageMaker endpoint of the encoder tier; unset: no encoder tier.'),
  ATHENA_WORKGROUP: name('Athena workgroup of the insights queries.'),
  GLUE_DATABASE: name('Glue database holding the results table the insights query.'),
  VECTOR_INDEX_ARN: name(
    'Amazon S3 Vectors index of the item vectors (similar products): classify, the LLM worker and the API put each saved item in it, the API queries it; unset: the API answers the similar routes 503.',
  ),
  RETRAIN_STATE_MACHINE_ARN: name('Step Functions state machine of retraining; unset: the API offers no retraining.'),

  POWERTOOLS_SERVICE_NAME: text('aisle', 'a non-empty name', 'Service name on logs, metrics and traces.'),
  POWERTOOLS_METRICS_NAMESPACE: text('Aisle', 'a non-empty name', 'CloudWatch namespace of the metrics.'),
  POWERTOOLS_LOG_LEVEL: setting(z._default(z.enum(LOG_LEVELS), 'INFO'), `one of ${LOG_LEVELS.join(', ')}`, 'Lowest level of the log lines written.'),

  AISLE_HOME: text('.aisle', 'a folder path', 'State folder of the local runtime: DuckDB store, API keys, blob folder, models.'),
  AISLE_CACHE_TTL_DAYS: setting(
    z.coerce.number().check(z.positive()),
    'a positive number of days',
    'How long a cached (non-human) decision lives locally; unset: forever. Human labels never expire.',
  ),
  AISLE_CSV_RAW: setting(
    z._default(z.stringbool(), false),
    'true or false (also 1/0, yes/no, on/off)',
    "Write result and rejects CSV cells exactly as they went in. By default a cell that starts like a spreadsheet formula (=, +, -, @, tab, CR) gets a leading ' (docs/csv.md).",
  ),
  PORT: int(0, 'Port to listen on (0: any free port).', 65_535),
  AISLE_MAX_UPLOAD_BYTES: int(
    1,
    'Largest file `aisle serve` takes as an upload (POST /v1/jobs), in bytes; a larger one is refused 413 (a declared length before it is read, a chunked body once it passes the limit). The upload is streamed to disk, so this bounds disk, not memory.',
  ),
  AISLE_MAX_RECORD_BYTES: int(
    1024,
    'Longest input record (a CSV row, a JSON line or array element) classified, in bytes; a longer one goes to the rejects file with its line and its first 1,024 characters, and the run goes on.',
  ),
  AISLE_AUTH_FAILURES: int(
    1,
    'Failed authentications (unknown, revoked or malformed keys) one client address may make per window (AISLE_AUTH_FAILURE_WINDOW_S) before `aisle serve` answers it 429 without looking keys up.',
  ),
  AISLE_AUTH_FAILURE_WINDOW_S: int(1, 'Window of AISLE_AUTH_FAILURES, in seconds.'),
  AISLE_CLIENT_ADDRESS_HEADER: setting(
    z.string().check(z.regex(/^[A-Za-z0-9-]+$/)),
    'an HTTP header name',
    "Header a reverse proxy in front of `aisle serve` sets to the client address (e.g. X-Forwarded-For: its last entry counts); unset: the connection's address. Set it only when every request comes through that proxy, or clients choose their own address.",
  ),

  OLLAMA_HOST: setting(
    z._default(z.pipe(z.string(), z.transform(httpUrl)), 'http://127.0.0.1:11434'),
    'a host:port or http(s) URL',
    'Address of the Ollama server of the LLM tier.',
  ),
  OLLAMA_MODEL: text('llama3', 'an Ollama model name', 'Model the LLM tier asks for.'),
  OLLAMA_BATCH_SIZE: withDefault(int(1, 'Products per LLM request; the tier halves it under pressure.'), 20),
  OLLAMA_CONCURRENCY: withDefault(int(1, 'LLM requests in flight at once (match OLLAMA_NUM_PARALLEL on the server).'), 2),
  OLLAMA_TIMEOUT_MS: withDefault(int(1, 'Timeout of one LLM request in ms (a cold model load takes a while).'), 120_000),
  OLLAMA_NUM_CTX: withDefault(int(512, 'Context window in tokens: a batch of 20 plus the prompt needs more than 2048.'), 8192),
  OLLAMA_KEEP_ALIVE: setting(
    z._default(z.pipe(z.string().check(z.regex(/^-?\d+(\.\d+)?(s|m|h)?$/)), z.transform(seconds)), 300),
    'seconds or a duration like 5m or 1h (-1: forever)',
    'How long Ollama keeps the model loaded after a request, in seconds (as Ollama reads it).',
  ),

  LLM_MIN_CONFIDENCE: withDefault(
    setting(
      z.coerce.number().check(z.minimum(0), z.maximum(1)),
      'a number from 0 to 1',
      "Floor of the LLM's confidence: an answer below it goes to review (needs_review) and is not cached as a decision.",
    ),
    0.5,
  ),

  MODEL_DIR: text('/opt/ml/model', 'a folder path', 'Model folder the encoder serves (where SageMaker unpacks model.tar.gz).'),
  SAGEMAKER_BIND_TO_PORT: withDefault(int(0, 'Port SageMaker asks the container to listen on; PORT wins when set.', 65_535), 8080),
  HOST: text('0.0.0.0', 'a host name or address', 'Address the encoder container listens on.'),
  ENCODER_THREADS: int(0, 'ONNX intra-op threads of the encoder; unset: one per core.'),
  ENCODER_BATCH_SIZE: withDefault(int(1, 'Texts per ONNX run of the encoder.'), 1024),
  ENCODER_DEVICE: setting(
    z._default(z.enum(['cpu', 'cuda']), 'cpu'),
    'cpu or cuda',
    'ONNX Runtime execution provider of the encoder container; cuda (the GPU endpoint) fails at start where the CUDA provider is missing, and the log says which provider serves.',
  ),

  TRAIN_DATA_URI: s3Uri('Training rows the trainer reads (written by retrain-export).'),
  HELDOUT_DATA_URI: s3Uri('Held-out rows champion and challenger are scored on.'),
  MODEL_OUTPUT_URI: s3Uri('Where the trainer writes the challenger and evaluation.json.'),
};
