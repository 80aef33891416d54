import http from "node:http";
import type net from "node:net";

/**
 * A tiny loopback HTTP stand-in in front of a real registry, for the few
 * upstream behaviours a real Distribution cannot be told to show:
 *
 *   const standIn = await startUpstreamStandIn(registry.url);
 *   standIn.blobBytesPerSecond = 4 * 1024 * 1024;  // blob bodies trickle (mid-transfer states)
 *   standIn.manifestStatus = 429;                   // manifests answer 429 Too Many Requests
 *   standIn.respond = (method, path) => path.includes("/referrers/") ? { status: 200, body: "…" } : null;
 *                                                   // answer chosen requests itself (APIs Distribution lacks)
 *   standIn.host                                    // "127.0.0.1:<port>": link it as the vendor's registry
 *
 * Everything else is forwarded unchanged (headers, credentials, status).
 */
export type UpstreamStandIn = {
  host: string;
  url: string;
  /** Throttle GET .../blobs/ response bodies to this rate (0 = no throttle). */
  blobBytesPerSecond: number;
  /** Answer every manifest request with this status instead of forwarding (null = forward). */
  manifestStatus: number | null;
  /** Flip one byte in the middle of every blob body (same length: only the digest can tell). */
  corruptBlobs: boolean;
  /** Answer a request itself when this returns an answer (null = forward). */
  respond: ((method: string, path: string) => { status: number; headers?: Record<string, string>; body?: string } | null) | null;
  /** Requests received, as "METHOD path". */
  readonly requests: string[];
  close(): Promise<void>;
};

const TICK_MS = 50;

export async function startUpstreamStandIn(targetUrl: string): Promise<UpstreamStandIn> {
  const target = new URL(targetUrl);
  const sockets = new Set<net.Socket>();
  const state: UpstreamStandIn = {
    host: "",
    url: "",
    blobBytesPerSecond: 0,
    manifestStatus: null,
    corruptBlobs: false,
    respond: null,
    requests: [],
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  const server = http.createServer((req, res) => {
    const path = req.url ?? "/";
    state.requests.push(`${req.method} ${path}`);
    const own = state.respond?.(req.method ?? "GET", path);
    if (own) {
      res.writeHead(own.status, { "content-type": "application/json", ...own.headers });
      return void res.end(req.method === "HEAD" ? undefined : (own.body ?? ""));
    }
    if (state.manifestStatus !== null && /\/manifests\//.test(path)) {
      res.writeHead(state.manifestStatus, { "content-type": "application/json", "retry-after": "30" });
      return void res.end(req.method === "HEAD" ? undefined : JSON.stringify({ errors: [{ code: "TOOMANYREQUESTS", message: "slow down" }] }));
    }
    const headers = { ...req.headers, host: target.host };
    const upstream = http.request({ host: target.hostname, port: target.port, method: req.method, path, headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      const blobGet = req.method === "GET" && /\/blobs\/sha/.test(path);
      const throttled = blobGet && state.blobBytesPerSecond > 0;
      if (blobGet && state.corruptBlobs) {
        let seen = 0;
        const middle = Math.floor(Number(up.headers["content-length"] ?? 2) / 2);
        up.on("data", (chunk: Buffer) => {
          if (seen <= middle && middle < seen + chunk.length) chunk[middle - seen] = chunk[middle - seen]! ^ 0xff;
          seen += chunk.length;
          res.write(chunk);
        });
        up.on("end", () => res.end());
      } else if (!throttled) {
        up.pipe(res);
      } else {
        trickle(up, res, () => state.blobBytesPerSecond);
      }
      // The registry died mid-body: the client must see a broken transfer, as it would directly.
      up.on("error", () => res.destroy());
      up.on("aborted", () => res.destroy());
      up.on("close", () => {
        if (!up.complete) res.destroy();
      });
      // The client went away: so does the request to the registry (which then logs it).
      res.on("close", () => {
        if (!res.writableFinished) up.destroy();
      });
    });
    upstream.on("error", () => {
      if (!res.headersSent) res.writeHead(502, { "content-type": "text/plain" }).end("upstream unreachable");
      else res.destroy();
    });
    req.pipe(upstream);
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const { port } = server.address() as net.AddressInfo;
  state.host = `127.0.0.1:${port}`;
  state.url = `http://127.0.0.1:${port}`;
  return state;
}

/** Copies `up` to `res` at most `rate()` bytes per second, reading only as fast as it writes. */
function trickle(up: http.IncomingMessage, res: http.ServerResponse, rate: () => number): void {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let ended = false;
  const budgetPerTick = () => Math.max(1, Math.floor((rate() * TICK_MS) / 1000));
  const timer = setInterval(() => {
    let budget = budgetPerTick();
    while (budget > 0 && pending.length > 0) {
      const chunk = pending[0]!;
      if (chunk.length <= budget) {
        res.write(chunk);
        budget -= chunk.length;
        pendingBytes -= chunk.length;
        pending.shift();
      } else {
        res.write(chunk.subarray(0, budget));
        pending[0] = chunk.subarray(budget);
        pendingBytes -= budget;
        budget = 0;
      }
    }
    if (pending.length === 0 && ended) {
      clearInterval(timer);
      res.end();
    } else if (pendingBytes < budgetPerTick()) up.resume();
  }, TICK_MS);
  up.on("data", (chunk: Buffer) => {
    pending.push(chunk);
    pendingBytes += chunk.length;
    // Read from the registry only about as fast as we pass bytes on.
    if (pendingBytes >= budgetPerTick()) up.pause();
  });
  up.on("end", () => (ended = true));
  const stop = () => {
    clearInterval(timer);
    pending = [];
    pendingBytes = 0;
  };
  up.on("error", stop);
  up.on("aborted", stop);
  res.on("close", stop);
}
