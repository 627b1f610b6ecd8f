/**
 * The adversarial list (models/starter/adversarial.csv): merchandise named after food or drink — glassware,
 * bar tools, kitchen gadgets, storage, scented candles, cosmetics in food shades, clothes and furniture in
 * food colours, pet and baby goods with food words — each with its true Non-Food class, and true foods
 * that share those words, so rules are measured for precision without giving up recall. Written by the
 * project from templates and its own vocabulary (no dataset), deterministic. `aisle rules check` measures
 * every rule on the starter catalog plus this list.
 *
 *   npx tsx models/starter/adversarial.ts            # rewrites adversarial.csv
 *   npx tsx models/starter/adversarial.ts --check    # exits 1 when adversarial.csv differs from the generator
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { csvField } from './generate.ts';

export const ADVERSARIAL_PATH = fileURLToPath(new URL('./adversarial.csv', import.meta.url));
export const ADVERSARIAL_COLUMNS = ['product_name', 'brand', 'level1', 'level2', 'kind'] as const;

export type AdversarialRow = Record<(typeof ADVERSARIAL_COLUMNS)[number], string>;
type Label = [level1: string, level2: string];

const HOUSEHOLD: Label = ['Non-Food', 'Household'];
const CARE: Label = ['Non-Food', 'Personal Care & Health'];
const PET: Label = ['Non-Food', 'Pet Supplies'];
const BABY: Label = ['Non-Food', 'Baby Care'];
/** General merchandise (clothes, furniture, toys, decor): Non-Food without a level 2 in this taxonomy. */
const GENERAL: Label = ['Non-Food', ''];

/** Kitchen, bar and table goods named after what they hold or handle: food word → the goods. */
const KITCHENWARE: Record<string, string[]> = {
  wine: ['glass', 'glasses', 'rack', 'opener', 'aerator', 'decanter', 'bottle stopper', 'chiller', 'tote bag', 'charms'],
  beer: ['mug', 'glass', 'koozie', 'stein', 'bottle opener', 'growler', 'can cooler', 'tap handle', 'pong table'],
  coffee: ['mug', 'grinder', 'maker', 'filters', 'scoop', 'canister', 'table', 'pod holder', 'tamper'],
  tea: ['cup', 'kettle', 'pot', 'towel', 'infuser', 'strainer', 'light candles', 'tin'],
  espresso: ['machine', 'cups', 'tamper', 'knock box'],
  whiskey: ['glasses', 'stones', 'decanter', 'barrel'],
  martini: ['glass', 'shaker'],
  margarita: ['glasses', 'machine'],
  cocktail: ['shaker', 'picks', 'napkins', 'smoker kit'],
  champagne: ['flutes', 'bucket', 'saber'],
  milk: ['frother', 'jug', 'crate'],
  juice: ['glasses', 'extractor'],
  water: ['bottle stainless steel', 'filter pitcher', 'cooler dispenser'],
  soda: ['maker', 'can cozy', 'glass'],
  smoothie: ['blender', 'cup with straw'],
  pizza: ['cutter', 'stone', 'peel', 'pan', 'oven'],
  bread: ['bin', 'box', 'knife', 'maker', 'basket'],
  butter: ['dish', 'knife', 'crock', 'bell'],
  cheese: ['grater', 'board', 'knife set', 'slicer', 'dome'],
  egg: ['timer', 'cup', 'cooker', 'separator', 'poacher', 'slicer'],
  rice: ['cooker', 'paddle', 'bowl set'],
  pasta: ['maker', 'pot', 'strainer', 'server'],
  salad: ['spinner', 'bowl', 'tongs', 'servers'],
  popcorn: ['maker', 'machine', 'bowl', 'bucket'],
  'ice cream': ['scoop', 'maker', 'bowls'],
  cake: ['stand', 'pan', 'tin', 'knife', 'server', 'topper', 'carrier'],
  cupcake: ['liners', 'carrier', 'stand'],
  cookie: ['jar', 'sheet', 'cutter', 'cutters', 'press'],
  muffin: ['pan', 'tin'],
  pie: ['dish', 'plate', 'server', 'weights'],
  lemon: ['squeezer', 'zester'],
  garlic: ['press', 'crusher', 'keeper'],
  potato: ['masher', 'peeler', 'ricer'],
  apple: ['corer', 'slicer', 'peeler'],
  banana: ['hanger', 'holder'],
  avocado: ['saver', 'slicer'],
  honey: ['dipper', 'pot dispenser'],
  salt: ['lamp', 'and pepper shakers', 'cellar'],
  pepper: ['mill', 'grinder'],
  spice: ['rack', 'jars empty', 'grinder'],
  sugar: ['bowl', 'canister', 'tongs'],
  taco: ['holder', 'stand'],
  burger: ['press'],
  'hot dog': ['roller'],
  waffle: ['maker', 'iron'],
  pancake: ['griddle', 'pan'],
  sandwich: ['maker', 'bags', 'container'],
  lunch: ['box', 'bag', 'tote'],
  chip: ['clips', 'and dip bowl'],
  bagel: ['slicer'],
  pineapple: ['corer'],
  melon: ['baller'],
  cherry: ['pitter'],
  olive: ['oil dispenser', 'oil mister'],
  herb: ['scissors', 'keeper'],
  tortilla: ['warmer', 'press'],
  sushi: ['making kit', 'plates'],
  soup: ['ladle', 'bowls', 'pot'],
  steak: ['knives'],
  cereal: ['bowl', 'dispenser'],
  yogurt: ['maker'],
  milkshake: ['machine'],
  candy: ['dish', 'jar', 'thermometer'],
  meat: ['thermometer', 'mallet'],
  oyster: ['knife'],
  fruit: ['bowl', 'basket', 'fly trap'],
  vegetable: ['chopper', 'spiralizer'],
  chocolate: ['fountain', 'molds'],
  donut: ['pan'],
  bacon: ['press'],
  nut: ['cracker'],
  corn: ['holders', 'stripper'],
};

