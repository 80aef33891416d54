import { randomBytes } from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRegistry, type TestRegistry } from "../helpers/registry";
import { writeOciImage, type WrittenImage } from "../helpers/oci-image";
import { startProxyProcess, type ProxyProcess } from "../helpers/proxy-process";
import { startUpstreamStandIn, type UpstreamStandIn } from "../helpers/upstream-stand-in";
import { basicAuth, cacheContentBytes, createCacheFixture, layoutDigests, metricValue, sha256, skopeoCopy, type CacheFixture } from "../helpers/cache-fixture";
import { startS3Server, type TestS3Server } from "../helpers/s3-server";
import { prisma } from "@/lib/db/client";

// PULLGATE_BLOB_STORE=s3://… against a local S3-compatible server (s3rver):
// cold fills go to the client and into a multipart upload at once, completed
// only once the digest verified; warm pulls are a 307 to a presigned GET
// (PULLGATE_S3_REDIRECT=1, the default) or streamed from the bucket (=0), Range
// both ways. Two proxies share the bucket: the streaming one never downloads
// what the redirecting one stored.

const UPSTREAM_PASSWORD = `upstream-${randomBytes(12).toString("hex")}`;
const MiB = 1024 * 1024;
const PREFIX = `blobs-${randomBytes(3).toString("hex")}`;

let registry: TestRegistry;
let standIn: UpstreamStandIn;
let s3: TestS3Server;
let redirecting: ProxyProcess;
let streaming: ProxyProcess;
let fixture: CacheFixture;
let work: string;
const images: Record<string, WrittenImage> = {};

type Answer = { status: number; headers: http.IncomingHttpHeaders; body: Buffer; error: Error | null };

/** One GET, redirects not followed. */
function get(url: string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks), error: res.complete ? null : new Error("incomplete") }));
      res.on("error", (error) => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks), error }));
      res.on("aborted", () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks), error: new Error("aborted") }));
    });
    req.on("error", reject);
  });
}

/**
 * The object's size once the upload completed: it completes just after the client got its last
 * byte, and s3rver (unlike S3) shows a multipart object while it is still concatenating the parts.
 */
async function storedSize(key: string, expected: number): Promise<number | null> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const size = await s3.objectSize(key);
    if (size === expected || Date.now() > deadline) return size;
    await new Promise((r) => setTimeout(r, 100));
  }
}

function blobUrl(proxy: ProxyProcess, alias: string, digest: string): string {
  return `${proxy.url}/v2/proxy/${fixture.appSlug}/${alias}/acme/app/blobs/${digest}`;
}

function objectKey(alias: string, digest: string): string {
  return `${PREFIX}/${fixture.registryIds[alias]}/sha256/${digest.slice(7)}`;
}

beforeAll(async () => {
  work = await fs.promises.mkdtemp(path.join(os.tmpdir(), "pullgate-cache-s3-"));
  registry = await startRegistry({ auth: "htpasswd", users: { vendor: UPSTREAM_PASSWORD }, accessLog: true });
  const layout = path.join(work, "layout");
  const seed = randomBytes(4).toString("hex");
  // 20 MiB: three multipart parts; 3 MiB: one part (a single PUT once verified).
  for (const [tag, size] of [["cold", 20 * MiB], ["corrupt", 12 * MiB], ["skopeo", 3 * MiB]] as const) {
    images[tag] = await writeOciImage(layout, { tag, layers: [{ size, seed: `${tag}-${seed}` }] });
    await registry.push(layout, tag, `acme/app:${tag}`);
  }
  standIn = await startUpstreamStandIn(registry.url);
  s3 = await startS3Server();
  fixture = await createCacheFixture({ registries: { direct: registry.host, slow: standIn.host }, upstreamPassword: UPSTREAM_PASSWORD });
  const base = { DATABASE_URL: process.env.DATABASE_URL!, PULLGATE_SECRET_KEY: process.env.PULLGATE_SECRET_KEY!, PULLGATE_DOMAIN_CHECK_INTERVAL: "0" };
  redirecting = await startProxyProcess({ ...base, ...s3.proxyEnv(PREFIX) });
  streaming = await startProxyProcess({ ...base, ...s3.proxyEnv(PREFIX, { PULLGATE_S3_REDIRECT: "0" }) });
}, 180_000);

