import type { CascadeItem, ProductInput } from './types.ts';

// Units written many ways ("12 oz", "12-oz", "12 Oz.", "12 ounce") collapse to one token ("12oz"), so the
// cache key, rules and the encoder see the same text for the same product.
export const UNIT_ALIASES: Record<string, string> = {
  oz: 'oz', ounce: 'oz', ounces: 'oz', 'fl oz': 'floz', 'fl. oz': 'floz', floz: 'floz',
  lb: 'lb', lbs: 'lb', pound: 'lb', pounds: 'lb',
  g: 'g', gr: 'g', gram: 'g', grams: 'g', kg: 'kg', kilo: 'kg', kilos: 'kg', kilogram: 'kg', kilograms: 'kg',
  mg: 'mg', ml: 'ml', milliliter: 'ml', milliliters: 'ml', millilitre: 'ml', millilitres: 'ml',
  cl: 'cl', l: 'l', lt: 'l', liter: 'l', liters: 'l', litre: 'l', litres: 'l',
  gal: 'gal', gallon: 'gal', gallons: 'gal', qt: 'qt', quart: 'qt', quarts: 'qt', pt: 'pt', pint: 'pt', pints: 'pt',
  ct: 'ct', count: 'ct', pk: 'pk', pack: 'pk', packs: 'pk', pc: 'pc', pcs: 'pc', piece: 'pc', pieces: 'pc',
};
// The number and the word after it; whether the word is a unit is decided by UNIT_ALIASES in the replacer
// (one generic pattern is several times faster than an alternation of every unit spelling).
const QUANTITY_RE = /(\d+(?:[.,]\d+)?)\s*-?\s*(fl\.?\s*oz|[a-z]+)\.?(?![a-z])/g;
const MULTIPACK_RE = /(\d+)\s*x\s*(?=\d)/g;
const DIACRITICS_RE = /[\u0300-\u036f]/g;
const NON_WORD_RE = /[^a-z0-9.%]+/g;
const STRAY_DOT_RE = /(?<!\d)\.|\.(?!\d)/g;
const NEEDS_CLEANING_RE = /[^a-z0-9 ]|^ | $|  /;
const DIGIT_RE = /\d/;
const NON_ASCII_RE = /[^\x00-\x7f]/;
const APOSTROPHES_RE = /['\u2019`]/g;
const THOUSANDS_RE = /(\d),(\d{3})(?!\d)/g;

const FL_OZ_RE = /^fl\.?\s*oz$/;

function quantity(match: string, n: string, unit: string): string {
  let alias = UNIT_ALIASES[unit];
  if (alias === undefined) {
    if (!FL_OZ_RE.test(unit)) return match;
    alias = UNIT_ALIASES[unit.replace(/\s+/g, ' ')] ?? unit;
  }
  return ' ' + (n.includes(',') ? n.replace(',', '.') : n) + alias + ' ';
}

/**
 * Normalizes product text: unicode (NFKD, diacritics dropped), case, whitespace, units ("12 oz" → "12oz"),
 * multipacks ("6 x 330ml" → "6x 330ml"), apostrophes (dropped: "jerry's" → "jerrys"), other punctuation (a space, except decimal points and %), "&" → "and".
 * Each step runs only when the text has what it rewrites: this is on the hot path of every row.
 */
export function normalizeText(raw: string): string {
  let s = raw.toLowerCase();
  const digits = DIGIT_RE.test(s);
  if (!digits && !NEEDS_CLEANING_RE.test(s)) return s;
  if (NON_ASCII_RE.test(s)) s = s.normalize('NFKD').replace(DIACRITICS_RE, '');
  if (s.includes("'") || s.includes('`') || s.includes('\u2019')) s = s.replace(APOSTROPHES_RE, '');
  if (s.includes('&')) s = s.replace(/&/g, ' and ');
  if (digits) {
    if (s.includes(',')) s = s.replace(THOUSANDS_RE, '$1$2');
    s = s.replace(QUANTITY_RE, quantity);
    if (s.includes('x')) s = s.replace(MULTIPACK_RE, ' $1x ');
  }
  s = s.replace(NON_WORD_RE, ' ');
  if (s.includes('.')) s = s.replace(STRAY_DOT_RE, ' ').replace(/\s+/g, ' ');
  return s.trim();
}

/** Brands repeat across a catalog: their normalized form is remembered (bounded). */
const brandMemo = new Map<string, string>();
const BRAND_MEMO_LIMIT = 50_000;

function normalizeBrand(brand: string): string {
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
  const name = normalizeText(rawName);
  if (!rawBrand) return name;
  const brand = normalizeBrand(rawBrand);
  return brand && !name.includes(brand) ? `${brand} ${name}` : name;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const hex32 = (h: number) => HEX[h >>> 24] + HEX[(h >>> 16) & 255] + HEX[(h >>> 8) & 255] + HEX[h & 255];

/**
 * Stable key of a normalized text: 16 hex characters, two independent 32-bit MurmurHash3-style lanes over
 * the UTF-16 code units. Not cryptographic (keys are not secrets); ~20x cheaper than SHA-256 per row, and
 * collisions stay negligible at catalog sizes (64 bits).
 */
export function keyOf(text: string): string {
  let h1 = 0x9747b28c ^ text.length;
  let h2 = 0x85ebca6b ^ text.length;
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
  return hex32(h1) + hex32(h2);
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
  return { ...input, text, key: keyOf(text) };
}
