import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { normalizeBrand, normalizeText } from './normalize.ts';
import type { Taxonomy } from './taxonomy.ts';
import type { Candidate, CascadeItem, Tier, TierOutcome } from './types.ts';

/**
 * The rules tier: versioned, human-editable rules (models/rules.json) compiled at load into hash maps so an
 * item costs a handful of map look-ups, whatever the number of rules.
 *
 * How a verdict is reached for one item:
 * 1. every rule that matches is collected: keywords (whole tokens), phrases (token sequences), brands (the
 *    brand field, or the first tokens of the name), regex (over the normalized text);
 * 2. a rule whose `exclude` words/phrases occur in the text is dropped;
 * 3. a match whose tokens lie inside a longer match is dropped ("ice cream" hides "cream",
 *    "peanut butter" hides "butter"): the more specific wording speaks for those words;
 * 4. the matches at the highest priority decide when they agree on one class; when they name several
 *    classes the item is deferred to the next tier with those classes as candidates.
 * A rule with target `unknown` decides "no class, needs review" (gift cards, services, test items).
 */

export const UNKNOWN_TARGET = 'unknown';
export const DEFAULT_RULES_PATH = new URL('../../models/rules.json', import.meta.url);

export type MatchKind = 'keyword' | 'phrase' | 'brand' | 'regex';

/** Base confidence per kind of match; see `ruleConfidence`. */
const KIND_CONFIDENCE: Record<MatchKind, number> = { phrase: 0.94, brand: 0.94, keyword: 0.92, regex: 0.9 };

/**
 * A rule's confidence when it decides: the base of its kind (phrase/brand 0.94, keyword 0.92, regex 0.90)
 * plus up to 0.05 for priority (priority 100 adds 0.05), capped at 0.99. A rule may set `confidence` itself.
 */
export function ruleConfidence(kind: MatchKind, priority: number): number {
  return Math.min(0.99, Math.round((KIND_CONFIDENCE[kind] + (priority / 100) * 0.05) * 1000) / 1000);
}

const words = z.array(z.string()).min(1, 'must list at least one entry');

export const ruleSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'rule ids are lower-case slugs (a-z, 0-9, ".", "_", "-")'),
    target: z.string().min(1, 'target must name a taxonomy class id or "unknown"'),
    priority: z.number().int().min(0).max(100).default(50),
    keywords: words.optional(),
    phrases: words.optional(),
    brands: words.optional(),
    regex: z.string().min(1, 'regex must not be empty').optional(),
    exclude: words.optional(),
    /** "end": the match must end the name (its head noun in English), trailing sizes ("12oz", "2ct") aside. */
    at: z.enum(['any', 'end']).default('any'),
    confidence: z.number().gt(0).max(1).optional(),
    /** Keywords and the last word of phrases also match their plural ("apple" → "apples"); false turns it off. */
    plurals: z.boolean().default(true),
    note: z.string().optional(),
  })
  .strict()
  .refine((r) => r.keywords || r.phrases || r.brands || r.regex, {
    message: 'a rule needs at least one of keywords, phrases, brands or regex',
  });

export const rulesFileSchema = z
  .object({
    $schema: z.string().optional(),
    version: z.string().min(1, 'version must not be empty'),
    description: z.string().optional(),
    /** Named exclude lists shared by several rules: a rule's `exclude` names one as "@name". */
    excludeSets: z.record(z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'set names are lower-case slugs'), words).optional(),
    rules: z.array(z.unknown()).min(1, 'a rules file needs at least one rule'),
  })
  .strict();

export type RuleInput = z.input<typeof ruleSchema>;
export type RuleSpec = z.output<typeof ruleSchema>;

export class RulesError extends Error {
  readonly userFacing = true;
  constructor(
    message: string,
    readonly problems: string[] = [message],
  ) {
    super(message);
  }
}

