/**
 * Generates the starter catalog (models/starter/catalog.csv): labelled product names composed from the
 * project's own vocabulary (vocabulary.ts) with a seeded generator, so the same seed always gives the same
 * file. The names vary the way retailer feeds do: brand-first and type-first order, separators, pack sizes
 * in several unit spellings, register-style abbreviations in capitals, lower-case feeds, missing brands.
 *
 *   npx tsx models/starter/generate.ts            # rewrites catalog.csv
 *   npx tsx models/starter/generate.ts --check    # exits 1 when catalog.csv differs from the generator
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { seededRandom } from '../../functions/core/random.ts';
import { fnv1a } from '../../functions/model/bag.ts';
import { type ClassVocabulary, type Family, type SizeKind, STORE_BRANDS, VOCABULARY } from './vocabulary.ts';
import { LANGUAGE_VOCABULARY } from './vocabulary-languages.ts';
import { WORLD_VOCABULARY } from './vocabulary-world.ts';

/** Every class table, in generation order: the first US grocery vocabulary, then the world's, then other languages. */
export const ALL_VOCABULARY: ClassVocabulary[] = [...VOCABULARY, ...WORLD_VOCABULARY, ...LANGUAGE_VOCABULARY];

export const DEFAULT_SEED = 20261101;
export const CATALOG_PATH = fileURLToPath(new URL('./catalog.csv', import.meta.url));
export const CATALOG_COLUMNS = ['product_name', 'brand', 'level1', 'level2', 'split'] as const;
/** Share of names (by stable hash) held out as the validation split. */
export const VALIDATION_PERCENT = 20;

export type CatalogRow = Record<(typeof CATALOG_COLUMNS)[number], string>;

export function splitOf(name: string): 'train' | 'validation' {
  return fnv1a(name.toLowerCase().replace(/\s+/g, ' ').trim()) % 100 < VALIDATION_PERCENT ? 'validation' : 'train';
}

type Rand = () => number;
const pick = <T>(rand: Rand, items: readonly T[]): T => items[Math.floor(rand() * items.length)];

const SIZES: Record<SizeKind, (rand: Rand) => string> = {
  can: (r) =>
    pick(r, [
      () => `${pick(r, ['12', '16.9', '20', '8.4', '16', '11.15', '7.5'])} fl oz`,
      () => `${pick(r, ['6', '8', '12', '18', '24', '30'])} pk ${pick(r, ['12', '16.9', '7.5'])} oz ${pick(r, ['cans', 'bottles'])}`,
      () => `${pick(r, ['1', '1.5', '2'])} L`,
      () => `${pick(r, ['12', '24', '35'])} ct`,
      () => `${pick(r, ['6', '12', '24'])} x ${pick(r, ['330', '355', '500'])} ml`,
      () => `${pick(r, ['12', '20', '16'])} ounce`,
    ])(),
  bottle: (r) =>
    pick(r, [
      () => `${pick(r, ['8', '12', '16', '24', '32', '46', '52', '59', '64', '89'])} fl oz`,
      () => `${pick(r, ['1', '1/2'])} gal`,
      () => pick(r, ['half gallon', '1 gallon', 'quart', 'pint']),
      () => `${pick(r, ['250', '500', '750'])} ml`,
      () => `${pick(r, ['1', '1.5'])} liter`,
      () => `${pick(r, ['12', '16', '20', '28', '33.8'])} oz`,
    ])(),
  weight: (r) =>
    pick(r, [
      () =>
        `${pick(r, ['1.5', '2.5', '3.5', '4', '5', '5.3', '6', '7.75', '8', '10', '10.5', '12', '13', '14.5', '15', '16', '18', '20', '24', '28', '32', '40'])} oz`,
      () => `${pick(r, ['1', '2', '3', '4', '5', '10', '20'])} lb`,
      () => `${pick(r, ['100', '150', '200', '250', '400', '500'])} g`,
      () => `${pick(r, ['1', '2'])} kg`,
      () => `${pick(r, ['12', '16', '24'])} ounce`,
      () => `${pick(r, ['2', '3', '5'])} lbs`,
      () => `${pick(r, ['6', '8', '12'])} x ${pick(r, ['1', '1.5', '2'])} oz`,
    ])(),
  count: (r) =>
    pick(r, [
      () =>
        `${pick(r, ['2', '3', '4', '6', '8', '10', '12', '16', '18', '20', '24', '30', '32', '36', '40', '48', '60', '72', '100', '120', '200'])} ct`,
      () => `${pick(r, ['6', '10', '12', '20', '24', '30', '50', '100'])} count`,
      () => `${pick(r, ['2', '3', '4', '6', '8', '12'])} pack`,
      () => `${pick(r, ['4', '6', '8'])} pk`,
      () => `pack of ${pick(r, ['2', '3', '4', '6'])}`,
      () => `${pick(r, ['12', '20', '30', '40'])} ea`,
    ])(),
  produce: (r) =>
    pick(r, [
      '',
      '',
      'each',
      '1 lb',
      'per lb',
      '2 lb bag',
      '3 lb bag',
      '1 pint',
      '6 oz',
      '12 oz',
      '5 oz clamshell',
      'bunch',
      '1 ct',
      '16 oz',
      '4 ct',
    ]),
  meat: (r) => pick(r, ['per lb', '1 lb', '1.25 lb', '1.5 lb', '2 lb', '3 lb', '16 oz', '12 oz', '8 oz', 'approx 2.5 lb', '4 ct', '6 ct', '']),
  liquor: (r) => pick(r, ['750 ml', '750mL', '1.75 L', '1 L', '375 ml', '3 L box', '4 pk 187 ml', '50 ml', '1.5 L']),
  apparel: (r) =>
    pick(r, [
      () => `Size ${pick(r, ['XS', 'S', 'M', 'L', 'XL', 'XXL', '2XL', '3XL'])}`,
      () => pick(r, ['S', 'M', 'L', 'XL', 'Medium', 'Large', 'Small', 'One Size']),
      () => `Size ${pick(r, ['6', '7', '8', '8.5', '9', '10', '10.5', '11', '12'])}`,
      () => `${pick(r, ['30', '32', '34', '36'])}x${pick(r, ['30', '32', '34'])}`,
      () => `${pick(r, ['3', '5', '6'])} pack`,
      () => '',
    ])(),
  diaper: (r) =>
    pick(r, [
      () => `Size ${pick(r, ['1', '2', '3', '4', '5', '6', '7'])}, ${pick(r, ['24', '32', '66', '84', '104', '124', '150', '168', '198'])} ct`,
      () => `Newborn ${pick(r, ['32', '76', '120'])} count`,
      () => `${pick(r, ['2T-3T', '3T-4T', '4T-5T', 'S/M', 'L/XL'])} ${pick(r, ['22', '56', '74', '94'])} ct`,
      () => `Size ${pick(r, ['1', '2', '3', '4', '5', '6'])}`,
    ])(),
  metric: (r) =>
    pick(r, [
      () => `${pick(r, ['50', '100', '150', '200', '250', '400', '500', '750'])} g`,
      () => `${pick(r, ['1', '2', '5', '10'])} kg`,
      () => `${pick(r, ['200', '250', '330', '500', '750'])} ml`,
      () => `${pick(r, ['1', '1.5', '2'])} L`,
      () => `${pick(r, ['2', '4', '6', '12'])} x ${pick(r, ['100 g', '250 ml', '330 ml'])}`,
      () => '',
    ])(),
  none: (r) => pick(r, ['', '', '', '', '1 ct', 'each', '2 pack', '1 pc']),
};

