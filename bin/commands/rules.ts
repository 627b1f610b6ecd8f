import { fileURLToPath } from 'node:url';
import { UserError } from '../../functions/core/errors.ts';
import { toCascadeItem } from '../../functions/core/normalize.ts';
import { measureRulePrecision, type PrecisionReport } from '../../functions/core/rules/precision.ts';
import { DEFAULT_RULES_PATH, describeVerdict, loadRules, type RuleSet, UNKNOWN_TARGET } from '../../functions/core/rules.ts';
import { DEFAULT_TAXONOMY_PATH, loadTaxonomy, type Taxonomy } from '../../functions/core/taxonomy.ts';
import { readLabelledCsv } from '../../functions/model/labelled-data.ts';
import { commandArgs } from './args.ts';

/** The labelled names every rule is measured on: the starter catalog and the adversarial list (merchandise named after food). */
const PRECISION_SETS = [
  { name: 'starter catalog', file: fileURLToPath(new URL('../../models/starter/catalog.csv', import.meta.url)) },
  { name: 'adversarial list', file: fileURLToPath(new URL('../../models/starter/adversarial.csv', import.meta.url)) },
];
/** The rules below this precision are listed when --min-precision is not given. */
const LISTED_BELOW = 0.99;
/** Without --all, the table lists at most this many rules. */
const TABLE_ROWS = 25;

const HELP = `usage: aisle rules check [FILE] [--taxonomy FILE] [--min-precision P] [--level N] [--all] [--json]
       aisle rules explain "product name" [--brand BRAND] [--rules FILE] [--taxonomy FILE]

check    validates a rules file (default models/rules.json) against the taxonomy: every problem is listed
         with its rule id; exits 1 when the file is refused. Also lists words that always conflict, then
         measures every rule on the starter catalog plus the adversarial list (models/starter/): its hits
         (items it decides), precision (share decided rightly) and first false hits, least precise first.
         --min-precision P  exit 1 when a rule with hits is below P (e.g. 0.99)
         --level N          compare classes down to taxonomy level N only (1: Food vs Non-Food)
         --all              list every rule with hits, not only the least precise
         --json             print the validation and the measurement as JSON
explain  shows how the rules see one product: its normalized text, every rule that matched and what
         became of it (decisive, agrees, conflict, excluded, contained, outranked), and the verdict.`;

