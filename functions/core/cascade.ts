import type { Cache, TenantScoped } from '../ports.ts';
import type { Taxonomy } from './taxonomy.ts';
import {
  CACHE_TIER,
  type Candidate,
  type CascadeItem,
  type DecidedOutcome,
  type Decision,
  REVIEW_TIER,
  type Tier,
  type TierContext,
  type TierName,
  type TierOutcome,
  type Trace,
  type TraceStep,
} from './types.ts';

export interface CascadeOptions {
  taxonomy: Taxonomy;
  /** Tiers after the cache, in order (rules, encoder, llm); review is implicit and always last. */
  tiers: Tier[];
  /** When given, consulted first and written with decisions of cacheable tiers. */
  cache?: Cache;
  /** How many candidates a trace keeps. */
  topK?: number;
  /** Whose items these are (forTenant); the tiers hear of it in their context. Absent: the default tenant's. */
  tenant?: string;
  /**
   * The versions cacheable tiers this cascade does not run are at now (the champion's version when the encoder is
   * not loaded, e.g. `--tiers cache,rules`): their cached decisions of other versions are misses too.
   */
  versionsOutside?: ReadonlyMap<TierName, string>;
}

const byScore = (a: Candidate, b: Candidate) => b.score - a.score;
/** Shared by traces without candidates (most of them); never mutated, replaced by mergeTopK. */
const NO_CANDIDATES: Candidate[] = [];
/** The trace step that shows an item's source category (input/columns.ts: a category or department column). */
export const SOURCE_HINT = 'source';

/** Where every trace starts. Traces are never mutated: a step makes a new one (see TraceSteps). */
const NO_STEPS: Trace = { steps: [], topK: NO_CANDIDATES, totalMs: 0, costUnits: 0 };

/**
 * Traces of one classify call, shared: items that take the same shared steps (a cache miss, the same rule
 * outcome) get the same trace object, so a batch allocates one trace per path rather than one per item.
 */
class TraceSteps {
  private readonly next = new Map<TraceStep, Map<Trace, Trace>>();
  /** The last answer: items in a row mostly take the same path. */
  private lastFrom = NO_STEPS;
  private lastStep: TraceStep | undefined;
  private lastTo = NO_STEPS;

  /** `trace` followed by `step`, which is shared by many items (never mutated) and brings no candidates. */
  sharedStep(trace: Trace, step: TraceStep): Trace {
    if (trace === this.lastFrom && step === this.lastStep) return this.lastTo;
    let from = this.next.get(step);
    if (from === undefined) this.next.set(step, (from = new Map()));
    let to = from.get(trace);
    if (to === undefined) from.set(trace, (to = withStep(trace, step, trace.topK)));
    this.lastFrom = trace;
    this.lastStep = step;
    this.lastTo = to;
    return to;
  }
}

function withStep(trace: Trace, step: TraceStep, topK: Candidate[]): Trace {
  return { steps: [...trace.steps, step], topK, totalMs: trace.totalMs + (step.ms ?? 0), costUnits: trace.costUnits + (step.costUnits ?? 0) };
}

/**
 * The cascade policy of docs/architecture.md: cache → tiers in order → review. Each item stops at the first tier
 * that decides, unless a later tier reviews that tier's decisions (Tier.reviews: the encoder reviews the rules
 * when its model measured them); what no tier decides goes to review with the best guess seen and status
 * `needs_review`.
 * A tier that throws or reports an error for an item defers it to the next tier: nothing is dropped.
 */
export class Cascade implements TenantScoped<Cascade> {
  readonly tierNames: TierName[];
  private readonly topK: number;

  constructor(private readonly opts: CascadeOptions) {
    this.topK = opts.topK ?? 3;
    this.tierNames = [...(opts.cache ? [CACHE_TIER] : []), ...opts.tiers.map((t) => t.name), REVIEW_TIER];
  }

  get taxonomyVersion(): string {
    return this.opts.taxonomy.version;
  }

  private readonly views = new Map<string, Cascade>();

