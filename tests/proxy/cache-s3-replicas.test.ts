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
import { peerAuthHeader } from "../../proxy/cache/peer-fills";

// Two proxy replicas on one bucket and one database: a blob one replica is
// downloading is streamed to the other's clients from it (one upstream GET),
// and if the first dies mid-download the second takes over and completes it.
// The upstream is a stand-in that trickles blob bodies, to catch mid-fill states.

const UPSTREAM_PASSWORD = `upstream-${randomBytes(12).toString("hex")}`;
const MiB = 1024 * 1024;
const PREFIX = `replicas-${randomBytes(3).toString("hex")}`;

let registry: TestRegistry;
let standIn: UpstreamStandIn;
let s3: TestS3Server;
let a: ProxyProcess;
let b: ProxyProcess;
let fixture: CacheFixture;
let work: string;
const images: Record<string, WrittenImage> = {};

function collect(url: string) {
  const chunks: Buffer[] = [];
  let received = 0;
  let firstByteAt = 0;
  const waiters: { n: number; resolve: () => void }[] = [];
  const done = new Promise<{ status: number; body: Buffer; error: Error | null }>((resolve, reject) => {
    const req = http.get(url, { headers: { authorization: basicAuth(fixture.licenseId) } }, (res) => {
      res.on("data", (c: Buffer) => {
        firstByteAt ||= Date.now();
        chunks.push(c);
        received += c.length;
        for (const w of waiters.filter((w) => received >= w.n)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve();
        }
      });
      res.on("end", () => resolve({ status: res.statusCode!, body: Buffer.concat(chunks), error: res.complete ? null : new Error("incomplete") }));
      res.on("error", (error) => resolve({ status: res.statusCode!, body: Buffer.concat(chunks), error }));
      res.on("aborted", () => resolve({ status: res.statusCode!, body: Buffer.concat(chunks), error: new Error("aborted") }));
    });
    req.on("error", reject);
  });
  return {
    done,
    firstByteAt: () => firstByteAt,
    atLeast: (n: number) => (received >= n ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ n, resolve }))),
  };
}

function blobUrl(proxy: ProxyProcess, digest: string): string {
  return `${proxy.url}/v2/proxy/${fixture.appSlug}/slow/acme/app/blobs/${digest}`;
}

async function startReplica(): Promise<ProxyProcess> {
  const port = await freePort();
  return startProxyProcess(
    {
      DATABASE_URL: process.env.DATABASE_URL!,
      PULLGATE_SECRET_KEY: process.env.PULLGATE_SECRET_KEY!,
      PULLGATE_DOMAIN_CHECK_INTERVAL: "0",
      PULLGATE_PEER_URL: `http://127.0.0.1:${port}`,
      ...s3.proxyEnv(PREFIX),
    },
    { port },
  );
}

async function recorded(digest: string): Promise<boolean> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if ((await prisma.cachedBlob.count({ where: { namespace: fixture.registryIds.slow!, digest } })) > 0) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

beforeAll(async () => {
  work = await fs.promises.mkdtemp(path.join(os.tmpdir(), "pullgate-replicas-"));
  registry = await startRegistry({ auth: "htpasswd", users: { vendor: UPSTREAM_PASSWORD }, accessLog: true });
  const layout = path.join(work, "layout");
  const seed = randomBytes(4).toString("hex");
  for (const [tag, size] of [["shared", 8 * MiB], ["kill", 12 * MiB]] as const) {
    images[tag] = await writeOciImage(layout, { tag, layers: [{ size, seed: `${tag}-${seed}` }] });
    await registry.push(layout, tag, `acme/app:${tag}`);
  }
  standIn = await startUpstreamStandIn(registry.url);
  s3 = await startS3Server();
  fixture = await createCacheFixture({ registries: { slow: standIn.host }, upstreamPassword: UPSTREAM_PASSWORD });
  [a, b] = await Promise.all([startReplica(), startReplica()]);
}, 180_000);

afterAll(async () => {
  await a?.stop();
  await b?.stop();
  await standIn?.close();
  await registry?.stop();
  await s3?.stop();
  if (work) await fs.promises.rm(work, { recursive: true, force: true });
});

describe("replicas sharing a bucket", () => {
  it("a blob replica A is downloading is streamed to replica B's client from A: one upstream GET, B's bytes flow long before the end", async () => {
    const layer = images.shared!.layers[0]!;
    standIn.blobBytesPerSecond = 4 * MiB; // ~2 s for the layer
    try {
      const started = Date.now();
      const first = collect(blobUrl(a, layer.digest));
      await first.atLeast(256 * 1024);
      const second = collect(blobUrl(b, layer.digest));
      const [x, y] = await Promise.all([first.done, second.done]);
      const finished = Date.now();
      for (const r of [x, y]) {
        expect(r.error).toBeNull();
        expect(sha256(r.body)).toBe(layer.digest);
      }
      // B's client was served as A received: its first bytes came long before the download ended.
      expect(second.firstByteAt() - started).toBeLessThan((finished - started) * 0.7);
      expect(await registry.settledBlobGets(layer.digest, 1)).toBe(1);
      expect(await recorded(layer.digest)).toBe(true);
    } finally {
      standIn.blobBytesPerSecond = 0;
    }
  });

  it("the internal endpoint refuses requests without the replicas' signature", async () => {
    const layer = images.shared!.layers[0]!;
    const namespace = fixture.registryIds.slow!;
    const url = `${a.url}/_pullgate/fills/${namespace}/${layer.digest}`;
    expect((await fetch(url)).status).toBe(403);
    expect((await fetch(url, { headers: { "x-pullgate-peer-auth": peerAuthHeader(namespace, `sha256:${"0".repeat(64)}`) } })).status).toBe(403);
    // Correctly signed, but nothing in flight: 404 (a finished blob is in the bucket, not here).
    expect((await fetch(url, { headers: { "x-pullgate-peer-auth": peerAuthHeader(namespace, layer.digest) } })).status).toBe(404);
  });

  it("replica A killed mid-download: B takes over, completes the blob for its client, and the next pull succeeds", async () => {
    const layer = images.kill!.layers[0]!;
    standIn.blobBytesPerSecond = 4 * MiB; // ~3 s for the layer
    try {
      const first = collect(blobUrl(a, layer.digest));
      await first.atLeast(256 * 1024);
      const second = collect(blobUrl(b, layer.digest));
      await second.atLeast(1 * MiB);
      a.child.kill("SIGKILL");
      const survivor = await second.done;
      expect(survivor.error).toBeNull();
      expect(survivor.body.length).toBe(layer.size);
      expect(sha256(survivor.body)).toBe(layer.digest);
      expect((await first.done).error).not.toBeNull();
    } finally {
      standIn.blobBytesPerSecond = 0;
    }
    // B stored what it completed; the next pull is served from the bucket.
    expect(await recorded(layer.digest)).toBe(true);
    const next = collect(blobUrl(b, layer.digest));
    const again = await next.done;
    expect(again.status).toBe(307);
    // One full download (A's) and B's continuation from where A's stream broke: never a second full one.
    const fullGets = registry.accessLog().filter((l) => l.includes(`/blobs/${layer.digest}`) && /" 200 /.test(l));
    expect(fullGets).toHaveLength(1);
  });
});
