import net from "node:net";
import type { PGlite } from "@electric-sql/pglite";
import { EMBEDDED_DATABASE, EMBEDDED_USER } from "@/lib/db/embedded-info";
import { SCRAM_MECHANISM, scramSecret, startScram, type ScramExchange } from "@/lib/db/embedded-auth";

// A Postgres wire-protocol server in front of one PGlite instance.
//
// PGlite is a single backend session. @electric-sql/pglite-socket multiplexes
// client connections onto it message by message and only keeps other clients
// out while the session is inside an explicit BEGIN..COMMIT block, so an
// extended-protocol query (Parse/Bind/Execute/Sync: what pg and Prisma send)
// of one client can interleave with another client's (the unnamed statement
// and portal are shared) and implicit transactions are not protected.
//
// This server serializes instead, with a gate: a client that sends a message
// owns the session until the backend answers ReadyForQuery with status idle
// ('I'). An explicit transaction ('T' or failed 'E') keeps the gate until it
// ends, so transactions of different connections never interleave: each one
// sees only committed data of the others (effectively SERIALIZABLE, like
// SQLite). A client that disconnects while owning the gate has its work
// rolled back before anyone else runs.
//
// LISTEN/NOTIFY: a notification produced by the shared session is delivered
// to every connection that has LISTENed on that channel, not to whoever
// happened to run the statement that emitted it.
//
// Clients log in as user "postgres" to database "postgres" with the server's
// password (SCRAM-SHA-256, embedded-auth.ts), like a PostgreSQL server with
// scram-sha-256 in pg_hba.conf; nothing reaches PGlite before that.

type Connection = {
  socket: net.Socket;
  buffer: Buffer;
  /** Where the start-up is: the start-up message, the two SASL messages, then serving. */
  phase: "startup" | "sasl-initial" | "sasl-final" | "ready" | "refused";
  user: string;
  database: string;
  scram: ScramExchange | null;
  closed: boolean;
  pending: Buffer[];
  running: boolean;
  listens: Set<string>;
};

export type EmbeddedWireServer = { port: number; host: string; close(): Promise<void> };

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const CANCEL_REQUEST = 80877102;
const PROTOCOL_3 = 196608;
/** PostgreSQL's own bound on a start-up packet; authentication messages are far smaller. */
const MAX_STARTUP_BYTES = 10_000;
/** Like authentication_timeout: a client that does not finish logging in is cut off. */
const AUTH_TIMEOUT_MS = 60_000;

