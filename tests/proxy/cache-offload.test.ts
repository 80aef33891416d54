import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prisma } from "@/lib/db/client";
import { updateCustomer } from "@/lib/customers/update-customer";
import { parseMasterKey } from "@/lib/secrets/master-key";
import { offloadKey } from "@/proxy/cache/offload";
import { startRegistry, type TestRegistry } from "../helpers/registry";
import { writeOciImage, type WrittenImage } from "../helpers/oci-image";
import { startProxyProcess, type ProxyProcess } from "../helpers/proxy-process";
import { startNginx, type TestNginx } from "../helpers/nginx";
import { basicAuth, createCacheFixture, layoutDigests, metricValue, skopeoCopy, type CacheFixture } from "../helpers/cache-fixture";

// The recommended deployment: Debian's nginx in front, configured with what
// `pullgate nginx-config` prints, the proxy with PULLGATE_OFFLOAD=nginx. The
// proxy still authorizes every request; complete cached blobs are sent by
// nginx (X-Accel-Redirect), everything else passes through it.

const UPSTREAM_PASSWORD = `upstream-${randomBytes(12).toString("hex")}`;
const PREFIX = "/_pullgate_cache/";
const LAYER_SIZE = 3 * 1024 * 1024 + 17;

let registry: TestRegistry;
let proxy: ProxyProcess;
let nginx: TestNginx;
let fixture: CacheFixture;
let work: string;
let image: WrittenImage;
let layerBytes: Buffer;
let copies = 0;

const layer = () => image.layers[0]!;
const blobUrl = (digest: string) => `${nginx.url}/v2/proxy/${fixture.appSlug}/direct/acme/app/blobs/${digest}`;
const auth = () => ({ authorization: basicAuth(fixture.licenseId) });
const offloads = async () => metricValue(await proxy.metrics(), "pullgate_proxy_cache_offloads_total");

async function copyThroughNginx(): Promise<void> {
  const dest = path.join(work, `copy-${++copies}`);
  await skopeoCopy(`${nginx.host}/proxy/${fixture.appSlug}/direct/acme/app:1.0`, dest, "t", fixture.licenseId);
  const copy = await layoutDigests(dest);
  expect(copy.manifests).toEqual([image.manifest.digest]);
  for (const d of [image.config, ...image.layers]) expect(copy.blobs).toContain(d.digest);
}

beforeAll(async () => {
  work = await fs.promises.mkdtemp(path.join(os.tmpdir(), "pullgate-cache-offload-"));
  registry = await startRegistry({ auth: "htpasswd", users: { vendor: UPSTREAM_PASSWORD }, accessLog: true });
  const layout = path.join(work, "layout");
  image = await writeOciImage(layout, { tag: "1.0", layers: [{ size: LAYER_SIZE, seed: `offload-${randomBytes(4).toString("hex")}` }] });
  layerBytes = await fs.promises.readFile(path.join(layout, "blobs", "sha256", layer().digest.slice(7)));
  await registry.push(layout, "1.0", "acme/app:1.0");
  fixture = await createCacheFixture({ registries: { direct: registry.host }, upstreamPassword: UPSTREAM_PASSWORD });
  const cacheDir = path.join(work, "cache");
  proxy = await startProxyProcess({
    DATABASE_URL: process.env.DATABASE_URL!,
    PULLGATE_SECRET_KEY: process.env.PULLGATE_SECRET_KEY!,
    PULLGATE_CACHE_DIR: cacheDir,
    PULLGATE_OFFLOAD: "nginx",
    PULLGATE_OFFLOAD_PREFIX: PREFIX,
    PROXY_TRUST_FORWARDED: "1",
  });
  nginx = await startNginx({ proxyAddress: proxy.host, cacheDir, prefix: PREFIX, offloadKey: offloadKey(parseMasterKey(process.env.PULLGATE_SECRET_KEY)) });
}, 180_000);

afterAll(async () => {
  await nginx?.stop();
  await proxy?.stop();
  await registry?.stop();
  if (work) await fs.promises.rm(work, { recursive: true, force: true });
});