/** A compiled rule. */
export interface Rule {
  id: string;
  /** Class id, or null for an explicit Unknown. */
  classId: string | null;
  priority: number;
  /** The match must end the name (trailing sizes aside). */
  atEnd: boolean;
  /** When set, overrides the kind-based confidence. */
  confidence?: number;
  /** Confidence when this rule decides, per kind of match (precomputed: see ruleConfidence). */
  confidenceOf: Record<MatchKind, number>;
  /** Exclude entries, normalized, keyed by their first word: word id → the word ids that must follow it. */
  excludeIndex: ExcludeIndex | null;
  spec: RuleSpec;
}

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

/** A match with what became of it, for explanations (`aisle rules explain`). */
export interface ExplainedMatch extends RuleMatch {
  status: 'decisive' | 'agrees' | 'conflict' | 'excluded' | 'contained' | 'outranked';
  why?: string;
}

/** The one match that decides an item on its own (see RuleSet.matchLone). */
export interface LoneMatch {
  kind: 'lone';
  rule: Rule;
  matchKind: MatchKind;
  text: string;
}

export type RulesVerdict =
  | { kind: 'decided'; classId: string | null; confidence: number; match: RuleMatch; agreeing: RuleMatch[] }
  | { kind: 'conflict'; matches: RuleMatch[] }
  | { kind: 'none' };

interface Entry {
  rule: Rule;
  kind: MatchKind;
  /** Word ids of the tokens after the first one (phrases, brands); empty for keywords. */
  rest: number[];
  /** The whole entry, normalized: the matched text when it matches. */
  text: string;
}

/**
 * The entries starting with one word, split so an item looks only at those that can match there: the one-word
 * entries, and the longer ones by their second word. `order` numbers them in the word's list, in rule order,
 * the order their matches are reported in (the first decisive match names the rule).
 */
interface WordEntries {
  alone: Entry[];
  aloneOrder: number[];
  bySecond: Map<number, { entries: Entry[]; order: number[] }>;
}

function wordEntriesOf(entries: Entry[]): WordEntries {
  const group: WordEntries = { alone: [], aloneOrder: [], bySecond: new Map() };
  entries.forEach((entry, order) => {
    if (entry.rest.length === 0) {
      group.alone.push(entry);
      group.aloneOrder.push(order);
      return;
    }
    let longer = group.bySecond.get(entry.rest[0]);
    if (longer === undefined) group.bySecond.set(entry.rest[0], (longer = { entries: [], order: [] }));
    longer.entries.push(entry);
    longer.order.push(order);
  });
  return group;
}

/** Exclude entries by the id of their first word: the word ids that must follow it, per entry. */
type ExcludeIndex = Map<number, number[][]>;

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** FNV-1a over the UTF-16 code units: what RuleSet.tokenize computes for each token as it scans. */
function hashOf(word: string): number {
  let h = FNV_OFFSET;
  for (let i = 0; i < word.length; i++) h = Math.imul(h ^ word.charCodeAt(i), FNV_PRIME);
  return h;
}

/**
 * The words the rules know (entry, exclude and package words), numbered. An item's tokens are looked up here
 * by position and hash, so matching compares small integers and never slices the item's text.
 */
class Vocabulary {
  readonly words: string[] = [];
  private slots = new Int32Array(1024);

  /** The id of a word, numbering it when new. */
  intern(word: string): number {
    const h = hashOf(word);
    const found = this.find(word, 0, word.length, h);
    if (found >= 0) return found;
    if ((this.words.length + 1) * 2 > this.slots.length) this.grow();
    this.words.push(word);
    this.place(this.words.length - 1, h);
    return this.words.length - 1;
  }

  /** The id of text[start, end) (hash: FNV-1a of its characters, as `intern` computes it), or -1. */
  find(text: string, start: number, end: number, hash: number): number {
    const mask = this.slots.length - 1;
    const length = end - start;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const id = this.slots[slot] - 1;
      if (id < 0) return -1;
      const word = this.words[id];
      if (word.length === length && text.startsWith(word, start)) return id;
    }
  }

  private place(id: number, hash: number): void {
    const mask = this.slots.length - 1;
    let slot = hash & mask;
    while (this.slots[slot] !== 0) slot = (slot + 1) & mask;
    this.slots[slot] = id + 1;
  }

  private grow(): void {
    this.slots = new Int32Array(this.slots.length * 2);
    this.words.forEach((word, id) => this.place(id, hashOf(word)));
  }
}

