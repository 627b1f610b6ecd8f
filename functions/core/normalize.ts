import type { CascadeItem, ProductInput } from './types.ts';

// Units written many ways ("12 oz", "12-oz", "12 Oz.", "12 ounce") collapse to one token ("12oz"), so the
// cache key, rules and the encoder see the same text for the same product.
// biome-ignore format: a table: one unit and its spellings a line
export const UNIT_ALIASES: Record<string, string> = {
  oz: 'oz', ounce: 'oz', ounces: 'oz', 'fl oz': 'floz', 'fl. oz': 'floz', floz: 'floz',
  lb: 'lb', lbs: 'lb', pound: 'lb', pounds: 'lb',
  g: 'g', gr: 'g', gram: 'g', grams: 'g', kg: 'kg', kilo: 'kg', kilos: 'kg', kilogram: 'kg', kilograms: 'kg',
  mg: 'mg', ml: 'ml', milliliter: 'ml', milliliters: 'ml', millilitre: 'ml', millilitres: 'ml',
  cl: 'cl', l: 'l', lt: 'l', liter: 'l', liters: 'l', litre: 'l', litres: 'l',
  gal: 'gal', gallon: 'gal', gallons: 'gal', qt: 'qt', quart: 'qt', quarts: 'qt', pt: 'pt', pint: 'pt', pints: 'pt',
  ct: 'ct', count: 'ct', pk: 'pk', pack: 'pk', packs: 'pk', pc: 'pc', pcs: 'pc', piece: 'pc', pieces: 'pc',
};
/** UNIT_ALIASES as a map: a plain object would also "know" inherited names such as "constructor". */
const UNITS = new Map(Object.entries(UNIT_ALIASES));
/** The one-word units by their first letter (a = 0), so a unit in the text is looked up without slicing it out. */
const UNITS_BY_LETTER: [string, string][][] = Array.from({ length: 26 }, () => []);
for (const [unit, alias] of UNITS) if (!unit.includes(' ')) UNITS_BY_LETTER[unit.charCodeAt(0) - 97].push([unit, alias]);

/** The alias of the unit s[from, to) (letters a-z), or undefined when it is no unit. */
function unitAt(s: string, from: number, to: number): string | undefined {
  const units = UNITS_BY_LETTER[s.charCodeAt(from) - 97];
  for (let u = 0; u < units.length; u++) {
    const unit = units[u][0];
    if (unit.length === to - from && s.startsWith(unit, from)) return units[u][1];
  }
  return undefined;
}

const APOSTROPHES_RE = /['\u2019`]/g;
const WHITESPACE_RE = /\s+/g;
const NON_ASCII_RE = /[\u0080-\uffff]/;
/** Combining diacritical marks on a Latin letter (after NFKD): "crème" → "creme" in the tiers' text. */
const LATIN_MARKS_RE = /(?<=[A-Za-z])[\u0300-\u036f]+/g;
/** Latin letters with no decomposition, spelled as the tiers' English vocabulary spells them. */
// biome-ignore format: a table
const LATIN_LETTERS: Record<string, string> = { æ: 'ae', œ: 'oe', ø: 'o', ł: 'l', đ: 'd', ð: 'd', þ: 'th', ı: 'i' };
const LATIN_LETTERS_RE = /[æœøłđðþı]/g;
/** What full case folding does beyond toLowerCase: "straße" is "strasse", final sigma "ς" is "σ". */
const CASE_FOLD_RE = /[ßς]/g;
/** Format characters (bidi controls, zero-width spaces and joiners, soft hyphens): invisible, so they never tell names apart. */
const FORMAT_RE = /\p{Cf}/gu;
/**
 * A character outside ASCII that is no letter, number, mark, space or apostrophe (emoji, symbols, punctuation
 * of other scripts), with the marks that ride on it (an emoji's variation selector), or marks on no letter:
 * they separate words as ASCII punctuation does (`words` handles that).
 */
const NON_WORD_RE = /[^\p{ASCII}\p{L}\p{N}\p{M}\s\u2019]\p{M}*|(?<![\p{L}\p{N}\p{M}])\p{M}+/gu;

const isDigit = (c: number) => c >= 48 && c <= 57;
const isLetter = (c: number) => c >= 97 && c <= 122;
/** What `\s` matches in a JavaScript regex. */
// biome-ignore format: a set of code points, packed
const isSpace = (c: number) =>
  c === 32 || (c >= 9 && c <= 13) || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) ||
  c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;

