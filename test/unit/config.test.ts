import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError, configOf, DEPLOYABLES } from '../../functions/config/deployables.ts';
import { configurationDoc } from '../../functions/config/docs.ts';

const AWS = { TABLE_NAME: 'aisle', LAKE_BUCKET: 'lake', FINALIZE_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/1/finalize' };

describe('configOf', () => {
  it('gives every local setting its one default', () => {
    expect(configOf('local', {})).toEqual({
      aisleHome: '.aisle',
      aisleCacheTtlDays: undefined,
      aisleCsvRaw: false,
      port: 8787,
      aisleMaxUploadBytes: 1024 ** 3,
      aisleMaxRecordBytes: 1024 * 1024,
      aisleAuthFailures: 30,
      aisleAuthFailureWindowS: 60,
      aisleClientAddressHeader: undefined,
      llmEnabled: true,
      ollamaHost: 'http://127.0.0.1:11434',
      ollamaModel: 'llama3',
      ollamaBatchSize: 20,
      ollamaConcurrency: 2,
      ollamaTimeoutMs: 120_000,
      ollamaKeepAlive: 300,
      ollamaNumCtx: 8192,
      llmMinConfidence: 0.5,
    });
  });

  it('the LLM confidence floor is a setting of every deployable that runs the LLM', () => {
    expect(configOf('local', { LLM_MIN_CONFIDENCE: '0.2' }).llmMinConfidence).toBe(0.2);
    expect(configOf('llm-worker', { ...AWS, LLM_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/1/llm', LLM_MIN_CONFIDENCE: '0' })).toMatchObject({
      llmMinConfidence: 0,
    });
    expect(() => configOf('local', { LLM_MIN_CONFIDENCE: '1.5' })).toThrow('LLM_MIN_CONFIDENCE must be a number from 0 to 1, got "1.5"');
  });

  it('reads the values as their types', () => {
    const config = configOf('local', {
      AISLE_HOME: '/data/aisle',
      AISLE_CACHE_TTL_DAYS: '2.5',
      LLM_ENABLED: 'FALSE',
      OLLAMA_HOST: '10.0.0.5:11434/',
      OLLAMA_KEEP_ALIVE: '10m',
      OLLAMA_BATCH_SIZE: ' 8 ',
    });
    expect(config).toMatchObject({
      aisleHome: '/data/aisle',
      aisleCacheTtlDays: 2.5,
      llmEnabled: false,
      ollamaHost: 'http://10.0.0.5:11434',
      ollamaKeepAlive: 600,
      ollamaBatchSize: 8,
    });
    expect(configOf('local', { OLLAMA_KEEP_ALIVE: '-1', OLLAMA_HOST: 'https://llm.internal' })).toMatchObject({
      ollamaKeepAlive: -1,
      ollamaHost: 'https://llm.internal',
    });
  });

  it('names the variable, its allowed values and the value it got', () => {
    expect(() => configOf('local', { AISLE_CACHE_TTL_DAYS: 'abc' })).toThrow('AISLE_CACHE_TTL_DAYS must be a positive number of days, got "abc"');
    expect(() => configOf('local', { AISLE_CACHE_TTL_DAYS: '-3' })).toThrow('AISLE_CACHE_TTL_DAYS must be a positive number of days, got "-3"');
    expect(() => configOf('local', { LLM_ENABLED: 'maybe' })).toThrow('LLM_ENABLED must be true or false (also 1/0, yes/no, on/off), got "maybe"');
    expect(() => configOf('local', { OLLAMA_BATCH_SIZE: 'lots' })).toThrow('OLLAMA_BATCH_SIZE must be an integer >= 1, got "lots"');
    expect(() => configOf('local', { OLLAMA_CONCURRENCY: '1.5' })).toThrow('OLLAMA_CONCURRENCY must be an integer >= 1, got "1.5"');
    expect(() => configOf('local', { PORT: '70000' })).toThrow('PORT must be an integer from 0 to 65535, got "70000"');
    expect(() => configOf('classify', { ...AWS, POWERTOOLS_LOG_LEVEL: 'LOUD' })).toThrow(
      'POWERTOOLS_LOG_LEVEL must be one of TRACE, DEBUG, INFO, WARN, ERROR, CRITICAL, SILENT, got "LOUD"',
    );
    expect(() =>
      configOf('trainer', {
        LAKE_BUCKET: 'lake',
        TRAIN_DATA_URI: 'exports/x.csv',
        HELDOUT_DATA_URI: 's3://lake/h.csv',
        MODEL_OUTPUT_URI: 's3://lake/m/',
      }),
    ).toThrow('TRAIN_DATA_URI must be an s3://bucket/key URI, got "exports/x.csv"');
  });

  it('lists every missing required setting at once, as an error the CLI prints without a stack', () => {
    let error: unknown;
    try {
      configOf('ingest', { TABLE_NAME: 'aisle' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).userFacing).toBe(true);
    expect((error as Error).message).toBe(
      'LAKE_BUCKET must be set to a non-empty name; CLASSIFY_QUEUE_URL must be set to an SQS queue URL; FINALIZE_QUEUE_URL must be set to an SQS queue URL',
    );
  });

  it('reads a blank value as unset (CDK passes "" for a switched-off queue or endpoint)', () => {
    const config = configOf('classify', { ...AWS, LLM_ENABLED: 'false', LLM_QUEUE_URL: '', ENCODER_ENDPOINT_NAME: ' ' });
    expect(config).toMatchObject({
      tableName: 'aisle',
      llmEnabled: false,
      llmQueueUrl: undefined,
      encoderEndpointName: undefined,
      powertoolsServiceName: 'aisle',
    });
    expect(configOf('local', { AISLE_HOME: '' }).aisleHome).toBe('.aisle');
  });

  it("reads only its own deployable's settings", () => {
    const api = configOf('api', {
      ...AWS,
      INBOX_BUCKET: 'inbox',
      ATHENA_WORKGROUP: 'wg',
      GLUE_DATABASE: 'db',
      LLM_ENABLED: 'nonsense',
      GLUE_TABLE: 'results',
    });
    expect(api).toMatchObject({ inboxBucket: 'inbox', athenaWorkgroup: 'wg', glueDatabase: 'db', retrainStateMachineArn: undefined });
    expect(api).not.toHaveProperty('llmEnabled');
    expect(api).not.toHaveProperty('glueTable');
  });

  it('parses once per environment: the same values give the same object, other values a new one', () => {
    const env = { AISLE_HOME: '/a' };
    expect(configOf('local', env)).toBe(configOf('local', { ...env }));
    expect(configOf('local', { AISLE_HOME: '/b' }).aisleHome).toBe('/b');
  });

  it('the encoder listens on PORT when set, else on SAGEMAKER_BIND_TO_PORT (8080)', () => {
    expect(configOf('encoder', {})).toMatchObject({
      port: undefined,
      sagemakerBindToPort: 8080,
      modelDir: '/opt/ml/model',
      host: '0.0.0.0',
      encoderThreads: undefined,
    });
    expect(configOf('encoder', { PORT: '0', ENCODER_THREADS: '1' })).toMatchObject({ port: 0, encoderThreads: 1 });
  });
});

describe('docs/configuration.md', () => {
  it('is the generated table (npx tsx functions/config/docs.ts > docs/configuration.md)', () => {
    expect(readFileSync('docs/configuration.md', 'utf8')).toBe(configurationDoc());
  });

  it('has a row for every setting of every deployable', () => {
    const doc = configurationDoc();
    for (const settings of Object.values(DEPLOYABLES)) {
      for (const name of Object.keys(settings)) expect(doc).toContain(`| \`${name}\` |`);
    }
  });
});