  /** The same cascade over one tenant's cache (ports.ts TenantScoped): its labels and cached decisions only. */
  forTenant(tenant: string): Cascade {
    let view = this.views.get(tenant);
    if (!view) this.views.set(tenant, (view = new Cascade({ ...this.opts, cache: this.opts.cache?.forTenant(tenant), tenant })));
    return view;
  }

  /** The same cascade over `wrap` of its cache (one run's write-behind: adapters/local/classify-cache.ts); itself when it has none. */
  withCache(wrap: (cache: Cache) => Cache): Cascade {
    return this.opts.cache ? new Cascade({ ...this.opts, cache: wrap(this.opts.cache) }) : this;
  }

  /**
   * Long on purpose: this is the per-batch hot path. The cache pass, the tier loop (with the reviewed decisions
   * of earlier tiers) and the review fallback share the pending index list and the shared traces in locals.
   */
  async classify(items: CascadeItem[]): Promise<Decision[]> {
    const n = items.length;
    const decisions: (Decision | undefined)[] = new Array(n);
    const traces: Trace[] = new Array<Trace>(n).fill(NO_STEPS);
    /** Rows decided from their context (a source-category hint): kept out of the cache, which is keyed by name. */
    const fromContext = new Set<number>();
    const shared = new TraceSteps();
    const version = this.opts.taxonomy.version;
    // The retailer's own category opens the trace: a hint shown to whoever reviews, which decides nothing.
    let hintSteps: Map<string, TraceStep> | undefined;
    let hinted = false;
    for (let i = 0; i < n; i++) {
      const hint = items[i].sourceCategory;
      if (hint === undefined) continue;
      hinted = true;
      hintSteps ??= new Map();
      let step = hintSteps.get(hint);
      if (!step)
        hintSteps.set(hint, (step = { tier: SOURCE_HINT, outcome: 'skipped', reason: `source category "${hint}" (a hint, not a decision)` }));
      traces[i] = shared.sharedStep(NO_STEPS, step);
    }
    let pending: number[] = new Array(n);
    for (let i = 0; i < n; i++) pending[i] = i;

    if (this.opts.cache && n) {
      const started = performance.now();
      const hits = await this.opts.cache.getMany(
        items.map((it) => it.key),
        version,
      );
      const ms = (performance.now() - started) / n;
      // One shared step for every miss of the batch: misses are the common case on a cold cache.
      const miss: TraceStep = { tier: CACHE_TIER, outcome: 'deferred', reason: 'not cached', ms };
      const retired: TraceStep = { tier: CACHE_TIER, outcome: 'deferred', reason: 'cached decision of a retired version', ms };
      // The versions its tiers run now, read per batch: a remote encoder learns its own from its first answer.
      const current = new Map<TierName, string>(this.opts.versionsOutside);
      for (const tier of this.opts.tiers) if (tier.version !== undefined) current.set(tier.name, tier.version);
      const rest: number[] = [];
      for (const i of pending) {
        const hit = hits.get(items[i].key);
        // A decision of a tier of this cascade by another version than it runs now is a miss: it is decided
        // again and cached anew. Human labels (tier human) are no tier's: they always stand.
        if (hit && current.has(hit.tier) && hit.modelVersion !== current.get(hit.tier)) {
          traces[i] = shared.sharedStep(traces[i], retired);
          rest.push(i);
        } else if (hit && (hit.classId === null || this.opts.taxonomy.get(hit.classId))) {
          const reason = `cached decision of tier ${hit.tier}${hit.ruleId ? ` (${hit.ruleId})` : ''}`;
          const trace = withStep(traces[i], { tier: CACHE_TIER, outcome: 'decided', reason, ms, modelVersion: hit.modelVersion }, traces[i].topK);
          traces[i] = trace;
          decisions[i] = { ...hit, key: items[i].key, tier: CACHE_TIER, reason, trace };
        } else {
          traces[i] = shared.sharedStep(traces[i], miss);
          rest.push(i);
        }
      }
      pending = rest;
    }

    // Decisions of tiers a later tier reviews (Tier.reviews), by item.
    const reviewable = new Map<TierName, { i: number; outcome: DecidedOutcome }[]>();
    for (const tier of this.opts.tiers) if (tier.reviews && this.tierNames.includes(tier.reviews)) reviewable.set(tier.reviews, []);
    for (const tier of this.opts.tiers) {
      const under = tier.reviews ? reviewable.get(tier.reviews) : undefined;
      if (!pending.length && !under?.length) break;
      const reviewedFrom = pending.length;
      const ids = under?.length ? [...pending, ...under.map((u) => u.i)] : pending;
      const batch = ids.length === n && !under?.length ? items : ids.map((i) => items[i]);
      const hints = ids.map((i) => traces[i].topK);
      const earlier = under ? [...new Array<undefined>(reviewedFrom), ...under.map((u) => u.outcome)] : undefined;
      const started = performance.now();
      let outcomes: TierOutcome[];
      try {
        const ctx: TierContext = { hints };
        if (earlier) ctx.earlier = earlier;
        if (this.opts.tenant) ctx.tenant = this.opts.tenant;
        if (hinted && tier.observeDecided) tier.observeDecided(decidedWithHints(items, decisions, tier.reviews), ctx);
        outcomes = await tier.decide(batch, ctx);
        if (outcomes.length !== batch.length) {
          throw new Error(`tier ${tier.name} answered ${outcomes.length} outcomes for ${batch.length} items`);
        }
      } catch (err) {
        const reason = `${tier.name} failed: ${(err as Error).message}`;
        outcomes = batch.map(() => ({ kind: 'error', reason }));
      }
      const ms = (performance.now() - started) / batch.length;
      const rest: number[] = [];
      const decidedHere = reviewable.get(tier.name);
      // Tiers share outcomes between items (the rules tier: one per rule and matched text); the step of a
      // shared outcome without candidates is then shared too.
      // Each keeps the last trace it extended: the items it decides mostly come the same way. A reviewing tier's
      // outcome that confirms an earlier decision (the encoder agreeing with a rule) is shared as well, apart.
      const sharedSteps = new Map<TierOutcome, { step: TraceStep; from: Trace; to: Trace }>();
      const confirmingSteps = new Map<TierOutcome, { step: TraceStep; from: Trace; to: Trace }>();
      for (let j = 0; j < ids.length; j++) {
        const i = ids[j];
        const outcome = outcomes[j];
        const standing = j >= reviewedFrom ? decisions[i] : undefined;
        // Confirmed, or the reviewer failed: the earlier decision stands.
        const confirmed =
          standing !== undefined && (outcome.kind === 'error' || (outcome.kind === 'decided' && outcome.classId === standing.classId));
        let trace: Trace;
        if ((standing === undefined || confirmed) && (outcome.kind === 'error' || !outcome.candidates?.length)) {
          const paths = confirmed ? confirmingSteps : sharedSteps;
          let path = paths.get(outcome);
          if (path === undefined) {
            const step = this.stepOf(tier.name, outcome, ms, !confirmed);
            paths.set(outcome, (path = { step, from: traces[i], to: shared.sharedStep(traces[i], step) }));
          } else if (path.from !== traces[i]) {
            path.from = traces[i];
            path.to = shared.sharedStep(traces[i], path.step);
          }
          trace = path.to;
        } else {
          const step = this.stepOf(tier.name, outcome, ms, !confirmed);
          const topK =
            outcome.kind !== 'error' && outcome.candidates?.length ? mergeTopK(traces[i].topK, outcome.candidates, this.topK) : traces[i].topK;
          trace = withStep(traces[i], step, topK);
        }
        traces[i] = trace;
        if (confirmed) {
          decisions[i] = { ...standing, trace };
        } else if (outcome.kind === 'decided') {
          decidedHere?.push({ i, outcome });
          if (outcome.fromContext) fromContext.add(i);
          else fromContext.delete(i);
          decisions[i] = decisionOf(items[i].key, tier.name, outcome, version, trace);
        } else {
          decisions[i] = undefined;
          rest.push(i);
        }
      }
      pending = rest;
    }

    for (const i of pending) {
      const step = traces[i].topK[0] ? REVIEW_BEST_GUESS : REVIEW_NO_CANDIDATE;
      decisions[i] = reviewDecision(items[i].key, shared.sharedStep(traces[i], step), version, step.reason!);
    }

    if (this.opts.cache) {
      // Written once all tiers have spoken: a reviewing tier may still have withdrawn or replaced a decision.
      const cacheable = new Set(this.opts.tiers.filter((t) => t.cacheable).map((t) => t.name));
      const fresh = cacheable.size ? (decisions as Decision[]).filter((d, i) => cacheable.has(d.tier) && !fromContext.has(i)) : [];
      if (fresh.length) await this.opts.cache.putMany(fresh);
    }
    return decisions as Decision[];
  }

