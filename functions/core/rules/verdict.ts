/** From an item's live matches to a verdict (decided, conflict, none), and the verdict in words. */
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
