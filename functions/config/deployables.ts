/**
 * One configuration per deployable (the CLI, each Lambda, each container): the settings it reads, composed from
 * settings.ts, parsed from the environment at start. A setting FOO_BAR is the field `fooBar` of the parsed config.
 * lib/ gives each function exactly its deployable's variables (test/infra/config-env.test.ts checks it), and
 * docs/configuration.md is generated from here (docs.ts).
 */
import type * as z from 'zod/mini';
import { UserError } from '../core/errors.ts';
import { optional, SETTINGS as S, type Setting, withDefault } from './settings.ts';

/** A missing or bad setting, named with what it allows; the CLI prints it without a stack. */
export class ConfigError extends UserError {}

/** The named settings, as they are. */
const pick = <K extends keyof typeof S>(...names: K[]) => Object.fromEntries(names.map((n) => [n, S[n]])) as Pick<typeof S, K>;

const observability = pick('POWERTOOLS_SERVICE_NAME', 'POWERTOOLS_METRICS_NAMESPACE', 'POWERTOOLS_LOG_LEVEL');
const lambda = { ...observability, ...pick('TABLE_NAME', 'LAKE_BUCKET') };
const encoderEndpoint = { ENCODER_ENDPOINT_NAME: optional(S.ENCODER_ENDPOINT_NAME) };
/** The LLM tier's settings: its Ollama client, and the floor under which its answers go to review. */
const ollama = pick(
  'LLM_MIN_CONFIDENCE',
  'OLLAMA_HOST',
  'OLLAMA_MODEL',
  'OLLAMA_BATCH_SIZE',
  'OLLAMA_CONCURRENCY',
  'OLLAMA_TIMEOUT_MS',
  'OLLAMA_KEEP_ALIVE',
  'OLLAMA_NUM_CTX',
);

export const DEPLOYABLES = {
  /** `npx aisle …`: the CLI and the local runtime (classify, serve and the other commands). */
  local: {
    AISLE_HOME: S.AISLE_HOME,
    AISLE_CACHE_TTL_DAYS: optional(S.AISLE_CACHE_TTL_DAYS),
    AISLE_CSV_RAW: S.AISLE_CSV_RAW,
    PORT: withDefault(S.PORT, 8787),
    AISLE_MAX_UPLOAD_BYTES: withDefault(S.AISLE_MAX_UPLOAD_BYTES, 1024 ** 3),
    AISLE_MAX_RECORD_BYTES: withDefault(S.AISLE_MAX_RECORD_BYTES, 1024 * 1024),
    AISLE_AUTH_FAILURES: withDefault(S.AISLE_AUTH_FAILURES, 30),
    AISLE_AUTH_FAILURE_WINDOW_S: withDefault(S.AISLE_AUTH_FAILURE_WINDOW_S, 60),
    AISLE_CLIENT_ADDRESS_HEADER: optional(S.AISLE_CLIENT_ADDRESS_HEADER),
    LLM_ENABLED: S.LLM_ENABLED,
    ...ollama,
  },
  ingest: { ...lambda, ...pick('CLASSIFY_QUEUE_URL', 'FINALIZE_QUEUE_URL') },
  classify: {
    ...lambda,
    ...pick('FINALIZE_QUEUE_URL', 'LLM_ENABLED'),
    LLM_QUEUE_URL: optional(S.LLM_QUEUE_URL),
    ...encoderEndpoint,
    VECTOR_INDEX_ARN: optional(S.VECTOR_INDEX_ARN),
  },
  finalize: { ...lambda, ...pick('FINALIZE_QUEUE_URL') },
  /** Every pipeline DLQ's consumer: a failed chunk ends its job as partial, so it may send the job to finalize. */
  'dead-letters': { ...lambda, ...pick('FINALIZE_QUEUE_URL') },
  api: {
    ...lambda,
    INBOX_BUCKET: S.INBOX_BUCKET,
    ...encoderEndpoint,
    ...pick('ATHENA_WORKGROUP', 'GLUE_DATABASE'),
    RETRAIN_STATE_MACHINE_ARN: optional(S.RETRAIN_STATE_MACHINE_ARN),
    VECTOR_INDEX_ARN: optional(S.VECTOR_INDEX_ARN),
  },
  authorizer: { ...observability, TABLE_NAME: S.TABLE_NAME },
  /** Each tenant's category model, fitted where its labels changed, and its items re-vectorized (docs/aws.md). */
  'category-fit': { ...lambda, VECTOR_INDEX_ARN: S.VECTOR_INDEX_ARN },
  /** Shopper logs dropped in the inbox: parsed and classified here, sessions and links cut by Athena (docs/aws.md). */
  shoppers: { ...lambda, INBOX_BUCKET: S.INBOX_BUCKET, ...encoderEndpoint, ...pick('ATHENA_WORKGROUP', 'GLUE_DATABASE') },
  'retrain-export': lambda,
  'retrain-evaluate': lambda,
  'retrain-promote': lambda,
  /** containers/llm: Ollama and the LLM queue worker (ECS). */
  'llm-worker': { ...lambda, ...pick('FINALIZE_QUEUE_URL', 'LLM_QUEUE_URL'), ...ollama, VECTOR_INDEX_ARN: optional(S.VECTOR_INDEX_ARN) },
  /** containers/encoder: the SageMaker endpoint's inference server. */
  encoder: {
    MODEL_DIR: S.MODEL_DIR,
    PORT: optional(S.PORT),
    ...pick('SAGEMAKER_BIND_TO_PORT', 'HOST'),
    ENCODER_THREADS: optional(S.ENCODER_THREADS),
    ENCODER_BATCH_SIZE: S.ENCODER_BATCH_SIZE,
    ENCODER_DEVICE: S.ENCODER_DEVICE,
  },
  /** containers/trainer: the retraining state machine's Fargate task. */
  trainer: pick('LAKE_BUCKET', 'TRAIN_DATA_URI', 'HELDOUT_DATA_URI', 'MODEL_OUTPUT_URI'),
} satisfies Record<string, Record<string, Setting>>;