interface CompiledRegex {
  group: string;
  rule: Rule;
}

function pluralsOf(word: string): string[] {
  if (/[^a-z]/.test(word) || word.length < 3) return [];
  if (/(s|x|z|ch|sh)$/.test(word)) return [`${word}es`];
  if (/[^aeiou]y$/.test(word)) return [`${word.slice(0, -1)}ies`];
  if (/[^aeiou]o$/.test(word)) return [`${word}s`, `${word}es`];
  if (/(?<![aeiou])f$/.test(word)) return [`${word}s`, `${word.slice(0, -1)}ves`];
  if (/fe$/.test(word)) return [`${word}s`, `${word.slice(0, -2)}ves`];
  return [`${word}s`];
}

const push = <K, V>(map: Map<K, V[]>, key: K, value: V) => {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
};

/** The rules of one rules file, compiled for matching. */
export class RuleSet {
  readonly version: string;
  readonly rules: Rule[];
  private readonly byId = new Map<string, Rule>();
  /** word id → entries whose first token it is (keywords, phrases). */
  private readonly tokenIndex: (Entry[] | undefined)[] = [];
  /** tokenIndex, split for matching (see WordEntries). */
  private readonly wordEntries: (WordEntries | undefined)[] = [];
  /** word id → brand entries starting with it, matched only at the start of the text. */
  private readonly brandIndex: (Entry[] | undefined)[] = [];
  /** normalized brand → rules, for the brand field. */
  private readonly brandField = new Map<string, Rule[]>();
  private readonly regex: RegExp | null;
  private readonly regexGroups: CompiledRegex[] = [];
  /** word id → whether it is a package word (see isSizeToken); whether some exclude entry starts with it. */
  private readonly packageWord: boolean[] = [];
  private readonly excludeStart: boolean[] = [];

  // Scratch space of the item being matched (matching is synchronous: one item at a time), reused so an item
  // allocates nothing until its verdict. Tokens are the text split at each space, as positions and word ids.
  private tokenStart = new Int32Array(64);
  private tokenEnd = new Int32Array(64);
  private tokenWord = new Int32Array(64);
  private tokenCount = 0;
  private tokenText = '';
  /** Tokens before the trailing sizes and packages (see endsName); -1 until needed. */
  private headEnd = -1;
  /** Matches found: parallel arrays, `matchCount` long. */
  private readonly matchRule: Rule[] = [];
  private readonly matchKind: MatchKind[] = [];
  private readonly matchText: string[] = [];
  private readonly matchStart: number[] = [];
  private readonly matchEnd: number[] = [];
  /** Per match: whether it is to go (see `dropMarked`). */
  private readonly matchDropped: boolean[] = [];
  private matchCount = 0;
  /** Whether a match found for this item has an `at: end` rule. */
  private anyAtEnd = false;

