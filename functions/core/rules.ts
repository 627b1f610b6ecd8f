import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { normalizeText } from './normalize.ts';
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
  /** Exclude entries, normalized, keyed by their first word: word → the words that must follow it. */
  excludeIndex: Map<string, string[][]> | null;
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

export type RulesVerdict =
  | { kind: 'decided'; classId: string | null; confidence: number; match: RuleMatch; agreeing: RuleMatch[] }
  | { kind: 'conflict'; matches: RuleMatch[] }
  | { kind: 'none' };

interface Entry {
  rule: Rule;
  kind: MatchKind;
  /** Tokens after the first one (phrases, brands); empty for keywords. */
  rest: string[];
  /** The whole entry, normalized: the matched text when it matches. */
  text: string;
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
  /** token → entries whose first token it is (keywords, phrases). */
  private readonly tokenIndex = new Map<string, Entry[]>();
  /** first token → brand entries, matched only at the start of the text. */
  private readonly brandIndex = new Map<string, Entry[]>();
  /** normalized brand → rules, for the brand field. */
  private readonly brandField = new Map<string, Rule[]>();
  private readonly regex: RegExp | null;
  private readonly regexGroups: CompiledRegex[] = [];

  private constructor(version: string, rules: Rule[]) {
    this.version = version;
    this.rules = rules;
    const regexParts: string[] = [];
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
          push(this.tokenIndex, full[0], { rule, kind: full.length === 1 ? 'keyword' : 'phrase', rest: full.slice(1), text });
        }
      }
      for (const brand of spec.brands ?? []) {
        const norm = normalizeText(brand);
        const tokens = norm.split(' ');
        push(this.brandIndex, tokens[0], { rule, kind: 'brand', rest: tokens.slice(1), text: norm });
        push(this.brandField, norm, rule);
      }
      if (spec.regex) {
        const group = `r${this.regexGroups.length}`;
        this.regexGroups.push({ group, rule });
        regexParts.push(`(?<${group}>${spec.regex})`);
      }
    }
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
    // Rules sharing an exclude set share its compiled index: the set is normalized once, not once per rule.
    const excludeIndexes = new Map<string, Map<string, string[][]> | null>();
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
        excludeIndex: sharedExcludeIndex(excludeIndexes, spec.exclude ?? [], sets),
        spec,
      });
    });
    if (problems.length) {
      const shown = problems.slice(0, 50);
      const more = problems.length > shown.length ? `\n  … and ${problems.length - shown.length} more` : '';
      throw new RulesError(`${origin}: ${problems.length} problem(s) in the rules:\n  ${shown.join('\n  ')}${more}`, problems);
    }
    return new RuleSet(file.data.version, rules);
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
      for (const entries of index.values()) {
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
  collect(item: Pick<CascadeItem, 'text' | 'brand'>, tokens: string[] = item.text.split(' ')): RuleMatch[] {
    const text = item.text;
    const matches: RuleMatch[] = [];
    if (!text) return matches;
    const n = tokens.length;
    for (let i = 0; i < n; i++) {
      const entries = this.tokenIndex.get(tokens[i]);
      if (entries === undefined) continue;
      for (let e = 0; e < entries.length; e++) {
        const entry = entries[e];
        const rest = entry.rest;
        if (rest.length === 0) {
          matches.push({ rule: entry.rule, kind: entry.kind, text: tokens[i], start: i, end: i + 1 });
          continue;
        }
        if (i + rest.length >= n) continue;
        let ok = true;
        for (let r = 0; r < rest.length; r++) {
          if (tokens[i + 1 + r] !== rest[r]) {
            ok = false;
            break;
          }
        }
        if (ok) {
          const end = i + 1 + rest.length;
          matches.push({ rule: entry.rule, kind: entry.kind, text: entry.text, start: i, end });
        }
      }
    }
    if (this.brandIndex.size) {
      let fromField = false;
      if (item.brand) {
        const brand = normalizeText(item.brand);
        const rules = this.brandField.get(brand);
        if (rules) {
          fromField = true;
          // The brand sits at the start of the text when the name lacks it (see itemText); otherwise it is
          // somewhere in the name or absent, and the match covers no name tokens.
          const span = text.startsWith(`${brand} `) || text === brand ? brand.split(' ').length : 0;
          for (const rule of rules) matches.push({ rule, kind: 'brand', text: brand, start: 0, end: span });
        }
      }
      const entries = fromField ? undefined : this.brandIndex.get(tokens[0]);
      if (entries !== undefined) {
        for (const entry of entries) {
          const rest = entry.rest;
          if (rest.length >= n) continue;
          let ok = true;
          for (let r = 0; r < rest.length; r++) {
            if (tokens[1 + r] !== rest[r]) {
              ok = false;
              break;
            }
          }
          if (ok) matches.push({ rule: entry.rule, kind: 'brand', text: entry.text, start: 0, end: 1 + rest.length });
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
            matches.push({ rule: g.rule, kind: 'regex', text: m[0], start, end });
            break;
          }
        }
      }
    }
    return this.atEndOnly(matches, tokens);
  }

  /** Drops matches of `at: end` rules that do not end the name (trailing size tokens aside). */
  private atEndOnly(matches: RuleMatch[], tokens: string[]): RuleMatch[] {
    let headEnd = -1;
    let kept: RuleMatch[] | undefined;
    for (let i = 0; i < matches.length; i++) {
      const m = matches[i];
      let ok = true;
      if (m.rule.atEnd) {
        if (headEnd < 0) {
          headEnd = tokens.length;
          while (headEnd > 1 && isSizeToken(tokens[headEnd - 1])) headEnd--;
        }
        ok = m.end === headEnd && m.end > m.start;
      }
      if (!ok && kept === undefined) kept = matches.slice(0, i);
      else if (ok && kept !== undefined) kept.push(m);
    }
    return kept ?? matches;
  }

  /** The verdict for one item: decided, conflicting candidates, or no rule. */
  match(item: Pick<CascadeItem, 'text' | 'brand'>): RulesVerdict {
    const tokens = item.text.split(' ');
    const all = this.collect(item, tokens);
    if (all.length === 0) return { kind: 'none' };
    const live = this.filter(all, tokens);
    if (live.length === 0) return { kind: 'none' };
    return this.resolve(live);
  }

  /** Every match with what became of it, and the verdict: for `aisle rules explain` and the inspector. */
  explain(item: Pick<CascadeItem, 'text' | 'brand'>): { matches: ExplainedMatch[]; verdict: RulesVerdict } {
    const all = this.collect(item);
    const tokens = item.text.split(' ');
    const explained: ExplainedMatch[] = all.map((m) => {
      const ex = excludedBy(m.rule, tokens);
      if (ex) return { ...m, status: 'excluded', why: `exclude word '${ex}' is present` };
      return { ...m, status: 'outranked' };
    });
    const notExcluded = explained.filter((m) => m.status !== 'excluded');
    for (const m of notExcluded) {
      const outer = notExcluded.find((o) => o !== m && contains(o, m));
      if (outer) {
        m.status = 'contained';
        m.why = `inside the longer match '${outer.text}' of rule ${outer.rule.id}`;
      }
    }
    const live = notExcluded.filter((m) => m.status !== 'contained');
    const verdict: RulesVerdict = live.length ? this.resolve(live) : { kind: 'none' };
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

  /** Drops excluded matches and matches lying inside a longer one. */
  private filter(all: RuleMatch[], tokens: string[]): RuleMatch[] {
    let live = all;
    for (let i = 0; i < all.length; i++) {
      const rule = all[i].rule;
      const hit = rule.excludeIndex !== null && excludedBy(rule, tokens) !== undefined;
      if (hit) {
        if (live === all) live = all.slice(0, i);
      } else if (live !== all) live.push(all[i]);
    }
    if (live.length < 2) return live;
    const kept: RuleMatch[] = [];
    for (const m of live) {
      let inside = false;
      for (const o of live) {
        if (o !== m && contains(o, m)) {
          inside = true;
          break;
        }
      }
      if (!inside) kept.push(m);
    }
    return kept;
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

function sharedExcludeIndex(
  cache: Map<string, Map<string, string[][]> | null>,
  exclude: string[],
  sets: Record<string, string[]>,
): Map<string, string[][]> | null {
  const key = exclude.join('\u0000');
  let index = cache.get(key);
  if (index === undefined) {
    index = excludeIndexOf(exclude.flatMap((x) => (x.startsWith('@') ? sets[x.slice(1)] : [x])));
    cache.set(key, index);
  }
  return index;
}

function excludeIndexOf(exclude: string[]): Map<string, string[][]> | null {
  if (exclude.length === 0) return null;
  const index = new Map<string, string[][]>();
  for (const x of new Set(exclude.map(normalizeText))) {
    const [first, ...rest] = x.split(' ');
    push(index, first, rest);
  }
  return index;
}

/** The exclude entry of `rule` present in the tokens, if any: a look-up per token, whatever the list's length. */
function excludedBy(rule: Rule, tokens: string[]): string | undefined {
  const index = rule.excludeIndex;
  if (index === null) return undefined;
  for (let i = 0; i < tokens.length; i++) {
    const rests = index.get(tokens[i]);
    if (rests === undefined) continue;
    for (const rest of rests) {
      let ok = i + rest.length < tokens.length;
      for (let r = 0; ok && r < rest.length; r++) ok = tokens[i + 1 + r] === rest[r];
      if (ok) return rest.length ? `${tokens[i]} ${rest.join(' ')}` : tokens[i];
    }
  }
  return undefined;
}

/** Whether match `outer` strictly covers match `inner`'s tokens (longer span, same or wider on both sides). */
function contains(outer: RuleMatch, inner: RuleMatch): boolean {
  return outer.end - outer.start > inner.end - inner.start && outer.start <= inner.start && outer.end >= inner.end && inner.end > inner.start;
}

/** Words for the package, which a name may end with after its head noun: "black beans 15oz can". */
const PACKAGE_WORDS = new Set(['can', 'cans', 'jar', 'jars', 'bag', 'bags', 'box', 'boxes', 'bottle', 'bottles', 'carton', 'cartons', 'tub', 'tubs', 'pouch', 'pouches', 'case', 'pk', 'ct', 'ea', 'each', 'pack', 'packs', 'multipack', 'value', 'family', 'size']);

/** "12oz", "2ct", "6x", "1.5l", "2", "can", "bag": a size, count or package, not part of the product's head noun. */
function isSizeToken(token: string): boolean {
  const c = token.charCodeAt(0);
  return (c >= 48 && c <= 57) || PACKAGE_WORDS.has(token);
}

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

  /** Reasons of lone decisive matches, per rule and matched text: the same few strings, built once. */
  private readonly reasons = new Map<Rule, Map<string, string>>();

  private reasonOf(verdict: Extract<RulesVerdict, { kind: 'decided' }>): string {
    let byText = this.reasons.get(verdict.match.rule);
    if (byText === undefined) this.reasons.set(verdict.match.rule, (byText = new Map()));
    let reason = byText.get(verdict.match.text);
    if (reason === undefined) byText.set(verdict.match.text, (reason = describeVerdict(verdict)));
    return reason;
  }

  decideOne(item: CascadeItem): TierOutcome {
    const verdict = this.ruleSet.match(item);
    if (verdict.kind === 'none') return NO_RULE;
    if (verdict.kind === 'decided') {
      const unknown = verdict.classId === null;
      return {
        kind: 'decided',
        classId: verdict.classId,
        confidence: verdict.confidence,
        status: unknown ? 'needs_review' : 'ok',
        ruleId: verdict.match.rule.id,
        modelVersion: this.modelVersion,
        reason: verdict.agreeing.length || verdict.match.kind === 'regex' ? describeVerdict(verdict) : this.reasonOf(verdict),
      };
    }
    return { kind: 'deferred', reason: describeVerdict(verdict), candidates: conflictCandidates(verdict.matches) };
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
