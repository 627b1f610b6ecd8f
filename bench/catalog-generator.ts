/**
 * Generates a synthetic grocery-like catalog CSV from the project's own word lists (no external data), for
 * throughput benchmarks and big-file tests. Deterministic for a given seed.
 */

import { once } from 'node:events';
import { createWriteStream, existsSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';
import { seededRandom } from '../functions/core/random.ts';
import { csvField } from '../models/starter/generate.ts';

// biome-ignore format: a word list, packed
const BRANDS = [
  'Green Valley', 'Sunny Farms', 'Hearthstone', 'Blue Harbor', 'Oak & Acre', 'Golden Field', 'Maple Lane',
  'Brightside', 'Northwind', 'Riverbend', 'Pure Leaf Co', 'Happy Paws', 'Little Sprout', 'CleanHome', 'Daily Fresh',
  'Crunch Time', 'Morning Glory', 'Polar Pantry', 'Tidewater', 'Summit', 'Harvest Moon', 'Cozy Kitchen',
];
// biome-ignore format: a word list, packed
const PRODUCTS = [
  'Whole Milk', 'Greek Yogurt', 'Cheddar Cheese', 'Large Brown Eggs', 'Salted Butter', 'Sparkling Water',
  'Orange Juice', 'Cold Brew Coffee', 'Green Tea', 'Cola', 'Potato Chips', 'Tortilla Chips', 'Chocolate Bar',
  'Gummy Bears', 'Trail Mix', 'Pretzel Twists', 'Granola', 'Corn Flakes', 'Rolled Oats', 'Pancake Mix',
  'All Purpose Flour', 'Cane Sugar', 'Extra Virgin Olive Oil', 'Basmati Rice', 'Spaghetti', 'Marinara Sauce',
  'Black Beans', 'Chicken Noodle Soup', 'Diced Tomatoes', 'Tuna in Water', 'Baby Spinach', 'Bananas',
  'Chicken Breast', 'Sourdough Bread', 'Frozen Pizza', 'Vanilla Ice Cream', 'Frozen Peas', 'Fish Sticks',
  'Paper Towels', 'Laundry Detergent', 'Dish Soap', 'Trash Bags', 'Toothpaste', 'Shampoo', 'Body Wash',
  'Ibuprofen Tablets', 'Dry Dog Food', 'Cat Litter', 'Dog Treats', 'Baby Wipes', 'Diapers Size 3', 'Infant Formula',
];
const ADJECTIVES = ['Organic', 'Classic', 'Original', 'Light', 'Family Size', 'Unsweetened', 'Low Sodium', 'Spicy', 'Natural', ''];
const SIZES = ['12 oz', '16 oz', '1 gal', '500 ml', '2 lb', '6 ct', '24 pk', '1 kg', '32 fl oz', '10 ct', ''];

export function* catalogRows(count: number, seed = 42): Generator<string[]> {
  const rnd = seededRandom(seed);
  const pick = <T>(xs: T[]) => xs[Math.floor(rnd() * xs.length)];
  for (let i = 1; i <= count; i++) {
    const brand = pick(BRANDS);
    const name = [pick(ADJECTIVES), pick(PRODUCTS), pick(SIZES)].filter(Boolean).join(' ');
    yield [String(i), name, brand];
  }
}

/** Writes `count` rows (header id,product_name,brand) to `path`. */
export async function writeCatalog(path: string, count: number, seed = 42): Promise<void> {
  const out = createWriteStream(path);
  let buf = 'id,product_name,brand\n';
  for (const row of catalogRows(count, seed)) {
    buf += row.map(csvField).join(',') + '\n';
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) await once(out, 'drain');
      buf = '';
    }
  }
  out.end(buf);
  await once(out, 'finish');
}

/** The catalog CSV at `csv` written again by DuckDB as each of `copies` that is missing (`FORMAT parquet`, `json`...). */
export async function copyCatalog(csv: string, copies: Record<string, 'parquet' | 'json'>): Promise<void> {
  const missing = Object.entries(copies).filter(([path]) => !existsSync(path));
  if (!missing.length) return;
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  for (const [path, format] of missing) {
    await c.run(`COPY (SELECT * FROM read_csv('${csv}', all_varchar = true, header = true)) TO '${path}' (FORMAT ${format})`);
  }
  c.closeSync();
  db.closeSync();
}
