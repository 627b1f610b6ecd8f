/** Reading a rules file: validating it against the schema and the taxonomy, every problem named by its rule. */
import { normalizeText } from '../normalize.ts';
import type { Taxonomy } from '../taxonomy.ts';
import { compileRule, type ExcludeIndex, type Rule } from './compile.ts';
import { type RuleSpec, RulesError, ruleSchema, rulesFileSchema, UNKNOWN_TARGET } from './schema.ts';
import { Vocabulary } from './vocabulary.ts';

export interface ParsedRules {
  version: string;
  rules: Rule[];
  /** The words of the rules' exclude lists, numbered; compileIndexes numbers the rest. */
  vocabulary: Vocabulary;
}

/** Validates parsed JSON and compiles each rule; throws RulesError listing every problem, each naming its rule. */
export function parseRules(json: unknown, taxonomy: Taxonomy, origin = 'rules'): ParsedRules {
  const file = rulesFileSchema.safeParse(json);
  if (!file.success) {
    const problems = file.error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`);
    throw new RulesError(`${origin} is not a valid rules file:\n  ${problems.join('\n  ')}`, problems);
  }
  const problems: string[] = [];
  const rules: Rule[] = [];
  const seen = new Set<string>();
  const vocabulary = new Vocabulary();
  // Rules sharing an exclude set share its compiled index: the set is normalized once, not once per rule.
  const excludeIndexes = new Map<string, ExcludeIndex | null>();
  const sets = file.data.excludeSets ?? {};
  for (const [name, list] of Object.entries(sets)) {
    for (const x of list) if (!normalizeText(x)) problems.push(`excludeSets.${name}: entry "${x}" is empty once normalized`);
  }
  file.data.rules.forEach((raw, index) => {
    const rawId = (raw as { id?: unknown } | null)?.id;
    const name = typeof rawId === 'string' && rawId ? `rule ${rawId}` : `rules[${index}]`;
    const parsed = ruleSchema.safeParse(raw);
    if (!parsed.success) {
      for (const i of parsed.error.issues) problems.push(`${name}: ${i.path.length ? `${i.path.join('.')}: ` : ''}${i.message}`);
      return;
    }
    const own = ruleProblems(parsed.data, taxonomy, sets);
    if (seen.has(parsed.data.id)) own.unshift(`duplicate rule id (ids must be unique)`);
    seen.add(parsed.data.id);
    for (const p of own) problems.push(`${name}: ${p}`);
    if (!own.length) rules.push(compileRule(parsed.data, sets, excludeIndexes, vocabulary));
  });
  if (problems.length) {
    const shown = problems.slice(0, 50);
    const more = problems.length > shown.length ? `\n  … and ${problems.length - shown.length} more` : '';
    throw new RulesError(`${origin}: ${problems.length} problem(s) in the rules:\n  ${shown.join('\n  ')}${more}`, problems);
  }
  return { version: file.data.version, rules, vocabulary };
}

/** What is wrong with one schema-valid rule beyond its shape: its target, empty entries, exclude sets, regex. */
function ruleProblems(spec: RuleSpec, taxonomy: Taxonomy, sets: Record<string, string[]>): string[] {
  const own: string[] = [];
  if (spec.target !== UNKNOWN_TARGET && !taxonomy.get(spec.target)) {
    own.push(`target "${spec.target}" is not a class of taxonomy ${taxonomy.name} ${taxonomy.version} (nor "${UNKNOWN_TARGET}")`);
  }
  for (const kw of spec.keywords ?? []) if (!normalizeText(kw)) own.push(`keyword "${kw}" is empty once normalized`);
  for (const p of spec.phrases ?? []) if (!normalizeText(p)) own.push(`phrase "${p}" is empty once normalized`);
  for (const b of spec.brands ?? []) if (!normalizeText(b)) own.push(`brand "${b}" is empty once normalized`);
  for (const x of spec.exclude ?? []) {
    if (x.startsWith('@')) {
      if (!Object.hasOwn(sets, x.slice(1))) own.push(`exclude set "${x}" is not defined in excludeSets`);
    } else if (!normalizeText(x)) own.push(`exclude entry "${x}" is empty once normalized`);
  }
  if (spec.regex !== undefined) own.push(...regexProblems(spec.regex));
  return own;
}

function regexProblems(regex: string): string[] {
  try {
    const re = new RegExp(regex);
    const out: string[] = [];
    if (re.test('')) out.push(`regex /${regex}/ matches the empty string`);
    // Numbered back-references would point at the wrong group once regexes are combined.
    if (/\\[1-9]/.test(regex)) out.push(`regex /${regex}/ uses a numbered back-reference: use a named group (\\k<name>)`);
    if (/\(\?<[a-zA-Z]/.test(regex)) out.push(`regex /${regex}/ uses a named group: not supported in rules`);
    return out;
  } catch (err) {
    return [`regex /${regex}/ does not compile: ${(err as Error).message}`];
  }
}
