// A small in-memory cache of credentials that expire (registry Bearer tokens,
// ECR authorization tokens). Entries are dropped a little before they expire so
// a token is never sent when it is about to be refused, and concurrent misses
// for one key share a single fetch.

export type Expiring<T> = { value: T; expiresAt: number };

export type ExpiringCacheOptions = {
  /** Refresh this long before expiry, at most… */
  refreshMarginMs: number;
  /** …and at most this fraction of the token's lifetime (short tokens stay useful). */
  refreshMarginFraction?: number;
  maxEntries?: number;
  now?: () => number;
};

type Entry<T> = { value: T; usableUntil: number };

export class ExpiringCache<T> {
  private readonly entries = new Map<string, Entry<T>>();
  private readonly inflight = new Map<string, Promise<T>>();
  private readonly now: () => number;

  constructor(private readonly options: ExpiringCacheOptions) {
    this.now = options.now ?? Date.now;
  }

  get(key: string): T | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (this.now() >= entry.usableUntil) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  set(key: string, item: Expiring<T>): void {
    const now = this.now();
    const lifetime = Math.max(0, item.expiresAt - now);
    const margin = Math.min(this.options.refreshMarginMs, lifetime * (this.options.refreshMarginFraction ?? 0.25));
    const usableUntil = item.expiresAt - margin;
    if (usableUntil <= now) return;
    const max = this.options.maxEntries ?? 10_000;
    if (this.entries.size >= max && !this.entries.has(key)) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(key, { value: item.value, usableUntil });
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }

  async getOrFetch(key: string, fetch: () => Promise<Expiring<T>>): Promise<T> {
    const cached = this.get(key);
    if (cached !== undefined) return cached;
    const pending = this.inflight.get(key);
    if (pending) return pending;
    const promise = fetch()
      .then((item) => {
        this.set(key, item);
        return item.value;
      })
      .finally(() => this.inflight.delete(key));
    this.inflight.set(key, promise);
    return promise;
  }
}