/**
 * The text the tiers classify: unicode (NFKC, case folded, Latin diacritics dropped: "Crème" → "creme"),
 * whitespace, units ("12 oz" → "12oz"), multipacks ("6 x 330ml" → "6x 330ml"), apostrophes (dropped:
 * "jerry's" → "jerrys"), thousands separators ("1,000" → "1000"), other punctuation and symbols (a space, except
 * decimal points between digits and %), "&" → "and". The result is words of letters and numbers of any script
 * (with their marks), "." and "%", separated by single spaces.
 *
 * This runs on every row, so each step is a hand-written scan that runs only when the text has what it rewrites
 * (test/unit/normalize.test.ts holds the regex pipeline it must agree with).
 */
export function normalizeText(raw: string): string {
  return normalize(raw, true);
}

/**
 * The identity of a text, what item keys are made of: as normalizeText but every letter keeps its marks
 * ("crème" stays "crème"), so different names in any script stay different, and the same name in NFC, NFD or
 * full-width forms is one text. Equal to normalizeText for ASCII text.
 */
export function identityText(raw: string): string {
  return normalize(raw, false);
}

/**
 * The last text `normalize` read and whether it was all ASCII: itemKeyOf, asked right after itemTextOf read the
 * same name, knows without a second scan that the identity text is the text (the common case).
 */
let lastRead = '';
let lastReadAscii = true;

function normalize(raw: string, foldLatin: boolean): string {
  let s = raw.toLowerCase();
  // One look at every character says which steps have work to do.
  let digits = false;
  let clean = true;
  let ascii = true;
  let prevSpace = true;
  const n = s.length;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c === 32) {
      if (prevSpace) clean = false;
      prevSpace = true;
      continue;
    }
    prevSpace = false;
    if (isLetter(c)) continue;
    if (isDigit(c)) digits = true;
    else {
      clean = false;
      if (c > 127) ascii = false;
    }
  }
  if (prevSpace && n > 0) clean = false;
  lastRead = raw;
  lastReadAscii = ascii;
  if (!digits && clean) return s;
  if (!ascii) {
    s = unicodeForm(s, foldLatin);
    // NFKC may have made digits (full-width "１２" → "12"): the quantity steps look for them.
    digits = true;
  }
  if (!clean) {
    if (s.includes("'") || s.includes('`') || s.includes('\u2019')) s = s.replace(APOSTROPHES_RE, '');
    if (s.includes('&')) s = s.replaceAll('&', ' and ');
  }
  if (digits) {
    if (s.includes(',')) s = joinThousands(s);
    s = collapseQuantities(s);
    if (s.includes('x')) s = collapseMultipacks(s);
  }
  // Clean text stays clean through those steps: they put a token where there were word characters and spaces,
  // and a space next to it only where there was none.
  return clean ? s : words(s);
}

/**
 * Text with characters outside ASCII, in the form `words` takes: NFKC and case folded, format characters gone,
 * what is no letter, number or mark a space; with `foldLatin`, Latin letters lose their diacritics.
 */
function unicodeForm(s: string, foldLatin: boolean): string {
  let t = s.normalize('NFKD');
  if (foldLatin) t = t.replace(LATIN_MARKS_RE, '');
  // Lower case again: compatibility forms may decompose to capitals ("㎒" → "MHz").
  t = t.normalize('NFC').toLowerCase();
  if (foldLatin) t = t.replace(LATIN_LETTERS_RE, (c) => LATIN_LETTERS[c]);
  return t
    .replace(CASE_FOLD_RE, (c) => (c === 'ß' ? 'ss' : 'σ'))
    .replace(FORMAT_RE, '')
    .replace(NON_WORD_RE, ' ');
}

