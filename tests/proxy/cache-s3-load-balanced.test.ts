import { randomBytes } from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prisma } from "@/lib/db/client";
import { freePort, startRegistry, type TestRegistry } from "../helpers/registry";
import { writeOciImage, type WrittenImage } from "../helpers/oci-image";
import { startProxyProcess, type ProxyProcess } from "../helpers/proxy-process";
import { startUpstreamStandIn, type UpstreamStandIn } from "../helpers/upstream-stand-in";
import { basicAuth, createCacheFixture, sha256, type CacheFixture } from "../helpers/cache-fixture";
import { startS3Server, type TestS3Server } from "../helpers/s3-server";
import { startRoundRobinNginx, type RoundRobinNginx } from "../helpers/nginx-round-robin";
import { PORTAL_BUILD_TIMEOUT_MS, startPortalProcess, type PortalProcess } from "../helpers/portal-process";
import { createApiToken } from "@/lib/api-tokens/create-api-token";

// The reference deployment in miniature (docs/deploy.md): two proxy replicas
// and two portal replicas (the production build, as `pullgate start` runs it)
// on one database and one bucket, each pair behind Debian's nginx (round
// robin). A license is revoked through portal 2's REST API and must be
// refused by both proxies within a second of the API's answer.

const UPSTREAM_PASSWORD = `upstream-${randomBytes(12).toString("hex")}`;
const MiB = 1024 * 1024;
const PREFIX = `lb-${randomBytes(3).toString("hex")}`;

let registry: TestRegistry;
let standIn: UpstreamStandIn;
let s3: TestS3Server;
let lb: RoundRobinNginx;
let portalLb: RoundRobinNginx;
const replicas: ProxyProcess[] = [];
const portals: PortalProcess[] = [];
let apiToken: string;
let fixture: CacheFixture;
let work: string;
const images: Record<string, WrittenImage> = {};

type Answer = { status: number; body: Buffer; error: Error | null };

function get(base: string, pathname: string, host: string, licenseId = fixture.licenseId): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.get(`${base}${pathname}`, { headers: { host, authorization: basicAuth(licenseId) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode!, body: Buffer.concat(chunks), error: res.complete ? null : new Error("incomplete") }));
      res.on("error", (error) => resolve({ status: res.statusCode!, body: Buffer.concat(chunks), error }));
      res.on("aborted", () => resolve({ status: res.statusCode!, body: Buffer.concat(chunks), error: new Error("aborted") }));
    });
    req.on("error", reject);
  });
}

/** The proxy's status for a blob (HEAD: the license check without the bytes). */
function headStatus(base: string, pathname: string, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${base}${pathname}`, { method: "HEAD", headers: { host, authorization: basicAuth(fixture.licenseId) } }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode!));
    });
    req.on("error", reject);
    req.end();
  });
}

/** PATCH the fixture's customer on one portal (its own port, not the load balancer); when the answer arrived. */
async function patchCustomer(portal: PortalProcess, body: { registryAccess: boolean }): Promise<{ status: number; registryAccess: boolean | null; answeredAt: number }> {
  const res = await fetch(`${portal.url}/api/v1/customers/${fixture.customerId}`, {
    method: "PATCH",
    headers: { authorization: `Bearer ${apiToken}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const answeredAt = Date.now();
  const json = (await res.json()) as { customer?: { license?: { registryAccess?: boolean } } };
  return { status: res.status, registryAccess: json.customer?.license?.registryAccess ?? null, answeredAt };
}

/** Milliseconds from `since` until this proxy's answer for the blob satisfies `done` (polled; Infinity after 5 s). */
async function msUntil(replica: ProxyProcess, since: number, done: (status: number) => boolean): Promise<number> {
  const layer = images.cold!.layers[0]!;
  for (;;) {
    const status = await headStatus(replica.url, blobPath(layer.digest), lb.host);
    if (done(status)) return Date.now() - since;
    if (Date.now() - since > 5_000) return Infinity;
    await new Promise((res) => setTimeout(res, 20));
  }
}

