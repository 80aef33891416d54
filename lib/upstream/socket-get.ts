import { EventEmitter } from "node:events";
import type net from "node:net";
import { createOutboundConnector } from "@/lib/outbound/outbound-connector";
import { abortable } from "./abortable";
import { Http1ResponseReader, type ResponseHead } from "./http1-response";
import { IdleConnections, idleTimeFor } from "./idle-connections";
import { SlabCoalescer } from "./slab-coalescer";
import { SLAB_BYTES, slabStartFor, takeSlab } from "./slab-pool";

// GETs for large bodies (blobs): the socket comes from the outbound policy's
// connector (lib/outbound: connect-time address checks, like every other
// upstream connection), plain-HTTP sockets read into large slabs instead of
// 64 KiB buffers (fewer reads, wake-ups and allocations), TLS sockets' 16 KiB
// records are gathered into such slabs (slab-coalescer.ts), and the body is
// handed over as views of those slabs through a minimal emitter with
// pause/resume instead of a Readable stream.
// Keep-alive: a connection whose response was read to its end is kept
// (idle-connections.ts) for the next GET to the same origin; a GET on a kept
// one that the server closed before answering is sent again on another.

/** A read gets at least this much room; a slab with less left is replaced. */
const MIN_READ_BYTES = 512 * 1024;
const CONNECT_TIMEOUT_MS = 10_000;
const HEADERS_TIMEOUT_MS = 30_000;
/** Idle time between body bytes, not the whole transfer. */
const BODY_IDLE_TIMEOUT_MS = 60_000;

export type SocketGetOptions = {
  /** Registries the vendor marked insecure: no certificate verification. */
  insecureTls?: boolean;
  signal?: AbortSignal;
  headersTimeoutMs?: number;
  bodyIdleTimeoutMs?: number;
};

export type SocketGetResponse = ResponseHead & { body: SocketBody };

/** What a body may do to the connection it is read from; nothing once the response was read to its end. */
type BodySource = { pause(): void; resume(): void; destroy(): void };

/**
 * The response body: "data" (Buffer views), then "end" and "close" — or
 * "error" and "close". Flowing once a "data" listener is added; pause()
 * stops reading from the socket (backpressure reaches the upstream).
 */
export class SocketBody extends EventEmitter {
  readableEnded = false;
  destroyed = false;
  private paused = false;
  private held: Buffer[] = [];
  private started = false;
  private failure: Error | null = null;