export type Deployable = keyof typeof DEPLOYABLES;

/** FOO_BAR_BAZ → fooBarBaz, as a type and as a function. */
type Camel<N extends string> = N extends `${infer H}_${infer T}` ? `${Lowercase<H>}${Capitalize<Camel<T>>}` : Lowercase<N>;
const camel = (name: string) => name.toLowerCase().replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

type Settings<D extends Deployable> = (typeof DEPLOYABLES)[D];
export type ConfigOf<D extends Deployable> = {
  readonly [K in keyof Settings<D> & string as Camel<K>]: Settings<D>[K] extends Setting<infer T> ? z.output<T> : never;
};

const parsed = new Map<string, unknown>();

/**
 * The deployable's configuration, parsed once per distinct environment (tests change it between cases).
 * Unset and blank are the same: CDK passes '' for a switched-off queue or endpoint.
 */
export function configOf<D extends Deployable>(deployable: D, env: NodeJS.ProcessEnv = process.env): ConfigOf<D> {
  const settings: Record<string, Setting> = DEPLOYABLES[deployable];
  const raw = Object.fromEntries(Object.keys(settings).map((name) => [name, env[name]?.trim() || undefined]));
  const key = `${deployable} ${JSON.stringify(raw)}`;
  if (!parsed.has(key)) parsed.set(key, parse(settings, raw));
  return parsed.get(key) as ConfigOf<D>;
}

function parse(settings: Record<string, Setting>, raw: Record<string, string | undefined>): Record<string, unknown> {
  const config: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [name, setting] of Object.entries(settings)) {
    const result = setting.schema.safeParse(raw[name]);
    if (result.success) config[camel(name)] = result.data;
    else if (raw[name] === undefined) problems.push(`${name} must be set to ${setting.allowed}`);
    else problems.push(`${name} must be ${setting.allowed}, got "${raw[name]}"`);
  }
  if (problems.length) throw new ConfigError(problems.join('; '));
  return config;
}
