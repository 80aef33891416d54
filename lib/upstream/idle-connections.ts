// Keep-alive for blob GETs (socket-get.ts). A connection whose response was
// read to its end waits here, per origin, and the next GET to that origin
// takes it instead of paying a new TCP (and TLS) handshake: against a remote
// registry that is one to three round trips off every layer's first byte.
// Bounded, since any tenant can name an upstream: at most MAX_PER_ORIGIN idle
// connections per origin and MAX_TOTAL in all, each closed after its idle time.

/** undici's default keepAliveTimeout: below the idle timeouts of common servers (S3 20 s, nginx 75 s, Go's 3 min). */
export const IDLE_MS = 4_000;
const MAX_PER_ORIGIN = 8;
const MAX_TOTAL = 128;

type Closable = { close(): void };
type Entry<C> = { conn: C; timer: NodeJS.Timeout };

export class IdleConnections<C extends Closable> {
  private readonly byOrigin = new Map<string, Entry<C>[]>();
  private readonly origins = new Map<C, string>();

  constructor(private readonly limits = { perOrigin: MAX_PER_ORIGIN, total: MAX_TOTAL }) {}

  /** The most recently returned connection to `origin` (the least likely to have been closed by the server). */
  take(origin: string): C | undefined {
    const list = this.byOrigin.get(origin);
    const entry = list?.pop();
    if (!entry) return undefined;
    if (list!.length === 0) this.byOrigin.delete(origin);
    clearTimeout(entry.timer);
    this.origins.delete(entry.conn);
    return entry.conn;
  }

  /** Keeps `conn` for at most `ms`, then closes it; false when there is no room (the caller closes it). */
  put(origin: string, conn: C, ms: number): boolean {
    const list = this.byOrigin.get(origin) ?? [];
    if (ms <= 0 || this.origins.size >= this.limits.total || list.length >= this.limits.perOrigin) return false;
    const timer = setTimeout(() => {
      this.remove(conn);
      conn.close();
    }, ms);
    timer.unref();
    list.push({ conn, timer });
    this.byOrigin.set(origin, list);
    this.origins.set(conn, origin);
    return true;
  }

  /** `conn` is no longer usable (the server closed it, or it is being closed): forget it. */
  remove(conn: C): void {
    const origin = this.origins.get(conn);
    if (origin === undefined) return;
    this.origins.delete(conn);
    const list = this.byOrigin.get(origin)!;
    const index = list.findIndex((e) => e.conn === conn);
    clearTimeout(list[index]!.timer);
    list.splice(index, 1);
    if (list.length === 0) this.byOrigin.delete(origin);
  }

  /** Closes every idle connection (tests, shutdown). */
  closeAll(): void {
    for (const conn of [...this.origins.keys()]) {
      this.remove(conn);
      conn.close();
    }
  }

  /** Idle connections kept, to `origin` or in all. */
  count(origin?: string): number {
    return origin === undefined ? this.origins.size : (this.byOrigin.get(origin)?.length ?? 0);
  }
}

/** How long a connection may idle, given the server's `Keep-Alive: timeout=<s>` (a second of margin, as undici). */
export function idleTimeFor(keepAliveHeader: string | string[] | undefined): number {
  const value = Array.isArray(keepAliveHeader) ? keepAliveHeader.join(",") : keepAliveHeader;
  const match = value ? /(?:^|[,;\s])timeout\s*=\s*(\d{1,9})/i.exec(value) : null;
  return match ? Math.min(IDLE_MS, Number(match[1]) * 1000 - 1000) : IDLE_MS;
}
