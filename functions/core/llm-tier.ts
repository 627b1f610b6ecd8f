/**
 * The LLM tier: the most expensive and least reliable tier, so it is called in batches, cached (cacheable:
 * the cascade stores its answers under key + taxonomy version), and can never lose or stall an item: every
 * item ends with the LLM's label or in review with a trace step saying why the LLM did not label it.
 *
 * Resilience: retries with exponential backoff and jitter on connection errors and 5xx; batches halve on
 * timeouts and out-of-memory errors and grow back on success; a circuit breaker stops calling after
 * repeated failures, then lets one trial batch through after a cool-down. With a checkpoint, items are
 * written to the results store as needs_review before they are sent and with their answer as soon as it
 * comes, so a crash mid-batch leaves them in the review queue for `aisle review --retry-llm`.
 */
import type { Cache, ItemRecord, Llm, LlmAnswer, ResultStore } from '../ports.ts';
import { decisionOf, reviewDecision } from './cascade.ts';
import { scoreAndBound } from './compare.ts';
import type { Taxonomy } from './taxonomy.ts';
import type { Candidate, CascadeItem, Decision, Tier, TierContext, TierOutcome, TraceStep } from './types.ts';

export type LlmFailureKind = 'timeout' | 'connection' | 'server' | 'oom' | 'client';

/** A request that got no answer: the server was unreachable, slow, failing or out of memory. */
export class LlmUnavailableError extends Error {
  constructor(
    readonly kind: LlmFailureKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'LlmUnavailableError';
  }

  /** A rejected request (4xx) will be rejected again; everything else may pass on a later try. */
  get retryable(): boolean {
    return this.kind !== 'client';
  }
}

/** Reasons in traces start with these, so the review queue can tell LLM failures from unsure tiers. */
export const LLM_UNAVAILABLE = 'llm unavailable';
export const LLM_FAILED = 'llm failed';

export interface LlmTierOptions {
  taxonomy: Taxonomy;
  /** Products per request at most, and to begin with (default 20). */
  batchSize?: number;
  /**
   * Floor of the LLM's confidence (LLM_MIN_CONFIDENCE; default 0: none): an answer below it is deferred, so the
   * item goes to review with the answer as its best guess, and is neither cached nor checkpointed as a decision.
   */
  minConfidence?: number;
  /** Requests in flight at once (default 2). */
  concurrency?: number;
  /** Retries of one batch on connection errors, 5xx, timeouts and OOM (default 3). */
  retries?: number;
  /** First backoff in ms, doubled per retry with full jitter, capped by maxBackoffMs (defaults 500 / 10000). */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** Consecutive failed requests that open the breaker (default 5) and how long it stays open (default 30 s). */
  breakerThreshold?: number;
  breakerCooldownMs?: number;
  /** Where progress is written as it happens; the cache gets each answer as soon as it comes. */
  checkpoint?: { store: ResultStore; cache?: Cache; jobId?: string };
  /** Told once per change of availability (unavailable → items go to review; available again). */
  notify?: (message: string) => void;
  /** Injected in tests. */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  now?: () => number;
}

export interface LlmTier extends Tier {
  /** Requests sent and the batch size of each, in order of sending; the current adaptive batch size; the breaker. */
  readonly stats: { requests: number; batchSizes: number[]; batchSize: number; breaker: BreakerState; opened: number; closed: number };
}

type BreakerState = 'closed' | 'open' | 'half-open';

/** Stops calling after `threshold` consecutive failures; after `cooldownMs` lets one trial call decide. */
export class CircuitBreaker {
  state: BreakerState = 'closed';
  reason = '';
  opened = 0;
  closed = 0;
  private failures = 0;
  private openedAt = 0;
  private trial: { promise: Promise<void>; resolve: () => void } | null = null;

  constructor(
    private readonly threshold: number,
    private readonly cooldownMs: number,
    private readonly now: () => number,
    private readonly onChange: (state: BreakerState, reason: string) => void,
  ) {}

  /** 'go' or 'trial' to call; 'reject' while open. Callers arriving during a trial wait for its verdict. */
  async acquire(): Promise<'go' | 'trial' | 'reject'> {
    for (;;) {
      if (this.state === 'closed') return 'go';
      if (this.state === 'open') {
        if (this.now() - this.openedAt < this.cooldownMs) return 'reject';
        this.state = 'half-open';
        let resolve!: () => void;
        const promise = new Promise<void>((r) => (resolve = r));
        this.trial = { promise, resolve };
        return 'trial';
      }
      await this.trial!.promise;
    }
  }

