import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { DECISION_COLUMNS, encodeDecisions, offsetRows } from '../../functions/adapters/local/decision-rows.ts';
import type { ItemRecord } from '../../functions/ports.ts';

const record = (name: string, row: number | undefined): ItemRecord => ({
  decision: {
    key: `k-${name.length}`,
    classId: null,
    confidence: 0,
    tier: 'review',
    status: 'needs_review',
    reason: 'no rule, "quoted"',
    taxonomyVersion: 't1',
  },
  input: { name, brand: 'Acme, Inc.' },
  text: name.toLowerCase(),
  jobId: 'job-1',
  row,
  at: '2026-11-22T00:00:00.000Z',
});

describe('decision rows', () => {
  it("renumbers a slice's rows by an offset, also rows whose fields hold newlines, commas and quotes", () => {
    const encoded = encodeDecisions([record('Plain', 1), record('Two\nlines, "odd"', 2), record('No row', undefined), record('Last', 3)]);
    const rows = parse(offsetRows(encoded, 1000), { columns: DECISION_COLUMNS }) as Record<string, string>[];
    expect(rows.map((r) => r.row_no)).toEqual(['1001', '1002', '\\N', '1003']);
    expect(rows.map((r) => r.name)).toEqual(['Plain', 'Two\nlines, "odd"', 'No row', 'Last']);
    expect(rows[1]).toMatchObject({ brand: 'Acme, Inc.', reason: 'no rule, "quoted"', job_id: 'job-1', trace: '\\N' });
    expect(offsetRows(encoded, 0)).toBe(encoded.text);
  });

  it('appends to rows encoded before', () => {
    const encoded = encodeDecisions([record('A', 1)]);
    encodeDecisions([record('B', 2)], encoded);
    expect(encoded.starts).toHaveLength(2);
    expect(parse(offsetRows(encoded, 5)).map((r: string[]) => r[0])).toEqual(['6', '7']);
  });
});
