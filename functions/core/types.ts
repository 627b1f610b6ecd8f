/** The cascade's start (cache) and end (review), a tier of functions/tiers/registry.ts, or a human label. */
export type TierName = string;
export const CACHE_TIER = 'cache';
export const REVIEW_TIER = 'review';
export const HUMAN_TIER = 'human';

export type DecisionStatus = 'ok' | 'needs_review';

/** A product as it enters the cascade. */
export interface ProductInput {
  name: string;
  searchTerm?: string;
  brand?: string;
  description?: string;
  /** The retailer's own category for it (a category/department column): a hint, never a decision by itself. */
  sourceCategory?: string;
}

/** A product with its normalized text and stable key, as the tiers see it. */
export interface CascadeItem extends ProductInput {
  /** Normalized name (+ brand), see core/normalize. */
  text: string;
  /** Stable key of the normalized text: cache key and item id in the API. */
  key: string;
}

/** A scored class id. */
export interface Candidate {
  classId: string;
  score: number;
}

/** What one tier did for one item. */
export interface TraceStep {
  tier: TierName;
  outcome: 'decided' | 'deferred' | 'skipped' | 'error';
  /** Why, in words: "rule kw.milk matched 'milk'", "top 0.62 < threshold 0.80", "ollama unreachable". */
  reason?: string;
  ruleId?: string;
  candidates?: Candidate[];
  modelVersion?: string;
  ms?: number;
  costUnits?: number;
}

export interface Trace {
  steps: TraceStep[];
  /** Best candidates seen across tiers, highest first. */
  topK: Candidate[];
  totalMs: number;
  costUnits: number;
}

/** The cascade's answer for one item. */
export interface Decision {
  key: string;
  /** Class id in the taxonomy (a leaf or an inner node such as "non-food"); null when unknown. */
  classId: string | null;
  confidence: number;
  tier: TierName;
  status: DecisionStatus;
  ruleId?: string;
  modelVersion?: string;
  /** Why the deciding tier decided, in words. */
  reason?: string;
  taxonomyVersion: string;
  trace?: Trace;
}

/** What makes two decisions of an item the same one, whatever their time, trace or wording (history keeps one of them). */
export const decisionSignature = (d: Decision): string =>
  `${d.tier}|${d.classId}|${d.status}|${d.ruleId ?? ''}|${d.modelVersion ?? ''}|${d.taxonomyVersion}`;

/** A tier's verdict on one item. */
export type TierOutcome =
  | {
      kind: 'decided';
      classId: string | null;
      confidence: number;
      /** Defaults to 'ok'; an explicit Unknown rule or a guarded LLM answer can decide with 'needs_review'. */
      status?: DecisionStatus;
      ruleId?: string;
      modelVersion?: string;
      reason?: string;
      candidates?: Candidate[];
      costUnits?: number;
      /** For the cache tier: the tier that originally made the cached decision. */
      originTier?: TierName;
      /** Decided from the row's context (its source category), not from the name alone: never cached under the name. */
      fromContext?: true;
    }
  | { kind: 'deferred'; reason?: string; candidates?: Candidate[]; modelVersion?: string; costUnits?: number }
  | { kind: 'error'; reason: string };

export type DecidedOutcome = Extract<TierOutcome, { kind: 'decided' }>;

/** Context a tier receives with each batch. */
export interface TierContext {
  /** Best candidates from earlier tiers (e.g. the encoder's top-k as LLM hints), parallel to the items. */
  hints: Candidate[][];
  /**
   * For a tier that reviews another (Tier.reviews) in a cascade that has that tier: its decision per item,
   * undefined where it decided nothing.
   */
  earlier?: (DecidedOutcome | undefined)[];
  /**
   * The tenant the cascade classifies for (Cascade.forTenant); absent: the default tenant. A tier that keeps
   * records of its own (the LLM's checkpoint) keeps them as this tenant's.
   */
  tenant?: string;
}

/** One tier of the cascade: decides what it can for a batch, defers the rest. */
export interface Tier {
  readonly name: TierName;
  /** Whether decisions of this tier are written to the cache (expensive tiers only). */
  readonly cacheable: boolean;
  /**
   * The version of what decides (model version, rules version, LLM model), as its decisions carry it in
   * modelVersion. A cached decision of this tier made by another version is a miss: never served as current.
   * May change while the tier runs (a remote encoder learns it from its first answer).
   */
  readonly version?: string;
  /**
   * An earlier tier whose decisions this tier reviews: items that tier decided come here too, with its decision
   * in ctx.earlier. Deciding the same class confirms it (the earlier decision stands), another class overrules
   * it, deferring withdraws it (the item goes on to the next tiers); an error leaves it standing.
   */
  readonly reviews?: TierName;
  decide(items: CascadeItem[], ctx: TierContext): Promise<TierOutcome[]> | TierOutcome[];
  /**
   * Rows of the batch decided before this tier ran (cache hits, human labels, tiers it does not review) whose items
   * carry a source category: evidence for a tier that learns their categories (the encoder's CategoryPrior).
   */
  observeDecided?(decided: { sourceCategory: string; classId: string }[], ctx: TierContext): void;
}
