// Failed customer authentications per client IP. A client that keeps sending
// wrong license IDs is told to back off (429 TOOMANYREQUESTS + Retry-After)
// instead of being allowed to guess. In memory per process: each replica
// limits independently, which bounds guessing to N × replicas per window.

export type RateLimitOptions = { maxFailures: number; windowMs: number };

type Bucket = { failures: number; windowStart: number };

export class AuthRateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly options: RateLimitOptions = { maxFailures: 20, windowMs: 60_000 }) {}

  /** Seconds the client must wait, or 0 when it may try. */
  retryAfterSeconds(ip: string, now = Date.now()): number {
    const b = this.buckets.get(ip);
    if (!b) return 0;
    const elapsed = now - b.windowStart;
    if (elapsed >= this.options.windowMs) {
      this.buckets.delete(ip);
      return 0;
    }
    return b.failures >= this.options.maxFailures ? Math.ceil((this.options.windowMs - elapsed) / 1000) : 0;
  }

  recordFailure(ip: string, now = Date.now()): void {
    const b = this.buckets.get(ip);
    if (!b || now - b.windowStart >= this.options.windowMs) {
      if (this.buckets.size > 100_000) this.sweep(now);
      this.buckets.set(ip, { failures: 1, windowStart: now });
    } else {
      b.failures++;
    }
  }

  private sweep(now: number): void {
    for (const [ip, b] of this.buckets) if (now - b.windowStart >= this.options.windowMs) this.buckets.delete(ip);
  }
}
