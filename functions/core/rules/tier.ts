/** The rules tier of the cascade: a RuleSet's verdicts as tier outcomes. */
import type { Candidate, CascadeItem, Tier, TierOutcome } from '../types.ts';
import type { Rule } from './compile.ts';
import type { RuleSet } from './rule-set.ts';
import type { MatchKind } from './schema.ts';
import { describeVerdict, NONE, type RuleMatch, type RulesVerdict } from './verdict.ts';

/** The rules tier. Not cacheable: rules are cheaper than a cache look-up and may be edited. */
export class RulesTier implements Tier {
  readonly name = 'rules' as const;
  readonly cacheable = false;
  readonly modelVersion: string;

  constructor(readonly ruleSet: RuleSet) {
    this.modelVersion = `rules@${ruleSet.version}`;
  }

  decide(items: CascadeItem[]): TierOutcome[] {
    const out: TierOutcome[] = new Array(items.length);
    for (let i = 0; i < items.length; i++) out[i] = this.decideOne(items[i]);
    return out;
  }

  /**
   * Outcomes of lone decisive matches, per rule and matched text (brand matches apart: their reason says so):
   * the same few objects, built once and shared by every item they decide. Regex matches are not kept: their
   * text is whatever the item says.
   */
  private readonly outcomes = new Map<Rule, Map<string, TierOutcome>>();
  private readonly brandOutcomes = new Map<Rule, Map<string, TierOutcome>>();

  decideOne(item: CascadeItem): TierOutcome {
    const found = this.ruleSet.matchLone(item);
    if (found.kind === 'lone') {
      const { rule, matchKind, text } = found;
      if (matchKind === 'regex') return this.outcomeOf(rule, matchKind, text);
      const cache = matchKind === 'brand' ? this.brandOutcomes : this.outcomes;
      let byText = cache.get(rule);
      if (byText === undefined) cache.set(rule, (byText = new Map()));
      let outcome = byText.get(text);
      if (outcome === undefined) byText.set(text, (outcome = this.outcomeOf(rule, matchKind, text)));
      return outcome;
    }
    if (found.kind === 'none') return NO_RULE;
    if (found.kind === 'decided') return this.decidedOutcome(found);
    return { kind: 'deferred', reason: describeVerdict(found), candidates: conflictCandidates(found.matches) };
  }

  private outcomeOf(rule: Rule, kind: MatchKind, text: string): TierOutcome {
    const match: RuleMatch = { rule, kind, text, start: 0, end: 0 };
    return this.decidedOutcome({ kind: 'decided', classId: rule.classId, confidence: rule.confidenceOf[kind], match, agreeing: NONE });
  }

  private decidedOutcome(verdict: Extract<RulesVerdict, { kind: 'decided' }>): TierOutcome {
    return {
      kind: 'decided',
      classId: verdict.classId,
      confidence: verdict.confidence,
      status: verdict.classId === null ? 'needs_review' : 'ok',
      ruleId: verdict.match.rule.id,
      modelVersion: this.modelVersion,
      reason: describeVerdict(verdict),
    };
  }
}

const NO_RULE: TierOutcome = { kind: 'deferred', reason: 'no rule matched' };

/** Conflicting classes as candidates, each at half its best rule's confidence: a hint, not a decision. */
function conflictCandidates(matches: RuleMatch[]): Candidate[] {
  const best = new Map<string, number>();
  for (const m of matches) {
    if (m.rule.classId === null) continue;
    const score = m.rule.confidenceOf[m.kind] / 2;
    best.set(m.rule.classId, Math.max(best.get(m.rule.classId) ?? 0, score));
  }
  return [...best].map(([classId, score]) => ({ classId, score })).sort((a, b) => b.score - a.score);
}

/** The rules tier for a compiled rule set. */
export function createRulesTier(ruleSet: RuleSet): RulesTier {
  return new RulesTier(ruleSet);
}