afterAll(async () => {
  if (process.env.I17_DEBUG) console.log(redirecting?.logs().split("\n").filter((l) => !l.includes("\"request\"")).join("\n"));
  await redirecting?.stop();
  await streaming?.stop();
  await standIn?.close();
  await registry?.stop();
  await s3?.stop();
  if (work) await fs.promises.rm(work, { recursive: true, force: true });
});

describe("S3 blob store", () => {
  it("cold fill: the client gets the blob while it is uploaded; the object appears complete, the local cache keeps no copy", async () => {
    const layer = images.cold!.layers[0]!;
    const auth = { authorization: basicAuth(fixture.licenseId) };
    const [a, b] = await Promise.all([get(blobUrl(redirecting, "direct", layer.digest), auth), get(blobUrl(redirecting, "direct", layer.digest), auth)]);
    for (const answer of [a, b]) {
      expect(answer.status).toBe(200);
      expect(answer.error).toBeNull();
      expect(sha256(answer.body)).toBe(layer.digest);
    }
    expect(await storedSize(objectKey("direct", layer.digest), layer.size)).toBe(layer.size);
    expect(await registry.settledBlobGets(layer.digest, 1)).toBe(1);
    // Recorded in the index the replicas share, with the repository the download proved.
    const row = await prisma.cachedBlob.findUnique({ where: { namespace_digest: { namespace: fixture.registryIds.direct!, digest: layer.digest } } });
    expect(row && { size: Number(row.size), repositories: row.repositories, evictingAt: row.evictingAt }).toEqual({ size: layer.size, repositories: ["acme/app"], evictingAt: null });
    const local = await cacheContentBytes(redirecting.cacheDir);
    expect(local.files.some((f) => f.endsWith(layer.digest.slice(7)))).toBe(false);
    expect(local.tempFiles).toEqual([]);
  });

  it("warm pull: 307 to a presigned URL on the bucket that serves the right bytes, Range included; the upstream is not asked again", async () => {
    const layer = images.cold!.layers[0]!;
    const auth = { authorization: basicAuth(fixture.licenseId) };
    const redirect = await get(blobUrl(redirecting, "direct", layer.digest), auth);
    expect(redirect.status).toBe(307);
    expect(redirect.headers["docker-content-digest"]).toBe(layer.digest);
    const location = new URL(redirect.headers.location!);
    expect(location.origin).toBe(s3.endpoint);
    expect(location.searchParams.get("X-Amz-Expires")).toBe("60");
    const whole = await get(location.href);
    expect(whole.status).toBe(200);
    expect(sha256(whole.body)).toBe(layer.digest);

    const ranged = await get(blobUrl(redirecting, "direct", layer.digest), { ...auth, range: "bytes=1048576-1048675" });
    expect(ranged.status).toBe(307);
    const part = await get(ranged.headers.location!, { range: "bytes=1048576-1048675" });
    expect(part.status).toBe(206);
    expect(part.body.equals(whole.body.subarray(1048576, 1048676))).toBe(true);

    // Without a license: refused before any redirect.
    const anonymous = await get(blobUrl(redirecting, "direct", layer.digest));
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.location).toBeUndefined();
    expect(await registry.settledBlobGets(layer.digest, 1)).toBe(1);
    expect(metricValue(await redirecting.metrics(), "pullgate_proxy_cache_redirects_total")).toBeGreaterThanOrEqual(2);
  });

  it("PULLGATE_S3_REDIRECT=0: another replica streams the stored object itself, Range and 416 included, without asking the upstream", async () => {
    const layer = images.cold!.layers[0]!;
    const auth = { authorization: basicAuth(fixture.licenseId) };
    const whole = await get(blobUrl(streaming, "direct", layer.digest), auth);
    expect(whole.status).toBe(200);
    expect(whole.headers.location).toBeUndefined();
    expect(Number(whole.headers["content-length"])).toBe(layer.size);
    expect(sha256(whole.body)).toBe(layer.digest);

    const part = await get(blobUrl(streaming, "direct", layer.digest), { ...auth, range: "bytes=100-199" });
    expect(part.status).toBe(206);
    expect(part.headers["content-range"]).toBe(`bytes 100-199/${layer.size}`);
    expect(part.body.equals(whole.body.subarray(100, 200))).toBe(true);

    const beyond = await get(blobUrl(streaming, "direct", layer.digest), { ...auth, range: `bytes=${layer.size}-` });
    expect(beyond.status).toBe(416);
    expect(await registry.settledBlobGets(layer.digest, 1)).toBe(1);
  });

  it("digest mismatch: every client gets a broken transfer, the upload is never completed and no object exists under the key", async () => {
    const layer = images.corrupt!.layers[0]!;
    const auth = { authorization: basicAuth(fixture.licenseId) };
    standIn.corruptBlobs = true;
    try {
      const answer = await get(blobUrl(redirecting, "slow", layer.digest), auth);
      expect(answer.error).not.toBeNull();
      expect(answer.body.length).toBeLessThan(layer.size);
    } finally {
      standIn.corruptBlobs = false;
    }
    // Give a wrongly completed upload time to show.
    await new Promise((r) => setTimeout(r, 500));
    expect(await s3.objectSize(objectKey("slow", layer.digest))).toBeNull();
    expect((await s3.keys(`${PREFIX}/${fixture.registryIds.slow}/`)).filter((k) => k.includes(layer.digest.slice(7)))).toEqual([]);
    expect(await prisma.cachedBlob.count({ where: { digest: layer.digest } })).toBe(0);

    // The next pull fetches it again and stores it.
    const again = await get(blobUrl(redirecting, "slow", layer.digest), auth);
    expect(again.status).toBe(200);
    expect(sha256(again.body)).toBe(layer.digest);
    expect(await storedSize(objectKey("slow", layer.digest), layer.size)).toBe(layer.size);
  });

  it("skopeo follows the 307 of a warm pull to the right bytes", async () => {
    const image = images.skopeo!;
    const source = `${redirecting.host}/proxy/${fixture.appSlug}/direct/acme/app:skopeo`;
    await skopeoCopy(source, path.join(work, "cold-copy"), "skopeo", fixture.licenseId);
    // The uploads complete just after skopeo got the last bytes: wait until both blobs are recorded.
    const digests = [image.config.digest, image.layers[0]!.digest];
    const deadline = Date.now() + 10_000;
    while ((await prisma.cachedBlob.count({ where: { namespace: fixture.registryIds.direct!, digest: { in: digests } } })) < 2 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
    }
    const redirectsBefore = metricValue(await redirecting.metrics(), "pullgate_proxy_cache_redirects_total");
    await skopeoCopy(source, path.join(work, "warm-copy"), "skopeo", fixture.licenseId);
    const redirects = metricValue(await redirecting.metrics(), "pullgate_proxy_cache_redirects_total") - redirectsBefore;
    // The layer and the config blob, both warm: both answered with a redirect.
    expect(redirects).toBe(2);
    const copied = await layoutDigests(path.join(work, "warm-copy"));
    for (const layer of image.layers) expect(copied.blobs).toContain(layer.digest);
    expect(copied.blobs).toContain(image.config.digest);
    expect(await registry.settledBlobGets(image.layers[0]!.digest, 1)).toBe(1);
    // The tag's answer is shared through the database: the other replica has it without asking.
    const tags = await prisma.cachedTag.findMany({ where: { namespace: fixture.registryIds.direct! } });
    expect(tags.map((t) => t.digest)).toContain(image.manifest.digest);
  });
});
