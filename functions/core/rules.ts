/**
 * The rules tier: versioned, human-editable rules (models/rules.json) compiled at load into hash maps so an
 * item costs a handful of map look-ups, whatever the number of rules. The public entry of rules/: the
 * schema (schema.ts), compiling (compile.ts), reading, matching and the tier (rule-set.ts, matcher.ts), the
 * verdict and its explanation (verdict.ts).
 */
import { readJsonFile } from './errors.ts';
import { RuleSet } from './rules/rule-set.ts';
import { RulesError } from './rules/schema.ts';
import type { Taxonomy } from './taxonomy.ts';

export { createRulesTier, RuleSet, RulesTier } from './rules/rule-set.ts';
export { type RuleInput, RulesError, UNKNOWN_TARGET } from './rules/schema.ts';
export { describeVerdict } from './rules/verdict.ts';

export const DEFAULT_RULES_PATH = new URL('../../models/rules.json', import.meta.url);

export function loadRules(taxonomy: Taxonomy, file: string | URL = DEFAULT_RULES_PATH): RuleSet {
  return RuleSet.parse(readJsonFile(file, 'rules', RulesError), taxonomy, file instanceof URL ? file.pathname : file);
}
