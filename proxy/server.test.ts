import http from "node:http";
import net from "node:net";
import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import { PrismaPg } from "@prisma/adapter-pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { PrismaClient } from "@/lib/generated/prisma/client";
import { createLogger } from "./logger";
import { createProxyServer, type ProxyServer } from "./server";

// The real server on a random port with the real test database.

type Response = { status: number; headers: http.IncomingHttpHeaders; body: string };

function request(port: number, path: string, options: { method?: string; headers?: Record<string, string> } = {}): Promise<Response> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port, path, method: options.method ?? "GET", headers: options.headers, agent: false }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

/** Sends bytes exactly as given (for headers no HTTP client would let us send). */
function rawRequest(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1", () => socket.end(text));
    let data = "";
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => (data += chunk));
    socket.on("end", () => resolve(data));
    socket.on("error", reject);
  });
}

function prismaFor(url: string, extra: { connectionTimeoutMillis?: number } = {}): PrismaClient {
  return new PrismaClient({ adapter: new PrismaPg({ connectionString: url, max: 2, ...extra }) });
}

async function start(prisma: PrismaClient, extra: { trustForwarded?: boolean; readyTimeoutMs?: number } = {}) {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(...chunk.toString("utf8").split("\n").filter(Boolean));
      callback();
    },
  });
  const proxy = createProxyServer({ prisma, logger: createLogger({ level: "info", destination }), publicHost: "localhost:5050", ...extra });
  await new Promise<void>((resolve) => proxy.server.listen(0, "127.0.0.1", resolve));
  const port = (proxy.server.address() as AddressInfo).port;
  return { proxy, port, lines };
}

const CUSTOM_HOST = "pull.skeleton-test.example";

