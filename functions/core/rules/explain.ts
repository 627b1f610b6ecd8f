/** What became of each match of an item, for `aisle rules explain` and the inspector. */
import type { Rule } from './compile.ts';
import { contains, NO_VERDICT, type RuleMatch, type RulesVerdict, resolve } from './verdict.ts';

/** A match with what became of it. */
export interface ExplainedMatch extends RuleMatch {
  status: 'decisive' | 'agrees' | 'conflict' | 'excluded' | 'contained' | 'outranked';
  why?: string;
}

/**
 * Every match of an item (`all`, before exclusion, containment and priority) with its status, and the verdict.
 * `excludedBy` names the exclude entry of a rule present in the item, if any.
 */
export function explainMatches(
  all: RuleMatch[],
  excludedBy: (rule: Rule) => string | undefined,
): { matches: ExplainedMatch[]; verdict: RulesVerdict } {
  const explained: ExplainedMatch[] = all.map((m) => {
    const ex = excludedBy(m.rule);
    if (ex) return { ...m, status: 'excluded', why: `exclude word '${ex}' is present` };
    return { ...m, status: 'outranked' };
  });
  const notExcluded = explained.filter((m) => m.status !== 'excluded');
  for (const m of notExcluded) {
    const outer = notExcluded.find((o) => o !== m && contains(o.start, o.end, m.start, m.end));
    if (outer) {
      m.status = 'contained';
      m.why = `inside the longer match '${outer.text}' of rule ${outer.rule.id}`;
    }
  }
  const live = notExcluded.filter((m) => m.status !== 'contained');
  const verdict: RulesVerdict = live.length ? resolve(live) : NO_VERDICT;
  if (verdict.kind === 'decided') {
    for (const m of explained) {
      if (m.rule === verdict.match.rule && m.text === verdict.match.text) m.status = 'decisive';
      else if (verdict.agreeing.some((a) => a.rule === m.rule && a.text === m.text)) m.status = 'agrees';
    }
  } else if (verdict.kind === 'conflict') {
    for (const m of explained) if (verdict.matches.some((c) => c.rule === m.rule && c.text === m.text)) m.status = 'conflict';
  }
  for (const m of explained) {
    if (m.status === 'outranked' && live[0]) m.why = `priority ${m.rule.priority} is below the top priority of the matching rules`;
  }
  return { matches: explained, verdict };
}
