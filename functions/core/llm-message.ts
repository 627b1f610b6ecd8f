/**
 * What the classify handler sends to the LLM queue for an item no cheaper tier decided, and what the ECS
 * LLM worker reads: one item per message, so a message is deleted exactly when its item's result is written.
 */
import { z } from 'zod';
import type { ItemRecord } from '../ports.ts';
import type { Trace } from './types.ts';

const candidate = z.object({ classId: z.string(), score: z.number() });

export const llmQueueMessageSchema = z.object({
  key: z.string().min(1),
  /** Normalized text the tiers saw. */
  text: z.string().min(1),
  input: z.object({ name: z.string(), searchTerm: z.string().optional(), brand: z.string().optional(), description: z.string().optional() }),
  jobId: z.string().optional(),
  taxonomyVersion: z.string().min(1),
  /** The encoder's candidates, best first: the LLM's hints and the review guess if the LLM fails. */
  hints: z.array(candidate).default([]),
  /** Steps of the earlier tiers, kept in the final decision's trace. */
  trace: z
    .object({ steps: z.array(z.record(z.string(), z.unknown())), topK: z.array(candidate), totalMs: z.number(), costUnits: z.number() })
    .optional(),
});

export type LlmQueueMessage = z.infer<typeof llmQueueMessageSchema>;

/** The message for a stored item waiting for the LLM (its current decision is the review guess). */
export function toLlmMessage(rec: ItemRecord): LlmQueueMessage {
  const d = rec.decision;
  return {
    key: d.key,
    text: rec.text,
    input: rec.input,
    jobId: rec.jobId,
    taxonomyVersion: d.taxonomyVersion,
    hints: d.trace?.topK ?? [],
    trace: d.trace as LlmQueueMessage['trace'],
  };
}

/** The item as it waits for the LLM: in review with the best hint, so nothing is lost if the LLM never answers. */
export function pendingRecord(m: LlmQueueMessage): ItemRecord {
  const best = m.hints[0];
  return {
    decision: {
      key: m.key,
      classId: best?.classId ?? null,
      confidence: best?.score ?? 0,
      tier: 'review',
      status: 'needs_review',
      reason: 'waiting for the LLM',
      taxonomyVersion: m.taxonomyVersion,
      trace: (m.trace as Trace | undefined) ?? { steps: [], topK: m.hints, totalMs: 0, costUnits: 0 },
    },
    input: m.input,
    text: m.text,
    jobId: m.jobId,
    at: new Date().toISOString(),
  };
}
