/**
 * Which input column plays which role (the product name, its id, brand, description, search term, the
 * retailer's own category), found by header names in several languages or named by the user. Header names are
 * compared by their letters and digits alone (case, spaces, underscores, punctuation and Latin accents ignored):
 * `Product Name`, `product_name` and `PRODUCT-NAME` are one name.
 */
import { type ColumnChoice, type CsvColumns, CsvFormatError } from './table.ts';

export type { ColumnChoice, CsvColumns };

/** Names for the product name column, best first: the first one the header has wins. */
export const NAME_COLUMNS = [
  'product_name',
  'name',
  'title',
  'product_title',
  'item_name',
  'product',
  'item',
  'produktname',
  'artikelbezeichnung',
  'artikelname',
  'bezeichnung',
  'artikel',
  'produkt',
  'nom du produit',
  'nom produit',
  'libellé',
  'désignation',
  'produit',
  'nom',
  'nombre del producto',
  'nombre producto',
  'nombre',
  'producto',
  'nome del prodotto',
  'nome prodotto',
  'prodotto',
  'nome do produto',
  'produto',
  'nome',
  'productnaam',
  'naam',
  '商品名',
  '商品名称',
  '产品名称',
  '品名',
  '名称',
  'наименование',
  'название',
  'товар',
  'उत्पाद',
  // A catalog whose only text is a description: the description is the name.
  'item_description',
  'product_description',
  'description',
  'descripción',
  'beschreibung',
];
const ROLE_COLUMNS = {
  id: [
    'id',
    'product_id',
    'sku',
    'item_id',
    'item_number',
    'article_number',
    'artikelnummer',
    'product_code',
    'item_code',
    'ean',
    'gtin',
    'upc',
    '商品コード',
  ],
  brand: ['brand', 'brand_name', 'marke', 'marque', 'marca', 'merk', '品牌', 'ブランド', 'бренд'],
  description: ['description', 'product_description', 'item_description', 'long_description', 'beschreibung', 'descripción', 'descrizione'],
  searchTerm: ['search_term', 'searchterm', 'query', 'suchbegriff'],
  category: [
    'category',
    'product_category',
    'category_name',
    'department',
    'dept',
    'aisle',
    'kategorie',
    'warengruppe',
    'abteilung',
    'catégorie',
    'rayon',
    'categoría',
    'categoria',
    'departamento',
    '分类',
    '类别',
    'カテゴリ',
    'カテゴリー',
    'категория',
  ],
} as const;

/** A header name as compared: NFKC, lower case, Latin accents dropped, letters and digits of any script only. */
export function headerKey(h: string): string {
  return h
    .normalize('NFKC')
    .toLowerCase()
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^\p{L}\p{N}\p{M}]/gu, '')
    .normalize('NFC');
}

/** Finds the roles among the header's columns; refuses a header without a product name column, naming the options. */
export function resolveColumns(header: string[], choice: ColumnChoice = {}): CsvColumns {
  const keys = header.map(headerKey);
  const find = (names: readonly string[], taken: number[] = []) => {
    for (const n of names) {
      const i = keys.findIndex((k, j) => k === headerKey(n) && !taken.includes(j));
      if (i >= 0) return i;
    }
    return -1;
  };
  const named = (option: string, value: string) => {
    const exact = header.indexOf(value);
    const i = exact >= 0 ? exact : keys.indexOf(headerKey(value));
    if (i < 0) throw new CsvFormatError(`${option} "${value}": the file has no such column; found columns: ${listed(header)}`);
    return i;
  };
  const name = choice.name !== undefined ? named('--name-column', choice.name) : find(NAME_COLUMNS);
  if (name < 0) {
    throw new CsvFormatError(
      `no product name column: expected one of ${NAME_COLUMNS.slice(0, 8).join(', ')}, … (docs/csv.md; case, spaces and punctuation ` +
        `ignored); found columns: ${listed(header)}. Name it with --name-column (the API: name_column)`,
    );
  }
  return {
    header,
    name,
    searchTerm: find(ROLE_COLUMNS.searchTerm, [name]),
    brand: find(ROLE_COLUMNS.brand, [name]),
    description: find(ROLE_COLUMNS.description, [name]),
    id: choice.id !== undefined ? named('--id-column', choice.id) : find(ROLE_COLUMNS.id, [name]),
    category: choice.category !== undefined ? named('--category-column', choice.category) : find(ROLE_COLUMNS.category, [name]),
    text: choice.text?.length ? choice.text.map((t) => named('--text-columns', t)) : null,
  };
}

const listed = (header: string[]) => (header.length ? header.map((h) => `"${h}"`).join(', ') : 'none');