  private constructor(version: string, rules: Rule[], private readonly vocabulary: Vocabulary) {
    this.version = version;
    this.rules = rules;
    const regexParts: string[] = [];
    const excludeIndexes = new Set<ExcludeIndex>();
    for (const rule of rules) {
      this.byId.set(rule.id, rule);
      const { spec } = rule;
      // A keyword of several words ("ice cream") is matched as a phrase.
      const indexed = new Set<string>();
      for (const phrase of [...(spec.keywords ?? []), ...(spec.phrases ?? [])]) {
        const tokens = normalizeText(phrase).split(' ');
        const last = tokens[tokens.length - 1];
        for (const form of [last, ...(spec.plurals ? pluralsOf(last) : [])]) {
          const full = [...tokens.slice(0, -1), form];
          const text = full.join(' ');
          if (indexed.has(text)) continue;
          indexed.add(text);
          const ids = full.map((t) => vocabulary.intern(t));
          (this.tokenIndex[ids[0]] ??= []).push({ rule, kind: full.length === 1 ? 'keyword' : 'phrase', rest: ids.slice(1), text });
        }
      }
      for (const brand of spec.brands ?? []) {
        const norm = normalizeText(brand);
        const ids = norm.split(' ').map((t) => vocabulary.intern(t));
        (this.brandIndex[ids[0]] ??= []).push({ rule, kind: 'brand', rest: ids.slice(1), text: norm });
        push(this.brandField, norm, rule);
      }
      if (spec.regex) {
        const group = `r${this.regexGroups.length}`;
        this.regexGroups.push({ group, rule });
        regexParts.push(`(?<${group}>${spec.regex})`);
      }
      if (rule.excludeIndex) excludeIndexes.add(rule.excludeIndex);
    }
    this.tokenIndex.forEach((entries, word) => {
      if (entries) this.wordEntries[word] = wordEntriesOf(entries);
    });
    // Rules share exclude indexes (excludeSets): each distinct one is looked at once.
    for (const index of excludeIndexes) for (const first of index.keys()) this.excludeStart[first] = true;
    for (const word of PACKAGE_WORDS) this.packageWord[vocabulary.intern(word)] = true;
    // One combined regex: an item pays one regex scan, not one per regex rule.
    this.regex = regexParts.length ? new RegExp(regexParts.join('|'), 'g') : null;
  }

