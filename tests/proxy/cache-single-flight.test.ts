import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prisma } from "@/lib/db/client";
import { startRegistry, type TestRegistry } from "../helpers/registry";
import { writeOciImage, type WrittenImage } from "../helpers/oci-image";
import { startProxyProcess, type ProxyProcess } from "../helpers/proxy-process";
import { basicAuth, createCacheFixture, layoutDigests, metricValue, skopeoCopy, type CacheFixture } from "../helpers/cache-fixture";

// Twenty customers pull the same cold image at the same moment: the vendor's
// registry must see each blob fetched exactly once (read from its own access
// log), and every copy must hold the right bytes.

const UPSTREAM_PASSWORD = `upstream-${randomBytes(12).toString("hex")}`;
const CLIENTS = 20;

let registry: TestRegistry;
let proxy: ProxyProcess;
let fixture: CacheFixture;
let work: string;
let image: WrittenImage;

beforeAll(async () => {
  work = await fs.promises.mkdtemp(path.join(os.tmpdir(), "pullgate-cache-sf-"));
  registry = await startRegistry({ auth: "htpasswd", users: { vendor: UPSTREAM_PASSWORD }, accessLog: true });
  const layout = path.join(work, "layout");
  image = await writeOciImage(layout, { tag: "1.0", layers: [{ size: 3 * 1024 * 1024, seed: `sf-${randomBytes(4).toString("hex")}` }, { size: 200_000 }] });
  await registry.push(layout, "1.0", "acme/app:1.0");
  fixture = await createCacheFixture({ registries: { upstream: registry.host }, upstreamPassword: UPSTREAM_PASSWORD });
  proxy = await startProxyProcess({ DATABASE_URL: process.env.DATABASE_URL!, PULLGATE_SECRET_KEY: process.env.PULLGATE_SECRET_KEY! });
}, 180_000);

afterAll(async () => {
  await proxy?.stop();
  await registry?.stop();
  if (work) await fs.promises.rm(work, { recursive: true, force: true });
});

describe("single flight", () => {
  it(`${CLIENTS} concurrent skopeo copies of a cold image → one upstream GET per blob, every copy intact`, async () => {
    const before = registry.blobGets();
    const source = `${proxy.host}/proxy/${fixture.appSlug}/upstream/acme/app:1.0`;
    await Promise.all(Array.from({ length: CLIENTS }, (_, i) => skopeoCopy(source, path.join(work, `copy-${i}`), "1.0", fixture.licenseId)));

    const expectedBlobs = [image.config.digest, ...image.layers.map((l) => l.digest)];
    for (let i = 0; i < CLIENTS; i++) {
      const copy = await layoutDigests(path.join(work, `copy-${i}`));
      expect(copy.manifests).toEqual([image.manifest.digest]);
      for (const digest of expectedBlobs) expect(copy.blobs).toContain(digest);
    }

    expect(await registry.settledBlobGets(undefined, before + expectedBlobs.length)).toBe(before + expectedBlobs.length);
    for (const digest of expectedBlobs) expect(registry.blobGets(digest), digest).toBe(1);

    const metrics = await proxy.metrics();
    expect(metricValue(metrics, "pullgate_proxy_cache_requests_total", { kind: "blob", result: "miss" })).toBe(expectedBlobs.length);
    // Every other request either joined a download in flight or hit the finished file.
    const joins = metricValue(metrics, "pullgate_proxy_cache_single_flight_joins_total");
    const hits = metricValue(metrics, "pullgate_proxy_cache_requests_total", { kind: "blob", result: "hit" });
    expect(joins + hits).toBe(CLIENTS * expectedBlobs.length - expectedBlobs.length);
    expect(metricValue(metrics, "pullgate_proxy_cache_bytes_total", { source: "upstream" })).toBeGreaterThanOrEqual(image.layers[0]!.size);
    // One connection per upstream blob download: opened for it, or kept alive from the one before.
    const opened = metricValue(metrics, "pullgate_proxy_upstream_blob_connections_total", { connection: "new" });
    const reused = metricValue(metrics, "pullgate_proxy_upstream_blob_connections_total", { connection: "reused" });
    expect(opened).toBeGreaterThanOrEqual(1);
    expect(opened + reused).toBe(expectedBlobs.length);
  }, 120_000);

  it("a warm pull touches the upstream for no blob at all", async () => {
    const before = registry.blobGets();
    await skopeoCopy(`${proxy.host}/proxy/${fixture.appSlug}/upstream/acme/app@${image.manifest.digest}`, path.join(work, "warm"), "1.0", fixture.licenseId);
    const copy = await layoutDigests(path.join(work, "warm"));
    expect(copy.manifests).toEqual([image.manifest.digest]);
    await new Promise((r) => setTimeout(r, 200));
    expect(registry.blobGets()).toBe(before);
  });

  it("a blob streamed from the cache records the bytes it sent in its pull event", async () => {
    const layer = image.layers[0]!;
    const url = `${proxy.url}/v2/proxy/${fixture.appSlug}/upstream/acme/app/blobs/${layer.digest}`;
    const headers = { authorization: basicAuth(fixture.licenseId) };
    const whole = await fetch(url, { headers });
    expect(whole.status).toBe(200);
    expect((await whole.arrayBuffer()).byteLength).toBe(layer.size);
    const ranged = await fetch(url, { headers: { ...headers, range: "bytes=1000-1999" } });
    expect(ranged.status).toBe(206);
    expect((await ranged.arrayBuffer()).byteLength).toBe(1000);

    // The proxy writes pull events in batches: wait for both rows.
    const deadline = Date.now() + 10_000;
    let events: { status: number; bytes: bigint; cacheHit: boolean }[] = [];
    while (Date.now() < deadline) {
      events = await prisma.pullEvent.findMany({ where: { licenseId: fixture.licenseId, digest: layer.digest, cacheHit: true }, select: { status: true, bytes: true, cacheHit: true } });
      if (events.some((e) => e.status === 200) && events.some((e) => e.status === 206)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(events.filter((e) => e.status === 200).map((e) => Number(e.bytes))).toContain(layer.size);
    expect(events.filter((e) => e.status === 206).map((e) => Number(e.bytes))).toEqual([1000]);
  });
});
