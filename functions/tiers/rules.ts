import { DEFAULT_RULES_PATH, loadRules, RulesTier } from '../core/rules.ts';
import type { TierPlugin } from './tier.ts';

/** Hand-written rules (models/rules.json, or --rules FILE): cheap and exact, so they come first. */
export const rulesTier: TierPlugin = {
  name: 'rules',
  summary: 'keyword, phrase, brand and regex rules from models/rules.json (or --rules FILE)',
  load: async ({ taxonomy, rulesPath, services }) => new RulesTier(services.rules?.() ?? loadRules(taxonomy, rulesPath ?? DEFAULT_RULES_PATH)),
};
