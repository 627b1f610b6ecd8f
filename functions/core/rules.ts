/**
 * The rules tier: versioned, human-editable rules (models/rules.json) compiled at load into hash maps so an
 * item costs a handful of map look-ups, whatever the number of rules. The public entry of rules/: the
 * schema (schema.ts), compiling (compile.ts), reading and matching (rule-set.ts, matcher.ts), the
 * verdict and its explanation (verdict.ts) and the tier (tier.ts).
 */
import { readJsonFile } from './errors.ts';
import { RuleSet } from './rules/rule-set.ts';
import { RulesError } from './rules/schema.ts';
import type { Taxonomy } from './taxonomy.ts';

export type { Rule } from './rules/compile.ts';
export { type LoneMatch, RuleSet } from './rules/rule-set.ts';
export {
  type MatchKind,
  type RuleInput,
  type RuleSpec,
  RulesError,
  ruleConfidence,
  ruleSchema,
  rulesFileSchema,
  UNKNOWN_TARGET,
} from './rules/schema.ts';
export { createRulesTier, RulesTier } from './rules/tier.ts';
export { describeVerdict, type ExplainedMatch, type RuleMatch, type RulesVerdict } from './rules/verdict.ts';

export const DEFAULT_RULES_PATH = new URL('../../models/rules.json', import.meta.url);

export function loadRules(taxonomy: Taxonomy, file: string | URL = DEFAULT_RULES_PATH): RuleSet {
  return RuleSet.parse(readJsonFile(file, 'rules', RulesError), taxonomy, file instanceof URL ? file.pathname : file);
}
