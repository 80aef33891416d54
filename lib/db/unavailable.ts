// Whether an error means "the database cannot be reached right now" (down,
// restarting, refusing connections, a connection cut mid-query), as opposed
// to a bug or a bad query. Such errors are answered 503 with Retry-After by
// the proxy and the API instead of 500: the request may succeed once the
// database is back, and the pool reconnects on its own (lib/db/connection.ts).

// Prisma: can't reach server, timed out, server closed the connection.
const PRISMA_CODES = new Set(["P1001", "P1002", "P1008", "P1017"]);
// Prisma driver adapter error kinds (meta.driverAdapterError.cause.kind).
const ADAPTER_KINDS = new Set(["DatabaseNotReachable", "ConnectionClosed", "SocketTimeout", "TooManyConnections", "TlsConnectionError"]);
// Socket errors (node) seen by pg.
const SOCKET_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "EHOSTUNREACH", "ENETUNREACH", "ENOTFOUND", "EAI_AGAIN", "ECONNABORTED"]);
// Postgres SQLSTATEs: connection exceptions (08…), shutting down or starting up (57P01-57P03), too many connections.
const SQLSTATES = /^(08\d{3}|57P0[123]|53300)$/;
// pg's own messages for connections that died or never opened.
const PG_MESSAGES = /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Connection terminated due to connection timeout|the database system is (starting up|shutting down)/i;

export function isDatabaseUnavailable(err: unknown, depth = 0): boolean {
  if (!err || typeof err !== "object" || depth > 5) return false;
  const e = err as { code?: unknown; message?: unknown; meta?: { driverAdapterError?: { cause?: { kind?: unknown; code?: unknown } } }; cause?: unknown };
  const code = typeof e.code === "string" ? e.code : "";
  if (PRISMA_CODES.has(code) || SOCKET_CODES.has(code) || SQLSTATES.test(code)) return true;
  const adapter = e.meta?.driverAdapterError?.cause;
  if (adapter) {
    if (typeof adapter.kind === "string" && ADAPTER_KINDS.has(adapter.kind)) return true;
    if (adapter.kind === "postgres" && typeof adapter.code === "string" && SQLSTATES.test(adapter.code)) return true;
  }
  if (typeof e.message === "string" && PG_MESSAGES.test(e.message)) return true;
  return isDatabaseUnavailable(e.cause, depth + 1);
}

/** Seconds a client is asked to wait before retrying while the database is away. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

/**
 * Next.js sends a server error to the browser's error boundary with only its
 * `digest` (the message stays on the server). Errors of an unreachable
 * database carry this one, so the portal's error page can say what happened.
 */
export const DATABASE_UNAVAILABLE_DIGEST = "PULLGATE_DATABASE_UNAVAILABLE";

/** Stamps the digest on a database-unavailable error (in place); returns the error. */
export function markDatabaseUnavailable(err: unknown): unknown {
  if (isDatabaseUnavailable(err) && err && typeof err === "object" && !("digest" in err)) {
    Object.defineProperty(err, "digest", { value: DATABASE_UNAVAILABLE_DIGEST, enumerable: false, configurable: true, writable: true });
  }
  return err;
}
