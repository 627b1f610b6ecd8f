/**
 * Matching one item against compiled rules: the hot path (the rules tier runs it for every row). Matching is
 * synchronous, one item at a time, so the item's tokens and matches live in scratch arrays reused from item to
 * item: an item allocates nothing until its verdict.
 */

import { normalizeBrand } from '../normalize.ts';
import type { CascadeItem } from '../types.ts';
import type { CompiledRegex, CompiledRules, Entry, ExcludeIndex, Rule, Vocabulary, WordEntries } from './compile.ts';
import { FNV_OFFSET, FNV_PRIME } from './compile.ts';
import type { MatchKind } from './schema.ts';
import { contains, type RuleMatch } from './verdict.ts';

export type MatchedItem = Pick<CascadeItem, 'text' | 'brand'>;

export class Matcher {
  // The compiled indexes, as fields of their own: the hot path reads them without a further hop.
  private readonly vocabulary: Vocabulary;
  private readonly wordEntries: (WordEntries | undefined)[];
  private readonly brandIndex: (Entry[] | undefined)[];
  private readonly brandField: Map<string, Rule[]>;
  private readonly regex: RegExp | null;
  private readonly regexGroups: CompiledRegex[];
  private readonly packageWord: boolean[];
  private readonly excludeStart: boolean[];

  // The item's tokens: the text split at each space, as positions and word ids (-1: no rule word).
  private tokenStart = new Int32Array(64);
  private tokenEnd = new Int32Array(64);
  private tokenWord = new Int32Array(64);
  private tokenCount = 0;
  private tokenText = '';
  /** Tokens before the trailing sizes and packages (see endsName); -1 until needed. */
  private headEnd = -1;
  /** The item's matches: parallel arrays, `matchCount` long. */
  readonly matchRule: Rule[] = [];
  readonly matchKind: MatchKind[] = [];
  readonly matchText: string[] = [];
  private readonly matchStart: number[] = [];
  private readonly matchEnd: number[] = [];
  /** Per match: whether it is to go (see `dropMarked`). */
  private readonly matchDropped: boolean[] = [];
  private matchCount = 0;
  /** Whether a match found for this item has an `at: end` rule. */
  private anyAtEnd = false;
  /** Tokens where some exclude entry starts (see findExcludable), and the length of the last exclude hit. */
  private excludableAt = new Int32Array(64);
  private excludableCount = 0;
  private excludeHitLength = 0;

  constructor(compiled: CompiledRules) {
    this.vocabulary = compiled.vocabulary;
    this.wordEntries = compiled.wordEntries;
    this.brandIndex = compiled.brandIndex;
    this.brandField = compiled.brandField;
    this.regex = compiled.regex;
    this.regexGroups = compiled.regexGroups;
    this.packageWord = compiled.packageWord;
    this.excludeStart = compiled.excludeStart;
  }

  /**
   * Every rule hit in the item into the scratch match arrays, in a fixed order (tokens left to right, then the
   * brand, then regexes), `at: end` rules that do not end the name already dropped. Returns the count.
   * One method, though long: split into one per kind of match, the rules tier ran about 4% slower.
   */
  find(item: MatchedItem): number {
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

  /** The item's matches left once excluded and contained ones are dropped (in the scratch arrays): their count. */
  live(item: MatchedItem): number {
    return this.find(item) === 0 ? 0 : this.dropExcludedAndContained();
  }

  /** The one live match at the top priority (its index), or -1 when several share it. */
  loneTop(live: number): number {
    const { matchRule } = this;
    let lone = 0;
    let top = -1;
    for (let k = 0; k < live; k++) {
      const priority = matchRule[k].priority;
      if (priority > top) {
        top = priority;
        lone = k;
      } else if (priority === top) lone = -1;
    }
    return lone;
  }

  /** Scratch matches [from, to) as objects. */
  matches(from: number, to: number): RuleMatch[] {
    const out: RuleMatch[] = new Array(to - from);
    for (let k = from; k < to; k++) {
      out[k - from] = { rule: this.matchRule[k], kind: this.matchKind[k], text: this.matchText[k], start: this.matchStart[k], end: this.matchEnd[k] };
    }
    return out;
  }

  /** The exclude entry of `rule` present in the text last matched, as it reads there; undefined when none. */
  excludedBy(rule: Rule, text: string): string | undefined {
    this.findExcludable();
    const at = this.excludeHit(rule.excludeIndex);
    if (at < 0) return undefined;
    return text.slice(this.tokenStart[at], this.tokenEnd[at + this.excludeHitLength - 1]);
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
}

const isDigit = (c: number) => c >= 48 && c <= 57;

function countSpaces(text: string, from: number, to: number): number {
  let count = 0;
  for (let i = from; i < to; i++) if (text.charCodeAt(i) === 32) count++;
  return count;
}
