import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import * as appsRoute from "@/app/api/v1/apps/route";
import { disconnectPrisma, prisma } from "@/lib/db/client";
import { migrate } from "@/lib/db/migrate";
import { DATABASE_UNAVAILABLE_DIGEST } from "@/lib/db/unavailable";
import { call, makeTeam, type TeamFixture } from "../api/fixtures";
import { basicAuth, createCacheFixture, metricValue, type CacheFixture } from "../helpers/cache-fixture";
import { writeOciImage, type WrittenImage } from "../helpers/oci-image";
import { startPostgresCluster, type PostgresCluster } from "../helpers/postgres-cluster";
import { startProxyProcess, type ProxyProcess } from "../helpers/proxy-process";
import { startRegistry, type TestRegistry } from "../helpers/registry";

// A real PostgreSQL (a cluster this test owns: initdb into a temporary
// directory, its own port, never the machine's shared server) is stopped
// under a running proxy and the REST API, then started again. While it is
// down both say so with 503 and Retry-After and grant nothing; once it is
// back they recover without a restart, the LISTEN connection included.

const UPSTREAM_PASSWORD = `upstream-${randomBytes(12).toString("hex")}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let cluster: PostgresCluster;
let registry: TestRegistry;
let proxy: ProxyProcess;
let fixture: CacheFixture;
let team: TeamFixture;
let image: WrittenImage;
let big: WrittenImage;
let work: string;

/** Polls `probe` until it returns a value `done` accepts (or the deadline passes), returning every value seen. */
async function until<T>(probe: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 60_000): Promise<T[]> {
  const seen: T[] = [];
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    seen.push(value);
    if (done(value) || Date.now() > deadline) return seen;
    await sleep(100);
  }
}

beforeAll(async () => {
  work = await fs.promises.mkdtemp(path.join(os.tmpdir(), "pullgate-pg-outage-"));
  cluster = await startPostgresCluster();
  await migrate({ databaseUrl: cluster.url, log: () => {} });
  // This file's fixtures and route handlers use the test-owned cluster.
  await disconnectPrisma();
  process.env.DATABASE_URL = cluster.url;
  registry = await startRegistry({ auth: "htpasswd", users: { vendor: UPSTREAM_PASSWORD } });
  image = await writeOciImage(path.join(work, "layout"), { tag: "1.0" });
  await registry.push(path.join(work, "layout"), "1.0", "acme/api:1.0");
  // Larger than loopback socket buffers: its download stays in progress while the client does not read.
  big = await writeOciImage(path.join(work, "layout"), { tag: "big", layers: [{ size: 8 * 1024 * 1024, seed: randomBytes(4).toString("hex") }] });
  await registry.push(path.join(work, "layout"), "big", "acme/api:big");
  fixture = await createCacheFixture({ registries: { upstream: registry.host }, upstreamPassword: UPSTREAM_PASSWORD });
  team = await makeTeam("Outage");
  proxy = await startProxyProcess({
    DATABASE_URL: cluster.url,
    PULLGATE_SECRET_KEY: process.env.PULLGATE_SECRET_KEY!,
    PULLGATE_DOMAIN_CHECK_INTERVAL: "0",
    PULLGATE_UPSTREAM_ALLOW_CIDRS: "127.0.0.0/8",
  });
}, 180_000);

afterEach(async () => {
  // A failed test must not leave the database down for the next one.
  await cluster?.ensureRunning();
});

afterAll(async () => {
  await proxy?.stop();
  await registry?.stop();
  await disconnectPrisma();
  await cluster?.destroy();
  if (work) await fs.promises.rm(work, { recursive: true, force: true });
});

function manifest(): Promise<{ status: number; retryAfter: string | null; body: string }> {
  return fetch(`${proxy.url}/v2/proxy/${fixture.appSlug}/upstream/acme/api/manifests/1.0`, {
    headers: { authorization: basicAuth(fixture.licenseId), accept: "application/vnd.oci.image.manifest.v1+json" },
  }).then(async (res) => ({ status: res.status, retryAfter: res.headers.get("retry-after"), body: await res.text() }));
}

const listenerUp = async () => metricValue(await proxy.metrics(), "pullgate_proxy_change_listener_up");

describe("PostgreSQL stopped under a running proxy and API", () => {
  it("answers 503 with Retry-After from the proxy and the API while it is down, and recovers once it is back", async () => {
    expect((await manifest()).status).toBe(200);
    expect((await until(listenerUp, (up) => up === 1)).at(-1)).toBe(1);

    await cluster.stop();

    // Within the short authorization cache the answer may still be the old one; then 503, never a grant.
    const seen = await until(manifest, (r) => r.status === 503);
    expect(seen.map((r) => r.status).every((s) => s === 200 || s === 503)).toBe(true);
    const down = seen.at(-1)!;
    expect(down.status).toBe(503);
    expect(down.retryAfter).toBe("5");
    expect(JSON.parse(down.body).errors[0]).toMatchObject({ code: "UNAVAILABLE", message: expect.stringMatching(/database is temporarily unavailable/) });
    for (let i = 0; i < 5; i++) expect((await manifest()).status).toBe(503);

    const token = await fetch(`${proxy.url}/v2/token?service=${proxy.host}&scope=repository:proxy/${fixture.appSlug}/upstream/acme/api:pull`, {
      headers: { authorization: basicAuth(fixture.licenseId) },
    });
    expect(token.status).toBe(503);
    expect(token.headers.get("retry-after")).toBe("5");
    expect((await fetch(`${proxy.url}/readyz`)).status).toBe(503);

    const api = await call(appsRoute.GET, "GET", { token: team.token });
    expect(api.status).toBe(503);
    expect(api.json).toEqual({ error: { code: "unavailable", message: expect.stringMatching(/temporarily unavailable/) } });
    expect(api.headers.get("retry-after")).toBe("5");
    // Portal pages learn it from the error's digest (the message stays on the server): e2e/database-outage.spec.ts.
    expect(await prisma.user.count().catch((err: { digest?: string }) => err.digest)).toBe(DATABASE_UNAVAILABLE_DIGEST);

    expect(metricValue(await proxy.metrics(), "pullgate_proxy_database_unavailable_total")).toBeGreaterThan(0);
    expect(proxy.logs()).toContain("database unreachable: registry requests answer 503 until it is back");

    await cluster.start();

    const back = await until(manifest, (r) => r.status === 200);
    expect(back.at(-1)!.status).toBe(200);
    expect(back.at(-1)!.body).toBe(image.manifestJson);
    expect((await call(appsRoute.GET, "GET", { token: team.token })).status).toBe(200);
    expect((await fetch(`${proxy.url}/readyz`)).status).toBe(200);
  }, 180_000);

  it("keeps the pull event of a download that ended while the database was down, and writes it once it is back", async () => {
    const layer = big.layers[0]!;
    const response = await new Promise<http.IncomingMessage>((resolve, reject) =>
      http.get(`${proxy.url}/v2/proxy/${fixture.appSlug}/upstream/acme/api/blobs/${layer.digest}`, { headers: { authorization: basicAuth(fixture.licenseId) } }, resolve).on("error", reject),
    );
    expect(response.statusCode).toBe(200);
    response.pause();

    await cluster.stop();
    const hash = createHash("sha256");
    for await (const chunk of response) hash.update(chunk as Buffer);
    expect(`sha256:${hash.digest("hex")}`).toBe(layer.digest);
    const logs = await until(async () => proxy.logs(), (text) => text.includes("pull events: database unreachable, keeping them"));
    expect(logs.at(-1)).toContain("pull events: database unreachable, keeping them to write when it is back");

    await cluster.start();
    const events = await until(
      () => prisma.pullEvent.findMany({ where: { licenseId: fixture.licenseId, digest: layer.digest } }).catch(() => []),
      (rows) => rows.length > 0,
    );
    expect(events.at(-1)).toEqual([expect.objectContaining({ action: "blob", status: 200, bytes: BigInt(layer.size) })]);
    expect(metricValue(await proxy.metrics(), "pullgate_proxy_pull_events_dropped_total")).toBe(0);
  }, 180_000);

  it("re-subscribes to change notifications after the restart: a revocation applies at once again", async () => {
    expect((await until(listenerUp, (up) => up === 1)).at(-1)).toBe(1);
    expect((await manifest()).status).toBe(200);
    await prisma.license.update({ where: { licenseId: fixture.licenseId }, data: { registryAccess: false } });
    // With notifications the 30 s authorization cache is emptied at once; poll well below those 30 s.
    const seen = await until(manifest, (r) => r.status === 403, 10_000);
    expect(seen.at(-1)!.status).toBe(403);
    expect(JSON.parse(seen.at(-1)!.body).errors[0].code).toBe("DENIED");
  }, 60_000);
});
