import { randomBytes } from "node:crypto";
import http from "node:http";
import type net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prisma } from "@/lib/db/client";
import { startProxyProcess, type ProxyProcess } from "../helpers/proxy-process";
import { basicAuth, cacheContentBytes, createCacheFixture, type CacheFixture } from "../helpers/cache-fixture";

// A hostile vendor's registry, as a small HTTP server on 127.0.0.2, tries to
// make the proxy fetch from an "internal" service on 127.0.0.3 (think cloud
// metadata or an admin API) by redirecting manifests, blobs, tags, referrers
// and its token realm there, or by naming it as the realm. The proxy allows
// only 127.0.0.2 (PULLGATE_UPSTREAM_ALLOW_CIDRS=127.0.0.2/32): every pull is
// refused, the internal service hears nothing, nothing is cached, and the
// customer never learns a host. A second proxy allows the internal address
// too, and then serves none of its non-registry answers either.

const UPSTREAM_PASSWORD = `upstream-${randomBytes(12).toString("hex")}`;
const DIGEST = `sha256:${"ab".repeat(32)}`;

type Recorder = { server: http.Server; host: string; requests: string[] };

async function listenOn(address: string, handler: http.RequestListener): Promise<Recorder> {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, address, () => resolve()));
  return { server, host: `${address}:${(server.address() as net.AddressInfo).port}`, requests };
}

const v2 = (res: http.ServerResponse) => res.writeHead(200, { "docker-distribution-api-version": "registry/2.0", "content-type": "application/json" }).end("{}");

let internal: Recorder;
let redirecting: Recorder;
let realmInternal: Recorder;
let realmRedirect: Recorder;
let fixture: CacheFixture;
let strict: ProxyProcess;
let lenient: ProxyProcess;

beforeAll(async () => {
  // The "internal" service: answers anything like a registry would answer /v2/, and JSON that is no manifest.
  internal = await listenOn("127.0.0.3", (req, res) => {
    if (req.url === "/v2/") return v2(res);
    res.writeHead(200, { "content-type": "application/json" }).end('{"AccessKeyId":"internal-secret","schemaVersion":2}');
  });
  const toInternal = (path: string) => `http://${internal.host}${path}`;
  redirecting = await listenOn("127.0.0.2", (req, res) => {
    if (req.url === "/v2/") return v2(res);
    res.writeHead(req.url?.includes("/blobs/") ? 307 : 302, { location: toInternal("/latest/meta-data/iam") }).end();
  });
  realmInternal = await listenOn("127.0.0.2", (_req, res) => {
    res.writeHead(401, { "www-authenticate": `Bearer realm="${toInternal("/token")}",service="evil"` }).end();
  });
  realmRedirect = await listenOn("127.0.0.2", (req, res) => {
    if (req.url?.startsWith("/token")) return void res.writeHead(302, { location: toInternal("/token") }).end();
    res.writeHead(401, { "www-authenticate": `Bearer realm="http://${realmRedirect.host}/token",service="evil"` }).end();
  });
  fixture = await createCacheFixture({
    registries: { redirecting: redirecting.host, realm: realmInternal.host, realmhop: realmRedirect.host, internal: internal.host },
    upstreamPassword: UPSTREAM_PASSWORD,
  });
  const env = { DATABASE_URL: process.env.DATABASE_URL!, PULLGATE_SECRET_KEY: process.env.PULLGATE_SECRET_KEY!, PULLGATE_DOMAIN_CHECK_INTERVAL: "0" };
  [strict, lenient] = await Promise.all([
    startProxyProcess({ ...env, PULLGATE_UPSTREAM_ALLOW_CIDRS: "127.0.0.2/32" }),
    startProxyProcess({ ...env, PULLGATE_UPSTREAM_ALLOW_CIDRS: "127.0.0.2/32,127.0.0.3/32" }),
  ]);
});

afterAll(async () => {
  await Promise.all([strict?.stop(), lenient?.stop()]);
  for (const r of [internal, redirecting, realmInternal, realmRedirect]) r?.server.close();
});

type Pull = { status: number; body: string; error?: string };

async function pull(proxy: ProxyProcess, alias: string, what: string, method = "GET"): Promise<Pull> {
  try {
    const res = await fetch(`${proxy.url}/v2/proxy/${fixture.appSlug}/${alias}/acme/api/${what}`, {
      method,
      headers: { authorization: basicAuth(fixture.licenseId), accept: "application/vnd.oci.image.manifest.v1+json" },
    });
    return { status: res.status, body: await res.text() };
  } catch (err) {
    // A blob whose bytes do not verify is cut short: the client sees a broken transfer.
    return { status: -1, body: "", error: String((err as Error).cause ?? err) };
  }
}