/** Materials and pack sizes that vary the kitchenware names, in turn. */
const KITCHEN_PREFIXES = ['', 'Stainless Steel', 'Ceramic', 'Glass', 'Bamboo', 'Silicone', 'Acacia Wood', 'Cast Iron', 'Plastic', 'Enamel'];
const KITCHEN_SUFFIXES = ['', 'Set of 4', '2 Pack', '', 'Dishwasher Safe', '', 'Black', 'White'];

/** Drink brands on merchandise: "Bud Light 12oz Can Koozie". */
const BRAND_MERCH: [brand: string, goods: string[]][] = [
  ['Bud Light', ['12oz Can Koozie', 'Beer Mug', 'Neon Sign', 'Baseball Cap', 'T-Shirt']],
  ['Coca-Cola', ['Glass Tumblers Set of 4', 'Mini Fridge', 'Tin Sign', 'Christmas Ornament', 'Bottle Opener']],
  ['Corona', ['Beach Towel', 'Bucket with Bottle Opener', 'Pint Glass']],
  ['Starbucks', ['Ceramic Mug', 'Tumbler 16oz', 'Gift Card']],
  ['Jack Daniels', ['Whiskey Glasses', 'Bar Mat', 'Leather Wallet']],
  ['Heineken', ['Beer Glass Set', 'Bottle Opener Keychain']],
  ['Pepsi', ['Retro Tin Sign', 'Can Koozie']],
  ['Guinness', ['Pint Glass', 'Hoodie', 'Bar Stool']],
  ['Red Bull', ['Cap', 'Cooler Bag']],
  ['Hersheys', ['Kisses Plush', 'Chocolate Scented Candle']],
  ['Oreo', ['Cookie Jar', 'Phone Case', 'Plush Pillow']],
  ['Pringles', ['Can Lip Balm', 'Socks']],
];

/** Scents and flavours of non-food goods: the goods (with their class) that carry them. */
const SCENTS = [
  'Vanilla',
  'Pumpkin Spice',
  'Apple Cinnamon',
  'Coconut Lime',
  'Sugar Cookie',
  'Candy Cane',
  'Lemon',
  'Cherry',
  'Strawberry',
  'Mango',
  'Coffee',
  'Green Tea',
  'Honey',
  'Peach',
  'Watermelon',
  'Caramel',
];
const SCENTED: [goods: string, label: Label][] = [
  ['Scented Candle', HOUSEHOLD],
  ['Wax Melts', HOUSEHOLD],
  ['Reed Diffuser', HOUSEHOLD],
  ['Air Freshener Spray', HOUSEHOLD],
  ['Lip Balm', CARE],
  ['Body Wash', CARE],
  ['Hand Soap', CARE],
  ['Body Lotion', CARE],
  ['Shampoo', CARE],
  ['Body Scrub', CARE],
  ['Lip Gloss', CARE],
  ['Perfume Spray', CARE],
];

