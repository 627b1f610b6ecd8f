import { describe, expect, it } from 'vitest';
import { loadTaxonomy, parseTaxonomy, TaxonomyError } from '../../functions/core/taxonomy.ts';

describe('taxonomy', () => {
  const t = loadTaxonomy();

  it('ships Food / Non-Food with 8 + 4 subcategories, each described', () => {
    expect(t.classes.filter((c) => c.depth === 1).map((c) => c.name)).toEqual(['Food', 'Non-Food']);
    expect(t.leaves).toHaveLength(12);
    expect(t.leaves.every((c) => c.description.length > 20)).toBe(true);
    expect(t.levels).toEqual(['level1', 'level2']);
  });

  it('resolves ids, labels and level names', () => {
    expect(t.resolve('Food > Beverages')?.id).toBe('food.beverages');
    expect(t.resolve('food.beverages')?.label).toBe('Food > Beverages');
    expect(t.fromLevels(['Non-Food', 'Pet Supplies'])?.id).toBe('non-food.pet-supplies');
    expect(t.fromLevels(['Non-Food', ''])?.id).toBe('non-food');
    expect(t.levelsOf('non-food')).toEqual(['Non-Food', '']);
    expect(t.levelsOf(null)).toEqual(['', '']);
  });

  it('accepts any depth', () => {
    const deep = parseTaxonomy({
      name: 'deep',
      version: '1',
      classes: [
        {
          id: 'a',
          name: 'A',
          description: 'a',
          children: [{ id: 'a.b', name: 'B', description: 'b', children: [{ id: 'a.b.c', name: 'C', description: 'c' }] }],
        },
      ],
    });
    expect(deep.levels).toEqual(['level1', 'level2', 'level3']);
    expect(deep.resolve('A > B > C')?.id).toBe('a.b.c');
  });

  it.each([
    [{ name: 'x', version: '1', classes: [] }, /classes: a taxonomy needs at least one class/],
    [{ name: 'x', classes: [{ id: 'a', name: 'A', description: 'a' }] }, /version/],
    [
      {
        name: 'x',
        version: '1',
        classes: [
          { id: 'a', name: 'A', description: 'a' },
          { id: 'a', name: 'B', description: 'b' },
        ],
      },
      /id "a" is used twice/,
    ],
    [
      {
        name: 'x',
        version: '1',
        classes: [
          { id: 'a', name: 'A', description: 'a' },
          { id: 'b', name: 'a', description: 'b' },
        ],
      },
      /two classes are named "a"/,
    ],
    [{ name: 'x', version: '1', classes: [{ id: 'A B', name: 'A', description: 'a' }] }, /classes\.0\.id: ids are lower-case slugs/],
    [{ name: 'x', version: '1', classes: [{ id: 'a', name: 'A', description: '' }] }, /description must not be empty/],
    [
      { name: 'x', version: '1', levels: ['l1', 'l2'], classes: [{ id: 'a', name: 'A', description: 'a' }] },
      /names 2 levels but the classes are 1 deep/,
    ],
  ])('refuses a malformed taxonomy with a message naming the problem (%#)', (json, message) => {
    expect(() => parseTaxonomy(json)).toThrow(TaxonomyError);
    expect(() => parseTaxonomy(json)).toThrow(message);
  });
});
