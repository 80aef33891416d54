import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { updateCustomer } from "@/lib/customers/update-customer";
import { startRegistry, type TestRegistry } from "../helpers/registry";
import { writeOciImage, type WrittenImage } from "../helpers/oci-image";
import { startProxyProcess, type ProxyProcess } from "../helpers/proxy-process";
import { startUpstreamStandIn, type UpstreamStandIn } from "../helpers/upstream-stand-in";
import { basicAuth, createCacheFixture, layoutDigests, metricValue, skopeoCopy, type CacheFixture } from "../helpers/cache-fixture";

// After a warm pull the cache keeps customers pulling when the vendor's
// registry is rate limiting or down, and never keeps them pulling once their
// license is revoked.

const UPSTREAM_PASSWORD = `upstream-${randomBytes(12).toString("hex")}`;
const TAG_TTL_SECONDS = 1;

let registry: TestRegistry;
let standIn: UpstreamStandIn;
let proxy: ProxyProcess;
let fixture: CacheFixture;
let work: string;
let image: WrittenImage;
let copies = 0;

function ref(alias: string, reference: string): string {
  return `${proxy.host}/proxy/${fixture.appSlug}/${alias}/acme/app${reference}`;
}

async function copyAndCheck(source: string): Promise<void> {
  const dest = path.join(work, `copy-${++copies}`);
  await skopeoCopy(source, dest, "t", fixture.licenseId);
  const copy = await layoutDigests(dest);
  expect(copy.manifests).toEqual([image.manifest.digest]);
  for (const d of [image.config, ...image.layers]) expect(copy.blobs).toContain(d.digest);
}

const ttlPassed = () => new Promise((r) => setTimeout(r, TAG_TTL_SECONDS * 1000 + 200));

beforeAll(async () => {
  work = await fs.promises.mkdtemp(path.join(os.tmpdir(), "pullgate-cache-offline-"));
  registry = await startRegistry({ auth: "htpasswd", users: { vendor: UPSTREAM_PASSWORD } });
  const layout = path.join(work, "layout");
  image = await writeOciImage(layout, { tag: "1.0", layers: [{ size: 100_000, seed: `offline-${randomBytes(4).toString("hex")}` }] });
  await registry.push(layout, "1.0", "acme/app:1.0");
  standIn = await startUpstreamStandIn(registry.url);
  fixture = await createCacheFixture({ registries: { direct: registry.host, limited: standIn.host }, upstreamPassword: UPSTREAM_PASSWORD });
  proxy = await startProxyProcess({ DATABASE_URL: process.env.DATABASE_URL!, PULLGATE_SECRET_KEY: process.env.PULLGATE_SECRET_KEY!, PULLGATE_TAG_TTL: String(TAG_TTL_SECONDS) });
}, 180_000);

afterAll(async () => {
  await proxy?.stop();
  await standIn?.close();
  await registry?.stop();
  if (work) await fs.promises.rm(work, { recursive: true, force: true });
});

