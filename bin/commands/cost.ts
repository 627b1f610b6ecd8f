/** `aisle cost`: what a million products cost on AWS with the cascade, beside sending every product to the LLM. */
import {
  type CostReport,
  costReport,
  DEFAULT_ASSUMPTIONS,
  ENCODER_HOSTINGS,
  type EncoderHosting,
  loadPrices,
  type Mix,
  mixFromTierCounts,
  parseMix,
  TYPICAL_MIX,
} from '../../functions/core/cost.ts';
import { UserError } from '../../functions/core/errors.ts';
import type { JobRecord } from '../../functions/ports.ts';
import { cascadeTierNames } from '../../functions/tiers/registry.ts';
import { commandArgs } from './args.ts';

const HELP = `usage: aisle cost [--job ID | --mix TIER=SHARE,...] [--encoder serverless|gpu] [--prices FILE] [--format text|json]

Dollars per million products on AWS (us-east-1 on-demand prices from models/prices.json) for a mix of
tiers (${cascadeTierNames().join(', ')}): the measured mix of a local job (--job), a given one (--mix),
or a typical first run (default: ${Object.entries(TYPICAL_MIX)
  .map(([t, v]) => `${t}=${v}`)
  .join(',')}), side by side with
sending every product to the LLM, and what the deployment costs a month when idle. The encoder is hosted
as the stack deploys it by default (--encoder serverless: SageMaker Serverless Inference on CPU) or with
-c encoderGpu=true (--encoder gpu: a real-time GPU endpoint for DeBERTa); both are listed at the end.`;

/** Reads a job's tier counts from the local JobStore (the foundation's DuckDB runtime). */
export type JobLookup = (id: string) => Promise<Pick<JobRecord, 'tierCounts'> | null>;

export async function run(argv: string[], lookupJob?: JobLookup): Promise<number> {
  const args = commandArgs(argv, HELP, {
    options: {
      job: { type: 'string' },
      mix: { type: 'string' },
      prices: { type: 'string' },
      encoder: { type: 'string', default: 'serverless' },
      format: { type: 'string', default: 'text' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (!args) return 0;
  const { values } = args;
  if (values.format !== 'text' && values.format !== 'json') throw new UserError(`--format must be text or json, not "${values.format}"`);
  if (values.job && values.mix) throw new UserError('give --job or --mix, not both');
  const hosting = values.encoder as EncoderHosting;
  if (!ENCODER_HOSTINGS.includes(hosting)) throw new UserError(`--encoder must be ${ENCODER_HOSTINGS.join(' or ')}, not "${values.encoder}"`);

  let mix: Mix = TYPICAL_MIX;
  let mixSource = 'typical first run (no --job or --mix given)';
  try {
    if (values.mix) {
      mix = parseMix(values.mix, cascadeTierNames());
      mixSource = '--mix';
    } else if (values.job) {
      const job = await (lookupJob ?? localJobLookup)(values.job);
      if (!job) throw new Error(`no job "${values.job}" in the local store`);
      mix = mixFromTierCounts(job.tierCounts, cascadeTierNames());
      mixSource = `measured on job ${values.job}`;
    }
  } catch (err) {
    throw new UserError((err as Error).message);
  }

  const assumptions = { ...DEFAULT_ASSUMPTIONS, encoderHosting: hosting };
  const report = costReport(mix, loadPrices(values.prices ?? undefined), assumptions);
  if (values.format === 'json') console.log(JSON.stringify({ mixSource, ...report, assumptions }, null, 2));
  else console.log(formatReport(report, mixSource));
  return 0;
}

/** The job as the local runtime recorded it ($AISLE_HOME/aisle.duckdb). */
async function localJobLookup(id: string): Promise<Pick<JobRecord, 'tierCounts'> | null> {
  const { openLocalDb } = await import('../../functions/adapters/local/runtime.ts');
  const { DuckDbJobStore } = await import('../../functions/adapters/local/duckdb.ts');
  const db = await openLocalDb();
  try {
    return await new DuckDbJobStore(db).get(id);
  } finally {
    await db.close();
  }
}

const dollars = (n: number) => (n >= 100 ? `$${n.toFixed(0)}` : n >= 1 ? `$${n.toFixed(2)}` : `$${n.toFixed(4)}`);

export function formatReport(r: CostReport, mixSource: string): string {
  const mixText = Object.entries(r.cascade.mix)
    .map(([t, v]) => `${t} ${(v * 100).toFixed(1)}%`)
    .join(', ');
  const rows = r.cascade.lines.map((line, i) => [line.component, dollars(line.dollars), dollars(r.allLlm.lines[i].dollars), line.basis]);
  rows.push(['total per million products', dollars(r.cascade.total), dollars(r.allLlm.total), '']);
  const header = ['component', 'cascade', 'all to LLM', 'cascade basis'];
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((row) => row[c].length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, c) => (c === 1 || c === 2 ? cell.padStart(widths[c]) : cell.padEnd(widths[c])))
      .join('  ')
      .trimEnd();
  const idleRows = r.idle.lines.map((l) => `  ${l.component.padEnd(32)} ${dollars(l.dollars).padStart(9)}  ${l.basis}`);
  const encoderRows = r.encoderOptions.map(
    (o) =>
      `  ${`${o.hosting === 'gpu' ? 'gpu (-c encoderGpu=true)' : 'serverless (default)'}`.padEnd(26)} ${dollars(o.idle.dollars).padStart(9)}  ${dollars(o.perMillion.dollars).padStart(9)}  ${o.perMillion.component}`,
  );
  return [
    `Cost per ${r.productsPer.toLocaleString('en-US')} products on AWS (${r.prices.region}, on-demand prices read ${r.prices.read})`,
    `tier mix (${mixSource}): ${mixText}`,
    '',
    line(header),
    ...rows.map(line),
    '',
    `The cascade costs ${r.savingsFactor.toFixed(1)}× less than sending every product to the LLM.`,
    '',
    `Idle, per month: ${dollars(r.idle.totalPerMonth)}`,
    ...idleRows,
    '',
    'Encoder hosting options: idle per month, encoder per million products (this mix)',
    ...encoderRows,
    '',
    `Prices: ${r.prices.source}`,
  ].join('\n');
}