/** Food words as colours and finishes. */
const COLOURS = [
  'Chocolate Brown',
  'Coffee',
  'Espresso',
  'Mocha',
  'Caramel',
  'Cinnamon',
  'Honey',
  'Mustard Yellow',
  'Olive Green',
  'Lime Green',
  'Lemon Yellow',
  'Peach',
  'Cherry Red',
  'Raspberry',
  'Plum',
  'Wine Red',
  'Burgundy',
  'Champagne',
  'Cream',
  'Vanilla',
  'Butter Yellow',
  'Mint Green',
  'Avocado',
  'Tangerine',
  'Salmon Pink',
  'Eggplant',
  'Tomato Red',
  'Cocoa',
  'Chestnut',
  'Walnut',
  'Almond',
  'Oatmeal',
  'Toffee',
  'Cognac',
  'Pistachio',
  'Watermelon',
  'Berry',
  'Coral',
  'Sage',
  'Biscuit',
];
const COLOURED: [goods: string, label: Label][] = [
  ['Leather Shoes', GENERAL],
  ['Ankle Boots', GENERAL],
  ['Running Sneakers', GENERAL],
  ['Wrap Dress', GENERAL],
  ['Knit Sweater', GENERAL],
  ['Cardigan', GENERAL],
  ['Puffer Jacket', GENERAL],
  ['Leather Handbag', GENERAL],
  ['Wallet', GENERAL],
  ['Belt', GENERAL],
  ['Scarf', GENERAL],
  ['Beanie Hat', GENERAL],
  ['Crew Socks', GENERAL],
  ['Hoodie', GENERAL],
  ['Phone Case', GENERAL],
  ['Throw Pillow', GENERAL],
  ['Area Rug', GENERAL],
  ['Velvet Sofa', GENERAL],
  ['Armchair', GENERAL],
  ['Lipstick', CARE],
  ['Nail Polish', CARE],
  ['Eyeshadow Palette', CARE],
  ['Hair Dye', CARE],
  ['Bath Towel', HOUSEHOLD],
  ['Interior Paint 1 Gallon', HOUSEHOLD],
];

/** Prints and shapes: "Strawberry Print Dress", "Pizza Slice Keychain". */
const MOTIFS = [
  'Strawberry',
  'Cherry',
  'Lemon',
  'Avocado',
  'Pineapple',
  'Watermelon',
  'Banana',
  'Taco',
  'Pizza',
  'Donut',
  'Cupcake',
  'Sushi',
  'Ice Cream',
  'Coffee Bean',
  'Hot Dog',
  'Cookie',
  'Peach',
  'Mushroom',
  'Carrot',
  'Broccoli',
];
const MOTIF_GOODS: [goods: string, label: Label][] = [
  ['Print Dress', GENERAL],
  ['Print Shirt', GENERAL],
  ['Earrings', GENERAL],
  ['Keychain', GENERAL],
  ['Pool Float', GENERAL],
  ['Plush Toy', GENERAL],
  ['Costume', GENERAL],
  ['Phone Case', GENERAL],
  ['Socks', GENERAL],
  ['Print Beach Towel', HOUSEHOLD],
  ['Shaped Lamp', GENERAL],
  ['Christmas Ornament', GENERAL],
  ['Print Pajamas', GENERAL],
];

/** Pet and baby goods with food words, and cosmetics and remedies made of foods. */
const OTHERS: [name: string, label: Label][] = [
  ['Chicken Flavor Dog Treats', PET],
  ['Peanut Butter Dog Chew Toy', PET],
  ['Beef Jerky Dog Treats', PET],
  ['Bacon Flavored Dog Bone', PET],
  ['Salmon Recipe Cat Food', PET],
  ['Tuna Cat Treats', PET],
  ['Cheese Flavored Dog Biscuits', PET],
  ['Carrot Plush Rabbit Toy', PET],
  ['Turkey and Rice Puppy Food', PET],
  ['Catnip Banana Cat Toy', PET],
  ['Hamster Food Pellets', PET],
  ['Bird Seed Mix', PET],
  ['Pizza Dog Toy', PET],
  ['Banana Teether', BABY],
  ['Baby Food Maker', BABY],
  ['Sippy Cup 2 Pack', BABY],
  ['Strawberry Print Baby Bib', BABY],
  ['Baby Bottle 9oz', BABY],
  ['Formula Dispenser', BABY],
  ['Breast Milk Storage Bags', BABY],
  ['Apple Print Onesie', BABY],
  ['Fruit Feeder Pacifier', BABY],
  ['Baby Snack Cup', BABY],
  ['Shea Butter Lotion', CARE],
  ['Cocoa Butter Body Lotion', CARE],
  ['Mango Body Butter', CARE],
  ['Colloidal Oatmeal Bath', CARE],
  ['Avocado Face Mask', CARE],
  ['Green Tea Toner', CARE],
  ['Coffee Body Scrub', CARE],
  ['Charcoal Toothpaste', CARE],
  ['Milk Bath Soak', CARE],
  ['Sugar Lip Scrub', CARE],
  ['Epsom Salt Soak', CARE],
  ['Rose Water Facial Toner', CARE],
  ['Honey Cough Drops', CARE],
  ['Cucumber Eye Gel', CARE],
  ['Coconut Oil Hair Mask', CARE],
  ['Apple Cider Vinegar Gummies', CARE],
  ['Lemon Dish Soap', HOUSEHOLD],
  ['Orange Oil Furniture Polish', HOUSEHOLD],
  ['Vinegar Glass Cleaner', HOUSEHOLD],
  ['Cherry Wood Dining Table', GENERAL],
  ['Walnut Writing Desk', GENERAL],
  ['Maple Cutting Board', HOUSEHOLD],
  ['Oak Wine Barrel Planter', GENERAL],
  ['Espresso Finish Bookcase', GENERAL],
  ['Gingerbread House Ornament', GENERAL],
  ['Candy Cane Christmas Lights', GENERAL],
  ['Play Kitchen Food Set', GENERAL],
  ['Cookbook Italian Pasta Recipes', GENERAL],
  ['Grill Brush', HOUSEHOLD],
  ['Beer Brewing Kit', GENERAL],
  ['Cocktail Dress', GENERAL],
  ['Tea Dress Floral', GENERAL],
  ['Lunch Cooler Bag', HOUSEHOLD],
  ['Food Storage Containers 10 Pack', HOUSEHOLD],
  ['Coffee Pods Storage Drawer', HOUSEHOLD],
];

