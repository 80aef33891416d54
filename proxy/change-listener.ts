import pg from "pg";
import type { Logger } from "pino";

// Listens for `pullgate_changes` notifications (sent by triggers on the
// license, customer, app, registry and domain tables) and calls onChange.
// When notifications are not arriving (no connection yet, a dropped one, or a
// database such as the embedded one that may not deliver them), `healthy` is
// false and callers fall back to a cache TTL of at most one second.

export const CHANGE_CHANNEL = "pullgate_changes";

export type ChangeListener = {
  readonly healthy: boolean;
  close(): Promise<void>;
};

export function startChangeListener(opts: {
  databaseUrl: string;
  onChange: (table: string) => void;
  logger: Logger;
  selfTestTimeoutMs?: number;
}): ChangeListener {
  let healthy = false;
  let closed = false;
  let client: pg.Client | null = null;
  let retryTimer: NodeJS.Timeout | null = null;
  let attempt = 0;

  const connect = async () => {
    if (closed) return;
    const c = new pg.Client({ connectionString: opts.databaseUrl, application_name: "pullgate-proxy-listener" });
    client = c;
    let selfTestNonce = "";
    let selfTestResolve: (() => void) | null = null;
    c.on("notification", (msg) => {
      if (msg.channel !== CHANGE_CHANNEL) return;
      if (selfTestNonce && msg.payload === selfTestNonce) {
        selfTestResolve?.();
        return;
      }
      opts.onChange(msg.payload ?? "");
    });
    c.on("error", (err) => {
      opts.logger.warn({ err: err.message }, "change listener connection failed; falling back to a 1 s cache");
      healthy = false;
    });
    c.on("end", () => {
      healthy = false;
      // Anything may have changed while we were not listening.
      opts.onChange("*");
      scheduleReconnect();
    });
    try {
      await c.connect();
      await c.query(`LISTEN ${CHANGE_CHANNEL}`);
      // Prove delivery: a session receives its own notifications.
      selfTestNonce = `selftest-${process.pid}-${Date.now()}`;
      const received = new Promise<void>((resolve) => (selfTestResolve = resolve));
      await c.query("SELECT pg_notify($1, $2)", [CHANGE_CHANNEL, selfTestNonce]);
      const ok = await Promise.race([
        received.then(() => true),
        new Promise<boolean>((r) => setTimeout(() => r(false), opts.selfTestTimeoutMs ?? 2000).unref()),
      ]);
      healthy = ok;
      attempt = 0;
      opts.onChange("*");
      if (!ok) opts.logger.warn("database does not deliver LISTEN/NOTIFY; authorization cache falls back to a 1 s TTL");
    } catch (err) {
      healthy = false;
      opts.logger.warn({ err: (err as Error).message }, "change listener could not connect; retrying");
      c.end().catch(() => {});
    }
  };

  const scheduleReconnect = () => {
    if (closed || retryTimer) return;
    const delay = Math.min(30_000, 250 * 2 ** attempt++);
    retryTimer = setTimeout(() => {
      retryTimer = null;
      void connect();
    }, delay);
    retryTimer.unref();
  };

  void connect();

  return {
    get healthy() {
      return healthy;
    },
    async close() {
      closed = true;
      if (retryTimer) clearTimeout(retryTimer);
      await client?.end().catch(() => {});
    },
  };
}
