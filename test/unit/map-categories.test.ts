/** `aisle map-categories` (issue 20 item 4): a retailer's categories mapped to ours from a classified file's decided rows. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { run } from '../../bin/commands/map-categories.ts';
import { CategoryMapLearner } from '../../functions/core/category-map.ts';

const dir = mkdtempSync(join(tmpdir(), 'aisle-map-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('category mapping', () => {
  it('counts our classes per source category, most rows first, with shares', () => {
    const l = new CategoryMapLearner();
    for (const [s, p] of [
      ['Dairy', 'Food > Dairy & Eggs'],
      ['Dairy', 'Food > Dairy & Eggs'],
      ['Dairy', 'Food > Beverages'],
      ['Seasonal', 'Non-Food > Household'],
      ['', 'Food > Bakery'],
    ])
      l.add(s, p);
    expect(l.mapping()).toEqual([
      {
        source: 'Dairy',
        rows: 3,
        ours: [
          { path: 'Food > Dairy & Eggs', rows: 2, share: 2 / 3 },
          { path: 'Food > Beverages', rows: 1, share: 1 / 3 },
        ],
      },
      { source: 'Seasonal', rows: 1, ours: [{ path: 'Non-Food > Household', rows: 1, share: 1 }] },
    ]);
  });

  it('reads an aisle classify output (its delimiter, its department column) and leaves rows waiting for review out', async () => {
    const out = join(dir, 'x.out.csv');
    writeFileSync(
      out,
      [
        'Product Name;Department;level1;level2;confidence;tier;status',
        'Milk;Dairy;Food;Dairy & Eggs;0.9;rules;ok',
        'Cheese;Dairy;Food;Dairy & Eggs;0.9;rules;ok',
        'Thing;Dairy;Non-Food;Household;0.3;review;needs_review',
        'Soap;Care;Non-Food;Personal Care & Health;0.9;rules;ok',
      ].join('\n') + '\n',
    );
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      expect(await run([out, '--format', 'json', '--levels', '2'])).toBe(0);
      const printed = JSON.parse(log.mock.calls[0][0] as string);
      expect(printed.map((m: { source: string; rows: number }) => [m.source, m.rows])).toEqual([
        ['Dairy', 2],
        ['Care', 1],
      ]);
      expect(printed[0].ours).toEqual([{ path: 'Food > Dairy & Eggs', rows: 2, share: 1 }]);
    } finally {
      log.mockRestore();
    }
  });
});
