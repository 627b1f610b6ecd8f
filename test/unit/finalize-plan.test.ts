/** Finalize's segment plan and the S3 compose's part sizing: pure functions, no store. */
import { describe, expect, it } from 'vitest';
import { composeParts, MAX_PART_BYTES, MIN_PART_BYTES } from '../../functions/adapters/aws/s3-compose.ts';
import { finalizeKeys, planSegments } from '../../functions/pipeline/finalize-plan.ts';
import { finalizeMessageSchema } from '../../functions/pipeline/messages.ts';

const MB = 1024 * 1024;

describe('planSegments', () => {
  const shards = [
    { shard: '00002', classified: 50 },
    { shard: '00000', classified: 200_000 },
    { shard: '00001', classified: 199_800 },
  ];

  it('numbers each segment on from the classified rows of the shards before it, in chunk order', () => {
    const { segments } = planSegments('job-1', '2026-12-07', shards, []);
    expect(segments).toEqual([
      { shard: '00000', rowsBefore: 0, rows: 200_000 },
      { shard: '00001', rowsBefore: 200_000, rows: 199_800 },
      { shard: '00002', rowsBefore: 399_800, rows: 50 },
    ]);
  });

  it('plans the same id for the same job state, another once a redrive changed it', () => {
    const a = planSegments('job-1', '2026-12-07', shards, ['00001017']).plan;
    expect(planSegments('job-1', '2026-12-07', [...shards].reverse(), ['00001017']).plan).toBe(a);
    expect(a).toMatch(/^[0-9a-f]{16}$/);
    const redriven = shards.map((s) => (s.shard === '00001' ? { ...s, classified: 200_000 } : s));
    expect(planSegments('job-1', '2026-12-07', redriven, []).plan).not.toBe(a);
    expect(planSegments('job-2', '2026-12-07', shards, ['00001017']).plan).not.toBe(a);
  });

  it('keeps every object of a plan under its own folder of the job', () => {
    const keys = finalizeKeys('job-1', 'abcdef0123456789');
    expect(keys.segment(3)).toBe('outbox/job-1/work/finalize-abcdef0123456789/segment-00003.csv');
    expect(keys.done(3).startsWith(keys.donePrefix)).toBe(true);
    expect(keys.header).toBe('outbox/job-1/work/finalize-abcdef0123456789/header.csv');
  });
});

describe('the finalize queue messages', () => {
  const segment = {
    kind: 'segment',
    tenant: 'acme',
    jobId: 'j',
    plan: 'abcdef0123456789',
    dt: '2026-12-07',
    segment: 0,
    segments: 2,
    shard: '00000',
    rowsBefore: 0,
    rows: 10,
  };

  it('tells the job, segment and compose messages apart, and the old message is the job’s', () => {
    expect(finalizeMessageSchema.parse({ jobId: 'j' })).toEqual({ tenant: 'default', jobId: 'j' });
    expect(finalizeMessageSchema.parse(segment)).toEqual(segment);
    const compose = { kind: 'compose', tenant: 'acme', jobId: 'j', plan: 'abcdef0123456789', dt: '2026-12-07', segments: 2 };
    expect(finalizeMessageSchema.parse(compose)).toEqual(compose);
  });

  it('refuses a message with fields of no kind (a malformed chunk is not a finalize message)', () => {
    expect(finalizeMessageSchema.safeParse({ jobId: 'j', rows: 'oops' }).success).toBe(false);
    expect(finalizeMessageSchema.safeParse({ ...segment, shard: '../x' }).success).toBe(false);
    expect(finalizeMessageSchema.safeParse({ ...segment, kind: 'compose' }).success).toBe(false);
  });
});

describe('composeParts', () => {
  it('copies segments of 5 MiB or more and reads the header with the first segment', () => {
    expect(composeParts([40, 30 * MB, 30 * MB, 12 * MB])).toEqual([{ read: [0, 1] }, { copy: 2 }, { copy: 3 }]);
  });

  it('merges a 3 MB segment with the one after it, by reading them', () => {
    expect(composeParts([40, 30 * MB, 3 * MB, 30 * MB, 30 * MB])).toEqual([{ read: [0, 1] }, { read: [2, 3] }, { copy: 4 }]);
  });

  it('gathers small segments until they reach 5 MiB; what is left is the last part, which may be small', () => {
    expect(composeParts([40, 2 * MB, 2 * MB, 2 * MB, 8 * MB, 1 * MB])).toEqual([{ read: [0, 1, 2, 3] }, { copy: 4 }, { read: [5] }]);
    // Every part but the last is 5 MiB or more: what S3 accepts.
    const sizes = [40, 3 * MB, 6 * MB, 4 * MB, 4 * MB, 5 * MB, 1];
    const parts = composeParts(sizes);
    const bytes = parts.map((p) => ('copy' in p ? sizes[p.copy] : p.read.reduce((sum, i) => sum + sizes[i], 0)));
    for (const b of bytes.slice(0, -1)) expect(b).toBeGreaterThanOrEqual(MIN_PART_BYTES);
    expect(parts.flatMap((p) => ('copy' in p ? [p.copy] : p.read))).toEqual(sizes.map((_, i) => i));
  });

  it('skips empty segments (a shard whose chunks all failed) and plans nothing for nothing', () => {
    expect(composeParts([40, 0, 30 * MB])).toEqual([{ read: [0, 2] }]);
    expect(composeParts([0, 0])).toEqual([]);
  });

  it('refuses a segment over S3’s 5 GiB part limit', () => {
    expect(() => composeParts([40, MAX_PART_BYTES + 1])).toThrow(/5 GiB/);
  });
});