export async function serveEmbedded(
  db: PGlite,
  options: { password: string; host?: string; port?: number; idleInTransactionTimeoutMs?: number },
): Promise<EmbeddedWireServer> {
  const secret = scramSecret(options.password);
  // Like Postgres' idle_in_transaction_session_timeout: a client that leaves a
  // transaction open and goes quiet would otherwise block every other client.
  const idleTimeoutMs = options.idleInTransactionTimeoutMs ?? 60_000;
  let idleTimer: NodeJS.Timeout | undefined;
  const host = options.host ?? "127.0.0.1";
  // Connection start-up is answered from a greeting recorded once here, so a
  // new connection never waits for (or disturbs) another one's transaction.
  const greeting = await recordGreeting(db);
  const connections = new Set<Connection>();
  let owner: Connection | null = null;
  const waiters: Array<() => void> = [];

  async function acquire(conn: Connection): Promise<void> {
    while (owner && owner !== conn) await new Promise<void>((resolve) => waiters.push(resolve));
    owner = conn;
  }
  function release(conn: Connection): void {
    if (owner !== conn) return;
    owner = null;
    clearTimeout(idleTimer);
    // Wake everyone; the first to run takes the gate, the others wait again.
    for (const wake of waiters.splice(0)) wake();
  }

  async function execute(conn: Connection, message: Buffer): Promise<void> {
    await acquire(conn);
    clearTimeout(idleTimer);
    if (conn.closed) {
      await cleanUp(conn);
      return;
    }
    trackListen(conn, message);
    let output: Uint8Array;
    try {
      output = await db.execProtocolRaw(new Uint8Array(message.buffer, message.byteOffset, message.length));
    } catch (err) {
      release(conn);
      throw err;
    }
    const { forClient, notifications, status } = splitOutput(Buffer.from(output));
    if (forClient.length && !conn.socket.destroyed) conn.socket.write(forClient);
    for (const note of notifications) {
      for (const other of connections) {
        if (other.listens.has(note.channel) && !other.socket.destroyed) other.socket.write(note.bytes);
      }
    }
    if (status === "I") release(conn);
    else if (!conn.pending.length) {
      idleTimer = setTimeout(() => {
        if (owner === conn && !conn.running) conn.socket.destroy(); // rolled back on close
      }, idleTimeoutMs);
    }
  }

  async function cleanUp(conn: Connection): Promise<void> {
    // The client left while owning the session: end whatever it had open.
    try {
      if (db.isInTransaction()) await db.exec("ROLLBACK");
      // Closes an unfinished extended-protocol exchange (no Sync sent yet).
      await db.execProtocolRaw(new Uint8Array([0x53, 0, 0, 0, 4]));
    } finally {
      release(conn);
    }
  }

  async function pump(conn: Connection): Promise<void> {
    if (conn.running) return;
    conn.running = true;
    try {
      while (conn.pending.length && !conn.closed) {
        await execute(conn, conn.pending.shift()!);
      }
    } catch {
      conn.socket.destroy();
    } finally {
      conn.running = false;
    }
    if (conn.closed && owner === conn) await cleanUp(conn);
  }

  function onData(conn: Connection, data: Buffer): void {
    if (conn.phase === "refused") return;
    conn.buffer = conn.buffer.length ? Buffer.concat([conn.buffer, data]) : data;
    for (;;) {
      if (conn.phase === "startup") {
        if (conn.buffer.length < 8) break;
        const length = conn.buffer.readInt32BE(0);
        const code = conn.buffer.readInt32BE(4);
        if (length < 8 || length > MAX_STARTUP_BYTES) return refuse(conn, "08P01", "invalid length of startup packet");
        if (conn.buffer.length < length) break;
        const packet = conn.buffer.subarray(8, length);
        conn.buffer = conn.buffer.subarray(length);
        if (code === SSL_REQUEST || code === GSSENC_REQUEST) {
          conn.socket.write("N");
          continue;
        }
        if (code === CANCEL_REQUEST) {
          conn.socket.end(); // no separate backend to signal
          return;
        }
        if (code !== PROTOCOL_3) return refuse(conn, "0A000", "unsupported frontend protocol");
        const params = startupParameters(packet);
        conn.user = params.get("user") ?? "";
        conn.database = params.get("database") || conn.user;
        conn.phase = "sasl-initial";
        conn.socket.write(authenticationMessage(10, Buffer.from(`${SCRAM_MECHANISM}\0\0`)));
        continue;
      }
      if (conn.phase !== "ready") {
        if (conn.buffer.length < 5) break;
        const length = 1 + conn.buffer.readInt32BE(1);
        if (length < 5 || length > MAX_STARTUP_BYTES) return refuse(conn, "08P01", "invalid message length during authentication");
        if (conn.buffer.length < length) break;
        const message = conn.buffer.subarray(0, length);
        conn.buffer = conn.buffer.subarray(length);
        if (message[0] !== 0x70 /* p: SASL response */) return refuse(conn, "08P01", "expected SASL response");
        if (!authenticate(conn, message.subarray(5))) return;
        continue;
      }
      if (conn.buffer.length < 5) break;
      const length = 1 + conn.buffer.readInt32BE(1);
      if (conn.buffer.length < length) break;
      const message = Buffer.from(conn.buffer.subarray(0, length));
      conn.buffer = conn.buffer.subarray(length);
      if (message[0] === 0x58 /* Terminate */) {
        conn.socket.end();
        return;
      }
      conn.pending.push(message);
    }
    void pump(conn);
  }

  /** One step of the SASL exchange; false when the connection was refused. */
  function authenticate(conn: Connection, body: Buffer): boolean {
    const failed = () => {
      refuse(conn, "28P01", `password authentication failed for user "${conn.user}"`);
      return false;
    };
    if (conn.phase === "sasl-initial") {
      // SASLInitialResponse: mechanism name, then the length-prefixed client-first-message.
      const nameEnd = body.indexOf(0);
      if (nameEnd < 0 || body.toString("utf8", 0, nameEnd) !== SCRAM_MECHANISM || body.length < nameEnd + 5) return failed();
      const dataLength = body.readInt32BE(nameEnd + 1);
      const clientFirst = body.toString("utf8", nameEnd + 5, nameEnd + 5 + Math.max(0, dataLength));
      conn.scram = startScram(secret, clientFirst);
      if (!conn.scram) return failed();
      conn.phase = "sasl-final";
      conn.socket.write(authenticationMessage(11, Buffer.from(conn.scram.serverFirst)));
      return true;
    }
    const serverFinal = conn.scram?.finish(body.toString("utf8"));
    // The one user there is; any other name fails exactly like a wrong password.
    if (!serverFinal || conn.user !== EMBEDDED_USER) return failed();
    conn.socket.write(authenticationMessage(12, Buffer.from(serverFinal)));
    if (conn.database !== EMBEDDED_DATABASE) {
      refuse(conn, "3D000", `database "${conn.database}" does not exist`);
      return false;
    }
    conn.phase = "ready";
    conn.scram = null;
    conn.socket.setTimeout(0);
    conn.socket.write(greeting);
    return true;
  }

  const server = net.createServer((socket) => {
    const conn: Connection = {
      socket,
      buffer: Buffer.alloc(0),
      phase: "startup",
      user: "",
      database: "",
      scram: null,
      closed: false,
      pending: [],
      running: false,
      listens: new Set(),
    };
    connections.add(conn);
    socket.setNoDelay(true);
    socket.setTimeout(AUTH_TIMEOUT_MS, () => {
      if (conn.phase !== "ready") socket.destroy();
    });
    socket.on("data", (data) => onData(conn, data));
    socket.on("error", () => {});
    socket.on("close", () => {
      conn.closed = true;
      conn.pending = [];
      connections.delete(conn);
      if (owner === conn && !conn.running) void cleanUp(conn);
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;

  return {
    host,
    port,
    async close() {
      for (const conn of connections) conn.socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      // Let in-flight statements finish and any open transaction roll back.
      for (let i = 0; i < 100 && owner; i++) await new Promise((r) => setTimeout(r, 20));
    },
  };
}

/** key\0value\0...\0 of a start-up message. */
function startupParameters(packet: Buffer): Map<string, string> {
  const fields = packet.toString("utf8").split("\0");
  const params = new Map<string, string>();
  for (let i = 0; i + 1 < fields.length && fields[i]; i += 2) params.set(fields[i]!, fields[i + 1]!);
  return params;
}

/** An Authentication message ('R') of the given kind: 10 SASL, 11 SASLContinue, 12 SASLFinal. */
function authenticationMessage(kind: number, data: Buffer): Buffer {
  const out = Buffer.alloc(9 + data.length);
  out[0] = 0x52;
  out.writeInt32BE(8 + data.length, 1);
  out.writeInt32BE(kind, 5);
  data.copy(out, 9);
  return out;
}

/** Sends a FATAL ErrorResponse and closes, as PostgreSQL does when it refuses a connection. */
function refuse(conn: Connection, code: string, message: string): void {
  const fields = Buffer.from(`SFATAL\0VFATAL\0C${code}\0M${message}\0\0`, "utf8");
  const out = Buffer.alloc(5 + fields.length);
  out[0] = 0x45;
  out.writeInt32BE(4 + fields.length, 1);
  fields.copy(out, 5);
  conn.phase = "refused";
  conn.buffer = Buffer.alloc(0);
  conn.socket.end(out);
}

/**
 * The backend's answer to a start-up message (authentication ok, parameter
 * status, key data) with a final ReadyForQuery "idle".
 */
async function recordGreeting(db: PGlite): Promise<Buffer> {
  const params = Buffer.from("user\0postgres\0database\0postgres\0\0", "utf8");
  const startup = Buffer.alloc(8 + params.length);
  startup.writeInt32BE(startup.length, 0);
  startup.writeInt32BE(196608, 4); // protocol 3.0
  params.copy(startup, 8);
  const out = Buffer.from(await db.execProtocolRaw(new Uint8Array(startup)));
  const parts: Buffer[] = [];
  let offset = 0;
  while (offset + 5 <= out.length) {
    const end = offset + 1 + out.readInt32BE(offset + 1);
    if (out[offset] !== 0x5a) parts.push(out.subarray(offset, end));
    offset = end;
  }
  parts.push(Buffer.from([0x5a, 0, 0, 0, 5, 0x49]));
  return Buffer.concat(parts);
}

/** Split backend output: notifications go to listeners; report the last ReadyForQuery status. */
function splitOutput(out: Buffer): {
  forClient: Buffer;
  notifications: Array<{ channel: string; bytes: Buffer }>;
  status: string | null;
} {
  const keep: Buffer[] = [];
  const notifications: Array<{ channel: string; bytes: Buffer }> = [];
  let status: string | null = null;
  let offset = 0;
  let keepFrom = 0;
  while (offset + 5 <= out.length) {
    const type = out[offset]!;
    const end = offset + 1 + out.readInt32BE(offset + 1);
    if (end > out.length) break;
    if (type === 0x5a /* Z */) status = String.fromCharCode(out[offset + 5]!);
    if (type === 0x41 /* A: NotificationResponse */) {
      keep.push(out.subarray(keepFrom, offset));
      const channelStart = offset + 9;
      const channelEnd = out.indexOf(0, channelStart);
      notifications.push({ channel: out.toString("utf8", channelStart, channelEnd), bytes: Buffer.from(out.subarray(offset, end)) });
      keepFrom = end;
    }
    offset = end;
  }
  keep.push(out.subarray(keepFrom));
  return { forClient: keep.length === 1 ? keep[0]! : Buffer.concat(keep), notifications, status };
}

/** Remember LISTEN/UNLISTEN channels a client asks for (simple or extended protocol). */
function trackListen(conn: Connection, message: Buffer): void {
  let sql: string | null = null;
  if (message[0] === 0x51 /* Q */) sql = message.toString("utf8", 5, message.length - 1);
  else if (message[0] === 0x50 /* P */) {
    const nameEnd = message.indexOf(0, 5);
    sql = message.toString("utf8", nameEnd + 1, message.indexOf(0, nameEnd + 1));
  }
  if (!sql || !/\b(UN)?LISTEN\b/i.test(sql)) return;
  for (const match of sql.matchAll(/\b(UNLISTEN|LISTEN)\s+("(?:[^"]|"")+"|[A-Za-z_][\w$]*|\*)/gi)) {
    const verb = match[1]!.toUpperCase();
    const raw = match[2]!;
    const channel = raw.startsWith('"') ? raw.slice(1, -1).replace(/""/g, '"') : raw.toLowerCase();
    if (verb === "LISTEN") conn.listens.add(channel);
    else if (channel === "*") conn.listens.clear();
    else conn.listens.delete(channel);
  }
}
