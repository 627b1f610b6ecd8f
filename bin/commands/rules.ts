import { UserError } from '../../functions/core/errors.ts';
import { toCascadeItem } from '../../functions/core/normalize.ts';
import { DEFAULT_RULES_PATH, describeVerdict, loadRules, UNKNOWN_TARGET } from '../../functions/core/rules.ts';
import { DEFAULT_TAXONOMY_PATH, loadTaxonomy, type Taxonomy } from '../../functions/core/taxonomy.ts';
import { commandArgs } from './args.ts';

const HELP = `usage: aisle rules check [FILE] [--taxonomy FILE]
       aisle rules explain "product name" [--brand BRAND] [--rules FILE] [--taxonomy FILE]

check    validates a rules file (default models/rules.json) against the taxonomy: every problem is listed
         with its rule id; exits 1 when the file is refused. Also lists words that always conflict.
explain  shows how the rules see one product: its normalized text, every rule that matched and what
         became of it (decisive, agrees, conflict, excluded, contained, outranked), and the verdict.`;

export async function run(argv: string[]): Promise<number> {
  const args = commandArgs(argv, HELP, {
    allowPositionals: true,
    options: {
      rules: { type: 'string' },
      taxonomy: { type: 'string' },
      brand: { type: 'string' },
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

  if (action === 'check') return check(taxonomy, rest, values.rules);
  if (action === 'explain') return explain(taxonomy, rest, values);

  throw new UserError(`unknown rules action "${action}"\n\n${HELP}`);
}

/** `rules check`: validates a rules file, then says which taxonomy leaves lack rules and which words always conflict. */
function check(taxonomy: Taxonomy, files: string[], rulesOption: string | undefined): number {
  if (files.length > 1) throw new UserError(`rules check takes one file, got ${files.length}\n\n${HELP}`);
  const file: string | URL = files.length ? files[0] : (rulesOption ?? DEFAULT_RULES_PATH);
  const rules = loadRules(taxonomy, file);
  const targets = new Set(rules.rules.map((r) => r.classId ?? UNKNOWN_TARGET));
  const uncovered = taxonomy.leaves.filter((c) => !targets.has(c.id)).map((c) => c.id);
  console.log(`${file instanceof URL ? file.pathname : file}: ok, version ${rules.version}, ${rules.rules.length} rules`);
  console.log(
    `taxonomy ${taxonomy.name} ${taxonomy.version}: ${taxonomy.leaves.length - uncovered.length}/${taxonomy.leaves.length} leaves have rules`,
  );
  if (uncovered.length) console.log(`leaves without rules: ${uncovered.join(', ')}`);
  const overlaps = rules.overlaps();
  if (overlaps.length) {
    console.log(`\n${overlaps.length} word(s) always conflict:`);
    for (const line of overlaps) console.log(`  ${line}`);
  }
  return 0;
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