/** True foods that share the words above: recall stays honest. */
const FOODS: [name: string, level2: string][] = [
  ['Cabernet Sauvignon Red Wine 750 ml', 'Beverages'],
  ['Sauvignon Blanc White Wine', 'Beverages'],
  ['Light Beer 12 pk 12 oz cans', 'Beverages'],
  ['Bud Light Beer 24 pk', 'Beverages'],
  ['India Pale Ale 6 pk bottles', 'Beverages'],
  ['Medium Roast Ground Coffee 12 oz', 'Beverages'],
  ['Whole Bean Espresso Roast Coffee', 'Beverages'],
  ['Green Tea Bags 20 ct', 'Beverages'],
  ['Chamomile Herbal Tea', 'Beverages'],
  ['Kentucky Straight Bourbon Whiskey 750 ml', 'Beverages'],
  ['Margarita Mix 1.75 L', 'Beverages'],
  ['Brut Champagne 750 ml', 'Beverages'],
  ['Orange Juice No Pulp 52 fl oz', 'Beverages'],
  ['Sparkling Water Lemon 8 pk', 'Beverages'],
  ['Coca-Cola Classic 12 pk cans', 'Beverages'],
  ['Strawberry Banana Smoothie', 'Beverages'],
  ['Whole Milk 1 gallon', 'Dairy & Eggs'],
  ['Unsalted Butter 4 sticks', 'Dairy & Eggs'],
  ['Sharp Cheddar Cheese 8 oz', 'Dairy & Eggs'],
  ['Large Brown Eggs 12 ct', 'Dairy & Eggs'],
  ['Vanilla Greek Yogurt 32 oz', 'Dairy & Eggs'],
  ['Long Grain White Rice 5 lb', 'Pantry Staples'],
  ['Penne Pasta 16 oz', 'Pantry Staples'],
  ['Granulated Sugar 4 lb', 'Pantry Staples'],
  ['Sea Salt Fine 26 oz', 'Pantry Staples'],
  ['Ground Black Pepper', 'Pantry Staples'],
  ['Raw Honey 12 oz', 'Pantry Staples'],
  ['Extra Virgin Olive Oil 1 L', 'Pantry Staples'],
  ['Pizza Sauce 14 oz', 'Pantry Staples'],
  ['Bread Flour 5 lb', 'Pantry Staples'],
  ['Pumpkin Pie Spice', 'Pantry Staples'],
  ['Pepperoni Pizza Frozen', 'Frozen Foods'],
  ['Vanilla Ice Cream 48 oz', 'Frozen Foods'],
  ['Frozen Waffles Homestyle 10 ct', 'Frozen Foods'],
  ['Chocolate Chip Cookies', 'Snacks & Sweets'],
  ['Milk Chocolate Bar', 'Snacks & Sweets'],
  ['Butter Popcorn Microwave 3 pk', 'Snacks & Sweets'],
  ['Candy Canes 12 ct', 'Snacks & Sweets'],
  ['Potato Chips Sea Salt', 'Snacks & Sweets'],
  ['Salted Mixed Nuts', 'Snacks & Sweets'],
  ['Beef Jerky Original', 'Snacks & Sweets'],
  ['Honey Nut Cereal', 'Breakfast'],
  ['Buttermilk Pancake Mix', 'Breakfast'],
  ['Old Fashioned Oatmeal', 'Breakfast'],
  ['Chicken Noodle Soup', 'Canned & Packaged Foods'],
  ['Canned Sweet Corn', 'Canned & Packaged Foods'],
  ['Sliced Peaches in Juice', 'Canned & Packaged Foods'],
  ['Bananas', 'Fresh Food'],
  ['Hass Avocados 4 ct', 'Fresh Food'],
  ['Honeycrisp Apples 3 lb bag', 'Fresh Food'],
  ['Lemons 2 lb bag', 'Fresh Food'],
  ['Sourdough Bread Loaf', 'Fresh Food'],
  ['Plain Bagels 6 ct', 'Fresh Food'],
  ['Flour Tortillas 10 ct', 'Fresh Food'],
  ['Ribeye Steak', 'Fresh Food'],
  ['Fresh Salmon Fillet', 'Fresh Food'],
  ['Garlic Bulbs 3 ct', 'Fresh Food'],
  ['Russet Potatoes 5 lb', 'Fresh Food'],
  ['Pineapple Whole', 'Fresh Food'],
  ['Cherries 1 lb', 'Fresh Food'],
];