/** Languages written without spaces between words. */
const UNSPACED_LANGUAGES = new Set(['zh', 'ja']);

/** Register-style abbreviations a point-of-sale feed uses. */
const ABBREVIATIONS: [RegExp, string][] = [
  [/\bchocolate\b/gi, 'choc'],
  [/\bvanilla\b/gi, 'van'],
  [/\boriginal\b/gi, 'orig'],
  [/\borganic\b/gi, 'org'],
  [/\bstrawberry\b/gi, 'strwbry'],
  [/\bunsweetened\b/gi, 'unswt'],
  [/\bcheese\b/gi, 'chs'],
  [/\bchicken\b/gi, 'chkn'],
  [/\bvegetables?\b/gi, 'veg'],
  [/\bfrozen\b/gi, 'frzn'],
  [/\bwith\b/gi, 'w/'],
  [/\band\b/gi, '&'],
  [/\blarge\b/gi, 'lg'],
  [/\bmedium\b/gi, 'med'],
  [/\bsmall\b/gi, 'sm'],
  [/\bfluid ounces?\b|\bfl oz\b/gi, 'floz'],
  [/\bounces?\b/gi, 'oz'],
  [/\bpounds?\b|\blbs\b/gi, 'lb'],
  [/\bcount\b/gi, 'ct'],
  [/\bpack\b/gi, 'pk'],
  [/\bgreek\b/gi, 'grk'],
  [/\byogurt\b/gi, 'ygrt'],
  [/\bpaper\b/gi, 'ppr'],
  [/\bdetergent\b/gi, 'det'],
  [/\bassorted\b/gi, 'asst'],
];

function registerStyle(name: string): string {
  let out = name;
  for (const [re, short] of ABBREVIATIONS) out = out.replace(re, short);
  // Units glued to numbers ("12 OZ" → "12OZ") and no punctuation between fields, as on receipts.
  out = out
    .replace(/(\d) (oz|floz|lb|ct|pk|ml|l|g|kg)\b/gi, '$1$2')
    .replace(/[,()]/g, ' ')
    .replace(/ - /g, ' ');
  return out.toUpperCase();
}

