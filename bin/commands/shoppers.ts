import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import cliProgress from 'cli-progress';
import { ZodError } from 'zod';
import { aisleHome, createLocalRuntime } from '../../functions/adapters/local/runtime.ts';
import { UserError } from '../../functions/core/errors.ts';
import { cascadeClassifier } from '../../functions/shoppers/classify.ts';
import { columnsHelp } from '../../functions/shoppers/columns.ts';
import { DuckDbShopperEngine } from '../../functions/shoppers/duckdb.ts';
import { generateShopperLogs } from '../../functions/shoppers/generator.ts';
import { ShopperInsights } from '../../functions/shoppers/insights.ts';
import { DEFAULT_SHOPPER_OPTIONS as D, processShopperLogs, SHOPPER_STEPS, type ShopperSummary } from '../../functions/shoppers/pipeline.ts';
import { DEFAULT_SHOPPER_INSIGHT_PARAMS as INSIGHT_DEFAULTS } from '../../functions/shoppers/registry.ts';
import { parseTierList, selectableTierNames } from '../../functions/tiers/registry.ts';
import { commandArgs } from './args.ts';
import { type Format, render } from './insights.ts';

const HELP = `usage: aisle shoppers LOGS.csv [--demographics D.csv] [--out DIR] [options]
       aisle shoppers generate [--events N] [--shoppers M] [--seed S] [--out DIR]
       aisle shoppers insights DIR [NAME] [--format table|csv|json] [--min-support X] [--top N]

Reads shopper logs (searches, views, add-to-cart, purchases), drops bad rows (to DIR/rejects.csv, with the
reason) and duplicates, cuts sessions, merges demographics, classifies every product through the cascade
(cached) and links each search to the products it led to. Writes DIR/events.parquet, sessions.parquet,
searches.parquet, search_links.parquet, product_categories.parquet, the two rollups the insights read
(session_categories.parquet, calendar_activity.parquet) and prints a summary. See docs/shoppers.md.

options:
  --demographics FILE   demographics CSV (user_id and any of age, gender, income, region)
  -o, --out DIR         output folder (default $AISLE_HOME/shoppers)
  --dedupe-window S     same user, event and item within S seconds is a duplicate (default ${D.dedupeWindowS})
  --search-gap MIN      inactivity before a search that starts a new session (default ${D.searchGapMin})
  --gap MIN             inactivity before any other event that starts a new session (default ${D.otherGapMin})
  --half-life S         seconds after a search at which a link's weight halves (default ${D.linkHalfLifeS})
  --link-floor X        links scoring under X (similarity x time decay, 0..1) are dropped (default ${D.linkFloor})
  --links N             links kept per search (default ${D.linksPerSearch})
  --tiers LIST          cascade tiers for the products, from: ${selectableTierNames().join(', ')}
  --memory-limit SIZE   DuckDB's memory before it spills to DIR/tmp (default 384MB)
  -q, --quiet           no progress output
  -h, --help            this help

generate options (writes DIR/shopper-logs.csv, demographics.csv, planted-searches.csv, truth.json):
  --events N            rows to write (default 100000)
  --shoppers M          shoppers (default 10000; each has a session once N >= about 8 x M)
  --seed S              random seed (default 1)

insights options (named queries over the tables in DIR; with no NAME, lists them):
  --format FORMAT       table (default), csv or json
  --min-support X       share of purchase sessions a category set must reach (default ${INSIGHT_DEFAULTS.minSupport})
  --top N               rows kept by the ranked queries, per category where they rank within one (default ${INSIGHT_DEFAULTS.topN})

${columnsHelp()}`;

function number(value: string | undefined, name: string, fallback: number, integer = false): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || (integer && !Number.isInteger(n)))
    throw new UserError(`${name} must be a ${integer ? 'whole ' : ''}number ≥ 0, got "${value}"`);
  return n;
}

const OPTIONS = {
  demographics: { type: 'string' },
  out: { type: 'string', short: 'o' },
  'dedupe-window': { type: 'string' },
  'search-gap': { type: 'string' },
  gap: { type: 'string' },
  'half-life': { type: 'string' },
  'link-floor': { type: 'string' },
  links: { type: 'string' },
  tiers: { type: 'string' },
  'memory-limit': { type: 'string' },
  events: { type: 'string' },
  shoppers: { type: 'string' },
  seed: { type: 'string' },
  format: { type: 'string', default: 'table' },
  'min-support': { type: 'string' },
  top: { type: 'string' },
  quiet: { type: 'boolean', short: 'q' },
  help: { type: 'boolean', short: 'h' },
} as const;

export async function run(argv: string[]): Promise<number> {
  const args = commandArgs(argv, HELP, { allowPositionals: true, options: OPTIONS });
  if (!args) return 0;
  const { values, positionals } = args;
  if (positionals[0] === 'generate') return generate(values);
  if (positionals[0] === 'insights') return insights(positionals.slice(1), values);
  if (positionals.length !== 1) throw new UserError(`one shopper-log CSV expected, got ${positionals.length}\n\n${HELP}`);
  const out = resolve(values.out ?? join(aisleHome(), 'shoppers'));
  const options = {
    dedupeWindowS: number(values['dedupe-window'], '--dedupe-window', D.dedupeWindowS),
    searchGapMin: number(values['search-gap'], '--search-gap', D.searchGapMin),
    otherGapMin: number(values.gap, '--gap', D.otherGapMin),
    linkHalfLifeS: number(values['half-life'], '--half-life', D.linkHalfLifeS),
    linkFloor: number(values['link-floor'], '--link-floor', D.linkFloor),
    linksPerSearch: number(values.links, '--links', D.linksPerSearch, true),
  };
  const rt = await createLocalRuntime({ tiers: values.tiers === undefined ? undefined : parseTierList(values.tiers) });
  const engine = await DuckDbShopperEngine.open({ tmpDir: join(out, 'tmp'), memoryLimit: values['memory-limit'] });
  const bar = values.quiet ? undefined : stepBar();
  try {
    const summary = await processShopperLogs(
      { logs: positionals[0], demographics: values.demographics, out },
      { engine, classify: cascadeClassifier(rt.cascade, rt.taxonomy) },
      options,
      bar?.step,
    );
    bar?.stop();
    console.log(formatSummary(summary, out));
    return 0;
  } finally {
    bar?.stop();
    await engine.close();
    await rt.close();
  }
}

