import http from "node:http";
import next from "next";
import { config } from "@/lib/config";
import { markRequestGateInstalled } from "@/lib/http/client-address";
import { MAX_REQUEST_BODY_BYTES } from "@/lib/http/request-limits";
import { gateRequest, type GateOptions } from "@/portal-server/request-gate";

// The portal process: Next.js behind a small Node HTTP server of our own
// (what `next start` would run, plus the request gate). Next exposes neither
// the socket address nor a body bound that holds before Auth.js or a route
// reads the body, so both are decided here before Next sees the request.
// `pullgate start` runs this (from dist/portal-server/main.mjs, or through tsx
// with --dev); it serves from the current directory, the repository root.

const dev = process.argv.includes("--dev");
// Every interface, as `next start -H 0.0.0.0` did (HOSTNAME is not read: Docker sets it to the container's name).
const hostname = "0.0.0.0";
const port = config.portalPort;
const gate: GateOptions = { trustProxy: config.portalTrustProxy, maxBodyBytes: MAX_REQUEST_BODY_BYTES };

const server = http.createServer();
const app = next({ dev, dir: process.cwd(), hostname, port, httpServer: server, ...(dev ? { turbopack: true } : {}) });
await app.prepare();
const handle = app.getRequestHandler();
markRequestGateInstalled();

const pass = (req: http.IncomingMessage, res: http.ServerResponse) => {
  handle(req, res).catch((err: unknown) => {
    console.error("portal: unhandled error", err);
    if (!res.headersSent) res.writeHead(500).end();
  });
};
server.on("request", (req: http.IncomingMessage, res: http.ServerResponse) => {
  if (gateRequest(req, res, gate)) pass(req, res);
});
// A client that asks before sending its body ("Expect: 100-continue", curl does for large bodies)
// learns about a refusal without sending anything.
server.on("checkContinue", (req: http.IncomingMessage, res: http.ServerResponse) => {
  if (!gateRequest(req, res, gate)) return;
  res.writeContinue();
  pass(req, res);
});

server.listen(port, hostname, () => {
  console.log(`Portal listening on http://${hostname}:${port}${dev ? " (development)" : ""}`);
});

const stop = () => {
  server.close(() => process.exit(0));
  server.closeIdleConnections();
  setTimeout(() => process.exit(0), 10_000).unref();
};
process.once("SIGTERM", stop);
process.once("SIGINT", stop);
