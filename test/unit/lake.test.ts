import { describe, expect, it } from 'vitest';
import { isoDay, lakePartKey, promotedColumns, toLakeRow } from '../../functions/core/lake.ts';
import { loadTaxonomy } from '../../functions/core/taxonomy.ts';

describe('lake rows', () => {
  const taxonomy = loadTaxonomy();

  it('promotes known input columns (case-insensitive aliases) to typed lake columns', () => {
    const header = ['SKU', 'Product_Name', 'Order_ID', 'Purchase_Date', 'Age', 'Gender'];
    const promoted = promotedColumns(header);
    expect(promoted).toEqual({ basket_id: 'Order_ID', event_date: 'Purchase_Date', age_band: 'Age', gender: 'Gender' });
    const row = toLakeRow(
      'acme',
      {
        decision: {
          key: 'k1',
          classId: 'food.dairy-eggs',
          confidence: 0.93,
          tier: 'rules',
          status: 'ok',
          ruleId: 'dairy.milk',
          taxonomyVersion: taxonomy.version,
          trace: { steps: [], topK: [], totalMs: 0.1, costUnits: 0.5 },
        },
        input: { name: 'Whole Milk 1 gal' },
        text: 'whole milk 1gal',
        jobId: 'job-1',
        at: '2026-11-22T10:00:00.000Z',
      },
      7,
      { SKU: 'A1', Product_Name: 'Whole Milk 1 gal', Order_ID: ' o-9 ', Purchase_Date: '2026-03-04T12:00:00Z', Age: '', Gender: 'f' },
      promoted,
      taxonomy,
    );
    expect(row).toMatchObject({
      job_id: 'job-1',
      row_no: 7,
      item_key: 'k1',
      level1: 'Food',
      level2: 'Dairy & Eggs',
      rule_id: 'dairy.milk',
      cost_units: 0.5,
      basket_id: 'o-9',
      event_date: '2026-03-04',
      age_band: null,
      gender: 'f',
      income_band: null,
      model_version: null,
    });
    expect(JSON.parse(row.input as string).SKU).toBe('A1');
  });

  it('keeps a Level 1 decision with an empty Level 2, and unknown as empty levels', () => {
    const base = { input: { name: 'x' }, text: 'x', at: '2026-01-01T00:00:00.000Z' };
    const d = { key: 'k', confidence: 0.9, tier: 'rules' as const, status: 'ok' as const, taxonomyVersion: '1' };
    expect(toLakeRow('default', { ...base, decision: { ...d, classId: 'non-food' } }, 1, {}, {}, taxonomy)).toMatchObject({
      level1: 'Non-Food',
      level2: '',
    });
    expect(toLakeRow('default', { ...base, decision: { ...d, classId: null } }, 1, {}, {}, taxonomy)).toMatchObject({
      level1: '',
      level2: '',
      class_id: null,
    });
  });

  it('reads ISO dates only and refuses unsafe paths', () => {
    expect(isoDay('2026-11-22')).toBe('2026-11-22');
    expect(isoDay('22/11/2026')).toBeNull();
    // The tenant first: its prefix is its Athena partition and the S3 prefix its rows live under.
    expect(lakePartKey('acme', '2026-11-22', 'job-1', 3)).toBe('results/tenant=acme/dt=2026-11-22/job=job-1/part-3.parquet');
    expect(() => lakePartKey('acme', '2026-11-22', '../etc', 0)).toThrow(/characters a lake path cannot hold/);
    expect(() => lakePartKey('acme', 'yesterday', 'job', 0)).toThrow(/dt must be/);
    expect(() => lakePartKey('../other', '2026-11-22', 'job', 0)).toThrow(/not a tenant name/);
  });
});
