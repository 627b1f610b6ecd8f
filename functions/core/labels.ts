/**
 * A human label, built once for every store: the item's new current decision (kept in its history), the gold
 * row retraining reads, and the cache entry that overrides every tier for the key. Adapters only store what
 * `humanLabel` returns; none decides how a label looks or how long it lasts (forever: a label never expires).
 */
import type { ItemRecord } from '../ports.ts';
import type { Decision } from './types.ts';

/** A label as gold: who gave which class to which key, under which taxonomy version. */
export interface GoldLabel {
  key: string;
  classId: string;
  labelledBy: string;
  /** ISO time of the label. */
  labelledAt: string;
  taxonomyVersion: string;
}

export interface HumanLabel {
  /** The item's new current decision; the decision it replaces stays in the history. */
  record: ItemRecord;
  gold: GoldLabel;
  /** What the cache answers for the key from now on: the decision without its trace, with no expiry. */
  cached: Decision;
}

/** The label `labelledBy` gives the item whose current record is `current`. */
export function humanLabel(current: ItemRecord, classId: string, labelledBy: string, at: Date = new Date()): HumanLabel {
  const { key, taxonomyVersion } = current.decision;
  const reason = `labelled by ${labelledBy}`;
  const cached: Decision = { key, classId, confidence: 1, tier: 'human', status: 'ok', reason, taxonomyVersion };
  const decision: Decision = { ...cached, trace: { steps: [{ tier: 'human', outcome: 'decided', reason }], topK: [], totalMs: 0, costUnits: 0 } };
  const labelledAt = at.toISOString();
  return {
    // A label belongs to no job and no input row: it is not carried over from the record it replaces.
    record: { decision, input: current.input, text: current.text, at: labelledAt },
    gold: { key, classId, labelledBy, labelledAt, taxonomyVersion },
    cached,
  };
}