const blobPath = (digest: string) => `/v2/proxy/${fixture.appSlug}/slow/acme/app/blobs/${digest}`;

beforeAll(async () => {
  work = await fs.promises.mkdtemp(path.join(os.tmpdir(), "pullgate-lb-test-"));
  registry = await startRegistry({ auth: "htpasswd", users: { vendor: UPSTREAM_PASSWORD }, accessLog: true });
  const layout = path.join(work, "layout");
  const seed = randomBytes(4).toString("hex");
  for (const [tag, size] of [["cold", 16 * MiB], ["kill", 12 * MiB]] as const) {
    images[tag] = await writeOciImage(layout, { tag, layers: [{ size, seed: `${tag}-${seed}` }] });
    await registry.push(layout, tag, `acme/app:${tag}`);
  }
  standIn = await startUpstreamStandIn(registry.url);
  s3 = await startS3Server();
  fixture = await createCacheFixture({ registries: { slow: standIn.host }, upstreamPassword: UPSTREAM_PASSWORD });
  const lbPort = await freePort();
  const ports = [await freePort(), await freePort()];
  for (const port of ports) {
    replicas.push(
      await startProxyProcess(
        {
          DATABASE_URL: process.env.DATABASE_URL!,
          PULLGATE_SECRET_KEY: process.env.PULLGATE_SECRET_KEY!,
          PULLGATE_DOMAIN_CHECK_INTERVAL: "0",
          PROXY_PUBLIC_HOST: `127.0.0.1:${lbPort}`,
          PULLGATE_PEER_URL: `http://127.0.0.1:${port}`,
          ...s3.proxyEnv(PREFIX, { PULLGATE_S3_REDIRECT: "0" }),
        },
        { port },
      ),
    );
  }
  lb = await startRoundRobinNginx(lbPort, ports.map((p) => `127.0.0.1:${p}`));
  // Portal replicas share the database, the secret key and the session secret, as a deployment's do.
  const portalEnv = {
    DATABASE_URL: process.env.DATABASE_URL!,
    PULLGATE_SECRET_KEY: process.env.PULLGATE_SECRET_KEY!,
    AUTH_SECRET: randomBytes(32).toString("base64url"),
    PROXY_PUBLIC_HOST: `127.0.0.1:${lbPort}`,
  };
  portals.push(...(await Promise.all([startPortalProcess(portalEnv), startPortalProcess(portalEnv)])));
  portalLb = await startRoundRobinNginx(await freePort(), portals.map((p) => `127.0.0.1:${p.port}`));
  apiToken = (await createApiToken({ teamId: fixture.actor.teamId, createdById: fixture.actor.userId, name: "load-balanced test" })).token;
}, PORTAL_BUILD_TIMEOUT_MS + 180_000);

afterAll(async () => {
  await portalLb?.stop();
  for (const p of portals) await p.stop();
  await lb?.stop();
  for (const r of replicas) await r.stop();
  await standIn?.close();
  await registry?.stop();
  await s3?.stop();
  if (work) await fs.promises.rm(work, { recursive: true, force: true });
});