  constructor(private readonly source: BodySource) {
    super();
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- EventEmitter's own signature
  override on(event: string | symbol, listener: (...args: any[]) => void): this {
    super.on(event, listener);
    if (event === "data" && !this.started) {
      this.started = true;
      queueMicrotask(() => this.flow());
    }
    return this;
  }

  pause(): this {
    this.paused = true;
    this.source.pause();
    return this;
  }

  resume(): this {
    this.paused = false;
    this.flow();
    return this;
  }

  isPaused(): boolean {
    return this.paused || !this.started;
  }

  destroy(err?: Error): this {
    if (this.destroyed) return this;
    this.destroyed = true;
    this.source.destroy();
    if (!this.started) {
      // Nobody listens yet (the response was just handed over): tell them when they do.
      this.failure = err ?? new Error("the response body was discarded");
      return this;
    }
    if (err && this.listenerCount("error") > 0) this.emit("error", err);
    this.emit("close");
    return this;
  }

  /** Discards the rest (a connection with unread bytes is not reused). */
  async dump(): Promise<void> {
    this.destroy();
  }

  /** Called by socketGet: body bytes, in order. */
  push(chunk: Buffer): void {
    if (this.destroyed) return;
    if (this.paused || !this.started || this.held.length > 0) {
      this.held.push(chunk);
      this.source.pause();
      return;
    }
    this.emit("data", chunk);
  }

  /** Called by socketGet: the body is complete. */
  finish(): void {
    this.held.push(END);
    this.flow();
  }

  private flow(): void {
    if (!this.started) return;
    if (this.failure) {
      const err = this.failure;
      this.failure = null;
      if (this.listenerCount("error") > 0) this.emit("error", err);
      this.emit("close");
      return;
    }
    while (!this.paused && !this.destroyed && this.held.length > 0) {
      const chunk = this.held.shift()!;
      if (chunk === END) {
        this.readableEnded = true;
        this.emit("end");
        this.destroyed = true;
        this.emit("close");
        return;
      }
      this.emit("data", chunk);
    }
    if (!this.paused && !this.destroyed && this.held.length === 0) this.source.resume();
  }
}

const END = Buffer.alloc(0);

/**
 * Reads into large slabs; each read's bytes stay valid (later reads go further along, or into a new slab).
 * A new slab is started where the body's next byte belongs in it (`slabStartFor`; `bodyOffset`:
 * the body offset of the next byte, null before the body).
 */
function slabReader(onBytes: (chunk: Buffer) => void, bodyOffset: () => number | null): ReadTarget & { onBytes: (chunk: Buffer) => void } {
  let slab = takeSlab();
  let offset = 0;
  return {
    buffer: () => {
      if (SLAB_BYTES - offset < MIN_READ_BYTES) {
        slab = takeSlab();
        offset = slabStartFor(bodyOffset() ?? 0);
      }
      return slab.subarray(offset);
    },
    callback: (n: number, buf: Uint8Array) => {
      offset += n;
      onBytes(Buffer.from(buf.buffer, buf.byteOffset, n));
    },
    onBytes,
  };
}

type ReadTarget = { buffer(): Uint8Array; callback(n: number, buf: Uint8Array): void };

/** Nothing is asked of an idle connection: whatever it reads is a reason to close it. */
const IDLE_READ = Buffer.alloc(256);

/**
 * A plain-TCP socket's reads (`onread`, fixed when it connects) go to the GET using it now,
 * each GET into slabs of its own: views handed out earlier are never read into again.
 * Node asks for the next read's buffer right after each read, so the first read of a GET
 * lands in the idle buffer (shared by all connections): those bytes are copied out.
 */
class ReadSwitch {
  target: ReturnType<typeof slabReader> | null = null;
  onIdleBytes: () => void = () => {};
  readonly buffer = (): Uint8Array => this.target?.buffer() ?? IDLE_READ;
  readonly callback = (n: number, buf: Uint8Array): void => {
    if (!this.target) this.onIdleBytes();
    else if (buf === IDLE_READ) this.target.onBytes(Buffer.from(IDLE_READ.subarray(0, n)));
    else this.target.callback(n, buf);
  };
}

/**
 * TLS sockets read through the shared connectors, so their reads share one buffer: each
 * decrypted record (at most 16 KiB) is placed in it and handed to the socket's connection,
 * which has taken what it needs (copied into slabs: slab-coalescer.ts) when the call returns.
 * Node calls `callback` on the socket; without `onread`, every record came as a Buffer of its
 * own through the socket's Readable stream (proxy/cache/README.md, "Sixth pass").
 */
const TLS_READ = Buffer.allocUnsafe(64 * 1024);
const tlsConnections = new WeakMap<net.Socket, UpstreamConnection>();
const tlsReads = {
  buffer: TLS_READ,
  callback(this: net.Socket, n: number): void {
    tlsConnections.get(this)?.tlsBytes(TLS_READ.subarray(0, n));
  },
};

/** What the GET using a connection hears of its socket. */
type ExchangeEvents = { bytes(chunk: Buffer): void; end(): void; error(err: Error): void; close(): void; timeout(): void };

class UpstreamConnection {
  private user: ExchangeEvents | null = null;

  constructor(
    readonly origin: string,
    readonly socket: net.Socket,
    private readonly reads: ReadSwitch | null,
  ) {
    if (reads) reads.onIdleBytes = () => this.close();
    else tlsConnections.set(socket, this);
    socket.on("end", () => (this.user ? this.user.end() : this.close()));
    socket.on("error", (err) => (this.user ? this.user.error(err) : this.close()));
    socket.on("timeout", () => (this.user ? this.user.timeout() : this.close()));
    // An idle one closed by the server ends or errs first: close() has taken it out of the idle set.
    socket.on("close", () => this.user?.close());
  }

  /** TLS: a read's bytes are in the shared buffer, valid until the GET's `bytes` returns. Plain TCP: in the GET's slabs. */
  get transientReads(): boolean {
    return this.reads === null;
  }

  /** A decrypted TLS read (in the shared buffer). */
  tlsBytes(chunk: Buffer): void {
    if (this.user) this.user.bytes(chunk);
    else this.close();
  }

