import type { z } from '@hono/zod-openapi';
import type { Taxonomy } from '../core/taxonomy.ts';
import type { Candidate, Decision, ProductInput, Trace } from '../core/types.ts';
import type { ItemRecord, JobRecord } from '../ports.ts';
import type { DecisionSchema, ItemRecordSchema, JobSchema, ProductSchema } from './schemas.ts';

/** Domain objects → wire shapes: labels and levels spelled out from the taxonomy. */

export function candidatesView(taxonomy: Taxonomy, cs: Candidate[]) {
  return cs.map((c) => ({ classId: c.classId, label: taxonomy.get(c.classId)?.label ?? c.classId, score: c.score }));
}

function traceView(taxonomy: Taxonomy, t: Trace): NonNullable<z.infer<typeof DecisionSchema>['trace']> {
  return {
    ...t,
    steps: t.steps.map((s) => ({ ...s, candidates: s.candidates && candidatesView(taxonomy, s.candidates) })),
    topK: candidatesView(taxonomy, t.topK),
  };
}

export function decisionView(taxonomy: Taxonomy, d: Decision, withTrace: boolean): z.infer<typeof DecisionSchema> {
  const levels = taxonomy.levelsOf(d.classId);
  return {
    key: d.key,
    classId: d.classId,
    label: d.classId ? (taxonomy.get(d.classId)?.label ?? d.classId) : null,
    levels: Object.fromEntries(taxonomy.levels.map((name, i) => [name, levels[i]])),
    confidence: d.confidence,
    tier: d.tier,
    status: d.status,
    ...(d.ruleId ? { ruleId: d.ruleId } : {}),
    ...(d.modelVersion ? { modelVersion: d.modelVersion } : {}),
    ...(d.reason ? { reason: d.reason } : {}),
    ...(d.trace ? { topK: candidatesView(taxonomy, d.trace.topK) } : {}),
    ...(withTrace && d.trace ? { trace: traceView(taxonomy, d.trace) } : {}),
  };
}

export function productView(p: ProductInput): z.infer<typeof ProductSchema> {
  return {
    name: p.name,
    ...(p.searchTerm ? { search_term: p.searchTerm } : {}),
    ...(p.brand ? { brand: p.brand } : {}),
    ...(p.description ? { description: p.description } : {}),
  };
}

export function recordView(taxonomy: Taxonomy, r: ItemRecord): z.infer<typeof ItemRecordSchema> {
  return {
    decision: decisionView(taxonomy, r.decision, true),
    input: productView(r.input),
    text: r.text,
    ...(r.jobId ? { jobId: r.jobId } : {}),
    at: r.at,
  };
}

/** A path (absolute or relative, / or \\ separated) cut to its last name: job JSON never shows where the server keeps files. */
const fileName = (path: string) => path.split(/[\\/]/).pop() ?? '';
/** The folders of an absolute path in a message ("open '/home/x/uploads/a.csv'" → "open 'a.csv'"). */
const FOLDERS = /(?<=^|[\s'"`(=])(?:[A-Za-z]:)?[\\/](?:[^\s'"`\\/]+[\\/])+/g;

export function jobView(j: JobRecord): z.infer<typeof JobSchema> {
  const done = j.classified + j.rejected + (j.failed ?? 0);
  const ended = j.status === 'done' || j.status === 'partial';
  const self = `/v1/jobs/${encodeURIComponent(j.id)}`;
  return {
    id: j.id,
    status: j.status,
    input: fileName(j.input).replace(`${j.id}-`, ''),
    rowsIn: j.rowsIn,
    totalKnown: j.totalKnown,
    classified: j.classified,
    rejected: j.rejected,
    needsReview: j.needsReview,
    failed: j.failed ?? 0,
    failedChunks: (j.failedChunks ?? []).map((f) => ({ chunk: f.chunkId, rows: f.rows, reason: f.reason.replace(FOLDERS, ''), at: f.at })),
    tierCounts: j.tierCounts,
    progress: progressOf(j, done),
    createdAt: j.createdAt,
    updatedAt: j.updatedAt,
    ...(j.error ? { error: j.error.replace(FOLDERS, '') } : {}),
    links: {
      self,
      ...(ended ? { result: `${self}/result`, rejects: `${self}/rejects` } : {}),
    },
  };
}

/**
 * 0..1: rows done of the total once it is known, else the share of the input read (a local job; below 1 until
 * it ends, since reading ends before the last rows are written); null when neither is known (an S3 job still
 * being read).
 */
function progressOf(j: JobRecord, done: number): number | null {
  if (j.status === 'done' || j.status === 'partial') return 1;
  if (j.totalKnown) return j.rowsIn ? Math.min(1, done / j.rowsIn) : 1;
  if (j.inputRead?.total) return Math.min(0.99, j.inputRead.bytes / j.inputRead.total);
  return null;
}