/** The steps as a bar on a terminal, a line each otherwise. */
function stepBar() {
  const total = SHOPPER_STEPS.length;
  const tty = process.stderr.isTTY;
  const bar = tty
    ? new cliProgress.SingleBar(
        { stream: process.stderr, format: 'shoppers {bar} {value}/{total} {step}', hideCursor: true },
        cliProgress.Presets.shades_classic,
      )
    : undefined;
  bar?.start(total, 0, { step: '' });
  let stopped = false;
  return {
    step: (step: string) => {
      const at = SHOPPER_STEPS.indexOf(step as (typeof SHOPPER_STEPS)[number]);
      if (bar) bar.update(at, { step });
      else process.stderr.write(`aisle shoppers: ${step} (${at + 1}/${total})\n`);
    },
    stop: () => {
      if (bar && !stopped) {
        bar.update(total, { step: 'done' });
        bar.stop();
      }
      stopped = true;
    },
  };
}

export function formatSummary(s: ShopperSummary, out: string): string {
  const n = (x: number) => x.toLocaleString('en-US');
  const rejected = Object.values(s.rejected).reduce((a, b) => a + b, 0);
  const reasons = Object.entries(s.rejected).map(([reason, count]) => `    ${reason}: ${n(count)}`);
  return [
    `events in           ${n(s.eventsIn)}`,
    `duplicates dropped  ${n(s.duplicatesDropped)}`,
    `rejected            ${n(rejected)}${rejected ? ` (${join(out, 'rejects.csv')})` : ''}`,
    ...reasons,
    `events kept         ${n(s.eventsKept)}`,
    `shoppers            ${n(s.shoppers)} (${n(s.shoppersWithoutDemographics)} without demographics)`,
    `sessions            ${n(s.sessions)}`,
    `products            ${n(s.products)} (${n(s.productsUnclassified)} left for review)`,
    `searches            ${n(s.searches)}, ${n(s.searchesLinked)} linked to a product, ${n(s.searchesLeadingToPurchase)} led to a purchase`,
    `written to          ${out}`,
  ].join('\n');
}

function generate(values: { events?: string; shoppers?: string; seed?: string; out?: string }): number {
  const out = resolve(values.out ?? '.');
  mkdirSync(out, { recursive: true });
  const paths = { logs: join(out, 'shopper-logs.csv'), demographics: join(out, 'demographics.csv'), searches: join(out, 'planted-searches.csv') };
  const truth = generateShopperLogs(
    {
      events: number(values.events, '--events', 100_000, true),
      shoppers: Math.max(1, number(values.shoppers, '--shoppers', 10_000, true)),
      seed: number(values.seed, '--seed', 1, true),
    },
    paths,
  );
  writeFileSync(join(out, 'truth.json'), JSON.stringify(truth, null, 2) + '\n');
  console.log(
    `wrote ${truth.rows.toLocaleString('en-US')} rows (${truth.shoppers.toLocaleString('en-US')} shoppers, ${truth.sessions.toLocaleString('en-US')} sessions) ` +
      `to ${paths.logs}, with ${paths.demographics}, ${paths.searches} and ${join(out, 'truth.json')}`,
  );
  return 0;
}

async function insights(positionals: string[], values: { format?: string; 'min-support'?: string; top?: string }): Promise<number> {
  const format = values.format as Format;
  if (!['table', 'csv', 'json'].includes(format)) throw new UserError(`--format must be table, csv or json, not "${values.format}"`);
  if (positionals.length < 1 || positionals.length > 2) throw new UserError(`aisle shoppers insights DIR [NAME] expected\n\n${HELP}`);
  const minSupport = number(values['min-support'], '--min-support', INSIGHT_DEFAULTS.minSupport);
  if (minSupport > 1) throw new UserError(`--min-support is a share of sessions, 0 to 1, got ${minSupport}`);
  const topN = number(values.top, '--top', INSIGHT_DEFAULTS.topN, true);
  const [dir, name] = positionals;
  const shopperInsights = await ShopperInsights.open(resolve(dir));
  try {
    if (!name) {
      const list = shopperInsights.list();
      // The table shows each description's first sentence; csv keeps them whole (as `aisle insights` does).
      const shown = format === 'table' ? list.map((q) => ({ ...q, description: q.description.split(/(?<=\.) /)[0] })) : list;
      console.log(format === 'json' ? JSON.stringify(list.map((q) => q.name)) : render(shown, format));
      return 0;
    }
    const rows = await shopperInsights.run(name, { minSupport, topN }).catch((err) => {
      if (err instanceof ZodError) throw new UserError(err.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
      throw err;
    });
    console.log(render(rows, format));
    return 0;
  } finally {
    shopperInsights.close();
  }
}
