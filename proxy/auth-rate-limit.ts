import { createHmac, randomBytes } from "node:crypto";
import { deriveKey } from "@/lib/secrets/master-key";
import { addressGroup } from "@/lib/http/client-address";
import type { Credentials } from "./customer-auth";

// Failed customer logins are counted per (client address, credential): the
// address grouped as IPv4 /32 or IPv6 /64 (a client cannot dodge by rotating
// through its /64), the credential as a keyed hash of the license ID or token
// it sent. A credential that keeps failing from one network is slowed down
// (429 TOOMANYREQUESTS + Retry-After, growing delays); every other credential
// from the same address is untouched, so one node with a stale pull secret
// behind a NAT never locks out the rest of the site. A correct license or a
// valid token is never refused because of someone else's failures.
//
// Guessing license IDs is bounded by their ~160 random bits, not by this
// limit. Counts live behind FailureStore: in memory per process today, so
// each replica counts on its own; a shared store lets replicas agree.

/** Failures of one (address group, credential) key. */
export type FailureCount = { failures: number; lastFailureAt: number };

/** Where failure counts live. Async, so a shared (database) store can stand in for the in-memory one. */
export interface FailureStore {
  /** The key's count, or null when it has none or its last failure is older than forgetAfterMs. */
  get(key: string, now: number, forgetAfterMs: number): Promise<FailureCount | null>;
  /** Adds one failure (starting from zero when the old count is forgotten) and returns the new count. */
  increment(key: string, now: number, forgetAfterMs: number): Promise<FailureCount>;
}

export type AuthThrottleOptions = {
  /** Failures of one credential from one network before it must wait. */
  freeFailures: number;
  /** The first wait; each further failure doubles it... */
  baseDelayMs: number;
  /** ...up to this. */
  maxDelayMs: number;
  /** A key with no failure for this long starts from zero again. */
  forgetAfterMs: number;
};

export const DEFAULT_AUTH_THROTTLE: AuthThrottleOptions = {
  freeFailures: 5,
  baseDelayMs: 1_000,
  maxDelayMs: 15 * 60_000,
  forgetAfterMs: 30 * 60_000,
};

/** Who failed: the client's address and the credential it sent. */
export type AuthAttempt = { address: string; credentials: Credentials };

export class AuthThrottle {
  private readonly options: AuthThrottleOptions;
  private fingerprintKey: Buffer | null = null;

  constructor(
    private readonly store: FailureStore = new MemoryFailureStore(),
    options: Partial<AuthThrottleOptions> = {},
  ) {
    this.options = { ...DEFAULT_AUTH_THROTTLE, ...options };
  }

  /** Seconds this credential must still wait from this address, or 0 when it may try. */
  async retryAfterSeconds(attempt: AuthAttempt, now = Date.now()): Promise<number> {
    const count = await this.store.get(this.key(attempt), now, this.options.forgetAfterMs);
    return count ? this.waitSeconds(count, now) : 0;
  }

  /** Counts a failure; returns the seconds the credential must now wait (0 while it has free failures left). */
  async recordFailure(attempt: AuthAttempt, now = Date.now()): Promise<number> {
    const count = await this.store.increment(this.key(attempt), now, this.options.forgetAfterMs);
    return this.waitSeconds(count, now);
  }

  /** The wait after `failures` failures: none for the free ones, then doubling up to the cap. */
  delayMs(failures: number): number {
    const over = failures - this.options.freeFailures;
    if (over <= 0) return 0;
    return Math.min(this.options.maxDelayMs, this.options.baseDelayMs * 2 ** Math.min(over - 1, 40));
  }

  private waitSeconds(count: FailureCount, now: number): number {
    const remaining = count.lastFailureAt + this.delayMs(count.failures) - now;
    return remaining > 0 ? Math.ceil(remaining / 1000) : 0;
  }

  private key(attempt: AuthAttempt): string {
    return `${addressGroup(attempt.address)}|${this.fingerprint(attempt.credentials)}`;
  }

  /**
   * A keyed hash of the secret sent (never the secret itself, which may be a
   * real license ID): the same for every replica, meaningless to anyone
   * reading the store. The Basic username is left out: it can be anything.
   */
  private fingerprint(credentials: Credentials): string {
    this.fingerprintKey ??= fingerprintKey();
    const secret = credentials.kind === "basic" ? `basic:${credentials.password.trim()}` : `bearer:${credentials.token}`;
    return createHmac("sha256", this.fingerprintKey).update(secret).digest("base64url").slice(0, 22);
  }
}

/** Derived from the master key so replicas agree; without one (tokens cannot be issued either) a key for this process. */
function fingerprintKey(): Buffer {
  try {
    return deriveKey("proxy-auth-throttle");
  } catch {
    return randomBytes(32);
  }
}

/**
 * Per-process counts, bounded: past maxEntries, forgotten keys are swept and
 * then the oldest dropped, so a flood of distinct bad credentials costs a
 * fixed amount of memory.
 */
export class MemoryFailureStore implements FailureStore {
  private readonly counts = new Map<string, FailureCount>();

  constructor(private readonly maxEntries = 100_000) {}

  async get(key: string, now: number, forgetAfterMs: number): Promise<FailureCount | null> {
    const count = this.counts.get(key);
    if (!count) return null;
    if (now - count.lastFailureAt >= forgetAfterMs) {
      this.counts.delete(key);
      return null;
    }
    return { ...count };
  }

  async increment(key: string, now: number, forgetAfterMs: number): Promise<FailureCount> {
    const old = this.counts.get(key);
    const failures = old && now - old.lastFailureAt < forgetAfterMs ? old.failures + 1 : 1;
    // Re-inserted so the Map's order stays "least recently failed first".
    this.counts.delete(key);
    if (this.counts.size >= this.maxEntries) this.makeRoom(now, forgetAfterMs);
    const count = { failures, lastFailureAt: now };
    this.counts.set(key, count);
    return { ...count };
  }

  get size(): number {
    return this.counts.size;
  }

  private makeRoom(now: number, forgetAfterMs: number): void {
    for (const [key, count] of this.counts) if (now - count.lastFailureAt >= forgetAfterMs) this.counts.delete(key);
    const excess = this.counts.size - Math.floor(this.maxEntries * 0.9);
    if (excess <= 0) return;
    let dropped = 0;
    for (const key of this.counts.keys()) {
      if (dropped++ >= excess) break;
      this.counts.delete(key);
    }
  }
}
