/**
 * Compiling validated rules for matching: each rule's confidences and exclude index, then hash maps from a
 * word id to the entries starting with it, so an item costs a handful of look-ups whatever the number of rules.
 */
import { normalizeText } from '../normalize.ts';
import { MATCH_KINDS, type MatchKind, type RuleSpec, ruleConfidence, UNKNOWN_TARGET } from './schema.ts';

/** A compiled rule. */
export interface Rule {
  id: string;
  /** Class id, or null for an explicit Unknown. */
  classId: string | null;
  priority: number;
  /** The match must end the name (trailing sizes aside). */
  atEnd: boolean;
  /** Confidence when this rule decides, per kind of match (precomputed: see ruleConfidence; spec.confidence overrides it). */
  confidenceOf: Record<MatchKind, number>;
  /** Exclude entries, normalized, keyed by their first word: word id → the word ids that must follow it. */
  excludeIndex: ExcludeIndex | null;
  spec: RuleSpec;
}

/** Exclude entries by the id of their first word: the word ids that must follow it, per entry. */
export type ExcludeIndex = Map<number, number[][]>;

export interface Entry {
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
export interface WordEntries {
  alone: Entry[];
  aloneOrder: number[];
  bySecond: Map<number, { entries: Entry[]; order: number[] }>;
}

export interface CompiledRegex {
  group: string;
  rule: Rule;
}

/** The indexes the matcher reads, by word id (arrays: a word id is a small integer). */
export interface CompiledRules {
  vocabulary: Vocabulary;
  /** word id → entries whose first token it is (keywords, phrases). */
  tokenIndex: (Entry[] | undefined)[];
  /** tokenIndex, split for matching (see WordEntries). */
  wordEntries: (WordEntries | undefined)[];
  /** word id → brand entries starting with it, matched only at the start of the text. */
  brandIndex: (Entry[] | undefined)[];
  /** normalized brand → rules, for the brand field. */
  brandField: Map<string, Rule[]>;
  /** Every regex rule in one regex (an item pays one scan), each rule a named group; null when none. */
  regex: RegExp | null;
  regexGroups: CompiledRegex[];
  /** word id → whether it is a package word (see PACKAGE_WORDS). */
  packageWord: boolean[];
  /** word id → whether some exclude entry starts with it. */
  excludeStart: boolean[];
}

/** Words for the package, which a name may end with after its head noun: "black beans 15oz can". */
const PACKAGE_WORDS = `can cans jar jars bag bags box boxes bottle bottles carton cartons tub tubs pouch pouches case
  pk ct ea each pack packs multipack value family size`.split(/\s+/);

export const push = <K, V>(map: Map<K, V[]>, key: K, value: V) => {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
};

/** A validated rule, compiled. Rules sharing an exclude list share its index, kept in `excludeIndexes`. */
export function compileRule(
  spec: RuleSpec,
  sets: Record<string, string[]>,
  excludeIndexes: Map<string, ExcludeIndex | null>,
  vocabulary: Vocabulary,
): Rule {
  return {
    id: spec.id,
    classId: spec.target === UNKNOWN_TARGET ? null : spec.target,
    priority: spec.priority,
    atEnd: spec.at === 'end',
    confidenceOf: Object.fromEntries(
      MATCH_KINDS.map((kind) => [kind, spec.confidence ?? ruleConfidence(kind, spec.priority)]),
    ) as Rule['confidenceOf'],
    excludeIndex: sharedExcludeIndex(excludeIndexes, spec.exclude ?? [], sets, vocabulary),
    spec,
  };
}

/** The indexes for compiled rules, their words numbered in `vocabulary`. */
export function compileIndexes(rules: Rule[], vocabulary: Vocabulary): CompiledRules {
  const compiled: CompiledRules = {
    vocabulary,
    tokenIndex: [],
    wordEntries: [],
    brandIndex: [],
    brandField: new Map(),
    regex: null,
    regexGroups: [],
    packageWord: [],
    excludeStart: [],
  };
  const regexParts: string[] = [];
  const excludeIndexes = new Set<ExcludeIndex>();
  for (const rule of rules) {
    indexWords(compiled, rule);
    if (rule.spec.regex) {
      const group = `r${compiled.regexGroups.length}`;
      compiled.regexGroups.push({ group, rule });
      regexParts.push(`(?<${group}>${rule.spec.regex})`);
    }
    if (rule.excludeIndex) excludeIndexes.add(rule.excludeIndex);
  }
  compiled.tokenIndex.forEach((entries, word) => {
    if (entries) compiled.wordEntries[word] = wordEntriesOf(entries);
  });
  // Rules share exclude indexes (excludeSets): each distinct one is looked at once.
  for (const index of excludeIndexes) for (const first of index.keys()) compiled.excludeStart[first] = true;
  for (const word of PACKAGE_WORDS) compiled.packageWord[vocabulary.intern(word)] = true;
  compiled.regex = regexParts.length ? new RegExp(regexParts.join('|'), 'g') : null;
  return compiled;
}

/** Indexes a rule's keywords, phrases (with plurals) and brands by their first word. */
function indexWords(compiled: CompiledRules, rule: Rule): void {
  const { spec } = rule;
  const { vocabulary } = compiled;
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
      (compiled.tokenIndex[ids[0]] ??= []).push({ rule, kind: full.length === 1 ? 'keyword' : 'phrase', rest: ids.slice(1), text });
    }
  }
  for (const brand of spec.brands ?? []) {
    const norm = normalizeText(brand);
    const ids = norm.split(' ').map((t) => vocabulary.intern(t));
    (compiled.brandIndex[ids[0]] ??= []).push({ rule, kind: 'brand', rest: ids.slice(1), text: norm });
    push(compiled.brandField, norm, rule);
  }
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

function pluralsOf(word: string): string[] {
  if (/[^a-z]/.test(word) || word.length < 3) return [];
  if (/(s|x|z|ch|sh)$/.test(word)) return [`${word}es`];
  if (/[^aeiou]y$/.test(word)) return [`${word.slice(0, -1)}ies`];
  if (/[^aeiou]o$/.test(word)) return [`${word}s`, `${word}es`];
  if (/(?<![aeiou])f$/.test(word)) return [`${word}s`, `${word.slice(0, -1)}ves`];
  if (/fe$/.test(word)) return [`${word}s`, `${word.slice(0, -2)}ves`];
  return [`${word}s`];
}

function sharedExcludeIndex(
  cache: Map<string, ExcludeIndex | null>,
  exclude: string[],
  sets: Record<string, string[]>,
  vocabulary: Vocabulary,
): ExcludeIndex | null {
  const key = exclude.join('\u0000');
  let index = cache.get(key);
  if (index === undefined) {
    index = excludeIndexOf(
      exclude.flatMap((x) => (x.startsWith('@') ? sets[x.slice(1)] : [x])),
      vocabulary,
    );
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

export const FNV_OFFSET = 0x811c9dc5;
export const FNV_PRIME = 0x01000193;

/** FNV-1a over the UTF-16 code units: what the matcher's tokenize computes for each token as it scans. */
function hashOf(word: string): number {
  let h = FNV_OFFSET;
  for (let i = 0; i < word.length; i++) h = Math.imul(h ^ word.charCodeAt(i), FNV_PRIME);
  return h;
}

/**
 * The words the rules know (entry, exclude and package words), numbered. An item's tokens are looked up here
 * by position and hash, so matching compares small integers and never slices the item's text.
 */
export class Vocabulary {
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
