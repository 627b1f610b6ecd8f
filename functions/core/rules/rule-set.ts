/**
 * The rules of one rules file, compiled for matching. How a verdict is reached for one item:
 * 1. every rule that matches is collected: keywords (whole tokens), phrases (token sequences), brands (the
 *    brand field, or the first tokens of the name), regex (over the normalized text);
 * 2. a rule whose `exclude` words/phrases occur in the text is dropped;
 * 3. a match whose tokens lie inside a longer match is dropped ("ice cream" hides "cream",
 *    "peanut butter" hides "butter"): the more specific wording speaks for those words;
 * 4. the matches at the highest priority decide when they agree on one class; when they name several
 *    classes the item is deferred to the next tier with those classes as candidates.
 * A rule with target `unknown` decides "no class, needs review" (gift cards, services, test items).
 */
import type { Taxonomy } from '../taxonomy.ts';
import { type CompiledRules, compileIndexes, type Entry, push, type Rule } from './compile.ts';
import { type ExplainedMatch, explainMatches } from './explain.ts';
import { type MatchedItem, Matcher } from './matcher.ts';
import { parseRules } from './parse.ts';
import { type MatchKind, UNKNOWN_TARGET } from './schema.ts';
import { NO_VERDICT, type RuleMatch, type RulesVerdict, resolve } from './verdict.ts';
import type { Vocabulary } from './vocabulary.ts';

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

  /** Validates and compiles parsed JSON; throws RulesError listing every problem, each naming its rule. */
  static parse(json: unknown, taxonomy: Taxonomy, origin = 'rules'): RuleSet {
    const { version, rules, vocabulary } = parseRules(json, taxonomy, origin);
    return new RuleSet(version, rules, vocabulary);
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