describe("nginx offload (X-Accel-Redirect)", () => {
  it("skopeo pulls through nginx: cold from the proxy, warm blobs sent by nginx", async () => {
    await copyThroughNginx();
    expect(await offloads()).toBe(0); // cold: the proxy streamed them while filling the cache
    const servedFromCacheBefore = metricValue(await proxy.metrics(), "pullgate_proxy_cache_bytes_total", { source: "cache" });

    await copyThroughNginx();
    // Config and layer (skopeo may skip blobs it already has locally in a new layout: it has none).
    expect(await offloads()).toBe(2);
    // Not one byte of them went through Node (what the proxy still sent from its cache is the manifest)…
    const fromCache = metricValue(await proxy.metrics(), "pullgate_proxy_cache_bytes_total", { source: "cache" }) - servedFromCacheBefore;
    expect(fromCache % image.manifest.size).toBe(0);
    expect(fromCache).toBeLessThan(image.config.size + layer().size);
    // …yet nginx sent the whole layer.
    const sentWhole = () => nginx.accessLog().some((line) => line.startsWith(`200 ${layer().size} "GET /v2/proxy/`) && line.includes(layer().digest));
    const logged = Date.now() + 5_000;
    while (!sentWhole() && Date.now() < logged) await new Promise((r) => setTimeout(r, 50));
    expect(sentWhole()).toBe(true);
  });

  it("records the offloaded pull as a cache hit with its size", async () => {
    const res = await fetch(blobUrl(layer().digest), { headers: auth() });
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).equals(layerBytes)).toBe(true);
    expect(res.headers.get("docker-content-digest")).toBe(layer().digest);
    expect(res.headers.get("etag")).toBe(`"${layer().digest}"`);
    expect(res.headers.get("docker-distribution-api-version")).toBe("registry/2.0");
    const deadline = Date.now() + 10_000;
    let event = null;
    while (!event && Date.now() < deadline) {
      event = await prisma.pullEvent.findFirst({ where: { licenseId: fixture.licenseId, digest: layer().digest, cacheHit: true }, orderBy: { id: "desc" } });
      if (!event) await new Promise((r) => setTimeout(r, 100));
    }
    expect(event).not.toBeNull();
    expect(Number(event!.bytes)).toBe(layer().size);
    expect(event!.status).toBe(200);
  });

  it("Range and HEAD through nginx", async () => {
    const ranged = await fetch(blobUrl(layer().digest), { headers: { ...auth(), range: "bytes=1000-1999" } });
    expect(ranged.status).toBe(206);
    expect(ranged.headers.get("content-range")).toBe(`bytes 1000-1999/${layer().size}`);
    expect(Buffer.from(await ranged.arrayBuffer()).equals(layerBytes.subarray(1000, 2000))).toBe(true);
    expect(ranged.headers.get("docker-content-digest")).toBe(layer().digest);

    const head = await fetch(blobUrl(layer().digest), { method: "HEAD", headers: auth() });
    expect(head.status).toBe(200);
    expect(head.headers.get("content-length")).toBe(String(layer().size));
    expect(head.headers.get("docker-content-digest")).toBe(layer().digest);
  });

  it("a client reaching the proxy directly is streamed the blob, not handed an empty offload answer", async () => {
    const before = await offloads();
    const direct = `${proxy.url}/v2/proxy/${fixture.appSlug}/direct/acme/app/blobs/${layer().digest}`;
    for (const headers of [auth(), { ...auth(), "x-pullgate-offload-key": "guessed" }]) {
      const res = await fetch(direct, { headers });
      expect(res.status).toBe(200);
      expect(res.headers.get("x-accel-redirect")).toBeNull();
      expect(Buffer.from(await res.arrayBuffer()).equals(layerBytes)).toBe(true);
    }
    expect(await offloads()).toBe(before);
  });

  it("the cache location cannot be reached without the proxy's answer", async () => {
    const internal = `${nginx.url}${PREFIX}${fixture.registryIds.direct}/sha256/${layer().digest.slice(7)}`;
    const res = await fetch(internal, { headers: auth() });
    expect(res.status).toBe(404);
    expect(Buffer.from(await res.arrayBuffer()).includes(layerBytes.subarray(0, 64))).toBe(false);
  });

  it("a wrong license or a revoked one is refused before nginx sees the file", async () => {
    const before = await offloads();
    const wrong = await fetch(blobUrl(layer().digest), { headers: { authorization: basicAuth("not-a-license-id-00000000000") } });
    expect(wrong.status).toBe(401);
    expect(await offloads()).toBe(before);

    await updateCustomer(fixture.actor, fixture.customerId, { registryAccess: false });
    try {
      const deadline = Date.now() + 10_000;
      let res = await fetch(blobUrl(layer().digest), { headers: auth() });
      while (res.status === 200 && Date.now() < deadline) {
        await res.arrayBuffer();
        await new Promise((r) => setTimeout(r, 50));
        res = await fetch(blobUrl(layer().digest), { headers: auth() });
      }
      expect(res.status).toBe(403);
      expect((await res.json()).errors[0].code).toBe("DENIED");
      const offloadsWhileRevoked = await offloads();
      const again = await fetch(blobUrl(layer().digest), { headers: auth() });
      expect(again.status).toBe(403);
      expect(await offloads()).toBe(offloadsWhileRevoked);
    } finally {
      await updateCustomer(fixture.actor, fixture.customerId, { registryAccess: true });
    }
  });

  it("a file removed behind the proxy's back is fetched again through nginx's fallback", async () => {
    const file = path.join(proxy.cacheDir, fixture.registryIds.direct!, "sha256", layer().digest.slice(7));
    await (await fetch(blobUrl(layer().digest), { headers: auth() })).arrayBuffer();
    const deadline = Date.now() + 10_000;
    while (!fs.existsSync(file) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(await offloads()).toBeGreaterThan(0);
    await fs.promises.rm(file);
    const gets = registry.blobGets(layer().digest);
    const res = await fetch(blobUrl(layer().digest), { headers: auth() });
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).equals(layerBytes)).toBe(true);
    expect(await registry.settledBlobGets(layer().digest, gets + 1)).toBe(gets + 1);
  });
});