  /** The trace step of a tier's outcome; `withRule`: the decision is the tier's own (not a confirmed review). */
  private stepOf(tier: TierName, outcome: TierOutcome, ms: number, withRule: boolean): TraceStep {
    const step: TraceStep = { tier, outcome: outcome.kind === 'error' ? 'error' : outcome.kind, ms };
    step.reason = outcome.reason;
    if (outcome.kind === 'error') return step;
    step.costUnits = outcome.costUnits ?? 0;
    if (outcome.modelVersion) step.modelVersion = outcome.modelVersion;
    if (outcome.candidates?.length) step.candidates = outcome.candidates.slice(0, this.topK);
    if (withRule && outcome.kind === 'decided' && outcome.ruleId) step.ruleId = outcome.ruleId;
    return step;
  }
}

/** Rows decided so far (not by `reviewed`: its decisions reach the reviewing tier in ctx.earlier) that have a source category. */
function decidedWithHints(items: CascadeItem[], decisions: (Decision | undefined)[], reviewed: TierName | undefined) {
  const out: { sourceCategory: string; classId: string }[] = [];
  for (let i = 0; i < items.length; i++) {
    const d = decisions[i];
    const sourceCategory = items[i].sourceCategory;
    if (sourceCategory && d?.classId && d.status === 'ok' && d.tier !== reviewed) out.push({ sourceCategory, classId: d.classId });
  }
  return out;
}