  /** Validates and compiles parsed JSON; throws RulesError listing every problem, each naming its rule. */
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
      const spec = parsed.data;
      const own: string[] = [];
      if (seen.has(spec.id)) own.push(`duplicate rule id (ids must be unique)`);
      seen.add(spec.id);
      if (spec.target !== UNKNOWN_TARGET && !taxonomy.get(spec.target)) {
        own.push(`target "${spec.target}" is not a class of taxonomy ${taxonomy.name} ${taxonomy.version} (nor "${UNKNOWN_TARGET}")`);
      }
      for (const kw of spec.keywords ?? []) {
        const norm = normalizeText(kw);
        if (!norm) own.push(`keyword "${kw}" is empty once normalized`);
      }
      for (const p of spec.phrases ?? []) if (!normalizeText(p)) own.push(`phrase "${p}" is empty once normalized`);
      for (const b of spec.brands ?? []) if (!normalizeText(b)) own.push(`brand "${b}" is empty once normalized`);
      for (const x of spec.exclude ?? []) {
        if (x.startsWith('@')) {
          if (!Object.hasOwn(sets, x.slice(1))) own.push(`exclude set "${x}" is not defined in excludeSets`);
        } else if (!normalizeText(x)) own.push(`exclude entry "${x}" is empty once normalized`);
      }
      if (spec.regex !== undefined) {
        try {
          const re = new RegExp(spec.regex);
          if (re.test('')) own.push(`regex /${spec.regex}/ matches the empty string`);
          // Numbered back-references would point at the wrong group once regexes are combined.
          if (/\\[1-9]/.test(spec.regex)) own.push(`regex /${spec.regex}/ uses a numbered back-reference: use a named group (\\k<name>)`);
          if (/\(\?<[a-zA-Z]/.test(spec.regex)) own.push(`regex /${spec.regex}/ uses a named group: not supported in rules`);
        } catch (err) {
          own.push(`regex /${spec.regex}/ does not compile: ${(err as Error).message}`);
        }
      }
      for (const p of own) problems.push(`${name}: ${p}`);
      if (own.length) return;
      rules.push({
        id: spec.id,
        classId: spec.target === UNKNOWN_TARGET ? null : spec.target,
        priority: spec.priority,
        atEnd: spec.at === 'end',
        confidence: spec.confidence,
        confidenceOf: {
          keyword: spec.confidence ?? ruleConfidence('keyword', spec.priority),
          phrase: spec.confidence ?? ruleConfidence('phrase', spec.priority),
          brand: spec.confidence ?? ruleConfidence('brand', spec.priority),
          regex: spec.confidence ?? ruleConfidence('regex', spec.priority),
        },
        excludeIndex: sharedExcludeIndex(excludeIndexes, spec.exclude ?? [], sets, vocabulary),
        spec,
      });
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
    for (const index of [this.tokenIndex, this.brandIndex]) {
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
  collect(item: Pick<CascadeItem, 'text' | 'brand'>): RuleMatch[] {
    this.findMatches(item);
    return this.matchesFrom(0, this.matchCount);
  }

  /** The verdict for one item: decided, conflicting candidates, or no rule. */
  match(item: Pick<CascadeItem, 'text' | 'brand'>): RulesVerdict {
    const live = this.liveMatches(item);
    return live === 0 ? NO_VERDICT : this.resolve(this.matchesFrom(0, live));
  }

  /**
   * For the rules tier, which shares one outcome per rule and matched text: the match that decides the item
   * alone (the only one at the top priority) as a `LoneMatch` (one shared object, valid until the next call),
   * or else the verdict, as `match` gives it.
   */
  matchLone(item: Pick<CascadeItem, 'text' | 'brand'>): LoneMatch | RulesVerdict {
    const live = this.liveMatches(item);
    if (live === 0) return NO_VERDICT;
    const { matchRule } = this;
    let lone = 0;
    if (live > 1) {
      let top = -1;
      for (let k = 0; k < live; k++) {
        const priority = matchRule[k].priority;
        if (priority > top) {
          top = priority;
          lone = k;
        } else if (priority === top) lone = -1;
      }
      if (lone < 0) return this.resolve(this.matchesFrom(0, live));
    }
    const out = this.lone;
    out.rule = matchRule[lone];
    out.matchKind = this.matchKind[lone];
    out.text = this.matchText[lone];
    return out;
  }

  private readonly lone: LoneMatch = { kind: 'lone', rule: undefined as unknown as Rule, matchKind: 'keyword', text: '' };

  /** The item's matches left once excluded and contained ones are dropped (in the scratch arrays): their count. */
  private liveMatches(item: Pick<CascadeItem, 'text' | 'brand'>): number {
    return this.findMatches(item) === 0 ? 0 : this.dropExcludedAndContained();
  }

  /** Every match with what became of it, and the verdict: for `aisle rules explain` and the inspector. */
  explain(item: Pick<CascadeItem, 'text' | 'brand'>): { matches: ExplainedMatch[]; verdict: RulesVerdict } {
    const all = this.collect(item);
    const explained: ExplainedMatch[] = all.map((m) => {
      const ex = this.excludedBy(m.rule, item.text);
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
    const verdict: RulesVerdict = live.length ? this.resolve(live) : NO_VERDICT;
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

  /** Splits the text at each space into the scratch token arrays, each token with its word id (-1: no rule word). */
  private tokenize(text: string): number {
    if (this.tokenStart.length <= text.length) {
      const size = text.length + 1;
      this.tokenStart = new Int32Array(size);
      this.tokenEnd = new Int32Array(size);
      this.tokenWord = new Int32Array(size);
    }
    const { tokenStart, tokenEnd, tokenWord, vocabulary } = this;
    let n = 0;
    let start = 0;
    let hash = FNV_OFFSET;
    const length = text.length;
    for (let i = 0; i < length; i++) {
      const c = text.charCodeAt(i);
      if (c !== 32) {
        hash = Math.imul(hash ^ c, FNV_PRIME);
        continue;
      }
      tokenStart[n] = start;
      tokenEnd[n] = i;
      tokenWord[n] = vocabulary.find(text, start, i, hash);
      n++;
      start = i + 1;
      hash = FNV_OFFSET;
    }
    tokenStart[n] = start;
    tokenEnd[n] = length;
    tokenWord[n] = vocabulary.find(text, start, length, hash);
    n++;
    this.tokenCount = n;
    this.tokenText = text;
    this.headEnd = -1;
    return n;
  }

  private addMatch(rule: Rule, kind: MatchKind, text: string, start: number, end: number): void {
    const k = this.matchCount++;
    this.matchRule[k] = rule;
    this.matchKind[k] = kind;
    this.matchText[k] = text;
    this.matchStart[k] = start;
    this.matchEnd[k] = end;
    if (rule.atEnd) this.anyAtEnd = true;
  }

  /**
   * Every rule hit in the item into the scratch match arrays, in a fixed order (tokens left to right, then the
   * brand, then regexes), `at: end` rules that do not end the name already dropped. Returns the count.
   */
  private findMatches(item: Pick<CascadeItem, 'text' | 'brand'>): number {
    this.matchCount = 0;
    this.anyAtEnd = false;
    const text = item.text;
    if (!text) return 0;
    const n = this.tokenize(text);
    const { tokenWord, wordEntries } = this;
    for (let i = 0; i < n; i++) {
      const word = tokenWord[i];
      if (word < 0) continue;
      const group = wordEntries[word];
      if (group === undefined) continue;
      const { alone, aloneOrder } = group;
      const longer = i + 1 < n && tokenWord[i + 1] >= 0 ? group.bySecond.get(tokenWord[i + 1]) : undefined;
      if (longer === undefined) {
        for (let a = 0; a < alone.length; a++) this.addMatch(alone[a].rule, alone[a].kind, alone[a].text, i, i + 1);
        continue;
      }
      // Both lists, merged back into the word's order.
      const { entries, order } = longer;
      let a = 0;
      for (let e = 0; e < entries.length; e++) {
        for (; a < alone.length && aloneOrder[a] < order[e]; a++) this.addMatch(alone[a].rule, alone[a].kind, alone[a].text, i, i + 1);
        const entry = entries[e];
        const rest = entry.rest;
        if (i + rest.length >= n) continue;
        let ok = true;
        for (let r = 1; r < rest.length; r++) {
          if (tokenWord[i + 1 + r] !== rest[r]) {
            ok = false;
            break;
          }
        }
        if (ok) this.addMatch(entry.rule, entry.kind, entry.text, i, i + 1 + rest.length);
      }
      for (; a < alone.length; a++) this.addMatch(alone[a].rule, alone[a].kind, alone[a].text, i, i + 1);
    }
    if (this.brandField.size) {
      let fromField = false;
      if (item.brand) {
        const brand = normalizeBrand(item.brand);
        const rules = this.brandField.get(brand);
        if (rules) {
          fromField = true;
          // The brand sits at the start of the text when the name lacks it (see itemText); otherwise it is
          // somewhere in the name or absent, and the match covers no name tokens.
          const atStart = text.startsWith(brand) && (text.length === brand.length || text.charCodeAt(brand.length) === 32);
          const span = atStart ? countSpaces(brand, 0, brand.length) + 1 : 0;
          for (const rule of rules) this.addMatch(rule, 'brand', brand, 0, span);
        }
      }
      const entries = fromField || tokenWord[0] < 0 ? undefined : this.brandIndex[tokenWord[0]];
      if (entries !== undefined) {
        for (const entry of entries) {
          const rest = entry.rest;
          if (rest.length >= n) continue;
          let ok = true;
          for (let r = 0; r < rest.length; r++) {
            if (tokenWord[1 + r] !== rest[r]) {
              ok = false;
              break;
            }
          }
          if (ok) this.addMatch(entry.rule, 'brand', entry.text, 0, 1 + rest.length);
        }
      }
    }
    if (this.regex) {
      const re = this.regex;
      re.lastIndex = 0;
      let m: RegExpExecArray | null;
      while ((m = re.exec(text)) !== null) {
        if (m[0] === '') {
          re.lastIndex++;
          continue;
        }
        const groups = m.groups!;
        for (const g of this.regexGroups) {
          if (groups[g.group] !== undefined) {
            const start = countSpaces(text, 0, m.index);
            const end = start + 1 + countSpaces(text, m.index, m.index + m[0].length - 1);
            this.addMatch(g.rule, 'regex', m[0], start, end);
            break;
          }
        }
      }
    }
    if (!this.anyAtEnd) return this.matchCount;
    for (let k = 0; k < this.matchCount; k++) this.matchDropped[k] = this.matchRule[k].atEnd && !this.endsName(k);
    return this.dropMarked();
  }

  /** Drops the scratch matches marked in `matchDropped`, keeping the order of the rest; returns how many are left. */
  private dropMarked(): number {
    let kept = 0;
    for (let k = 0; k < this.matchCount; k++) {
      if (this.matchDropped[k]) continue;
      if (kept !== k) {
        this.matchRule[kept] = this.matchRule[k];
        this.matchKind[kept] = this.matchKind[k];
        this.matchText[kept] = this.matchText[k];
        this.matchStart[kept] = this.matchStart[k];
        this.matchEnd[kept] = this.matchEnd[k];
      }
      kept++;
    }
    this.matchCount = kept;
    return kept;
  }

  /** Whether scratch match k ends the name (trailing size tokens aside), as `at: end` rules require. */
  private endsName(k: number): boolean {
    if (this.headEnd < 0) {
      this.headEnd = this.tokenCount;
      while (this.headEnd > 1 && this.isSizeToken(this.headEnd - 1)) this.headEnd--;
    }
    return this.matchEnd[k] === this.headEnd && this.matchEnd[k] > this.matchStart[k];
  }

  /** "12oz", "2ct", "6x", "1.5l", "2", "can", "bag": a size, count or package, not part of the product's head noun. */
  private isSizeToken(t: number): boolean {
    const start = this.tokenStart[t];
    if (start === this.tokenEnd[t]) return false;
    const word = this.tokenWord[t];
    return isDigit(this.tokenText.charCodeAt(start)) || (word >= 0 && this.packageWord[word] === true);
  }

  /** Drops scratch matches whose rule's exclude words occur, then matches lying inside a longer one. */
  private dropExcludedAndContained(): number {
    // Exclude entries can only hit where a token starts one: usually nowhere, and then no rule needs a look.
    let live = this.matchCount;
    const { matchStart, matchEnd, matchDropped } = this;
    if (this.findExcludable() > 0) {
      for (let k = 0; k < live; k++) matchDropped[k] = this.excludeHit(this.matchRule[k].excludeIndex) >= 0;
      live = this.dropMarked();
    }
    if (live < 2) return live;
    for (let k = 0; k < live; k++) {
      let inside = false;
      for (let o = 0; o < live && !inside; o++) inside = o !== k && contains(matchStart[o], matchEnd[o], matchStart[k], matchEnd[k]);
      matchDropped[k] = inside;
    }
    return this.dropMarked();
  }

  /** Tokens of the text last tokenized where some exclude entry starts (in excludableAt): their count. */
  private findExcludable(): number {
    if (this.excludableAt.length < this.tokenCount) this.excludableAt = new Int32Array(this.tokenStart.length);
    let count = 0;
    for (let i = 0; i < this.tokenCount; i++) {
      const word = this.tokenWord[i];
      if (word >= 0 && this.excludeStart[word] === true) this.excludableAt[count++] = i;
    }
    this.excludableCount = count;
    return count;
  }

  private excludableAt = new Int32Array(64);
  private excludableCount = 0;

  /**
   * The first token where an entry of the exclude index occurs (its length in `excludeHitLength`), or -1.
   * Looks only at the tokens findExcludable found: no entry starts elsewhere.
   */
  private excludeHit(index: ExcludeIndex | null): number {
    if (index === null) return -1;
    const { tokenWord, tokenCount, excludableAt } = this;
    for (let x = 0; x < this.excludableCount; x++) {
      const i = excludableAt[x];
      const word = tokenWord[i];
      const rests = index.get(word);
      if (rests === undefined) continue;
      for (const rest of rests) {
        let ok = i + rest.length < tokenCount;
        for (let r = 0; ok && r < rest.length; r++) ok = tokenWord[i + 1 + r] === rest[r];
        if (ok) {
          this.excludeHitLength = rest.length + 1;
          return i;
        }
      }
    }
    return -1;
  }

  private excludeHitLength = 0;

  /** The exclude entry of `rule` present in the text last tokenized, as it reads there; undefined when none. */
  private excludedBy(rule: Rule, text: string): string | undefined {
    this.findExcludable();
    const at = this.excludeHit(rule.excludeIndex);
    if (at < 0) return undefined;
    return text.slice(this.tokenStart[at], this.tokenEnd[at + this.excludeHitLength - 1]);
  }

  private matchesFrom(from: number, to: number): RuleMatch[] {
    const out: RuleMatch[] = new Array(to - from);
    for (let k = from; k < to; k++) {
      out[k - from] = { rule: this.matchRule[k], kind: this.matchKind[k], text: this.matchText[k], start: this.matchStart[k], end: this.matchEnd[k] };
    }
    return out;
  }

  private resolve(live: RuleMatch[]): RulesVerdict {
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
}

const NONE: RuleMatch[] = [];
const NO_VERDICT: RulesVerdict = { kind: 'none' };

function sharedExcludeIndex(
  cache: Map<string, ExcludeIndex | null>,
  exclude: string[],
  sets: Record<string, string[]>,
  vocabulary: Vocabulary,
): ExcludeIndex | null {
  const key = exclude.join('\u0000');
  let index = cache.get(key);
  if (index === undefined) {
    index = excludeIndexOf(exclude.flatMap((x) => (x.startsWith('@') ? sets[x.slice(1)] : [x])), vocabulary);
    cache.set(key, index);
  }
  return index;
}

function excludeIndexOf(exclude: string[], vocabulary: Vocabulary): ExcludeIndex | null {
  if (exclude.length === 0) return null;
  const index: ExcludeIndex = new Map();
  for (const x of new Set(exclude.map(normalizeText))) {
    const [first, ...rest] = x.split(' ').map((w) => vocabulary.intern(w));
    push(index, first, rest);
  }
  return index;
}

/** Whether match [outerStart, outerEnd) strictly covers the tokens of [innerStart, innerEnd) (longer span, same or wider on both sides). */
function contains(outerStart: number, outerEnd: number, innerStart: number, innerEnd: number): boolean {
  return outerEnd - outerStart > innerEnd - innerStart && outerStart <= innerStart && outerEnd >= innerEnd && innerEnd > innerStart;
}

/** Words for the package, which a name may end with after its head noun: "black beans 15oz can". */
const PACKAGE_WORDS = ['can', 'cans', 'jar', 'jars', 'bag', 'bags', 'box', 'boxes', 'bottle', 'bottles', 'carton', 'cartons', 'tub', 'tubs', 'pouch', 'pouches', 'case', 'pk', 'ct', 'ea', 'each', 'pack', 'packs', 'multipack', 'value', 'family', 'size'];

const isDigit = (c: number) => c >= 48 && c <= 57;

function countSpaces(text: string, from: number, to: number): number {
  let count = 0;
  for (let i = from; i < to; i++) if (text.charCodeAt(i) === 32) count++;
  return count;
}

export function loadRules(taxonomy: Taxonomy, file: string | URL = DEFAULT_RULES_PATH): RuleSet {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new RulesError(`cannot read rules ${String(file)}: ${(err as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new RulesError(`${String(file)} is not valid JSON: ${(err as Error).message}`);
  }
  return RuleSet.parse(json, taxonomy, file instanceof URL ? file.pathname : file);
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

/** The rules tier of the cascade. Not cacheable: rules are cheaper than a cache look-up and may be edited. */
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
