/**
 * The CoPurchases contract ("bought together", functions/similar/recommend.ts): every adapter (the local shopper
 * output folder, the S3 pairs the shopper run writes on AWS) gives the same pairs, sessions and lift for the same
 * purchase events, each tenant its own. The factory is handed each tenant's events, as the shopper pipeline keeps them.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_TENANT } from '../../functions/core/api-keys.ts';
import { toCascadeItem } from '../../functions/core/normalize.ts';
import type { CoPurchases } from '../../functions/similar/recommend.ts';

/** One event of the shopper pipeline's events table: [session_id, event, product_name]. */
export type ShopperEventRow = [string, string, string];

const keyOf = (name: string) => toCascadeItem({ name }).key;
const sessions = (from: number, to: number, ...products: string[]): ShopperEventRow[] =>
  Array.from({ length: to - from + 1 }, (_, i) => products.map((p): ShopperEventRow => [`s${from + i}`, 'purchase', p])).flat();

/**
 * The default tenant: 13 purchase sessions. Chips and salsa together in 4 (chips in 6, salsa in 5): lift
 * 4 · 13 / (6 · 5) = 1.733; chips and guacamole in 2 (guacamole in 3): lift 2 · 13 / (6 · 3) = 1.444; guacamole
 * and salsa in 1 only (under the 2 sessions a pair needs). A view is not a purchase.
 */
export const EVENTS: Record<string, ShopperEventRow[]> = {
  [DEFAULT_TENANT]: [
    ...sessions(1, 4, 'Tortilla Chips', 'Salsa Medium'),
    ...sessions(5, 6, 'Tortilla Chips', 'Guacamole Dip'),
    ...sessions(7, 7, 'Guacamole Dip', 'Salsa Medium'),
    ...sessions(8, 13, 'Whole Milk'),
    ['s14', 'view', 'Oat Milk'],
    ['s14', 'view', 'Tortilla Chips'],
  ],
  // Another tenant: oat milk and granola in 2 of 3 sessions (lift 2 · 3 / (2 · 2) = 1.5).
  acme: [...sessions(1, 2, 'Oat Milk', 'Granola'), ...sessions(3, 3, 'Coffee Beans')],
};

export function coPurchasesContract(
  name: string,
  make: (events: Record<string, ShopperEventRow[]>) => Promise<{ coPurchases: CoPurchases; cleanup?: () => Promise<void> }>,
) {
  describe(`CoPurchases contract: ${name}`, () => {
    it('gives the items bought with an item, highest lift first, with their sessions and lift, up to the limit', async () => {
      const { coPurchases, cleanup } = await make(EVENTS);
      try {
        const mine = coPurchases.forTenant(DEFAULT_TENANT);
        expect(await mine.boughtWith(keyOf('Tortilla Chips'), 10)).toEqual([
          { key: keyOf('Salsa Medium'), name: 'Salsa Medium', sessions: 4, lift: 1.733 },
          { key: keyOf('Guacamole Dip'), name: 'Guacamole Dip', sessions: 2, lift: 1.444 },
        ]);
        expect(await mine.boughtWith(keyOf('Tortilla Chips'), 1)).toHaveLength(1);
        // A pair of one session is not enough; an item bought alone has none; an unknown key has none.
        expect((await mine.boughtWith(keyOf('Guacamole Dip'), 10)).map((c) => c.name)).toEqual(['Tortilla Chips']);
        expect(await mine.boughtWith(keyOf('Whole Milk'), 10)).toEqual([]);
        expect(await mine.boughtWith('ffffffffffffffff', 10)).toEqual([]);
      } finally {
        await cleanup?.();
      }
    });

    it("keeps each tenant's pairs to that tenant", async () => {
      const { coPurchases, cleanup } = await make(EVENTS);
      try {
        expect(await coPurchases.forTenant('acme').boughtWith(keyOf('Oat Milk'), 10)).toEqual([
          { key: keyOf('Granola'), name: 'Granola', sessions: 2, lift: 1.5 },
        ]);
        expect(await coPurchases.forTenant('acme').boughtWith(keyOf('Tortilla Chips'), 10)).toEqual([]);
        expect(await coPurchases.forTenant(DEFAULT_TENANT).boughtWith(keyOf('Oat Milk'), 10)).toEqual([]);
        // A tenant without shopper data has no pairs (and no error).
        expect(await coPurchases.forTenant('nobody').boughtWith(keyOf('Oat Milk'), 10)).toEqual([]);
      } finally {
        await cleanup?.();
      }
    });
  });
}
