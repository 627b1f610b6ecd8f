/**
 * Speed of the rules tier alone: items/s over a generated list of 1,000,000 short product names (words written
 * by the project), already normalized (the cascade normalizes once, before every tier). Also prints the
 * normalize + rules figure, the share of items decided, and the load (parse + validate + compile) time.
 *
 *   npx tsx bench/rules-speed.ts [--items N] [--rules FILE]
 */
import { toCascadeItem } from '../functions/core/normalize.ts';
import { createRulesTier, DEFAULT_RULES_PATH, loadRules } from '../functions/core/rules.ts';
import { loadTaxonomy } from '../functions/core/taxonomy.ts';
import type { CascadeItem, ProductInput } from '../functions/core/types.ts';
import { machineLine } from './machine.ts';

const args = process.argv.slice(2);
const arg = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const count = Number(arg('--items') ?? 1_000_000);
const rulesFile = arg('--rules') ?? DEFAULT_RULES_PATH;

const BRANDS = ['Sunny Acres', 'Blue Ridge', 'Golden Fields', 'Nordhaven', 'Casa Verde', 'Maple Hollow', 'Tide', 'Purina', 'Harbor Point', ''];
// biome-ignore format: a word list
const MODIFIERS = ['Organic', 'Original', 'Classic', 'Low Fat', 'Unsweetened', 'Family Size', 'Spicy', 'Vanilla', 'Honey Roasted', 'Sea Salt', 'Extra Virgin', 'Whole Grain', 'Lemon Scented', 'Fragrance Free', 'Chicken & Rice', 'Dark Roast', 'Mixed Berry', 'Smoked'];
// biome-ignore format: a word list
const NOUNS = ['Whole Milk', 'Greek Yogurt', 'Sharp Cheddar', 'Ice Cream', 'Potato Chips', 'Chocolate Chip Cookies', 'Olive Oil', 'Penne Pasta', 'Pasta Sauce', 'Black Beans', 'Chicken Broth', 'Frozen Pizza', 'Dog Food', 'Cat Litter', 'Laundry Detergent', 'Paper Towels', 'Shampoo', 'Toothpaste', 'Diapers', 'Baby Wipes', 'Sparkling Water', 'Ground Coffee', 'Green Tea', 'Cabernet Sauvignon', 'Granola Bars', 'Corn Flakes', 'Sourdough Bread', 'Chicken Breast', 'Bananas', 'Baby Spinach', 'Widget Assembly', 'Mystery Mix', 'Gift Card', 'Spring Water', 'Peanut Butter'];
const SIZES = ['12 oz', '1 gal', '500 ml', '2 lb', '24 ct', '6 x 330ml', '', '', '16.9 fl oz', '1.5 L'];

/** A deterministic pseudo-random generator, so every run times the same list. */
function lcg(seed: number) {
  let s = seed >>> 0;
  return (n: number) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s % n;
  };
}

const pick = lcg(42);
const inputs: ProductInput[] = new Array(count);
for (let i = 0; i < count; i++) {
  const brand = BRANDS[pick(BRANDS.length)];
  const name = [brand, MODIFIERS[pick(MODIFIERS.length)], NOUNS[pick(NOUNS.length)], SIZES[pick(SIZES.length)]].filter(Boolean).join(' ');
  inputs[i] = { name };
}

const taxonomy = loadTaxonomy();
let t0 = performance.now();
const rules = loadRules(taxonomy, rulesFile);
const loadMs = performance.now() - t0;
const tier = createRulesTier(rules);

t0 = performance.now();
const items: CascadeItem[] = inputs.map(toCascadeItem);
const normalizeMs = performance.now() - t0;

const BATCH = 1000;
function run(): { ms: number; cpuMs: number; decided: number } {
  let decided = 0;
  const cpu = process.cpuUsage();
  const start = performance.now();
  for (let i = 0; i < items.length; i += BATCH) {
    const outcomes = tier.decide(items.slice(i, i + BATCH));
    for (const o of outcomes) if (o.kind === 'decided') decided++;
  }
  const used = process.cpuUsage(cpu);
  return { ms: performance.now() - start, cpuMs: (used.user + used.system) / 1000, decided };
}

run(); // warm-up: let the JIT settle before timing
const runs = [run(), run(), run()];
const best = runs.reduce((a, b) => (a.ms < b.ms ? a : b));
const perSecond = (ms: number) => Math.round((count / ms) * 1000).toLocaleString('en-US');

console.log(`rules ${rules.version}: ${rules.rules.length} rules, loaded and compiled in ${loadMs.toFixed(1)} ms`);
console.log(machineLine());
console.log(`items: ${count.toLocaleString('en-US')} generated names (e.g. "${inputs[0].name}")`);
console.log(
  `rules tier:            ${perSecond(best.ms)} items/s  (${((best.ms * 1e6) / count).toFixed(0)} ns/item, best of 3; runs ${runs.map((r) => r.ms.toFixed(0)).join('/')} ms)`,
);
const bestCpu = runs.reduce((a, b) => (a.cpuMs < b.cpuMs ? a : b));
// CPU time is what the process itself spent: on a shared machine it is steadier than the wall clock.
console.log(`rules tier, CPU time:  ${perSecond(bestCpu.cpuMs)} items per CPU-second  (${((bestCpu.cpuMs * 1e6) / count).toFixed(0)} ns/item)`);
console.log(`normalize (once):      ${perSecond(normalizeMs)} items/s`);
console.log(`normalize + rules:     ${perSecond(normalizeMs + best.ms)} items/s`);
console.log(`decided by rules:      ${((100 * best.decided) / count).toFixed(1)}%`);