function tidy(name: string): string {
  return name
    .replace(/\s+/g, ' ')
    .replace(/\(\s*\)/g, '')
    .replace(/\s+,/g, ',')
    .replace(/,(\s*,)+/g, ',')
    .replace(/(\s-\s*)+$/g, '')
    .replace(/^\s*-\s+/g, '')
    .replace(/(\s-)+\s*(?=\s-\s)/g, '')
    .replace(/[\s,-]+$/g, '')
    .replace(/^[\s,]+/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/** One name from a family: a template picks the order, then noise picks the spelling. */
function compose(rand: Rand, family: Family, storeBrandShare: number): { name: string; brand: string } {
  const type = pick(rand, family.types);
  let brand = pick(rand, family.brands);
  if (rand() < storeBrandShare) brand = pick(rand, STORE_BRANDS);
  const variant = pick(rand, family.variants);
  const size = family.sizes ? pick(rand, family.sizes) : SIZES[family.size](rand);
  const t = rand();
  // Separators are spaces, dashes and slashes, never commas: a bare product type between commas would stand
  // alone as a CSV field, and generic types ("chicken noodle soup") are also other catalogs' whole names.
  let name: string;
  // Names in other languages take no English "by": those templates fall back to brand, type, variant.
  if (family.language && ((t >= 0.6 && t < 0.69) || (t >= 0.78 && t < 0.88))) name = `${brand} ${type} ${variant} ${size}`;
  else if (t < 0.34) name = `${brand} ${variant} ${type}${pick(rand, [' / ', ' ', ' - '])}${size}`;
  else if (t < 0.48) name = `${brand} ${type} - ${variant} - ${size}`;
  else if (t < 0.6) {
    brand = '';
    name = `${variant} ${type} ${size}`;
  } else if (t < 0.69) name = brand ? `${variant} ${type} by ${brand} ${size}` : `${variant} ${type} / ${size}`;
  else if (t < 0.78) name = `${brand} - ${type} - ${variant} - ${size}`;
  else if (t < 0.88) name = `${type} by ${brand} ${variant}${size ? ` - ${size}` : ''}`;
  else name = `${brand} ${type} ${variant}${size ? ` (${size})` : ''}`;
  name = tidy(name);
  // Chinese and Japanese shops often write a name without spaces ("冷凍餃子12個入").
  if (family.language && UNSPACED_LANGUAGES.has(family.language) && rand() < 0.3) name = name.replace(/ /g, '');
  const style = rand();
  if (style < 0.12) name = tidy(registerStyle(name));
  else if (style < 0.2) name = name.toLowerCase();
  return { name, brand };
}

/** The whole catalog for a seed: each class of the vocabulary filled to its target with unique names. */
export function generateCatalog(seed = DEFAULT_SEED): CatalogRow[] {
  const rand = seededRandom(seed);
  const rows: CatalogRow[] = [];
  const seen = new Set<string>();
  for (const cls of ALL_VOCABULARY) {
    // Families with more product types get more names, so every type appears.
    const weights = cls.families.map((f) => f.types.length);
    const total = weights.reduce((a, b) => a + b, 0);
    const pickFamily = () => {
      let x = rand() * total;
      for (let i = 0; i < weights.length; i++) if ((x -= weights[i]) < 0) return cls.families[i];
      return cls.families[cls.families.length - 1];
    };
    let made = 0;
    for (let attempts = 0; made < cls.target && attempts < cls.target * 50; attempts++) {
      const { name, brand } = compose(rand, pickFamily(), 0.07);
      const key = name.toLowerCase().replace(/\s+/g, ' ');
      if (!name || seen.has(key)) continue;
      seen.add(key);
      rows.push({ product_name: name, brand, level1: cls.level1, level2: cls.level2, split: splitOf(name) });
      made++;
    }
    if (made < cls.target) throw new Error(`vocabulary for ${cls.level1}/${cls.level2 || '(general)'} yields only ${made} unique names`);
  }
  return rows;
}

/** A CSV field, quoted when it holds a quote, comma or line break. */
export const csvField = (value: string) => (/[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);

export function toCsv(rows: CatalogRow[]): string {
  const lines = [CATALOG_COLUMNS.join(',')];
  for (const row of rows) lines.push(CATALOG_COLUMNS.map((c) => csvField(row[c])).join(','));
  return `${lines.join('\n')}\n`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const csv = toCsv(generateCatalog());
  if (process.argv.includes('--check')) {
    const same = readFileSync(CATALOG_PATH, 'utf8') === csv;
    console.log(same ? 'catalog.csv is up to date' : 'catalog.csv differs from the generator: run npx tsx models/starter/generate.ts');
    process.exitCode = same ? 0 : 1;
  } else {
    writeFileSync(CATALOG_PATH, csv);
    console.log(`wrote ${CATALOG_PATH}`);
  }
}