describe("two proxy replicas behind a round-robin load balancer", () => {
  it("16 clients for one cold blob, split across both replicas → exactly one upstream GET, every client gets the right bytes", async () => {
    const layer = images.cold!.layers[0]!;
    standIn.blobBytesPerSecond = 16 * MiB; // ~1 s: all 16 arrive while the blob is being fetched
    try {
      const answers = await Promise.all(Array.from({ length: 16 }, () => get(lb.url, blobPath(layer.digest), lb.host)));
      for (const a of answers) {
        expect(a.status).toBe(200);
        expect(a.error).toBeNull();
        expect(sha256(a.body)).toBe(layer.digest);
      }
    } finally {
      standIn.blobBytesPerSecond = 0;
    }
    const served = await Promise.all(replicas.map(async (r) => Number(/pullgate_proxy_http_requests_total\{[^}]*route="\/v2\/\*"[^}]*status="200"[^}]*\} (\d+)/.exec(await r.metrics())?.[1] ?? 0)));
    // Round robin: both replicas answered some of the 16.
    expect(served.every((n) => n > 0)).toBe(true);
    // Counted in the upstream's access log, 200 answers only (settled: a late line would show).
    expect(await registry.settledBlobGets(layer.digest, 1)).toBe(1);
    expect(registry.accessLog().filter((l) => l.includes(`/blobs/${layer.digest}`) && /" 200 /.test(l))).toHaveLength(1);
  });

  it("the portals answer the REST API through the load balancer, both of them in turn", async () => {
    const before = portalLb.backendsUsed().length;
    for (let i = 0; i < 4; i++) {
      const res = await fetch(`${portalLb.url}/api/v1/customers/${fixture.customerId}`, { headers: { authorization: `Bearer ${apiToken}` } });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { customer: { id: string } }).customer.id).toBe(fixture.customerId);
    }
    expect(new Set(portalLb.backendsUsed().slice(before))).toEqual(new Set(portals.map((p) => `127.0.0.1:${p.port}`)));
  });

  it("a license revoked through portal 2's REST API is refused by both proxies within a second of the API's answer", async () => {
    const layer = images.cold!.layers[0]!;
    // Both proxies have decided (and cached) this license as allowed.
    for (const r of replicas) expect(await headStatus(r.url, blobPath(layer.digest), lb.host)).toBe(200);
    let refusedAfter: number[];
    // Access is given back (through portal 1) whatever happens: the last test pulls again.
    let restored: Awaited<ReturnType<typeof patchCustomer>>;
    try {
      const revoked = await patchCustomer(portals[1]!, { registryAccess: false });
      expect(revoked.status).toBe(200);
      expect(revoked.registryAccess).toBe(false);
      refusedAfter = await Promise.all(replicas.map((r) => msUntil(r, revoked.answeredAt, (status) => status === 403)));
      expect(refusedAfter.every((ms) => ms < 1_000), `refused after ${refusedAfter.join(", ")} ms`).toBe(true);
    } finally {
      restored = await patchCustomer(portals[0]!, { registryAccess: true });
    }
    expect(restored.status).toBe(200);
    expect(restored.registryAccess).toBe(true);
    const allowedAfter = await Promise.all(replicas.map((r) => msUntil(r, restored.answeredAt, (status) => status === 200)));
    expect(allowedAfter.every((ms) => ms < 1_000), `allowed again after ${allowedAfter.join(", ")} ms`).toBe(true);
    console.log(`revocation through portal 2 refused after ${refusedAfter.join(", ")} ms; restore seen after ${allowedAfter.join(", ")} ms`);
  });

  it("the replica filling a blob is killed mid-download → the other completes it for its clients, and the next pull succeeds", async () => {
    const layer = images.kill!.layers[0]!;
    standIn.blobBytesPerSecond = 4 * MiB; // ~3 s
    const [first, second] = replicas;
    try {
      const a = get(first!.url, blobPath(layer.digest), lb.host);
      // Replica 1 claims and fills; replica 2 relays it.
      for (let i = 0; i < 50 && (await prisma.blobFillClaim.count({ where: { digest: layer.digest } })) === 0; i++) await new Promise((r) => setTimeout(r, 20));
      const b = get(second!.url, blobPath(layer.digest), lb.host);
      await new Promise((r) => setTimeout(r, 700));
      first!.child.kill("SIGKILL");
      const survivor = await b;
      expect(survivor.error).toBeNull();
      expect(sha256(survivor.body)).toBe(layer.digest);
      expect((await a).error).not.toBeNull();
    } finally {
      standIn.blobBytesPerSecond = 0;
    }
    const next = await get(second!.url, blobPath(layer.digest), lb.host);
    expect(next.status).toBe(200);
    expect(sha256(next.body)).toBe(layer.digest);
  });
});
