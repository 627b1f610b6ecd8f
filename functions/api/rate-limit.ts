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

/**
 * Failed authentications per client (its address) in fixed windows: a client past `failures` in a window is
 * refused until the window ends, before its key is looked up, so a flood of made-up keys costs no store read.
 * At most `maxClients` windows are kept (the oldest go first), so a flood from many addresses cannot grow memory.
 */
export class FailedAuthLimit {
  private readonly windows = new Map<string, { failures: number; since: number }>();

  constructor(
    readonly failures: number,
    readonly windowSeconds: number,
    private readonly nowMs: () => number = Date.now,
    private readonly maxClients = 10_000,
  ) {}

  /** Seconds until `client` may try a key again; 0 when it may now. */
  blockedFor(client: string): number {
    const w = this.windows.get(client);
    if (!w) return 0;
    const left = w.since + this.windowSeconds * 1000 - this.nowMs();
    if (left <= 0) {
      this.windows.delete(client);
      return 0;
    }
    return w.failures >= this.failures ? Math.ceil(left / 1000) : 0;
  }

  /** Counts one failed authentication of `client`. */
  fail(client: string): void {
    const now = this.nowMs();
    const w = this.windows.get(client);
    if (w && now - w.since < this.windowSeconds * 1000) {
      w.failures++;
      return;
    }
    this.windows.delete(client); // re-inserted last: the map's order is the windows' age
    if (this.windows.size >= this.maxClients) this.windows.delete(this.windows.keys().next().value!);
    this.windows.set(client, { failures: 1, since: now });
  }
}
