import type { IncomingMessage, ServerResponse } from "node:http";
import { refuse } from "@/portal-server/refuse";

// Request bodies are bounded before anything reads them. Next buffers some
// bodies whole (Auth.js reads its callback form with request.text(); a route
// handler's body stream has no backpressure) and answers an oversized server
// action with 500, so the bound is kept here, below Next:
// - a declared Content-Length over the bound is refused before a byte is read;
// - a chunked body is counted as the HTTP parser hands it over; the chunk that
//   crosses the bound is never passed on, the client gets 413, and what Next
//   already holds is at most the bound.
// After a refusal the rest of the body is read and dropped (never kept) for a
// short while, so the client can finish writing and read the 413 instead of a
// connection reset; then the connection is closed.

const LINGER_MS = 5_000;

export type BodyLimitOutcome = "pass" | "refused";

export function limitRequestBody(req: IncomingMessage, res: ServerResponse, maxBytes: number): BodyLimitOutcome {
  const declared = req.headers["content-length"];
  if (declared !== undefined && Number(declared) > maxBytes) {
    dropRestOfBody(req);
    refuseTooLarge(res, maxBytes);
    return "refused";
  }
  // No body framing (GET, HEAD, …) or a declared length within the bound: nothing to count.
  if (req.headers["transfer-encoding"] === undefined) return "pass";

  let received = 0;
  const push = req.push.bind(req);
  req.push = (chunk: unknown, encoding?: BufferEncoding) => {
    if (chunk === null) return push(null);
    received += (chunk as Buffer).length;
    if (received <= maxBytes) return push(chunk, encoding);
    dropRestOfBody(req);
    if (res.headersSent) req.socket.destroy();
    else {
      refuseTooLarge(res, maxBytes);
      detachFromNext(res);
    }
    return true;
  };
  return "pass";
}

function refuseTooLarge(res: ServerResponse, maxBytes: number): void {
  refuse(res, 413, "payload_too_large", `The request body must be at most ${maxBytes} bytes.`);
}

/**
 * From now on body bytes are dropped as they arrive. The body never ends for
 * whoever was reading it (a truncated body must not parse as a shorter valid
 * one): when the client finishes, or after LINGER_MS, the connection closes,
 * which fails that reader.
 */
function dropRestOfBody(req: IncomingMessage): void {
  const close = () => req.socket.destroy();
  req.push = (chunk: unknown) => {
    if (chunk === null) setImmediate(close);
    return true;
  };
  req.resume();
  setTimeout(close, LINGER_MS).unref();
}

/** Next may still answer the refused request: its writes go nowhere, the 413 stands. */
function detachFromNext(res: ServerResponse): void {
  const self = () => res;
  const done = (...args: unknown[]) => {
    const callback = args.find((a) => typeof a === "function") as (() => void) | undefined;
    if (callback) process.nextTick(callback);
    return res;
  };
  Object.assign(res, {
    setHeader: self,
    appendHeader: self,
    removeHeader: () => undefined,
    writeHead: self,
    flushHeaders: () => undefined,
    writeContinue: () => undefined,
    writeEarlyHints: () => undefined,
    addTrailers: () => undefined,
    write: (...args: unknown[]) => (done(...args), true),
    end: done,
  });
}
