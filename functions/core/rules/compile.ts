/**
 * Compiling validated rules for matching: each rule's confidences and exclude index, then hash maps from a
 * word id to the entries starting with it, so an item costs a handful of look-ups whatever the number of rules.
 */
import { normalizeText } from '../normalize.ts';
import { type MatchKind, type RuleSpec, ruleConfidence, UNKNOWN_TARGET } from './schema.ts';
import type { Vocabulary } from './vocabulary.ts';

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
const PACKAGE_WORDS = [
  'can',
  'cans',
  'jar',
  'jars',
  'bag',
  'bags',
  'box',
  'boxes',
  'bottle',
  'bottles',
  'carton',
  'cartons',
  'tub',
  'tubs',
  'pouch',
  'pouches',
  'case',
  'pk',
  'ct',
  'ea',
  'each',
  'pack',
  'packs',
  'multipack',
  'value',
  'family',
  'size',
];

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
    confidence: spec.confidence,
    confidenceOf: {
      keyword: spec.confidence ?? ruleConfidence('keyword', spec.priority),
      phrase: spec.confidence ?? ruleConfidence('phrase', spec.priority),
      brand: spec.confidence ?? ruleConfidence('brand', spec.priority),
      regex: spec.confidence ?? ruleConfidence('regex', spec.priority),
    },
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
