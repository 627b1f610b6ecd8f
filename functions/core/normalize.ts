import { createHash } from 'node:crypto';
import type { CascadeItem, ProductInput } from './types.ts';

// Units written many ways ("12 oz", "12-oz", "12 Oz.", "12 ounce") collapse to one token ("12oz"), so the
// cache key, rules and the encoder see the same text for the same product.
const UNIT_ALIASES: Record<string, string> = {
  oz: 'oz', ounce: 'oz', ounces: 'oz', 'fl oz': 'floz', 'fl. oz': 'floz', floz: 'floz',
  lb: 'lb', lbs: 'lb', pound: 'lb', pounds: 'lb',
  g: 'g', gr: 'g', gram: 'g', grams: 'g', kg: 'kg', kilo: 'kg', kilos: 'kg', kilogram: 'kg', kilograms: 'kg',
  mg: 'mg', ml: 'ml', milliliter: 'ml', milliliters: 'ml', millilitre: 'ml', millilitres: 'ml',
  cl: 'cl', l: 'l', lt: 'l', liter: 'l', liters: 'l', litre: 'l', litres: 'l',
  gal: 'gal', gallon: 'gal', gallons: 'gal', qt: 'qt', quart: 'qt', quarts: 'qt', pt: 'pt', pint: 'pt', pints: 'pt',
  ct: 'ct', count: 'ct', pk: 'pk', pack: 'pk', packs: 'pk', pc: 'pc', pcs: 'pc', piece: 'pc', pieces: 'pc',
};
const UNIT_PATTERN = Object.keys(UNIT_ALIASES)
  .sort((a, b) => b.length - a.length)
  .map((u) => u.replace(/[.]/g, '\\.').replace(/ /g, '\\s*'))
  .join('|');
const QUANTITY_RE = new RegExp(`(\\d+(?:[.,]\\d+)?)\\s*-?\\s*(${UNIT_PATTERN})\\.?(?![a-z])`, 'g');
const MULTIPACK_RE = /(\d+)\s*x\s*(?=\d)/g;
const DIACRITICS_RE = /[\u0300-\u036f]/g;
const NON_WORD_RE = /[^a-z0-9.%]+/g;
const STRAY_DOT_RE = /(?<!\d)\.|\.(?!\d)/g;
const ASCII_SIMPLE_RE = /^[a-z0-9 ]*$/;

/**
 * Normalizes product text: unicode (NFKD, diacritics dropped), case, whitespace, units ("12 oz" → "12oz"),
 * multipacks ("6 x 330ml" → "6x 330ml"), apostrophes (dropped: "jerry's" → "jerrys"), other punctuation (a space, except decimal points and %), "&" → "and".
 */
export function normalizeText(raw: string): string {
  let s = raw.toLowerCase();
  if (ASCII_SIMPLE_RE.test(s) && !s.includes('  ') && s.trim() === s && !/\d/.test(s)) return s;
  if (/[^\x00-\x7f]/.test(s)) s = s.normalize('NFKD').replace(DIACRITICS_RE, '');
  s = s.replace(/['\u2019`]/g, '').replace(/&/g, ' and ').replace(/(\d),(\d{3})(?!\d)/g, '$1$2');
  s = s.replace(QUANTITY_RE, (_m, n: string, unit: string) => ` ${n.replace(',', '.')}${UNIT_ALIASES[unit.replace(/\s+/g, ' ')] ?? unit} `);
  s = s.replace(MULTIPACK_RE, ' $1x ');
  s = s.replace(NON_WORD_RE, ' ').replace(STRAY_DOT_RE, ' ');
  return s.replace(/\s+/g, ' ').trim();
}

/** The text the tiers classify: the normalized name, with the brand in front when the name lacks it. */
export function itemText(input: ProductInput): string {
  const name = normalizeText(input.name);
  if (!input.brand) return name;
  const brand = normalizeText(input.brand);
  return brand && !name.includes(brand) ? `${brand} ${name}` : name;
}

/** Stable key of a normalized text: 16 hex characters of its SHA-256. */
export function keyOf(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

export function toCascadeItem(input: ProductInput): CascadeItem {
  const text = itemText(input);
  return { ...input, text, key: keyOf(text) };
}
