import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { makeClients } from '../../functions/adapters/aws/clients.ts';
import { DEFAULT_TENANT, TENANT_RE } from '../../functions/core/api-keys.ts';
import { UserError } from '../../functions/core/errors.ts';
import { stepDeps } from '../../functions/handlers/step-deps.ts';
import { redriveJob } from '../../functions/pipeline/redrive.ts';
import { commandArgs } from './args.ts';

const USAGE = `usage: aisle aws redrive JOB [--tenant TENANT] [--table NAME] [--lake BUCKET] [--classify-queue URL]
                          [--llm-queue URL] [--finalize-queue URL] [--region REGION] [--endpoint URL]

Operations on a deployed stack (docs/aws-scale.md).
redrive: sends a job's failed chunks (GET /v1/jobs/JOB lists them, with why) back to their queue. Each leaves
the job's failed count; a job that ended partial runs again and is finalized once more when they are classified.
The names come from the options or from the environment the Lambdas use (TABLE_NAME, LAKE_BUCKET,
CLASSIFY_QUEUE_URL, LLM_QUEUE_URL, FINALIZE_QUEUE_URL): the stack's outputs and its functions' settings.
Credentials and region: the AWS SDK's usual chain (AWS_PROFILE, AWS_REGION, ...). --endpoint: an emulator.`;

/** `aisle aws redrive JOB`: the redrive step over the stack's table, lake and queues. */
export async function run(argv: string[]): Promise<number> {
  const [action, ...rest] = argv;
  if (!action || action === '--help' || action === '-h') {
    console.log(USAGE);
    return action ? 0 : 2;
  }
  if (action !== 'redrive') throw new UserError(`unknown action "${action}"\n\n${USAGE}`);
  const args = commandArgs(rest, USAGE, {
    allowPositionals: true,
    options: {
      tenant: { type: 'string', default: DEFAULT_TENANT },
      table: { type: 'string', default: process.env.TABLE_NAME },
      lake: { type: 'string', default: process.env.LAKE_BUCKET },
      'classify-queue': { type: 'string', default: process.env.CLASSIFY_QUEUE_URL },
      'llm-queue': { type: 'string', default: process.env.LLM_QUEUE_URL },
      'finalize-queue': { type: 'string', default: process.env.FINALIZE_QUEUE_URL },
      region: { type: 'string' },
      endpoint: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (!args) return 0;
  const { values, positionals } = args;
  const [jobId] = positionals;
  if (!jobId || positionals.length > 1) throw new UserError(`aisle aws redrive takes one job id\n\n${USAGE}`);
  if (!TENANT_RE.test(values.tenant)) throw new UserError(`--tenant "${values.tenant}": lowercase letters, digits, "-" and "_" only`);
  const missing = (['table', 'lake', 'classify-queue'] as const).filter((k) => !values[k]);
  if (missing.length)
    throw new UserError(`aisle aws redrive needs ${missing.map((k) => `--${k}`).join(', ')} (or their environment variables)\n\n${USAGE}`);

  const clients = makeClients({ region: values.region, endpoint: values.endpoint });
  const deps = stepDeps(
    clients,
    {
      tableName: values.table!,
      lakeBucket: values.lake!,
      classifyQueueUrl: values['classify-queue'],
      finalizeQueueUrl: values['finalize-queue'],
      llmQueueUrl: values['llm-queue'],
      llmEnabled: Boolean(values['llm-queue']),
    },
    { logger: new Logger({ logLevel: 'WARN' }), metrics: new Metrics({ namespace: 'aisle-cli' }), tiers: async () => [] },
  );
  const { sent, skipped } = await redriveJob(deps, values.tenant, jobId);
  const rows = sent.reduce((n, f) => n + f.rows, 0);
  console.log(`job ${jobId}: ${sent.length} failed chunk${sent.length === 1 ? '' : 's'} (${rows} rows) sent again`);
  for (const s of skipped) console.log(`  not sent: chunk ${s.chunkId}: ${s.reason}`);
  return skipped.length && !sent.length ? 1 : 0;
}
