import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { DECISION_COLUMNS, DecisionEncoder, encodeDecisions, offsetRows } from '../../functions/adapters/local/decision-rows.ts';
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
    const rows = parse(Buffer.from(offsetRows(encoded, 1000)), { columns: DECISION_COLUMNS }) as Record<string, string>[];
    expect(rows.map((r) => r.row_no)).toEqual(['1001', '1002', '\\N', '1003']);
    expect(rows.map((r) => r.name)).toEqual(['Plain', 'Two\nlines, "odd"', 'No row', 'Last']);
    expect(rows[1]).toMatchObject({ brand: 'Acme, Inc.', reason: 'no rule, "quoted"', job_id: 'job-1', trace: '\\N' });
    expect(offsetRows(encoded, 0)).toBe(encoded.bytes);
  });

  it('appends to rows encoded before', () => {
    const encoder = new DecisionEncoder();
    encoder.add([record('A', 1)]);
    encoder.add([record('B', 2)]);
    const encoded = encoder.take();
    expect(encoded.starts).toHaveLength(2);
    expect(parse(Buffer.from(offsetRows(encoded, 5))).map((r: string[]) => r[0])).toEqual(['6', '7']);
  });

  it('renumbers rows after text of several bytes a character, growing past the room it started with', () => {
    const names = ['Crème fraîche 200 g', '牛乳 1 L', 'Jalapeño 🌶 chips', 'Plain'];
    const encoder = new DecisionEncoder(16);
    encoder.add(names.map((name, i) => record(name, i + 9)));
    const rows = parse(Buffer.from(offsetRows(encoder.take(), 999_999_990)), { columns: DECISION_COLUMNS }) as Record<string, string>[];
    expect(rows.map((r) => [r.row_no, r.name])).toEqual(names.map((name, i) => [String(999_999_999 + i), name]));
  });
});