const WHAT = ["manifests/1.0", `manifests/${DIGEST}`, `blobs/${DIGEST}`, "tags/list", `referrers/${DIGEST}`];

function expectNoHost(p: Pull) {
  for (const host of ["127.0.0.2", "127.0.0.3", redirecting.host, internal.host]) expect(p.body).not.toContain(host);
  expect(p.body).not.toContain("internal-secret");
}

describe("a registry that points the proxy at an internal address", () => {
  it("gets every pull refused; the internal service hears nothing and nothing is cached", async () => {
    for (const alias of ["redirecting", "realm", "realmhop", "internal"]) {
      for (const what of WHAT) {
        for (const method of ["GET", "HEAD"]) {
          const p = await pull(strict, alias, what, method);
          expect([502, 503], `${method} ${alias} ${what}: ${p.status} ${p.body}`).toContain(p.status);
          expectNoHost(p);
          if (method === "GET") {
            expect(JSON.parse(p.body).errors[0].message, `${alias} ${what}`).toMatch(/^(the vendor's registry is unreachable|upstream returned an invalid response)$/);
          }
        }
      }
    }
    expect(internal.requests).toEqual([]);
    const cached = await cacheContentBytes(strict.cacheDir);
    expect(cached.files).toEqual([]);
    expect(cached.tempFiles).toEqual([]);
    // The redirecting registry itself was asked (it is allowed); it just never got followed inside.
    expect(redirecting.requests.length).toBeGreaterThan(0);
  });

  it("puts the host and the cause in the vendor's pull events and the proxy's log", async () => {
    // Pull events are written in batches: wait until every kind of refusal has arrived.
    const errorsSoFar = async () =>
      (await prisma.pullEvent.findMany({ where: { teamId: fixture.actor.teamId, upstreamError: { not: null } }, select: { upstreamError: true } })).map((e) => e.upstreamError!);
    const kinds = (errors: string[]) => [
      errors.some((e) => e.startsWith(`${internal.host}: refused: registry address 127.0.0.3 is in a private range; set PULLGATE_UPSTREAM_ALLOW_CIDRS to allow it`)),
      errors.some((e) => e.startsWith(`${realmInternal.host}: refused: registry address 127.0.0.3 is in a private range`)),
      errors.some((e) => e.startsWith(`${redirecting.host}: refused: registry address 127.0.0.3`)), // the blob redirect
      errors.some((e) => e.startsWith(`${redirecting.host}: bad_response:`) && e.includes("redirected a non-blob request to another origin")),
      errors.some((e) => e.startsWith(`${realmRedirect.host}: bad_response:`) && e.includes("answered with a redirect")),
    ];
    await expect.poll(async () => kinds(await errorsSoFar()), { timeout: 10_000 }).toEqual([true, true, true, true, true]);
    const errors = await errorsSoFar();
    expect(errors.join("\n")).not.toContain(UPSTREAM_PASSWORD);
    expect(strict.logs()).toContain('"msg":"upstream failure"');
    expect(strict.logs()).toContain(internal.host);
    expect(strict.logs()).not.toContain(UPSTREAM_PASSWORD);
  });
});

describe("the same with the internal address allowed", () => {
  it("serves none of its answers that are not registry answers, and caches nothing", async () => {
    for (const what of ["manifests/1.0", `manifests/${DIGEST}`, "tags/list", `referrers/${DIGEST}`]) {
      const p = await pull(lenient, "internal", what);
      expect(p.status, `${what}: ${p.body}`).toBe(502);
      expect(JSON.parse(p.body).errors[0].message).toBe("upstream returned an invalid response");
      expectNoHost(p);
    }
    // A blob is verified against its digest: the internal answer never completes.
    const blob = await pull(lenient, "internal", `blobs/${DIGEST}`);
    expect(blob.status === -1 || blob.status >= 500, JSON.stringify(blob)).toBe(true);
    expect(blob.body).not.toContain("internal-secret");
    // Redirects of non-blob requests are still refused; a blob redirect is followed and fails its digest.
    const manifest = await pull(lenient, "redirecting", "manifests/1.0");
    expect(manifest.status).toBe(502);
    const redirectedBlob = await pull(lenient, "redirecting", `blobs/${DIGEST}`);
    expect(redirectedBlob.body).not.toContain("internal-secret");
    expect(internal.requests.length).toBeGreaterThan(0);
    const cached = await cacheContentBytes(lenient.cacheDir);
    expect(cached.files).toEqual([]);
  });
});
