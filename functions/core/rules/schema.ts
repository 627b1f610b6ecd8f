/** The rules file's format (models/rules.json): its zod schemas, the confidence a rule decides with, its errors. */
import { z } from 'zod';
import { UserError } from '../errors.ts';

export const UNKNOWN_TARGET = 'unknown';

export type MatchKind = 'keyword' | 'phrase' | 'brand' | 'regex';

/** Base confidence per kind of match; see `ruleConfidence`. */
const KIND_CONFIDENCE: Record<MatchKind, number> = { phrase: 0.94, brand: 0.94, keyword: 0.92, regex: 0.9 };
export const MATCH_KINDS = Object.keys(KIND_CONFIDENCE) as MatchKind[];

/**
 * A rule's confidence when it decides: the base of its kind (phrase/brand 0.94, keyword 0.92, regex 0.90)
 * plus up to 0.05 for priority (priority 100 adds 0.05), capped at 0.99. A rule may set `confidence` itself.
 */
export function ruleConfidence(kind: MatchKind, priority: number): number {
  return Math.min(0.99, Math.round((KIND_CONFIDENCE[kind] + (priority / 100) * 0.05) * 1000) / 1000);
}

const words = z.array(z.string()).min(1, 'must list at least one entry');

export const ruleSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'rule ids are lower-case slugs (a-z, 0-9, ".", "_", "-")'),
    target: z.string().min(1, 'target must name a taxonomy class id or "unknown"'),
    priority: z.number().int().min(0).max(100).default(50),
    keywords: words.optional(),
    phrases: words.optional(),
    brands: words.optional(),
    regex: z.string().min(1, 'regex must not be empty').optional(),
    exclude: words.optional(),
    /** "end": the match must end the name (its head noun in English), trailing sizes ("12oz", "2ct") aside. */
    at: z.enum(['any', 'end']).default('any'),
    confidence: z.number().gt(0).max(1).optional(),
    /** Keywords and the last word of phrases also match their plural ("apple" → "apples"); false turns it off. */
    plurals: z.boolean().default(true),
    note: z.string().optional(),
  })
  .strict()
  .refine((r) => r.keywords || r.phrases || r.brands || r.regex, {
    message: 'a rule needs at least one of keywords, phrases, brands or regex',
  });

export const rulesFileSchema = z
  .object({
    $schema: z.string().optional(),
    version: z.string().min(1, 'version must not be empty'),
    description: z.string().optional(),
    /** Named exclude lists shared by several rules: a rule's `exclude` names one as "@name". */
    excludeSets: z.record(z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'set names are lower-case slugs'), words).optional(),
    rules: z.array(z.unknown()).min(1, 'a rules file needs at least one rule'),
  })
  .strict();

export type RuleInput = z.input<typeof ruleSchema>;
export type RuleSpec = z.output<typeof ruleSchema>;

export class RulesError extends UserError {
  constructor(
    message: string,
    readonly problems: string[] = [message],
  ) {
    super(message);
  }
}
