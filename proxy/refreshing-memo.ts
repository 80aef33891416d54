// Answers kept per key for a while, for the reads every proxy request makes
// (authorization rows, the auth throttle's counts). One load per key is in
// flight at a time, whatever the number of requests asking. An answer asked
// for in the last quarter of its life is loaded again in the background and
// still given meanwhile, so a busy key's requests never all wait at once for
// the load that replaces it (they did: that wait was the manifest tail with 64
// connections on one license). A load keeps its answer out when the key was set
// or the memo cleared after the load began: what it read is older.

/** Share of its life after which an answer that is asked for is loaded again in the background. */
const REFRESH_AHEAD_SHARE = 0.75;

type Entry<T> = { value: T; at: number; stamp: number };

export class RefreshingMemo<T> {
  private readonly entries = new Map<string, Entry<T>>();
  private readonly loading = new Map<string, Promise<T>>();
  /** Orders loads, sets and clears: a load stores only what is newer than both. */
  private clock = 0;
  private clearedAt = 0;

  constructor(private readonly maxEntries: number) {}

  /**
   * The key's answer if it is younger than `lifeMs`, else what `load` gives
   * (shared with any load of the key in flight). An answer `keep` refuses is
   * returned but not kept, and drops the one kept before. A failed load
   * reaches the caller only when there was no answer to give.
   */
  get(key: string, lifeMs: number, load: () => Promise<T>, keep: (value: T) => boolean = () => true): Promise<T> {
    const entry = this.entries.get(key);
    // A clock stepped back ages an answer too (it must not live for ever).
    const age = entry ? Math.abs(Date.now() - entry.at) : Infinity;
    if (age >= lifeMs) return this.load(key, load, keep);
    // A failed load ahead changes nothing: the answer runs out and a request loads again.
    if (age >= lifeMs * REFRESH_AHEAD_SHARE) this.load(key, load, keep).catch(() => {});
    return Promise.resolve(entry!.value);
  }

  /** An answer known here (newer than any load in flight). */
  set(key: string, value: T): void {
    this.store(key, { value, at: Date.now(), stamp: ++this.clock });
  }

  /** Forgets every answer; loads in flight keep theirs out, and later requests do not join them. */
  clear(): void {
    this.clearedAt = ++this.clock;
    this.entries.clear();
    this.loading.clear();
  }

  private load(key: string, load: () => Promise<T>, keep: (value: T) => boolean): Promise<T> {
    const inFlight = this.loading.get(key);
    if (inFlight) return inFlight;
    const stamp = ++this.clock;
    const at = Date.now();
    const loading = load().then((value) => {
      const newer = (this.entries.get(key)?.stamp ?? 0) > stamp || this.clearedAt > stamp;
      if (!newer) {
        if (keep(value)) this.store(key, { value, at, stamp });
        else this.entries.delete(key);
      }
      return value;
    });
    this.loading.set(key, loading);
    void loading
      .catch(() => {})
      .finally(() => {
        if (this.loading.get(key) === loading) this.loading.delete(key);
      });
    return loading;
  }

  private store(key: string, entry: Entry<T>): void {
    if (this.entries.size >= this.maxEntries && !this.entries.has(key)) this.entries.clear();
    this.entries.set(key, entry);
  }
}