export function generateAdversarial(): AdversarialRow[] {
  const rows: AdversarialRow[] = [];
  const seen = new Set<string>();
  const add = (name: string, [level1, level2]: Label, kind: 'merchandise' | 'food', brand = '') => {
    const clean = name.replace(/\s+/g, ' ').trim();
    if (seen.has(clean.toLowerCase())) return;
    seen.add(clean.toLowerCase());
    rows.push({ product_name: clean, brand, level1, level2, kind });
  };
  const title = (s: string) => s.replace(/\b[a-z]/g, (c) => c.toUpperCase());
  let turn = 0;
  for (const [food, goods] of Object.entries(KITCHENWARE)) {
    for (const g of goods) {
      const prefix = KITCHEN_PREFIXES[turn % KITCHEN_PREFIXES.length];
      const suffix = KITCHEN_SUFFIXES[turn % KITCHEN_SUFFIXES.length];
      turn++;
      add(`${prefix} ${title(food)} ${title(g)} ${suffix}`, HOUSEHOLD, 'merchandise');
    }
  }
  for (const [brand, goods] of BRAND_MERCH)
    for (const g of goods)
      add(
        `${brand} ${g}`,
        g.includes('Lip Balm')
          ? CARE
          : g.match(/Shirt|Cap|Hoodie|Wallet|Socks|Plush|Phone|Sign|Ornament|Stool|Fridge|Gift Card/)
            ? GENERAL
            : HOUSEHOLD,
        'merchandise',
        brand,
      );
  SCENTED.forEach(([goods, label], i) => {
    for (let k = 0; k < 4; k++) add(`${SCENTS[(i * 3 + k * 5) % SCENTS.length]} ${goods}`, label, 'merchandise');
  });
  COLOURED.forEach(([goods, label], i) => {
    for (let k = 0; k < 4; k++) add(`${COLOURS[(i * 7 + k * 11) % COLOURS.length]} ${goods}`, label, 'merchandise');
  });
  MOTIF_GOODS.forEach(([goods, label], i) => {
    for (let k = 0; k < 3; k++) add(`${MOTIFS[(i * 5 + k * 7) % MOTIFS.length]} ${goods}`, label, 'merchandise');
  });
  for (const [name, label] of OTHERS) add(name, label, 'merchandise');
  for (const [name, level2] of FOODS) add(name, ['Food', level2], 'food');
  return rows;
}

export function toAdversarialCsv(rows: AdversarialRow[]): string {
  const lines = [ADVERSARIAL_COLUMNS.join(',')];
  for (const row of rows) lines.push(ADVERSARIAL_COLUMNS.map((c) => csvField(row[c])).join(','));
  return `${lines.join('\n')}\n`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const csv = toAdversarialCsv(generateAdversarial());
  if (process.argv.includes('--check')) {
    const same = readFileSync(ADVERSARIAL_PATH, 'utf8') === csv;
    console.log(same ? 'adversarial.csv is up to date' : 'adversarial.csv differs from the generator: run npx tsx models/starter/adversarial.ts');
    process.exitCode = same ? 0 : 1;
  } else {
    writeFileSync(ADVERSARIAL_PATH, csv);
    console.log(`wrote ${ADVERSARIAL_PATH}`);
  }
}