export async function run(argv: string[]): Promise<number> {
  const args = commandArgs(argv, HELP, {
    allowPositionals: true,
    options: {
      rules: { type: 'string' },
      taxonomy: { type: 'string' },
      brand: { type: 'string' },
      'min-precision': { type: 'string' },
      level: { type: 'string' },
      all: { type: 'boolean' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (!args) return 0;
  const { values, positionals } = args;
  const [action, ...rest] = positionals;
  if (!action) {
    console.log(HELP);
    return 2;
  }
  const taxonomy = loadTaxonomy(values.taxonomy ?? DEFAULT_TAXONOMY_PATH);

  if (action === 'check') return check(taxonomy, rest, values);
  if (action === 'explain') return explain(taxonomy, rest, values);

  throw new UserError(`unknown rules action "${action}"\n\n${HELP}`);
}

interface CheckOptions {
  rules?: string;
  'min-precision'?: string;
  level?: string;
  all?: boolean;
  json?: boolean;
}

/**
 * `rules check`: validates a rules file, says which taxonomy leaves lack rules and which words always
 * conflict, then measures each rule's precision (see measureRulePrecision). Exits 1 when the file is
 * refused, or when --min-precision is given and a rule falls below it.
 */
async function check(taxonomy: Taxonomy, files: string[], options: CheckOptions): Promise<number> {
  if (files.length > 1) throw new UserError(`rules check takes one file, got ${files.length}\n\n${HELP}`);
  const minPrecision = optionalNumber(options['min-precision'], '--min-precision', 0, 1);
  const level = optionalNumber(options.level, '--level', 1, taxonomy.levels.length) ?? taxonomy.levels.length;
  if (!Number.isInteger(level)) throw new UserError(`--level must be a whole number from 1 to ${taxonomy.levels.length}`);
  const file: string | URL = files.length ? files[0] : (options.rules ?? DEFAULT_RULES_PATH);
  const path = file instanceof URL ? file.pathname : file;
  const rules = loadRules(taxonomy, file);
  const targets = new Set(rules.rules.map((r) => r.classId ?? UNKNOWN_TARGET));
  const uncovered = taxonomy.leaves.filter((c) => !targets.has(c.id)).map((c) => c.id);
  const overlaps = rules.overlaps();
  const measured = await measure(rules, taxonomy, level);
  const threshold = minPrecision ?? LISTED_BELOW;
  const below = measured.all.rules.filter((r) => r.precision !== null && r.precision < threshold);
  if (options.json) {
    console.log(JSON.stringify({ file: path, version: rules.version, rules: rules.rules.length, uncovered, overlaps, level, ...measured }, null, 2));
  } else {
    console.log(`${path}: ok, version ${rules.version}, ${rules.rules.length} rules`);
    console.log(
      `taxonomy ${taxonomy.name} ${taxonomy.version}: ${taxonomy.leaves.length - uncovered.length}/${taxonomy.leaves.length} leaves have rules`,
    );
    if (uncovered.length) console.log(`leaves without rules: ${uncovered.join(', ')}`);
    if (overlaps.length) {
      console.log(`\n${overlaps.length} word(s) always conflict:`);
      for (const line of overlaps) console.log(`  ${line}`);
    }
    printPrecision(measured, below, threshold, level < taxonomy.levels.length ? level : null, options.all === true);
  }
  if (minPrecision !== undefined && below.length) {
    console.error(`aisle: ${below.length} rule(s) below precision ${minPrecision}: ${below.map((r) => r.ruleId).join(', ')}`);
    return 1;
  }
  return 0;
}

function optionalNumber(value: string | undefined, name: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < min || n > max) throw new UserError(`${name} must be a number from ${min} to ${max}, got "${value}"`);
  return n;
}

/** The precision of the rules on each labelled set and on all of them together. */
async function measure(rules: RuleSet, taxonomy: Taxonomy, level: number) {
  const sets: (Omit<PrecisionReport, 'rules'> & { name: string; file: string })[] = [];
  const everything = [];
  for (const { name, file } of PRECISION_SETS) {
    const { rows } = await readLabelledCsv(file, taxonomy);
    const { rules: _perRule, ...whole } = measureRulePrecision(rules, taxonomy, rows, level);
    sets.push({ name, file, ...whole });
    everything.push(...rows);
  }
  return { sets, all: measureRulePrecision(rules, taxonomy, everything, level) };
}

const percent = (x: number | null) => (x === null ? '-' : `${(100 * x).toFixed(1)}%`);

function printPrecision(
  measured: Awaited<ReturnType<typeof measure>>,
  below: PrecisionReport['rules'],
  threshold: number,
  cutAt: number | null,
  all: boolean,
): void {
  const { sets, all: whole } = measured;
  console.log(`\nrule precision${cutAt === null ? '' : ` (classes compared to level ${cutAt})`}:`);
  for (const s of [...sets, { ...whole, name: 'both' }]) {
    console.log(
      `  ${s.name.padEnd(17)} ${String(s.rows).padStart(6)} names  decided ${percent(s.coverage).padStart(6)}  precision ${percent(s.precision)}`,
    );
  }
  const withHits = whole.rules;
  const listed = all ? withHits : withHits.slice(0, Math.max(below.length, Math.min(TABLE_ROWS, withHits.length)));
  console.log(
    `\n${withHits.length} rules decided something; ${below.length} below ${threshold}${listed.length < withHits.length ? `; the ${listed.length} least precise:` : ':'}`,
  );
  const width = Math.max(7, ...listed.map((r) => r.ruleId.length));
  console.log(`  ${'rule id'.padEnd(width)}  ${'hits'.padStart(5)}  precision  worst false hits`);
  for (const r of listed) {
    const falseHits = r.falseHits.map((f) => `"${f.text}" (${f.gold})`).join('; ');
    console.log(`  ${r.ruleId.padEnd(width)}  ${String(r.hits).padStart(5)}  ${percent(r.precision).padStart(9)}  ${falseHits}`);
  }
}

/** `rules explain`: every match of one product with what became of it, and the verdict. */
function explain(taxonomy: Taxonomy, words: string[], values: { rules?: string; brand?: string }): number {
  if (words.length === 0) throw new UserError(`rules explain needs a product name\n\n${HELP}`);
  const rules = loadRules(taxonomy, values.rules ?? DEFAULT_RULES_PATH);
  const item = toCascadeItem({ name: words.join(' '), brand: values.brand });
  const { matches, verdict } = rules.explain(item);
  console.log(`text: "${item.text}"`);
  if (matches.length === 0) console.log('no rule matched');
  for (const m of matches) {
    const target = m.rule.classId ?? UNKNOWN_TARGET;
    console.log(`  ${m.status.padEnd(9)} ${m.rule.id} → ${target} (priority ${m.rule.priority}, ${m.kind} '${m.text}')${m.why ? `: ${m.why}` : ''}`);
  }
  if (verdict.kind === 'decided') {
    const label = verdict.classId ? taxonomy.get(verdict.classId)?.label : 'unknown (needs review)';
    console.log(`decided: ${label}, confidence ${verdict.confidence}`);
  } else if (verdict.kind === 'conflict') {
    console.log('deferred: conflict at the top priority');
  } else {
    console.log('deferred: no rule decides');
  }
  console.log(`reason: ${describeVerdict(verdict)}`);
  return 0;
}
