/**
 * The rules of one rules file, compiled for matching, and the rules tier of the cascade. How a verdict is reached for one item:
 * 1. every rule that matches is collected: keywords (whole tokens), phrases (token sequences), brands (the
 *    brand field, or the first tokens of the name), regex (over the normalized text);
 * 2. a rule whose `exclude` words/phrases occur in the text is dropped;
 * 3. a match whose tokens lie inside a longer match is dropped ("ice cream" hides "cream",
 *    "peanut butter" hides "butter"): the more specific wording speaks for those words;
 * 4. the matches at the highest priority decide when they agree on one class; when they name several
 *    classes the item is deferred to the next tier with those classes as candidates.
 * A rule with target `unknown` decides "no class, needs review" (gift cards, services, test items).
 */
import { normalizeText } from '../normalize.ts';
import type { Taxonomy } from '../taxonomy.ts';
import type { Candidate, CascadeItem, Tier, TierOutcome } from '../types.ts';
import { type CompiledRules, compileIndexes, compileRule, type Entry, type ExcludeIndex, push, type Rule, Vocabulary } from './compile.ts';
import { type MatchedItem, Matcher } from './matcher.ts';
import { type MatchKind, type RuleSpec, RulesError, ruleSchema, rulesFileSchema, UNKNOWN_TARGET } from './schema.ts';
import { describeVerdict, type ExplainedMatch, explainMatches, NO_VERDICT, NONE, type RuleMatch, type RulesVerdict, resolve } from './verdict.ts';

/** The one match that decides an item on its own (see RuleSet.matchLone). */
export interface LoneMatch {
  kind: 'lone';
  rule: Rule;
  matchKind: MatchKind;
  text: string;
}

export class RuleSet {
  readonly version: string;
  readonly rules: Rule[];
  private readonly byId = new Map<string, Rule>();
  private readonly compiled: CompiledRules;
  private readonly matcher: Matcher;
  private readonly lone: LoneMatch = { kind: 'lone', rule: undefined as unknown as Rule, matchKind: 'keyword', text: '' };

  private constructor(version: string, rules: Rule[], vocabulary: Vocabulary) {
    this.version = version;
    this.rules = rules;
    for (const rule of rules) this.byId.set(rule.id, rule);
    this.compiled = compileIndexes(rules, vocabulary);
    this.matcher = new Matcher(this.compiled);
  }

  /**
   * Validates parsed JSON against the schema and the taxonomy and compiles each rule; throws RulesError listing
   * every problem, each naming its rule. The vocabulary starts with the words of the exclude lists;
   * compileIndexes numbers the rest.
   */
  static parse(json: unknown, taxonomy: Taxonomy, origin = 'rules'): RuleSet {
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
    return new RuleSet(file.data.version, rules, vocabulary);
  }

  get(id: string): Rule | undefined {
    return this.byId.get(id);
  }

  /**
   * Entries that always conflict: the same word or phrase in rules of different classes at the same priority
   * (and the same `at`), so every item with it defers. Not an error (a conflict is a safe outcome), but
   * usually a slip worth fixing; `aisle rules check` prints them.
   */
  overlaps(): string[] {
    const out: string[] = [];
    for (const index of [this.compiled.tokenIndex, this.compiled.brandIndex]) {
      for (const entries of index) {
        if (entries === undefined) continue;
        const byText = new Map<string, Entry[]>();
        for (const e of entries) push(byText, `${e.text}|${e.rule.priority}|${e.rule.atEnd}`, e);
        for (const [key, list] of byText) {
          const classes = new Set(list.map((e) => e.rule.classId));
          if (classes.size < 2) continue;
          const [text, priority] = key.split('|');
          const who = list.map((e) => `${e.rule.id} (${e.rule.classId ?? UNKNOWN_TARGET})`).join(', ');
          out.push(`'${text}' is in ${who} at priority ${priority}: items with it always defer`);
        }
      }
    }
    return out;
  }

  /** Every rule hit in the item, before exclusion, containment and priority. */
  collect(item: MatchedItem): RuleMatch[] {
    return this.matcher.matches(0, this.matcher.find(item));
  }

  /** The verdict for one item: decided, conflicting candidates, or no rule. */
  match(item: MatchedItem): RulesVerdict {
    const live = this.matcher.live(item);
    return live === 0 ? NO_VERDICT : resolve(this.matcher.matches(0, live));
  }

  /**
   * For the rules tier, which shares one outcome per rule and matched text: the match that decides the item
   * alone (the only one at the top priority) as a `LoneMatch` (one shared object, valid until the next call),
   * or else the verdict, as `match` gives it.
   */
  matchLone(item: MatchedItem): LoneMatch | RulesVerdict {
    const { matcher } = this;
    const live = matcher.live(item);
    if (live === 0) return NO_VERDICT;
    const lone = live === 1 ? 0 : matcher.loneTop(live);
    if (lone < 0) return resolve(matcher.matches(0, live));
    const out = this.lone;
    out.rule = matcher.matchRule[lone];
    out.matchKind = matcher.matchKind[lone];
    out.text = matcher.matchText[lone];
    return out;
  }

  /** Every match with what became of it, and the verdict: for `aisle rules explain` and the inspector. */
  explain(item: MatchedItem): { matches: ExplainedMatch[]; verdict: RulesVerdict } {
    const all = this.collect(item);
    return explainMatches(all, (rule) => this.matcher.excludedBy(rule, item.text));
  }
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

/** The rules tier. Not cacheable: rules are cheaper than a cache look-up and may be edited. */
export class RulesTier implements Tier {
  readonly name = 'rules' as const;
  readonly cacheable = false;
  readonly version: string;

  constructor(readonly ruleSet: RuleSet) {
    this.version = `rules@${ruleSet.version}`;
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
      modelVersion: this.version,
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