  attach(user: ExchangeEvents, bodyOffset: () => number | null): void {
    this.user = user;
    if (this.reads) this.reads.target = slabReader((chunk) => user.bytes(chunk), bodyOffset);
    this.socket.ref();
  }

  detach(): void {
    this.user = null;
    if (this.reads) this.reads.target = null;
    this.socket.setTimeout(0);
  }

  /** Back to the idle set for at most `idleMs` (closed if there is no room); it must not keep the process alive. */
  release(idleMs: number): void {
    if (this.socket.destroyed || !idle.put(this.origin, this, idleMs)) return this.close();
    this.socket.unref();
    this.socket.resume(); // a paused body may have stopped it: reading on notices the server closing it
  }

  close(): void {
    idle.remove(this);
    this.socket.destroy();
  }
}

const idle = new IdleConnections<UpstreamConnection>();

/** Idle blob connections kept now, to `origin` (`http://host:port`; `https+insecure://…` for unverified TLS) or in all (tests). */
export function idleBlobConnections(origin?: string): number {
  return idle.count(origin);
}

const connectionCounts = { new: 0, reused: 0 };

/** Connections blob GETs have taken so far: opened for them, or kept alive from an earlier GET (metrics, tests). */
export function blobConnectionCounts(): { new: number; reused: number } {
  return { ...connectionCounts };
}

/** Closes the idle blob connections (tests; a stopping process needs nothing: they do not keep it alive). */
export function closeIdleBlobConnections(): void {
  idle.closeAll();
}

let tlsConnector: ReturnType<typeof createOutboundConnector> | undefined;
let insecureTlsConnector: ReturnType<typeof createOutboundConnector> | undefined;

/** An outbound-policy connector whose sockets read through `onread` (net and tls take it; undici's option type does not list it). */
function readingConnector(onread: object, tlsOptions: { rejectUnauthorized?: boolean } = {}): ReturnType<typeof createOutboundConnector> {
  return createOutboundConnector({ timeout: CONNECT_TIMEOUT_MS, ...tlsOptions, onread } as Parameters<typeof createOutboundConnector>[0]);
}

function connect(target: URL, origin: string, insecureTls: boolean): Promise<UpstreamConnection> {
  const plain = target.protocol === "http:";
  // Plain TCP: a connector of its own, whose socket reads into the slabs of the GET using it.
  // TLS: the shared connectors (with their session caches), reading into the shared buffer.
  const reads = plain ? new ReadSwitch() : null;
  const connector = reads
    ? readingConnector(reads)
    : insecureTls
      ? (insecureTlsConnector ??= readingConnector(tlsReads, { rejectUnauthorized: false }))
      : (tlsConnector ??= readingConnector(tlsReads));
  const hostname = target.hostname.replace(/^\[(.*)\]$/, "$1");
  const options = { hostname, host: target.host, protocol: target.protocol, port: target.port || (plain ? "80" : "443") };
  return new Promise((resolve, reject) => {
    connector(options as Parameters<typeof connector>[0], (err, socket) => {
      if (err || !socket) return reject(err ?? new Error("no connection"));
      resolve(new UpstreamConnection(origin, socket as net.Socket, reads));
    });
  });
}

/** Nothing came back: the connection was closed under the GET. On a kept one, the server closed it while it idled. */
const STALE = Symbol("closed before answering");

function abortError(): Error {
  return Object.assign(new Error("request aborted"), { name: "AbortError", code: "ABORT_ERR" });
}

/** GET `url` with `headers` (Host is set here); resolves once the response headers arrived. */
export async function socketGet(url: string, headers: Record<string, string>, options: SocketGetOptions = {}): Promise<SocketGetResponse> {
  const target = new URL(url);
  if (target.protocol !== "http:" && target.protocol !== "https:") throw new Error(`unsupported protocol ${target.protocol}`);
  const lines = [`GET ${target.pathname}${target.search} HTTP/1.1`, `host: ${target.host}`];
  for (const [name, value] of Object.entries(headers)) {
    if (/^(host|connection|content-length|transfer-encoding)$/i.test(name)) continue;
    // A header value is never a way to smuggle a second request.
    if (/[\r\n\0]/.test(name + value) || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) throw new Error(`invalid request header ${JSON.stringify(name)}`);
    lines.push(`${name}: ${value}`);
  }
  lines.push("", "");
  const request = lines.join("\r\n");
  // A connection that skips certificate checks is never handed to a GET that wants them.
  const origin = `${target.protocol === "https:" && options.insecureTls ? "https+insecure:" : target.protocol}//${target.host}`;

  for (;;) {
    if (options.signal?.aborted) throw abortError();
    const reused = idle.take(origin);
    const conn = reused ?? (await abortable(connect(target, origin, Boolean(options.insecureTls)), options.signal, (late) => late.close(), abortError));
    connectionCounts[reused ? "reused" : "new"]++;
    try {
      return await exchange(conn, request, options);
    } catch (err) {
      // Sent again on the next kept connection, or a new one; never after a failure on a new one.
      if (!reused || !(err as { [STALE]?: boolean })[STALE]) throw err;
    }
  }
}

/** One GET on `conn`: the request written, the response read; the connection released or closed at its end. */
function exchange(conn: UpstreamConnection, request: string, options: SocketGetOptions): Promise<SocketGetResponse> {
  return new Promise<SocketGetResponse>((resolve, reject) => {
    const { socket } = conn;
    const signal = options.signal;
    let body: SocketBody | null = null;
    let head: ResponseHead | null = null;
    let settled = false;
    let attached = true;
    let answered = false;
    /** Body bytes read so far: where the next one goes in the blob (with Content-Length framing). */
    let bodyBytes = 0;
    // TLS records (≤ 16 KiB each, in the shared read buffer) are gathered into slabs and handed on in large views.
    const gathered = conn.transientReads ? new SlabCoalescer((view) => body!.push(view)) : null;

    /** Ends this GET's hold on the connection; true the first time. */
    const detach = (): boolean => {
      if (!attached) return false;
      attached = false;
      conn.detach();
      signal?.removeEventListener("abort", onAbort);
      return true;
    };
    const fail = (err: Error, stale = false) => {
      gathered?.discard();
      if (detach()) conn.close();
      if (!settled) {
        settled = true;
        reject(stale && !answered ? Object.assign(err, { [STALE]: true }) : err);
      } else body?.destroy(err);
    };
    const onAbort = () => fail(abortError());
    const source: BodySource = {
      pause: () => attached && socket.pause(),
      resume: () => attached && socket.resume(),
      destroy: () => {
        gathered?.discard();
        if (detach()) conn.close();
      },
    };

    const reader = new Http1ResponseReader({
      onHead: (h) => {
        head = h;
        body = new SocketBody(source);
        socket.setTimeout(options.bodyIdleTimeoutMs ?? BODY_IDLE_TIMEOUT_MS);
        settled = true;
        resolve({ ...h, body });
      },
      onBody: (chunk) => {
        const offset = bodyBytes;
        bodyBytes += chunk.length;
        if (gathered) gathered.add(chunk, offset);
        else body!.push(chunk);
      },
      onEnd: () => {
        gathered?.flush();
        body!.finish();
      },
    });
    /** The response was read to its end: the connection goes back for the next GET, or is closed. */
    const complete = () => {
      if (!detach()) return;
      if (reader.reusable) conn.release(idleTimeFor(head?.headers["keep-alive"]));
      else conn.close();
    };

    if (signal?.aborted) return onAbort();
    signal?.addEventListener("abort", onAbort, { once: true });
    conn.attach({
      bytes: (chunk) => {
        answered = true;
        try {
          reader.feed(chunk);
        } catch (err) {
          return fail(err as Error);
        }
        if (reader.done) complete();
      },
      end: () => {
        try {
          reader.end();
        } catch (err) {
          return fail(err as Error, true);
        }
        if (detach()) conn.close();
      },
      error: (err) => fail(err, true),
      close: () => {
        if (!reader.done) fail(new Error("the upstream closed the connection"), true);
      },
      timeout: () => fail(Object.assign(new Error(settled ? "the upstream stopped sending the body" : "the upstream did not answer in time"), { code: "ETIMEDOUT" })),
    }, () => (body ? bodyBytes : null));
    socket.setTimeout(options.headersTimeoutMs ?? HEADERS_TIMEOUT_MS);
    socket.write(request);
  });
}
