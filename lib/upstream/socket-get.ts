import { EventEmitter } from "node:events";
import type net from "node:net";
import { createOutboundConnector } from "@/lib/outbound/outbound-connector";
import { Http1ResponseReader, type ResponseHead } from "./http1-response";
import { SLAB_BYTES, takeSlab } from "./slab-pool";

// One GET on a connection of its own, for large bodies (blobs): the socket
// comes from the outbound policy's connector (lib/outbound: connect-time
// address checks, like every other upstream connection), plain-HTTP sockets
// read into large slabs instead of 64 KiB buffers (fewer reads, wake-ups and
// allocations), and the body is handed over as views of those slabs through a
// minimal emitter with pause/resume instead of a Readable stream.
// No keep-alive: the connection ends with the response.

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

  constructor(private readonly socket: net.Socket) {
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
    this.socket.pause();
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
    this.socket.destroy();
    if (!this.started) {
      // Nobody listens yet (the response was just handed over): tell them when they do.
      this.failure = err ?? new Error("the response body was discarded");
      return this;
    }
    if (err && this.listenerCount("error") > 0) this.emit("error", err);
    this.emit("close");
    return this;
  }

  /** Discards the rest (the connection is not reused). */
  async dump(): Promise<void> {
    this.destroy();
  }

  /** Called by socketGet: body bytes, in order. */
  push(chunk: Buffer): void {
    if (this.destroyed) return;
    if (this.paused || !this.started || this.held.length > 0) {
      this.held.push(chunk);
      this.socket.pause();
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
        this.socket.destroy();
        this.emit("close");
        return;
      }
      this.emit("data", chunk);
    }
    if (!this.paused && !this.destroyed && this.held.length === 0) this.socket.resume();
  }
}

const END = Buffer.alloc(0);

/** Reads into large slabs; each read's bytes stay valid (later reads go further along, or into a new slab). */
function slabReader(onBytes: (chunk: Buffer) => void) {
  let slab = takeSlab();
  let offset = 0;
  return {
    buffer: () => {
      if (SLAB_BYTES - offset < MIN_READ_BYTES) {
        slab = takeSlab();
        offset = 0;
      }
      return slab.subarray(offset);
    },
    callback: (n: number, buf: Uint8Array) => {
      offset += n;
      onBytes(Buffer.from(buf.buffer, buf.byteOffset, n));
    },
  };
}

let tlsConnector: ReturnType<typeof createOutboundConnector> | undefined;
let insecureTlsConnector: ReturnType<typeof createOutboundConnector> | undefined;

/** GET `url` with `headers` (Host and Connection are set here); resolves once the response headers arrived. */
export function socketGet(url: string, headers: Record<string, string>, options: SocketGetOptions = {}): Promise<SocketGetResponse> {
  const target = new URL(url);
  if (target.protocol !== "http:" && target.protocol !== "https:") return Promise.reject(new Error(`unsupported protocol ${target.protocol}`));
  const lines = [`GET ${target.pathname}${target.search} HTTP/1.1`, `host: ${target.host}`];
  for (const [name, value] of Object.entries(headers)) {
    if (/^(host|connection|content-length|transfer-encoding)$/i.test(name)) continue;
    // A header value is never a way to smuggle a second request.
    if (/[\r\n\0]/.test(name + value) || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) return Promise.reject(new Error(`invalid request header ${JSON.stringify(name)}`));
    lines.push(`${name}: ${value}`);
  }
  lines.push("connection: close", "", "");
  const request = lines.join("\r\n");

  return new Promise<SocketGetResponse>((resolve, reject) => {
    let socket: net.Socket | null = null;
    let body: SocketBody | null = null;
    let settled = false;
    const fail = (err: Error) => {
      if (!settled) {
        settled = true;
        reject(err);
        socket?.destroy();
      } else body?.destroy(err);
    };
    const signal = options.signal;
    const onAbort = () => fail(Object.assign(new Error("request aborted"), { name: "AbortError", code: "ABORT_ERR" }));
    if (signal?.aborted) return onAbort();
    signal?.addEventListener("abort", onAbort, { once: true });

    const reader = new Http1ResponseReader({
      onHead: (head) => {
        body = new SocketBody(socket!);
        socket!.setTimeout(options.bodyIdleTimeoutMs ?? BODY_IDLE_TIMEOUT_MS);
        settled = true;
        resolve({ ...head, body });
      },
      onBody: (chunk) => body!.push(chunk),
      onEnd: () => {
        signal?.removeEventListener("abort", onAbort);
        body!.finish();
      },
    });
    const onBytes = (chunk: Buffer) => {
      try {
        reader.feed(chunk);
      } catch (err) {
        fail(err as Error);
      }
    };

    const plain = target.protocol === "http:";
    // Plain TCP: a connector of its own, whose sockets read into this request's slabs. TLS
    // records are at most 16 KiB anyway: the shared connectors (with their session caches).
    const connector = plain
      ? createOutboundConnector({ timeout: CONNECT_TIMEOUT_MS, onread: slabReader(onBytes) } as Parameters<typeof createOutboundConnector>[0])
      : options.insecureTls
        ? (insecureTlsConnector ??= createOutboundConnector({ timeout: CONNECT_TIMEOUT_MS, rejectUnauthorized: false }))
        : (tlsConnector ??= createOutboundConnector({ timeout: CONNECT_TIMEOUT_MS }));
    const hostname = target.hostname.replace(/^\[(.*)\]$/, "$1");
    connector({ hostname, host: target.host, protocol: target.protocol, port: target.port || (plain ? "80" : "443") } as Parameters<typeof connector>[0], (err, connected) => {
      if (err || !connected) return fail(err ?? new Error("no connection"));
      socket = connected as net.Socket;
      if (signal?.aborted) return fail(new Error("request aborted"));
      if (!plain) socket.on("data", onBytes);
      socket.setTimeout(options.headersTimeoutMs ?? HEADERS_TIMEOUT_MS, () =>
        fail(Object.assign(new Error(settled ? "the upstream stopped sending the body" : "the upstream did not answer in time"), { code: "ETIMEDOUT" })),
      );
      socket.on("end", () => {
        try {
          reader.end();
        } catch (e) {
          fail(e as Error);
        }
      });
      socket.on("error", (e) => fail(e));
      socket.on("close", () => {
        if (!reader.done) fail(new Error("the upstream closed the connection"));
      });
      socket.write(request);
    });
  });
}