  success(): void {
    this.failures = 0;
    if (this.state !== 'closed') {
      this.state = 'closed';
      this.closed++;
      this.onChange('closed', '');
    }
    this.endTrial();
  }

  failure(reason: string): void {
    this.failures++;
    if (this.state === 'half-open' || (this.state === 'closed' && this.failures >= this.threshold)) this.open(reason);
    this.endTrial();
  }

  /** Opens at once (e.g. the server is not reachable at all). */
  open(reason: string): void {
    const was = this.state;
    this.state = 'open';
    this.reason = reason;
    this.openedAt = this.now();
    if (was === 'closed') {
      this.opened++;
      this.onChange('open', reason);
    }
  }

  private endTrial(): void {
    const t = this.trial;
    this.trial = null;
    t?.resolve();
  }
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * The LLM tier. Long as a whole because it is one closure: probing, batching, retries, the checkpoint and
 * decide share the breaker, the adaptive batch size, the confidence floor and the stats.
 */
export function createLlmTier(llm: Llm, opts: LlmTierOptions): LlmTier {
  const maxBatch = Math.max(1, opts.batchSize ?? 20);
  const concurrency = Math.max(1, opts.concurrency ?? 2);
  const minConfidence = opts.minConfidence ?? 0;
  const retries = opts.retries ?? 3;
  const backoffMs = opts.backoffMs ?? 500;
  const maxBackoffMs = opts.maxBackoffMs ?? 10_000;
  const sleep = opts.sleep ?? defaultSleep;
  const random = opts.random ?? Math.random;
  const now = opts.now ?? Date.now;
  const where = llm.where ?? `LLM ${llm.model}`;
  const modelVersion = `ollama:${llm.model}`;
  const taxonomy = opts.taxonomy;
  /** Products per request: halves under pressure (not below 1), doubles back on success (not above maxBatch). */
  let batchSize = maxBatch;
  const batchSizes: number[] = [];
  const breaker = new CircuitBreaker(opts.breakerThreshold ?? 5, opts.breakerCooldownMs ?? 30_000, now, (state, reason) => {
    opts.notify?.(
      state === 'open'
        ? `LLM tier: ${where} is unavailable (${reason}). The pipeline goes on; items no earlier tier decides go to review ` +
            `(needs_review). Send them again with \`aisle review --retry-llm\` once it is back.`
        : `LLM tier: ${where} is available again.`,
    );
  });
  let probed = false;

  const backoff = (attempt: number) => Math.round(random() * Math.min(maxBackoffMs, backoffMs * 2 ** attempt));

  const toOutcome = (answer: LlmAnswer): TierOutcome => {
    if (answer.problem) return { kind: 'error', reason: `${LLM_FAILED}: ${answer.problem}` };
    if (answer.classId === null) {
      // The model said it cannot tell: a decision (cached, so the product is not sent again), for a human.
      return {
        kind: 'decided',
        classId: null,
        confidence: 0,
        status: 'needs_review',
        modelVersion,
        costUnits: answer.tokens ?? 0,
        reason: `${llm.model} could not tell from the text`,
      };
    }
    const cls = taxonomy.get(answer.classId);
    if (!cls) return { kind: 'error', reason: `${LLM_FAILED}: answered "${answer.classId}", not a class of taxonomy ${taxonomy.version}` };
    if (!(answer.confidence >= minConfidence)) {
      // Too unsure to decide: a best guess for review, never a cached decision.
      const [c, floor] = scoreAndBound(answer.confidence, minConfidence);
      return {
        kind: 'deferred',
        reason: `${llm.model} guessed ${cls.label} at confidence ${c} < floor ${floor}`,
        candidates: [{ classId: cls.id, score: answer.confidence }],
        modelVersion,
        costUnits: answer.tokens ?? 0,
      };
    }
    return {
      kind: 'decided',
      classId: cls.id,
      confidence: answer.confidence,
      modelVersion,
      reason: `${llm.model} labelled it ${cls.label}${cls.isLeaf ? '' : ' (level 1 only: no subclass fits)'}${answer.reason ? ` (${answer.reason})` : ''}`,
      candidates: [{ classId: cls.id, score: answer.confidence }],
      costUnits: answer.tokens ?? 0,
    };
  };

  const record = (item: CascadeItem, decision: Decision): ItemRecord => ({
    decision,
    input: { name: item.name, searchTerm: item.searchTerm, brand: item.brand, description: item.description },
    text: item.text,
    jobId: opts.checkpoint?.jobId,
    at: new Date().toISOString(),
  });

  /** Where a checkpoint goes: the store (and cache) of the tenant the items are classified for. */
  const checkpointOf = (tenant: string | undefined) => {
    const c = opts.checkpoint;
    if (!c || tenant === undefined) return c;
    return { ...c, store: c.store.forTenant(tenant), cache: c.cache?.forTenant(tenant) };
  };

  async function checkpointPending(items: CascadeItem[], hints: Candidate[][], tenant: string | undefined): Promise<void> {
    const checkpoint = checkpointOf(tenant);
    if (!checkpoint) return;
    const step: TraceStep = { tier: 'llm', outcome: 'error', reason: `${LLM_UNAVAILABLE}: sent to ${where}, no answer recorded (interrupted)` };
    const trace = (j: number) => ({ steps: [step], topK: hints[j] ?? [], totalMs: 0, costUnits: 0 });
    await checkpoint.store.saveDecisions(
      items.map((item, j) => record(item, reviewDecision(item.key, trace(j), taxonomy.version, 'waiting for the LLM'))),
    );
  }

  async function checkpointAnswers(items: CascadeItem[], outcomes: TierOutcome[], tenant: string | undefined): Promise<void> {
    const checkpoint = checkpointOf(tenant);
    if (!checkpoint) return;
    const decided: ItemRecord[] = [];
    outcomes.forEach((o, j) => {
      if (o.kind !== 'decided') return;
      const step: TraceStep = { tier: 'llm', outcome: 'decided', reason: o.reason, modelVersion: o.modelVersion, costUnits: o.costUnits };
      const trace = { steps: [step], topK: o.candidates ?? [], totalMs: 0, costUnits: o.costUnits ?? 0 };
      decided.push(record(items[j], decisionOf(items[j].key, 'llm', o, taxonomy.version, trace)));
    });
    if (!decided.length) return;
    await checkpoint.store.saveDecisions(decided);
    await checkpoint.cache?.putMany(decided.map((r) => r.decision));
  }

  /**
   * Sends the items in batches through a bounded pool of workers. Long because the work queue (requeued halves
   * first, then fresh slices), run() and the workers share the outcomes array and the adaptive batch size.
   */
  async function decide(items: CascadeItem[], ctx: TierContext): Promise<TierOutcome[]> {
    const outcomes: (TierOutcome | undefined)[] = new Array(items.length);
    if (!items.length) return [];
    if (!probed) {
      probed = true;
      const probe = llm.probe ? await llm.probe() : { ok: await llm.reachable(), message: `${where} is not reachable` };
      if (!probe.ok) breaker.open(probe.message);
    }

    // Work: requeued chunks first (halves of a batch that timed out), then fresh slices of the adaptive size.
    const requeued: { idx: number[]; attempt: number }[] = [];
    let next = 0;
    const take = () => {
      if (requeued.length) return requeued.shift()!;
      if (next >= items.length) return undefined;
      const idx = Array.from({ length: Math.min(batchSize, items.length - next) }, (_, j) => next + j);
      next += idx.length;
      return { idx, attempt: 0 };
    };
    const fail = (idx: number[], reason: string) => {
      for (const i of idx) outcomes[i] = { kind: 'error', reason };
    };

    async function run(chunk: { idx: number[]; attempt: number }): Promise<void> {
      const batch = chunk.idx.map((i) => items[i]);
      const hints = chunk.idx.map((i) => ctx.hints[i] ?? []);
      let attempt = chunk.attempt;
      if (attempt === 0) await checkpointPending(batch, hints, ctx.tenant);
      for (;;) {
        const permit = await breaker.acquire();
        if (permit === 'reject') return fail(chunk.idx, `${LLM_UNAVAILABLE}: ${breaker.reason} (not called: circuit open)`);
        batchSizes.push(batch.length);
        try {
          const answers = await llm.classify(batch.map((it, j) => ({ text: it.text, name: it.name, hints: hints[j] })));
          if (answers.length !== batch.length) throw new LlmUnavailableError('server', `answered ${answers.length} items for ${batch.length}`);
          breaker.success();
          batchSize = Math.min(maxBatch, batchSize * 2);
          const got = answers.map(toOutcome);
          got.forEach((o, j) => (outcomes[chunk.idx[j]] = o));
          await checkpointAnswers(batch, got, ctx.tenant);
          return;
        } catch (err) {
          const e = err instanceof LlmUnavailableError ? err : new LlmUnavailableError('client', (err as Error)?.message ?? String(err));
          breaker.failure(e.message);
          if ((e.kind === 'timeout' || e.kind === 'oom') && batch.length > 1) {
            // Smaller requests fit in memory and in time: split this one and let the halves go on their own.
            batchSize = Math.max(1, Math.min(batchSize, Math.floor(batch.length / 2)));
            const half = Math.ceil(batch.length / 2);
            if (attempt < retries) {
              requeued.unshift({ idx: chunk.idx.slice(0, half), attempt: attempt + 1 }, { idx: chunk.idx.slice(half), attempt: attempt + 1 });
              return;
            }
          }
          if (!e.retryable || attempt >= retries) return fail(chunk.idx, `${LLM_UNAVAILABLE}: ${e.message} (after ${attempt + 1} attempts)`);
          attempt++;
          await sleep(backoff(attempt));
        }
      }
    }

    async function worker(): Promise<void> {
      for (let chunk = take(); chunk; chunk = take()) await run(chunk);
    }
    // Workers stop when the queue is empty; a requeue can refill it after some have stopped, hence the loop.
    while (next < items.length || requeued.length) await Promise.all(Array.from({ length: concurrency }, worker));
    return outcomes.map((o) => o ?? { kind: 'error', reason: `${LLM_FAILED}: no outcome` });
  }

  return {
    name: 'llm',
    cacheable: true,
    version: modelVersion,
    decide,
    get stats() {
      return {
        requests: batchSizes.length,
        batchSizes: [...batchSizes],
        batchSize,
        breaker: breaker.state,
        opened: breaker.opened,
        closed: breaker.closed,
      };
    },
  };
}

/**
 * Whether a stored item is in review because the LLM did not label it: its last LLM step failed or was
 * skipped, or it went to review without the LLM being consulted at all (the tier was unavailable when the
 * run started, or not selected). Explicit "cannot tell" answers (a rule's Unknown, the LLM's "unknown") are
 * decisions, not skips.
 */
export function llmWasSkipped(rec: ItemRecord): boolean {
  const d = rec.decision;
  if (d.status !== 'needs_review') return false;
  const last = [...(d.trace?.steps ?? [])].reverse().find((s) => s.tier === 'llm');
  if (last) return last.outcome === 'error' || last.outcome === 'skipped';
  return d.tier === 'review';
}

/**
 * Sends review items back through the LLM tier (what `aisle review --retry-llm` and the API do): labelled
 * items become tier=llm decisions, the others stay in review with one more trace step. Earlier steps are kept.
 */
export async function retryThroughLlm(records: ItemRecord[], tier: Tier, taxonomyVersion: string): Promise<ItemRecord[]> {
  if (!records.length) return [];
  const items: CascadeItem[] = records.map((r) => ({ ...r.input, text: r.text, key: r.decision.key }));
  const hints = records.map((r) => r.decision.trace?.topK ?? []);
  const started = performance.now();
  let outcomes: TierOutcome[];
  try {
    outcomes = await tier.decide(items, { hints });
  } catch (err) {
    outcomes = items.map(() => ({ kind: 'error', reason: `${LLM_FAILED}: ${(err as Error).message}` }));
  }
  const ms = (performance.now() - started) / records.length;
  const at = new Date().toISOString();
  return records.map((r, j) => {
    const o = outcomes[j];
    const old = r.decision.trace ?? { steps: [], topK: [], totalMs: 0, costUnits: 0 };
    const step: TraceStep = { tier: 'llm', outcome: o.kind === 'error' ? 'error' : o.kind, reason: o.reason, ms };
    const trace = {
      ...old,
      steps: [...old.steps, step],
      totalMs: old.totalMs + ms,
      costUnits: old.costUnits + (o.kind === 'error' ? 0 : (o.costUnits ?? 0)),
    };
    if (o.kind !== 'decided') return { ...r, decision: { ...r.decision, trace }, at };
    step.modelVersion = o.modelVersion;
    return { ...r, decision: decisionOf(r.decision.key, 'llm', o, taxonomyVersion, trace), at };
  });
}
