import { describe, expect, it } from 'vitest';
import type { Cascade } from '../../functions/core/cascade.ts';
import { CsvBatchReader, CsvOutputFormatter } from '../../functions/core/csv.ts';
import { loadTaxonomy } from '../../functions/core/taxonomy.ts';
import type { CascadeItem, Decision } from '../../functions/core/types.ts';
import { addCounts, assertReconciled, countDecision, emptyCounts, reconciled } from '../../functions/pipeline/accounting.ts';
import { classifyBatches, type SettledBatch } from '../../functions/pipeline/batch.ts';
import type { JobRecord } from '../../functions/ports.ts';

const taxonomy = loadTaxonomy();
const decision = (key: string, tier: Decision['tier'], status: Decision['status'] = 'ok'): Decision => ({
  key,
  classId: 'food.dairy-eggs',
  confidence: 0.9,
  tier,
  status,
  reason: 'test',
  taxonomyVersion: taxonomy.version,
});

describe('job accounting', () => {
  it('counts decisions by tier and review, adds chunks, and checks rows in = classified + rejected', () => {
    const a = emptyCounts();
    countDecision(a, decision('k1', 'rules'));
    countDecision(a, decision('k2', 'review', 'needs_review'));
    const b = { classified: 1, rejected: 2, needsReview: 0, tierCounts: { rules: 1 } };
    addCounts(a, b);
    expect(a).toEqual({ classified: 3, rejected: 2, needsReview: 1, tierCounts: { rules: 2, review: 1 } });
    expect(() => assertReconciled('job j', 5, a)).not.toThrow();
    expect(() => assertReconciled('job j', 6, a)).toThrow('internal error: job j of 6 rows gave 3 classified + 2 rejected');
  });

  it('calls a queued job reconciled once its total is known and every row is counted', () => {
    const job = { totalKnown: false, rowsIn: 3, classified: 2, rejected: 1 } as JobRecord;
    expect(reconciled(job)).toBe(false);
    expect(reconciled({ ...job, totalKnown: true })).toBe(true);
    expect(reconciled({ ...job, totalKnown: true, classified: 1 })).toBe(false);
  });
});

describe('classifyBatches', () => {
  it('keeps several batches in the cascade and settles them in input order, whatever order they are decided in', async () => {
    const lines = ['product_name,sku', ...Array.from({ length: 10 }, (_, i) => `Item ${i},s${i}`), ',empty-name'];
    // A line per chunk: a batch is cut after the chunk that fills it.
    const reader = new CsvBatchReader(
      (async function* () {
        for (const line of lines) yield `${line}\n`;
      })(),
      { batchSize: 3 },
    );
    let call = 0;
    const answered: number[] = [];
    const cascade = {
      // Later batches answer sooner (fewer microtask hops, no clock): the first waits longest.
      classify: async (items: CascadeItem[]) => {
        const batch = call++;
        for (let hop = 0; hop < 40 - 10 * batch; hop++) await Promise.resolve();
        answered.push(batch);
        return items.map((it) => decision(it.key, it.name.endsWith('3') ? 'review' : 'rules', it.name.endsWith('3') ? 'needs_review' : 'ok'));
      },
    } as unknown as Cascade;
    const counts = emptyCounts();
    const settled: SettledBatch[] = [];
    await classifyBatches(reader, cascade, {
      window: 3,
      counts,
      sink: (columns) => ({ formatter: new CsvOutputFormatter(columns.header, taxonomy), jobId: 'j', keep: (d) => d.tier !== 'rules' }),
      write: (s) => void settled.push(s),
    });
    expect(answered.slice(0, 3)).toEqual([2, 1, 0]);
    const output = settled.map((s) => s.output).join('');
    expect(
      output
        .split('\n')
        .filter(Boolean)
        .map((l) => l.split(',')[0]),
    ).toEqual(Array.from({ length: 10 }, (_, i) => `Item ${i}`));
    expect(counts).toEqual({ classified: 10, rejected: 1, needsReview: 1, tierCounts: { rules: 9, review: 1 } });
    // The store keeps what the sink says: here the one review decision, with its row number.
    const kept = settled.flatMap((s) => s.toStore);
    expect(kept.map((r) => [r.input.name, r.row, r.jobId])).toEqual([['Item 3', 4, 'j']]);
  });
});