describe("serving from the cache when the upstream cannot answer", () => {
  it("upstream answering 429 → the cached tag is served", async () => {
    await copyAndCheck(ref("limited", ":1.0"));
    standIn.manifestStatus = 429;
    try {
      await ttlPassed();
      const staleBefore = metricValue(await proxy.metrics(), "pullgate_proxy_cache_stale_serves_total");
      await copyAndCheck(ref("limited", ":1.0"));
      // The revalidation really asked (and was refused).
      expect(standIn.requests.filter((r) => r.startsWith("HEAD ") && r.includes("/manifests/1.0")).length).toBeGreaterThan(0);
      expect(metricValue(await proxy.metrics(), "pullgate_proxy_cache_stale_serves_total")).toBeGreaterThan(staleBefore);
    } finally {
      standIn.manifestStatus = null;
    }
  });

  it("upstream answering 404 or 401 for a known tag → that refusal is passed on, never the cached digest", async () => {
    // A 404 means the tag is gone (deleted, moved), a 401 that the vendor's credentials no longer work:
    // neither is an outage, so the last known digest must not be served.
    const url = `${proxy.url}/v2/proxy/${fixture.appSlug}/limited/acme/app/manifests/1.0`;
    const headers = { authorization: basicAuth(fixture.licenseId), accept: "application/vnd.oci.image.manifest.v1+json" };
    for (const status of [404, 401]) {
      const warm = await fetch(url, { headers });
      expect(warm.status, `warm before ${status}`).toBe(200);
      expect(warm.headers.get("docker-content-digest")).toBe(image.manifest.digest);
      await warm.arrayBuffer();
      standIn.manifestStatus = status;
      try {
        await ttlPassed();
        const asked = standIn.requests.length;
        const staleBefore = metricValue(await proxy.metrics(), "pullgate_proxy_cache_stale_serves_total");
        const res = await fetch(url, { headers });
        const body = await res.text();
        expect(res.status, `upstream ${status}: ${body}`).not.toBe(200);
        if (status === 404) expect(JSON.parse(body).errors[0].code).toBe("MANIFEST_UNKNOWN");
        expect(standIn.requests.slice(asked).some((r) => r.includes("/manifests/1.0"))).toBe(true);
        expect(metricValue(await proxy.metrics(), "pullgate_proxy_cache_stale_serves_total")).toBe(staleBefore);
      } finally {
        standIn.manifestStatus = null;
      }
    }
  });

  it("a tag unknown to the cache still gets the upstream's 429", async () => {
    standIn.manifestStatus = 429;
    try {
      const res = await fetch(`${proxy.url}/v2/proxy/${fixture.appSlug}/limited/acme/app/manifests/never-pulled`, { headers: { authorization: basicAuth(fixture.licenseId) } });
      expect(res.status).toBe(429);
      expect((await res.json()).errors[0].code).toBe("TOOMANYREQUESTS");
    } finally {
      standIn.manifestStatus = null;
    }
  });

  it("upstream stopped after a warm pull → skopeo copy by tag and by digest still succeed", async () => {
    await copyAndCheck(ref("direct", ":1.0"));
    await registry.kill("SIGKILL");
    try {
      await ttlPassed();
      await copyAndCheck(ref("direct", ":1.0"));
      await copyAndCheck(ref("direct", `@${image.manifest.digest}`));
      const metrics = await proxy.metrics();
      expect(metricValue(metrics, "pullgate_proxy_cache_requests_total", { kind: "tag", result: "stale" })).toBeGreaterThan(0);
    } finally {
      await registry.restart();
    }
  });
});

describe("authorization comes before the cache", () => {
  it("a license revoked after a warm pull → the cached blob and manifest are refused", async () => {
    await copyAndCheck(ref("direct", ":1.0"));
    const blob = `${proxy.url}/v2/proxy/${fixture.appSlug}/direct/acme/app/blobs/${image.layers[0]!.digest}`;
    const headers = { authorization: basicAuth(fixture.licenseId) };
    expect((await fetch(blob, { headers })).status).toBe(200);

    await updateCustomer(fixture.actor, fixture.customerId, { registryAccess: false });
    try {
      const deadline = Date.now() + 10_000;
      let res = await fetch(blob, { headers });
      while (res.status === 200 && Date.now() < deadline) {
        await res.arrayBuffer();
        await new Promise((r) => setTimeout(r, 50));
        res = await fetch(blob, { headers });
      }
      expect(res.status).toBe(403);
      expect((await res.json()).errors[0].code).toBe("DENIED");
      const manifest = await fetch(`${proxy.url}/v2/proxy/${fixture.appSlug}/direct/acme/app/manifests/${image.manifest.digest}`, { headers });
      expect(manifest.status).toBe(403);
    } finally {
      await updateCustomer(fixture.actor, fixture.customerId, { registryAccess: true });
    }
  });
});
