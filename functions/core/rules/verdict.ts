/** From an item's live matches to a verdict (decided, conflict, none), the verdict in words, and what became of each match. */
import type { Rule } from './compile.ts';
import { type MatchKind, UNKNOWN_TARGET } from './schema.ts';

/** One rule hit in one item. */
export interface RuleMatch {
  rule: Rule;
  kind: MatchKind;
  /** The text that matched, as found in the item (normalized). */
  text: string;
  /** Token span [start, end) in the item's text; for the brand field: [0, brand tokens). */
  start: number;
  end: number;
}

export type RulesVerdict =
  | { kind: 'decided'; classId: string | null; confidence: number; match: RuleMatch; agreeing: RuleMatch[] }
  | { kind: 'conflict'; matches: RuleMatch[] }
  | { kind: 'none' };

export const NONE: RuleMatch[] = [];
export const NO_VERDICT: RulesVerdict = { kind: 'none' };

/** The matches at the highest priority decide when they agree on one class, and conflict when they do not. */
export function resolve(live: RuleMatch[]): RulesVerdict {
  if (live.length === 1) {
    const only = live[0];
    return { kind: 'decided', classId: only.rule.classId, confidence: only.rule.confidenceOf[only.kind], match: only, agreeing: NONE };
  }
  let top = -1;
  for (const m of live) if (m.rule.priority > top) top = m.rule.priority;
  const best = live.filter((m) => m.rule.priority === top);
  const first = best[0];
  for (const m of best) {
    if (m.rule.classId !== first.rule.classId) {
      return { kind: 'conflict', matches: best };
    }
  }
  const confidence = first.rule.confidenceOf[first.kind];
  return { kind: 'decided', classId: first.rule.classId, confidence, match: first, agreeing: best.slice(1) };
}

/** Whether match [outerStart, outerEnd) strictly covers the tokens of [innerStart, innerEnd) (longer span, same or wider on both sides). */
export function contains(outerStart: number, outerEnd: number, innerStart: number, innerEnd: number): boolean {
  return outerEnd - outerStart > innerEnd - innerStart && outerStart <= innerStart && outerEnd >= innerEnd && innerEnd > innerStart;
}

const quote = (m: RuleMatch) => `rule ${m.rule.id} matched '${m.text}'${m.kind === 'brand' ? ' (brand)' : ''}`;

/** Describes a verdict in words: "rule dairy.milk matched 'milk'". */
export function describeVerdict(verdict: RulesVerdict): string {
  switch (verdict.kind) {
    case 'none':
      return 'no rule matched';
    case 'decided': {
      const also = verdict.agreeing.length ? `; agreeing: ${verdict.agreeing.map(quote).join(', ')}` : '';
      const unknown = verdict.classId === null ? ' (explicit unknown: needs review)' : '';
      return `${quote(verdict.match)}${unknown}${also}`;
    }
    case 'conflict': {
      const classes = [...new Set(verdict.matches.map((m) => m.rule.classId ?? UNKNOWN_TARGET))];
      return `rules conflict at priority ${verdict.matches[0].rule.priority}: ${verdict.matches
        .map((m) => `${quote(m)} → ${m.rule.classId ?? UNKNOWN_TARGET}`)
        .join(', ')} (${classes.join(' vs ')})`;
    }
  }
}

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
