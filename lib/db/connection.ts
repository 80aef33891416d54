import pg from "pg";
import { config } from "@/lib/config";
import { readEmbeddedInfo } from "@/lib/db/embedded-info";

// How every long-running process connects to Postgres (Prisma's pool and the
// proxy's LISTEN connection), so a database that restarts underneath is found
// again without restarting Pullgate:
//  - a connection attempt gives up after CONNECT_TIMEOUT_MS instead of
//    hanging (pg's default is to wait forever on an unanswered SYN), so a
//    request answers 503 promptly while the database is away;
//  - TCP keep-alive notices a server that vanished without closing sockets;
//  - under `pullgate start` with the embedded database
//    (PULLGATE_EMBEDDED_DATABASE=1), each new connection reads the server's
//    current port from <dataDir>/embedded.json: a server restarted by the
//    supervisor may listen on another port than the one in DATABASE_URL.
// Broken pooled connections are discarded by pg's pool (Prisma's adapter
// listens for their errors), and the next query opens a fresh one.

export const CONNECT_TIMEOUT_MS = 5_000;

/** The URL to connect to now: `url`, with the embedded server's current port when following it. */
export function currentDatabaseUrl(url: string): string {
  if (!config.embeddedDatabase) return url;
  const info = readEmbeddedInfo(config.dataDir);
  if (!info) return url;
  try {
    const target = new URL(url);
    if (target.port === String(info.port)) return url;
    target.port = String(info.port);
    return target.toString();
  } catch {
    return url;
  }
}

/** pg.Client that resolves its target when constructed, i.e. for every new connection. */
class FollowingClient extends pg.Client {
  constructor(options?: string | pg.ClientConfig) {
    const resolved = typeof options === "string" ? { connectionString: options } : { ...options };
    if (resolved.connectionString) resolved.connectionString = currentDatabaseUrl(resolved.connectionString);
    super(resolved);
  }
}

function clientClass(): typeof pg.Client {
  return config.embeddedDatabase ? FollowingClient : pg.Client;
}

/** Options for a pg.Pool (Prisma's adapter builds its pool from these). */
export function poolConfig(url: string, max: number): pg.PoolConfig {
  return { connectionString: url, max, connectionTimeoutMillis: CONNECT_TIMEOUT_MS, keepAlive: true, Client: clientClass() };
}

/** A single connection (not pooled), e.g. for LISTEN. */
export function newPgClient(options: pg.ClientConfig & { connectionString: string }): pg.Client {
  const Client = clientClass();
  return new Client({ connectionTimeoutMillis: CONNECT_TIMEOUT_MS, keepAlive: true, ...options });
}