/** "1,000" → "1000": a digit, a comma, three digits and no fourth (what /(\d),(\d{3})(?!\d)/g replaces). */
function joinThousands(s: string): string {
  let out = '';
  let from = 0;
  const n = s.length;
  for (let i = 0; i + 4 < n; i++) {
    if (
      s.charCodeAt(i + 1) === 44 &&
      isDigit(s.charCodeAt(i)) &&
      isDigit(s.charCodeAt(i + 2)) &&
      isDigit(s.charCodeAt(i + 3)) &&
      isDigit(s.charCodeAt(i + 4)) &&
      !isDigit(s.charCodeAt(i + 5))
    ) {
      out += s.slice(from, i + 1) + s.slice(i + 2, i + 5);
      from = i + 5;
      i += 4;
    }
  }
  return from === 0 ? s : out + s.slice(from);
}

function skipSpaces(s: string, i: number): number {
  while (i < s.length && isSpace(s.charCodeAt(i))) i++;
  return i;
}

/** Where the next digit at or after i is (s.length when none): the scans below start at each run of digits. */
function nextDigit(s: string, i: number): number {
  while (i < s.length && !isDigit(s.charCodeAt(i))) i++;
  return i;
}

function skipDigits(s: string, i: number): number {
  while (isDigit(s.charCodeAt(i))) i++;
  return i;
}

/**
 * A number, optional spaces and hyphen, then a unit word ("12 oz", "1,5-kg", "16 fl. oz.") becomes one token
 * " 12oz ", what /(\d+(?:[.,]\d+)?)\s*-?\s*(fl\.?\s*oz|[a-z]+)\.?(?![a-z])/g finds; a word that is no unit stays.
 */
function collapseQuantities(s: string): string {
  let out = '';
  let from = 0;
  const n = s.length;
  for (let i = nextDigit(s, 0); i < n; i = nextDigit(s, i)) {
    // A match starting inside this run of digits would see the same rest, so one try per run.
    const run = skipDigits(s, i + 1);
    let numEnd = run;
    const sep = s.charCodeAt(run);
    if ((sep === 46 || sep === 44) && isDigit(s.charCodeAt(run + 1))) numEnd = skipDigits(s, run + 2);
    let p = skipSpaces(s, numEnd);
    if (s.charCodeAt(p) === 45) p = skipSpaces(s, p + 1);
    let unitEnd = -1;
    let fluidOunces = false;
    if (s.charCodeAt(p) === 102 && s.charCodeAt(p + 1) === 108) {
      // "fl oz", "fl. oz", "fl.oz", "fl  oz": the spellings of /fl\.?\s*oz/
      let q = p + 2;
      if (s.charCodeAt(q) === 46) q++;
      q = skipSpaces(s, q);
      fluidOunces = s.charCodeAt(q) === 111 && s.charCodeAt(q + 1) === 122 && !isLetter(s.charCodeAt(q + 2));
      if (fluidOunces) unitEnd = q + 2;
    }
    if (unitEnd < 0 && isLetter(s.charCodeAt(p))) {
      unitEnd = p + 1;
      while (isLetter(s.charCodeAt(unitEnd))) unitEnd++;
    }
    if (unitEnd < 0) {
      i = run;
      continue;
    }
    // A trailing dot belongs to the unit ("oz.") unless a word follows it.
    const end = s.charCodeAt(unitEnd) === 46 && !isLetter(s.charCodeAt(unitEnd + 1)) ? unitEnd + 1 : unitEnd;
    // A fluid-ounce spelling the table lacks ("fl.oz") is kept as written, its spaces collapsed to one.
    const alias = fluidOunces ? fluidOuncesAlias(s.slice(p, unitEnd)) : unitAt(s, p, unitEnd);
    if (alias !== undefined) {
      const num = s.slice(i, numEnd);
      out += s.slice(from, i) + spaceBefore(s, i, from) + (sep === 44 && numEnd > run ? num.replace(',', '.') : num) + alias + spaceAfter(s, end);
      from = end;
    }
    i = end;
  }
  return from === 0 ? s : out + s.slice(from);
}

