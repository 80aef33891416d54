// An HTTP/1.1 response reader for one GET: status line and headers, then the
// body framed by Content-Length, chunked transfer coding, or the end of the
// connection; afterwards it tells whether the connection may carry another
// request (socket-get.ts keeps it for the next blob GET).
// Body bytes are handed on as views of the buffers they arrived in (no copy).
// Fed whatever the socket read; reports through the callbacks it was given;
// keeps nothing of a fed buffer once feed() returns.
//
// Why not undici or node:http for this: both copy every body byte at least
// once more (undici through its WebAssembly parser and back, node:http into a
// fresh Buffer per chunk) and deliver it through a Readable stream, which is
// where a cold blob spent most of the proxy's time (proxy/cache/README.md,
// "Where the time goes"). Everything else (tokens, manifests, HEADs) still
// goes through undici.

export type ResponseHead = { statusCode: number; headers: Record<string, string | string[]> };

export type Http1ResponseCallbacks = {
  onHead(head: ResponseHead): void;
  onBody(chunk: Buffer): void;
  onEnd(): void;
};

/** Refuse header blocks above this (undici and Node stop at 16 KiB). */
export const MAX_HEAD_BYTES = 64 * 1024;
const MAX_CHUNK_LINE = 4096;

export class Http1ProtocolError extends Error {
  readonly code = "ERR_PULLGATE_HTTP1";
  constructor(message: string) {
    super(message);
    this.name = "Http1ProtocolError";
  }
}

type Framing = { kind: "length"; remaining: number } | { kind: "chunked" } | { kind: "close" } | { kind: "none" };
type ChunkState = "size" | "data" | "data-crlf" | "trailers";

export class Http1ResponseReader {
  /** A head begun in earlier reads, copied: the reader keeps nothing of the buffers it is fed. */
  private partial: Buffer | null = null;
  private partialBytes = 0;
  private framing: Framing | null = null;
  private chunkState: ChunkState = "size";
  private chunkRemaining = 0;
  private line = "";
  private keepAlive = false;
  private leftover = false;
  done = false;

  constructor(
    private readonly callbacks: Http1ResponseCallbacks,
    private readonly requestMethod: string = "GET",
  ) {}

  /** Bytes read from the connection. Throws Http1ProtocolError on a malformed response. */
  feed(data: Buffer): void {
    let rest: Buffer | null = data;
    while (rest && rest.length > 0 && !this.done) {
      rest = this.framing ? this.body(rest) : this.readHead(rest);
    }
    // Bytes after the response were never asked for: the connection cannot be trusted with another request.
    if (rest && rest.length > 0) this.leftover = true;
  }

  /** The response is complete and the connection may carry the next request (HTTP/1.1 keep-alive, nothing left over). */
  get reusable(): boolean {
    return this.done && this.keepAlive && !this.leftover && this.framing?.kind !== "close";
  }

  /** The connection ended: fine only if the body was framed by it (or had ended already). */
  end(): void {
    if (this.done) return;
    if (this.framing?.kind === "close") {
      this.finish();
      return;
    }
    throw new Http1ProtocolError(this.framing ? "the upstream closed the connection before the end of the response body" : "the upstream closed the connection before answering");
  }

  private readHead(data: Buffer): Buffer | null {
    const before = this.partialBytes;
    let joined = data;
    if (before > 0) {
      // Only what can still be head is copied after it: linear in the head's size however the
      // upstream splits it (joining every piece again on each read was quadratic: a 60 KB head
      // sent a byte at a time held the event loop for 0.4 s).
      const take = Math.min(data.length, this.partial!.length - before);
      data.copy(this.partial!, before, 0, take);
      joined = this.partial!.subarray(0, before + take);
    }
    // The blank line may straddle two reads: searched from just before the new bytes.
    const end = joined.indexOf("\r\n\r\n", Math.max(0, before - 3), "latin1");
    if (end < 0) {
      if (before + data.length > MAX_HEAD_BYTES) throw new Http1ProtocolError("the upstream's response headers are too large");
      // Kept as a copy: the caller may read into the same buffer again (socket-get's TLS reads do).
      this.partial ??= Buffer.allocUnsafe(MAX_HEAD_BYTES + 4);
      if (before === 0) data.copy(this.partial);
      this.partialBytes = before + data.length;
      return null;
    }
    if (end > MAX_HEAD_BYTES) throw new Http1ProtocolError("the upstream's response headers are too large");
    const { head, minorVersion } = parseHead(joined.toString("latin1", 0, end));
    const rest = data.subarray(end + 4 - before);
    this.partial = null;
    this.partialBytes = 0;
    if (head.statusCode >= 100 && head.statusCode < 200) return rest; // 100 Continue and friends: the real answer follows
    const connection = String(head.headers.connection ?? "").toLowerCase().split(",").map((t) => t.trim());
    this.keepAlive = minorVersion === 1 ? !connection.includes("close") : connection.includes("keep-alive");
    this.framing = framingOf(head, this.requestMethod);
    this.callbacks.onHead(head);
    if (this.framing.kind === "none" || (this.framing.kind === "length" && this.framing.remaining === 0)) this.finish();
    return rest;
  }

