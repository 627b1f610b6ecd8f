/**
 * Per-key token buckets: each key may burst `burst` requests and then `ratePerSecond` on average. Lives in
 * the process (one bucket set per server or per warm Lambda instance), which bounds a client without a
 * shared store; API Gateway throttling is the account-wide guard on AWS.
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    readonly ratePerSecond: number,
    readonly burst: number,
    private readonly nowMs: () => number = Date.now,
  ) {}

  /** Takes one token for `id`; when none is left, says in how many whole seconds one will be. */
  take(id: string): { ok: true } | { ok: false; retryAfterSeconds: number } {
    const now = this.nowMs();
    let b = this.buckets.get(id);
    if (!b) {
      if (this.buckets.size >= 10_000) this.buckets.delete(this.buckets.keys().next().value!);
      b = { tokens: this.burst, at: now };
      this.buckets.set(id, b);
    } else {
      b.tokens = Math.min(this.burst, b.tokens + ((now - b.at) / 1000) * this.ratePerSecond);
      b.at = now;
    }
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return { ok: true };
    }
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - b.tokens) / this.ratePerSecond)) };
  }
}
