import type pg from "pg";
import type { Logger } from "pino";
import { newPgClient } from "@/lib/db/connection";

// Listens for `pullgate_changes` notifications (sent by triggers on the
// license, customer, app, registry and domain tables) and calls onChange.
// When notifications are not arriving (no connection yet, a dropped one, or a
// database such as the embedded one that may not deliver them), `healthy` is
// false and callers fall back to a cache TTL of at most one second.
//
// The connection is re-established whenever it is lost or could not be
// opened (the database restarted, or moved to another port: newPgClient
// follows the embedded server), retrying with a back-off capped at a few
// seconds so the listener is back soon after the database is.

export const CHANGE_CHANNEL = "pullgate_changes";

const MAX_RETRY_DELAY_MS = 5_000;

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
  let lostAt: number | null = null;

  const connect = async () => {
    if (closed) return;
    const c = newPgClient({ connectionString: opts.databaseUrl, application_name: "pullgate-proxy-listener" });
    client = c;
    let selfTestNonce = "";
    let selfTestResolve: (() => void) | null = null;
    let lost = false;
    // A connection ends once: by an error, a close from the server, or a failed start.
    const onLost = (reason: string) => {
      if (lost) return;
      lost = true;
      const wasHealthy = healthy;
      healthy = false;
      if (client === c) client = null;
      c.end().catch(() => {});
      if (closed) return;
      if (wasHealthy || lostAt === null) {
        lostAt ??= Date.now();
        opts.logger.warn({ reason }, "change listener lost its database connection; authorization cache falls back to a 1 s TTL until it is back");
      }
      // Anything may have changed while we were not listening.
      opts.onChange("*");
      scheduleReconnect();
    };
    c.on("notification", (msg) => {
      if (msg.channel !== CHANGE_CHANNEL) return;
      if (selfTestNonce && msg.payload === selfTestNonce) {
        selfTestResolve?.();
        return;
      }
      opts.onChange(msg.payload ?? "");
    });
    c.on("error", (err) => onLost(err.message));
    c.on("end", () => onLost("connection closed"));
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
      if (lost || closed) return;
      healthy = ok;
      attempt = 0;
      if (lostAt !== null) {
        opts.logger.info({ downMs: Date.now() - lostAt }, "change listener reconnected");
        lostAt = null;
      }
      opts.onChange("*");
      if (!ok) opts.logger.warn("database does not deliver LISTEN/NOTIFY; authorization cache falls back to a 1 s TTL");
    } catch (err) {
      onLost((err as Error).message);
    }
  };

  const scheduleReconnect = () => {
    if (closed || retryTimer) return;
    const delay = Math.min(MAX_RETRY_DELAY_MS, 250 * 2 ** attempt++);
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