  private body(data: Buffer): Buffer | null {
    const framing = this.framing!;
    if (framing.kind === "close") {
      this.callbacks.onBody(data);
      return null;
    }
    if (framing.kind === "length") {
      // Bytes after the announced length answer nothing: one request at a time is sent on a connection.
      if (data.length > framing.remaining) throw new Http1ProtocolError("the upstream sent more bytes than its Content-Length");
      framing.remaining -= data.length;
      this.callbacks.onBody(data);
      if (framing.remaining === 0) this.finish();
      return null;
    }
    return this.chunked(data);
  }

  private chunked(data: Buffer): Buffer | null {
    let i = 0;
    while (i < data.length && !this.done) {
      if (this.chunkState === "data") {
        const n = Math.min(this.chunkRemaining, data.length - i);
        this.callbacks.onBody(data.subarray(i, i + n));
        i += n;
        this.chunkRemaining -= n;
        if (this.chunkRemaining === 0) this.chunkState = "data-crlf";
        continue;
      }
      // Line-oriented states: a chunk size, the CRLF after a chunk, trailers.
      const nl = data.indexOf(10, i);
      const piece = data.toString("latin1", i, nl < 0 ? data.length : nl + 1);
      i = nl < 0 ? data.length : nl + 1;
      this.line += piece;
      if (this.line.length > MAX_CHUNK_LINE) throw new Http1ProtocolError("malformed chunked body (line too long)");
      if (nl < 0) break;
      const line = this.line.replace(/\r?\n$/, "");
      this.line = "";
      if (this.chunkState === "data-crlf") {
        if (line !== "") throw new Http1ProtocolError("malformed chunked body (no CRLF after a chunk)");
        this.chunkState = "size";
      } else if (this.chunkState === "size") {
        const hex = line.split(";")[0]!.trim();
        if (!/^[0-9a-fA-F]{1,12}$/.test(hex)) throw new Http1ProtocolError("malformed chunked body (bad chunk size)");
        this.chunkRemaining = parseInt(hex, 16);
        this.chunkState = this.chunkRemaining === 0 ? "trailers" : "data";
      } else if (line === "") {
        this.finish(); // the blank line after the (ignored) trailers
      }
    }
    return this.done && i < data.length ? data.subarray(i) : null;
  }

  private finish(): void {
    this.done = true;
    this.callbacks.onEnd();
  }
}

function parseHead(text: string): { head: ResponseHead; minorVersion: number } {
  const lines = text.split("\r\n");
  const status = /^HTTP\/1\.([01]) (\d{3})(?: .*)?$/.exec(lines[0] ?? "");
  if (!status) throw new Http1ProtocolError("the upstream did not answer with an HTTP/1.1 status line");
  const headers: Record<string, string | string[]> = {};
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(":");
    if (colon <= 0 || /[\s]/.test(line.slice(0, colon))) throw new Http1ProtocolError("malformed response header line");
    const name = line.slice(0, colon).toLowerCase();
    const value = line.slice(colon + 1).trim();
    const seen = headers[name];
    // Repeated headers become a list, as undici reports them (WWW-Authenticate may come twice).
    headers[name] = seen === undefined ? value : Array.isArray(seen) ? [...seen, value] : [seen, value];
  }
  return { head: { statusCode: Number(status[2]), headers }, minorVersion: Number(status[1]) };
}

function framingOf(head: ResponseHead, method: string): Framing {
  if (method === "HEAD" || head.statusCode === 204 || head.statusCode === 304) return { kind: "none" };
  const te = head.headers["transfer-encoding"];
  if (te !== undefined) {
    const codings = String(te).toLowerCase().split(",").map((s) => s.trim());
    if (codings[codings.length - 1] !== "chunked") throw new Http1ProtocolError("unsupported transfer coding from the upstream");
    return { kind: "chunked" };
  }
  const cl = head.headers["content-length"];
  if (cl !== undefined) {
    const values = new Set((Array.isArray(cl) ? cl : [cl]).flatMap((v) => v.split(",")).map((v) => v.trim()));
    const only = values.size === 1 ? [...values][0]! : "";
    if (!/^\d{1,15}$/.test(only)) throw new Http1ProtocolError("invalid Content-Length from the upstream");
    return { kind: "length", remaining: Number(only) };
  }
  return { kind: "close" };
}