describe("proxy server", () => {
  let prisma: PrismaClient;
  let proxy: ProxyServer;
  let port: number;
  let logLines: string[];

  beforeAll(async () => {
    prisma = prismaFor(inject("databaseUrl"));
    // The proxy answers on its default host and on verified custom domains only.
    const team = await prisma.team.create({ data: { name: "Skeleton test" } });
    await prisma.customDomain.create({
      data: { teamId: team.id, hostname: CUSTOM_HOST, verificationToken: "skeleton-test", status: "verified", verifiedAt: new Date() },
    });
    ({ proxy, port, lines: logLines } = await start(prisma));
  });

  afterAll(async () => {
    await proxy?.close();
    await prisma?.$disconnect();
  });

  it("answers GET /v2/ without credentials with 401, the Bearer challenge and an OCI error", async () => {
    const res = await request(port, "/v2/", { headers: { host: "localhost:5050" } });
    expect(res.status).toBe(401);
    expect(res.headers["www-authenticate"]).toBe('Bearer realm="http://localhost:5050/v2/token",service="localhost:5050"');
    expect(res.headers["docker-distribution-api-version"]).toBe("registry/2.0");
    expect(res.headers["content-type"]).toMatch(/^application\/json/);
    expect(JSON.parse(res.body)).toEqual({ errors: [{ code: "UNAUTHORIZED", message: "authentication required", detail: null }] });
  });

  it("builds the realm from whichever host the client used", async () => {
    const res = await request(port, "/v2/", { headers: { host: CUSTOM_HOST } });
    expect(res.headers["www-authenticate"]).toBe(`Bearer realm="http://${CUSTOM_HOST}/v2/token",service="${CUSTOM_HOST}"`);
    const head = await request(port, "/v2/", { method: "HEAD", headers: { host: "Pull.Skeleton-Test.example:8443" } });
    expect(head.status).toBe(401);
    expect(head.headers["www-authenticate"]).toBe(`Bearer realm="http://${CUSTOM_HOST}:8443/v2/token",service="${CUSTOM_HOST}:8443"`);
    expect(head.body).toBe("");
  });

  it("ignores X-Forwarded-Proto unless told to trust it", async () => {
    const res = await request(port, "/v2/", { headers: { host: CUSTOM_HOST, "x-forwarded-proto": "https" } });
    expect(res.headers["www-authenticate"]).toContain(`realm="http://${CUSTOM_HOST}/v2/token"`);

    const trusting = await start(prisma, { trustForwarded: true });
    try {
      const forwarded = await request(trusting.port, "/v2/", { headers: { host: CUSTOM_HOST, "x-forwarded-proto": "https" } });
      expect(forwarded.headers["www-authenticate"]).toBe(`Bearer realm="https://${CUSTOM_HOST}/v2/token",service="${CUSTOM_HOST}"`);
    } finally {
      await trusting.proxy.close();
    }
  });

  it("rejects a Host header that tries to inject into the challenge", async () => {
    const quoted = await rawRequest(port, 'GET /v2/ HTTP/1.1\r\nHost: evil.example",realm="https://attacker.example\r\nConnection: close\r\n\r\n');
    expect(quoted).toMatch(/^HTTP\/1\.1 400 /);
    expect(quoted.toLowerCase()).not.toContain("www-authenticate");
    expect(quoted).toContain('"code":"UNSUPPORTED"');
    expect(quoted).not.toContain("attacker");

    // A CR/LF cannot even reach us: the HTTP parser refuses the request.
    const crlf = await rawRequest(port, "GET /v2/ HTTP/1.1\r\nHost: evil.example\rWWW-Authenticate: x\r\nConnection: close\r\n\r\n");
    expect(crlf).toMatch(/^HTTP\/1\.1 400 /);
    expect(crlf).not.toContain("realm=");
  });

  it("answers /v2/token without credentials with 401", async () => {
    const res = await request(port, "/v2/token?service=localhost:5050&scope=repository:proxy/a/b/c:pull", { headers: { host: "localhost:5050" } });
    expect(res.status).toBe(401);
    expect(JSON.parse(res.body).errors[0].code).toBe("UNAUTHORIZED");
  });

  it("challenges unauthenticated repository requests with the repository's scope", async () => {
    const res = await request(port, "/v2/proxy/acme/ghcr.io/acme/api/manifests/latest", { headers: { host: "localhost:5050" } });
    expect(res.status).toBe(401);
    expect(res.headers["docker-distribution-api-version"]).toBe("registry/2.0");
    expect(res.headers["www-authenticate"]).toBe(
      'Bearer realm="http://localhost:5050/v2/token",service="localhost:5050",scope="repository:proxy/acme/ghcr.io/acme/api:pull"',
    );
    expect(JSON.parse(res.body).errors[0].code).toBe("UNAUTHORIZED");
  });

  it("answers paths outside proxy/ with NAME_UNKNOWN", async () => {
    const res = await request(port, "/v2/library/nginx/manifests/latest");
    expect(res.status).toBe(404);
    expect(JSON.parse(res.body).errors[0].code).toBe("NAME_UNKNOWN");
  });

  it("refuses push and delete methods on /v2/ with 405 UNSUPPORTED", async () => {
    for (const method of ["PUT", "POST", "PATCH", "DELETE"]) {
      for (const path of ["/v2/", "/v2/proxy/acme/ghcr.io/acme/api/blobs/uploads/", "/v2/proxy/acme/ghcr.io/acme/api/manifests/latest"]) {
        const res = await request(port, path, { method });
        expect(res.status, `${method} ${path}`).toBe(405);
        expect(res.headers.allow).toBe("GET, HEAD");
        expect(JSON.parse(res.body).errors[0].code).toBe("UNSUPPORTED");
      }
    }
  });

  it("says it is alive on /healthz and ready on /readyz when the database answers", async () => {
    const health = await request(port, "/healthz");
    expect(health.status).toBe(200);
    expect(JSON.parse(health.body)).toEqual({ status: "ok" });
    const ready = await request(port, "/readyz");
    expect(ready.status).toBe(200);
    expect(JSON.parse(ready.body)).toEqual({ status: "ok", database: "ok" });
  });

  it("exposes Prometheus metrics with request counts, durations and process metrics", async () => {
    await request(port, "/healthz");
    const res = await request(port, "/metrics");
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(res.body).toContain("# TYPE pullgate_proxy_http_requests_total counter");
    expect(res.body).toMatch(/pullgate_proxy_http_requests_total\{route="\/healthz",method="GET",status="200"\} \d+/);
    expect(res.body).toMatch(/pullgate_proxy_http_requests_total\{route="\/v2\/\*",method="PUT",status="405"\} \d+/);
    expect(res.body).toContain("# TYPE pullgate_proxy_http_request_duration_seconds histogram");
    expect(res.body).toMatch(/pullgate_proxy_http_request_duration_seconds_bucket\{le="0\.005",route="\/v2\/",method="GET"\} \d+/);
    expect(res.body).toContain("pullgate_proxy_process_resident_memory_bytes");
    // Raw paths never become labels.
    expect(res.body).not.toContain("acme/api");
  });

  it("echoes a sane X-Request-Id and generates one otherwise", async () => {
    const given = await request(port, "/healthz", { headers: { "x-request-id": "req-123.abc" } });
    expect(given.headers["x-request-id"]).toBe("req-123.abc");
    const generated = await request(port, "/healthz");
    expect(generated.headers["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
    const hostile = await request(port, "/healthz", { headers: { "x-request-id": "a b\"c" } });
    expect(hostile.headers["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("logs one JSON line per request with the request ID and never the Authorization header", async () => {
    const secret = "Basic " + Buffer.from("LICENSE_ID:2bQ7secretLicenseIdValue12345").toString("base64");
    await request(port, "/v2/", { headers: { authorization: secret, "x-request-id": "log-check-1" } });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const line = logLines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.requestId === "log-check-1");
    expect(line).toMatchObject({ msg: "request", method: "GET", path: "/v2/", status: 401, route: "/v2/" });
    const all = logLines.join("\n");
    expect(all).not.toContain("2bQ7secretLicenseIdValue12345");
    expect(all).not.toContain(Buffer.from("LICENSE_ID:2bQ7secretLicenseIdValue12345").toString("base64"));
  });
});

describe("readiness without a database", () => {
  it("answers /readyz with 503 when the database refuses connections", async () => {
    // A port that was free a moment ago: connections are refused.
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    const deadPort = (probe.address() as AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));

    const prisma = prismaFor(`postgresql://postgres@127.0.0.1:${deadPort}/postgres`);
    const { proxy, port } = await start(prisma, { readyTimeoutMs: 2000 });
    try {
      const res = await request(port, "/readyz");
      expect(res.status).toBe(503);
      expect(JSON.parse(res.body)).toEqual({ status: "unavailable", database: "unreachable" });
      expect((await request(port, "/healthz")).status).toBe(200);
    } finally {
      await proxy.close();
      await prisma.$disconnect();
    }
  });

  it("answers /readyz with 503 within the timeout when the database hangs", async () => {
    // Accepts TCP but never speaks Postgres.
    const sockets: net.Socket[] = [];
    const blackhole = net.createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => blackhole.listen(0, "127.0.0.1", resolve));
    const holePort = (blackhole.address() as AddressInfo).port;

    const prisma = prismaFor(`postgresql://postgres@127.0.0.1:${holePort}/postgres`, { connectionTimeoutMillis: 3000 });
    const { proxy, port } = await start(prisma, { readyTimeoutMs: 300 });
    try {
      const started = Date.now();
      const res = await request(port, "/readyz");
      expect(res.status).toBe(503);
      expect(Date.now() - started).toBeLessThan(2000);
      expect(JSON.parse(res.body).database).toMatch(/no answer within 300 ms/);
    } finally {
      await proxy.close();
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => blackhole.close(resolve));
      await prisma.$disconnect().catch(() => {});
    }
  });

  it("close() lets an in-flight request finish, then stops accepting", async () => {
    const sockets: net.Socket[] = [];
    const blackhole = net.createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => blackhole.listen(0, "127.0.0.1", resolve));
    const holePort = (blackhole.address() as AddressInfo).port;
    const prisma = prismaFor(`postgresql://postgres@127.0.0.1:${holePort}/postgres`, { connectionTimeoutMillis: 3000 });
    const { proxy, port } = await start(prisma, { readyTimeoutMs: 400 });
    try {
      // /readyz against a silent database stays in flight for the timeout.
      const inFlight = request(port, "/readyz");
      await new Promise((resolve) => setTimeout(resolve, 100));
      let closed = false;
      const closing = proxy.close().then(() => (closed = true));
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(closed).toBe(false);
      await expect(request(port, "/healthz")).rejects.toThrow();
      expect((await inFlight).status).toBe(503);
      await closing;
      expect(closed).toBe(true);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => blackhole.close(resolve));
      await prisma.$disconnect().catch(() => {});
    }
  });
});