// A token put in the text needs a space on each side to stand apart, unless the text already has one there or
// ends: `words` would collapse the second space anyway, and leaving it out often spares `words` a rebuild.
// `from`: where the last token put in ends (0 when none), itself followed by a space.
const spaceBefore = (s: string, i: number, from: number) => (i === 0 || i === from || s.charCodeAt(i - 1) === 32 ? '' : ' ');
const spaceAfter = (s: string, i: number) => (i === s.length || s.charCodeAt(i) === 32 ? '' : ' ');

function fluidOuncesAlias(unit: string): string {
  return UNITS.get(unit) ?? UNITS.get(unit.replace(WHITESPACE_RE, ' ')) ?? unit;
}

/** "6 x 330ml" → " 6x 330ml": digits, "x" and a digit next (what /(\d+)\s*x\s*(?=\d)/g replaces with " $1x "). */
function collapseMultipacks(s: string): string {
  let out = '';
  let from = 0;
  const n = s.length;
  for (let i = nextDigit(s, 0); i < n; i = nextDigit(s, i)) {
    const run = skipDigits(s, i + 1);
    let p = skipSpaces(s, run);
    if (s.charCodeAt(p) === 120) {
      p = skipSpaces(s, p + 1);
      if (isDigit(s.charCodeAt(p))) {
        out += s.slice(from, i) + spaceBefore(s, i, from) + s.slice(i, run) + 'x ';
        from = p;
        i = p;
        continue;
      }
    }
    i = run;
  }
  return from === 0 ? s : out + s.slice(from);
}

/**
 * The words of s joined by single spaces: a word is a run of a-z, 0-9, "%", decimal points (a dot between two
 * digits) and characters outside ASCII other than spaces (`unicodeForm` left only letters, numbers and marks
 * there); anything else separates words. Text that is already so comes back as it is.
 */
function words(s: string): string {
  let out = '';
  let start = -1;
  let same = true;
  const n = s.length;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (
      isLetter(c) ||
      isDigit(c) ||
      c === 37 ||
      (c === 46 && isDigit(s.charCodeAt(i - 1)) && isDigit(s.charCodeAt(i + 1))) ||
      (c > 127 && !isSpace(c))
    ) {
      if (start < 0) start = i;
      continue;
    }
    // Anything but one space right after a word changes the text.
    if (c !== 32 || start < 0) same = false;
    if (start >= 0) {
      out += out ? ' ' + s.slice(start, i) : s.slice(start, i);
      start = -1;
    }
  }
  if (start >= 0) out += out ? ' ' + s.slice(start) : s.slice(start);
  else if (n > 0) same = false;
  return same ? s : out;
}

/** Brands repeat across a catalog: their normalized form is remembered (bounded). */
const brandMemo = new Map<string, string>();
const BRAND_MEMO_LIMIT = 50_000;

export function normalizeBrand(brand: string): string {
  let n = brandMemo.get(brand);
  if (n === undefined) {
    n = normalizeText(brand);
    if (brandMemo.size >= BRAND_MEMO_LIMIT) brandMemo.clear();
    brandMemo.set(brand, n);
  }
  return n;
}

/** The text the tiers classify: the normalized name, with the brand in front when the name lacks it. */
export function itemText(input: ProductInput): string {
  return itemTextOf(input.name, input.brand);
}

export function itemTextOf(rawName: string, rawBrand: string | undefined): string {
  // The brand first: the name is then the last text read (see itemKeyOf).
  const brand = rawBrand ? normalizeBrand(rawBrand) : '';
  const name = normalizeText(rawName);
  return brand && !name.includes(brand) ? `${brand} ${name}` : name;
}

