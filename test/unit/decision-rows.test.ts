import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import {
  DECISION_COLUMNS,
  DecisionEncoder,
  encodeDecisions,
  offsetRows,
  storedTrace,
  traceOfStored,
} from '../../functions/adapters/local/decision-rows.ts';
import type { Decision, Trace } from '../../functions/core/types.ts';
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

/** The trace with each time kept to 3 significant digits, as the store keeps it. */
const rounded = (t: Trace): Trace => ({
  ...t,
  steps: t.steps.map((s) => (s.ms === undefined ? s : { ...s, ms: Number(s.ms.toPrecision(3)) })),
  totalMs: Number(t.steps.reduce((sum, s) => sum + (s.ms === undefined ? 0 : Number(s.ms.toPrecision(3))), 0)),
});

describe('stored traces', () => {
  const row: Pick<Decision, 'reason' | 'modelVersion' | 'ruleId'> = {
    reason: 'no tier was confident: best guess kept for review',
    modelVersion: 'rules@2026.12.3',
  };
  const encoderCandidates = [
    { classId: 'food.snacks-sweets', score: 0.9987885031849703 },
    { classId: 'food.beverages', score: 0.0011280683271399036 },
    { classId: 'food.canned-packaged', score: 0.00007766738212940435 },
  ];
  // A review decision as the cascade writes it: the cache missed, a rule decided, the encoder withheld its agreement.
  const review: Trace = {
    steps: [
      { tier: 'cache', outcome: 'deferred', reason: 'not cached', ms: 0.011847521512385892 },
      {
        tier: 'rules',
        outcome: 'decided',
        ms: 0.012607071707953211,
        reason: "rule snacks.chips.mix matched 'trail mix'",
        costUnits: 0,
        modelVersion: 'rules@2026.12.3',
        ruleId: 'snacks.chips.mix',
      },
      {
        tier: 'encoder',
        outcome: 'deferred',
        ms: 0.0458615462842242,
        reason: 'with rule snacks.chips.mix (precision 0.99): top 0.999 < threshold 1.000 for Snacks & Sweets',
        costUnits: 1,
        modelVersion: 'starter-v1',
        candidates: encoderCandidates,
      },
      { tier: 'review', outcome: 'decided', reason: 'no tier was confident: best guess kept for review', ms: 0 },
    ],
    topK: encoderCandidates,
    totalMs: 0.011847521512385892 + 0.012607071707953211 + 0.0458615462842242 + 0,
    costUnits: 1,
  };

  it('reads back the trace it stored, times to 3 significant digits, in under half the bytes of its JSON', () => {
    const stored = storedTrace(review, row);
    expect(traceOfStored(stored, row)).toEqual(rounded(review));
    expect(stored.length).toBeLessThan(JSON.stringify(review).length / 2);
  });

  it('keeps what no pointer or default covers: merged candidates, errors, steps without times, totals of their own', () => {
    const odd: Trace = {
      steps: [
        { tier: 'source', outcome: 'skipped', reason: 'source category "Dairy" (a hint, not a decision)' },
        { tier: 'rules', outcome: 'deferred', ms: 0.5, reason: 'no rule matched', costUnits: 0, candidates: [{ classId: 'food.fresh', score: 0.4 }] },
        { tier: 'encoder', outcome: 'error', ms: 1.23456, reason: 'encoder failed: boom' },
        { tier: 'llm', outcome: 'decided', ms: 12.3456, reason: '0', costUnits: 2.5, modelVersion: 'ollama:x', ruleId: 'r.1', candidates: [] },
      ],
      topK: [
        { classId: 'food.dairy-eggs', score: 0.7 },
        { classId: 'food.fresh', score: 0.4 },
      ],
      totalMs: 99,
      costUnits: 7,
    };
    const other = { reason: 'something else', modelVersion: undefined, ruleId: 'r.1' };
    expect(traceOfStored(storedTrace(odd, other), other)).toEqual({ ...rounded(odd), totalMs: 99 });
    // An empty reason is written out: the store may give the row's back as NULL.
    const blank: Trace = { steps: [{ tier: 'rules', outcome: 'deferred', reason: '' }], topK: [], totalMs: 0, costUnits: 0 };
    expect(traceOfStored(storedTrace(blank, { reason: '' }), {})).toEqual(blank);
    const empty: Trace = { steps: [], topK: [], totalMs: 0, costUnits: 0.5 };
    expect(traceOfStored(storedTrace(empty, {}), {})).toEqual(empty);
  });

  it("reads a step shared by several items' traces back in each, whatever its row points to", () => {
    const step = review.steps[3];
    const a: Trace = { steps: [step], topK: [], totalMs: 0, costUnits: 0 };
    const other = { reason: 'labelled by tester' };
    const [first, second] = [storedTrace(a, row), storedTrace(a, other)];
    expect([traceOfStored(first, row), traceOfStored(second, other)]).toEqual([a, a]);
  });

  it('reads traces stored as plain JSON before', () => {
    expect(traceOfStored(JSON.stringify(review), row)).toEqual(review);
  });

  it('keeps costUnits a named key, which the lake reads in SQL', () => {
    expect(JSON.parse(storedTrace(review, row)).costUnits).toBe(1);
  });
});