const REVIEW_BEST_GUESS: TraceStep = { tier: REVIEW_TIER, outcome: 'decided', reason: 'no tier was confident: best guess kept for review', ms: 0 };
const REVIEW_NO_CANDIDATE: TraceStep = { tier: REVIEW_TIER, outcome: 'decided', reason: 'no tier had a candidate', ms: 0 };

/** The decision a tier's decided outcome makes (the cascade's, an LLM checkpoint's, a retried review item's). */
export function decisionOf(key: string, tier: TierName, o: DecidedOutcome, taxonomyVersion: string, trace: Trace): Decision {
  const { classId, confidence, status = 'ok', ruleId, modelVersion, reason } = o;
  return { key, classId, confidence, tier, status, ruleId, modelVersion, reason, taxonomyVersion, trace };
}

/** The decision on an item no tier decided: the best candidate of its trace, if any, kept for a human. */
export function reviewDecision(key: string, trace: Trace, taxonomyVersion: string, reason: string): Decision {
  const best = trace.topK[0];
  const modelVersion = trace.steps.find((s) => s.modelVersion)?.modelVersion;
  return {
    key,
    classId: best?.classId ?? null,
    confidence: best?.score ?? 0,
    tier: REVIEW_TIER,
    status: 'needs_review',
    modelVersion,
    reason,
    taxonomyVersion,
    trace,
  };
}

/** Merges candidate lists keeping the highest score per class, best first, at most k. */
export function mergeTopK(current: Candidate[], incoming: Candidate[], k: number): Candidate[] {
  const best = new Map<string, number>();
  for (const c of [...current, ...incoming]) best.set(c.classId, Math.max(best.get(c.classId) ?? -Infinity, c.score));
  return [...best]
    .map(([classId, score]) => ({ classId, score }))
    .sort(byScore)
    .slice(0, k);
}