/** What an item is, whatever its script: as itemTextOf, over identityText. */
function identityTextOf(rawName: string, rawBrand: string | undefined): string {
  const name = identityText(rawName);
  const brand = rawBrand ? identityText(rawBrand) : '';
  return brand && !name.includes(brand) ? `${brand} ${name}` : name;
}

/**
 * The key of an item whose tiers' text is `text` (itemTextOf(rawName, rawBrand)): the hash of its identity
 * text, which is `text` itself when name and brand are ASCII. Asked right after that itemTextOf (as every
 * caller does), the name needs no second look.
 */
export function itemKeyOf(rawName: string, rawBrand: string | undefined, text: string): string {
  const nameAscii = rawName === lastRead ? lastReadAscii : !NON_ASCII_RE.test(rawName);
  const ascii = nameAscii && (!rawBrand || !NON_ASCII_RE.test(rawBrand));
  return keyOf(ascii ? text : identityTextOf(rawName, rawBrand));
}

/** Whether a name has something to tell it apart (a letter or number of any script), not only punctuation, symbols or emoji. */
export function hasIdentity(rawName: string): boolean {
  for (let i = 0; i < rawName.length; i++) {
    const c = rawName.charCodeAt(i);
    if (isLetter(c | 32) || isDigit(c)) return true;
  }
  return identityText(rawName) !== '';
}

/** Character codes of the hex digits. */
const HEX = Array.from('0123456789abcdef', (c) => c.charCodeAt(0));
const hex = (h: number, shift: number) => HEX[(h >>> shift) & 15];

/**
 * The version of item keys, the seed of keyOf: raised whenever what a key stands for changes, so that results,
 * cached decisions and labels stored under older keys are never served for the items the new keys name.
 * 1: keys of text without letters outside Latin (every Cyrillic, CJK, ... name had one key); 2: keys of the
 * identity text (issue 15).
 */
export const KEY_VERSION = 2;
/** The version in each lane, one seed a lane: equal seeds would cancel out where the lanes are mixed. */
const KEY_SEED_1 = Math.imul(KEY_VERSION, 0x9e3779b1);
const KEY_SEED_2 = Math.imul(KEY_VERSION, 0x85ebca77);

/**
 * Stable key of a normalized text: 16 hex characters, two independent 32-bit MurmurHash3-style lanes over
 * the UTF-16 code units, seeded with KEY_VERSION. Not cryptographic (keys are not secrets); ~20x cheaper than
 * SHA-256 per row, and collisions stay negligible at catalog sizes (64 bits).
 */
export function keyOf(text: string): string {
  let h1 = 0x9747b28c ^ KEY_SEED_1 ^ text.length;
  let h2 = 0x85ebca6b ^ KEY_SEED_2 ^ text.length;
  for (let i = 0; i < text.length; i++) {
    let k = text.charCodeAt(i);
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h1 ^= k;
    h1 = (h1 << 13) | (h1 >>> 19);
    h1 = (Math.imul(h1, 5) + 0xe6546b64) | 0;
    h2 ^= Math.imul(k ^ (k >>> 16), 0x85ebca6b);
    h2 = (h2 << 17) | (h2 >>> 15);
    h2 = (Math.imul(h2, 9) + 0x7feb352d) | 0;
  }
  h1 ^= h2;
  h2 ^= h1;
  h1 = fmix(h1);
  h2 = fmix(h2 ^ 0x27d4eb2f);
  // One flat string from 16 character codes: cheaper than joining pieces a Map look-up would flatten again.
  // biome-ignore format: two rows of eight hex digits
  return String.fromCharCode(
    hex(h1, 28), hex(h1, 24), hex(h1, 20), hex(h1, 16), hex(h1, 12), hex(h1, 8), hex(h1, 4), hex(h1, 0),
    hex(h2, 28), hex(h2, 24), hex(h2, 20), hex(h2, 16), hex(h2, 12), hex(h2, 8), hex(h2, 4), hex(h2, 0),
  );
}

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

export function toCascadeItem(input: ProductInput): CascadeItem {
  const text = itemText(input);
  return { ...input, text, key: itemKeyOf(input.name, input.brand, text) };
}
