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
import { basicAuth, cacheContentBytes, createCacheFixture, sha256, type CacheFixture } from "../helpers/cache-fixture";

// Mid-transfer states, caught with a stand-in that trickles blob bodies from
// the real registry instead of with huge blobs: joiners and ranges served
// while the download runs, the upstream dying mid-blob, the proxy SIGKILLed
// mid-write.

const UPSTREAM_PASSWORD = `upstream-${randomBytes(12).toString("hex")}`;
const MiB = 1024 * 1024;

let registry: TestRegistry;
let standIn: UpstreamStandIn;
let proxy: ProxyProcess;
let fixture: CacheFixture;
let work: string;
let cacheDir: string;
const images: Record<string, WrittenImage> = {};

/** A streaming GET through the proxy: resolves at the headers; the body is read by the caller. */
function openBlob(digest: string, headers: Record<string, string> = {}): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = http.get(`${proxy.url}/v2/proxy/${fixture.appSlug}/slow/acme/app/blobs/${digest}`, { headers: { authorization: basicAuth(fixture.licenseId), ...headers } }, resolve);
    req.on("error", reject);
  });
}

/** Collects a response body from the first byte: wait for some of it, or for the end (or the error that cut it short). */
function collect(res: http.IncomingMessage) {
  const chunks: Buffer[] = [];
  let received = 0;
  const waiters: { n: number; resolve: () => void }[] = [];
  const done = new Promise<{ body: Buffer; error: Error | null }>((resolve) => {
    res.on("end", () => resolve({ body: Buffer.concat(chunks), error: res.complete ? null : new Error("incomplete") }));
    res.on("error", (error) => resolve({ body: Buffer.concat(chunks), error }));
    res.on("aborted", () => resolve({ body: Buffer.concat(chunks), error: new Error("aborted") }));
  });
  res.on("data", (c: Buffer) => {
    chunks.push(c);
    received += c.length;
    for (const w of waiters.filter((w) => received >= w.n)) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve();
    }
  });
  return {
    done,
    atLeast: (n: number) => (received >= n ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ n, resolve }))),
  };
}

/** The partial download is deleted once its last queued write returned: give a loaded machine a moment. */
async function cacheSettled(): Promise<Awaited<ReturnType<typeof cacheContentBytes>>> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const content = await cacheContentBytes(cacheDir);
    if (content.tempFiles.length === 0 || Date.now() > deadline) return content;
    await new Promise((r) => setTimeout(r, 50));
  }
}

function proxyEnv(): Record<string, string> {
  return { DATABASE_URL: process.env.DATABASE_URL!, PULLGATE_SECRET_KEY: process.env.PULLGATE_SECRET_KEY!, PULLGATE_CACHE_DIR: cacheDir };
}

beforeAll(async () => {
  work = await fs.promises.mkdtemp(path.join(os.tmpdir(), "pullgate-cache-fail-"));
  cacheDir = path.join(work, "cache");
  registry = await startRegistry({ auth: "htpasswd", users: { vendor: UPSTREAM_PASSWORD }, accessLog: true });
  const layout = path.join(work, "layout");
  const seed = randomBytes(4).toString("hex");
  for (const [tag, size] of [["join", 6 * MiB], ["range", 6 * MiB], ["kill", 16 * MiB], ["crash", 16 * MiB], ["corrupt", 3 * MiB], ["tmpdir", 2 * MiB]] as const) {
    images[tag] = await writeOciImage(layout, { tag, layers: [{ size, seed: `${tag}-${seed}` }] });
    await registry.push(layout, tag, `acme/app:${tag}`);
  }
  standIn = await startUpstreamStandIn(registry.url);
  fixture = await createCacheFixture({ registries: { slow: standIn.host }, upstreamPassword: UPSTREAM_PASSWORD });
  proxy = await startProxyProcess(proxyEnv());
}, 180_000);

afterAll(async () => {
  await proxy?.stop();
  await standIn?.close();
  await registry?.stop();
  if (work) await fs.promises.rm(work, { recursive: true, force: true });
});

describe("a blob being downloaded", () => {
  it("is streamed to a second client and to a Range request at once, from one upstream GET", async () => {
    const layer = images.join!.layers[0]!;
    standIn.blobBytesPerSecond = 4 * MiB; // ~1.5 s for the whole layer
    const started = Date.now();
    const first = collect(await openBlob(layer.digest));
    await first.atLeast(64 * 1024);

    const second = collect(await openBlob(layer.digest));
    await second.atLeast(1);
    const secondBytesAt = Date.now();
    const range = await openBlob(layer.digest, { range: "bytes=0-99" });
    const rangeBody = await collect(range).done;
    const rangeAt = Date.now();

    const [a, b] = await Promise.all([first.done, second.done]);
    const finished = Date.now();
    // The joiner and the range got bytes long before the download ended.
    expect(secondBytesAt - started).toBeLessThan((finished - started) * 0.7);
    expect(rangeAt).toBeLessThan(finished);
    expect(range.statusCode).toBe(206);
    expect(range.headers["content-range"]).toBe(`bytes 0-99/${layer.size}`);
    expect(a.error).toBeNull();
    expect(b.error).toBeNull();
    expect(sha256(a.body)).toBe(layer.digest);
    expect(sha256(b.body)).toBe(layer.digest);
    expect(rangeBody.body.equals(a.body.subarray(0, 100))).toBe(true);
    expect(await registry.settledBlobGets(layer.digest, 1)).toBe(1);
    standIn.blobBytesPerSecond = 0;
  });
});

describe("a Range of a blob being downloaded", () => {
  it("starts at its own offset: bytes=1000-1999 and a range past what has arrived get exactly those bytes", async () => {
    const layer = images.range!.layers[0]!;
    standIn.blobBytesPerSecond = 3 * MiB; // ~2 s for the whole layer
    try {
      const first = collect(await openBlob(layer.digest));
      await first.atLeast(64 * 1024);
      const far = 4 * MiB + 12_345;
      const [near, ahead] = await Promise.all([openBlob(layer.digest, { range: "bytes=1000-1999" }), openBlob(layer.digest, { range: `bytes=${far}-${far + 4095}` })]);
      const [nearBody, aheadBody] = await Promise.all([collect(near).done, collect(ahead).done]);
      const whole = await first.done;
      expect(whole.error).toBeNull();
      expect(sha256(whole.body)).toBe(layer.digest);
      expect(near.statusCode).toBe(206);
      expect(near.headers["content-range"]).toBe(`bytes 1000-1999/${layer.size}`);
      expect(nearBody.error).toBeNull();
      expect(nearBody.body.equals(whole.body.subarray(1000, 2000))).toBe(true);
      expect(ahead.statusCode).toBe(206);
      expect(ahead.headers["content-range"]).toBe(`bytes ${far}-${far + 4095}/${layer.size}`);
      expect(aheadBody.error).toBeNull();
      expect(aheadBody.body.equals(whole.body.subarray(far, far + 4096))).toBe(true);
      // Both were served by the one download in flight.
      expect(await registry.settledBlobGets(layer.digest, 1)).toBe(1);
    } finally {
      standIn.blobBytesPerSecond = 0;
    }
  });
});

describe("failures never leave a blob in the cache", () => {
  it("upstream bytes that do not match the digest → every client gets a broken transfer, short of the last byte; nothing is cached", async () => {
    const layer = images.corrupt!.layers[0]!;
    standIn.corruptBlobs = true;
    try {
      const [a, b] = await Promise.all([openBlob(layer.digest), openBlob(layer.digest)]);
      const results = await Promise.all([collect(a).done, collect(b).done]);
      for (const r of results) {
        expect(r.error).not.toBeNull();
        expect(r.body.length).toBeLessThan(layer.size);
      }
      const content = await cacheSettled();
      expect(content.files.some((f) => f.endsWith(layer.digest.slice(7)))).toBe(false);
      expect(content.tempFiles).toEqual([]);
    } finally {
      standIn.corruptBlobs = false;
    }
    const again = await collect(await openBlob(layer.digest)).done;
    expect(again.error).toBeNull();
    expect(sha256(again.body)).toBe(layer.digest);
  });

  it("a manifest fetched by digest that does not match it → refused with 502, not cached; the real one is served once the upstream is right", async () => {
    const image = images.range!;
    const digest = image.manifest.digest;
    // The same manifest with one space added: valid JSON of the same shape, only the digest can tell.
    const forged = image.manifestJson.includes('"schemaVersion":2') ? image.manifestJson.replace('"schemaVersion":2', '"schemaVersion":2 ') : `${image.manifestJson} `;
    expect(sha256(Buffer.from(forged))).not.toBe(digest);
    const url = `${proxy.url}/v2/proxy/${fixture.appSlug}/slow/acme/app/manifests/${digest}`;
    const headers = { authorization: basicAuth(fixture.licenseId), accept: image.manifest.mediaType };
    const asked: string[] = [];
    standIn.respond = (method, path) => {
      if (!path.endsWith(`/manifests/${digest}`)) return null;
      asked.push(`${method} ${path}`);
      return { status: 200, body: forged, headers: { "content-type": image.manifest.mediaType, "docker-content-digest": digest } };
    };
    try {
      for (const method of ["GET", "GET"]) {
        const res = await fetch(url, { method, headers });
        const text = await res.text();
        expect(res.status, text).toBe(502);
        expect(text).not.toContain("schemaVersion");
      }
      // Each request asked again: nothing was kept from the forged answer.
      expect(asked.filter((r) => r.startsWith("GET ")).length).toBe(2);
      const content = await cacheContentBytes(cacheDir);
      expect(content.files.some((f) => f.endsWith(digest.slice("sha256:".length)))).toBe(false);
    } finally {
      standIn.respond = null;
    }
    const res = await fetch(url, { headers });
    const body = Buffer.from(await res.arrayBuffer());
    expect(res.status).toBe(200);
    expect(sha256(body)).toBe(digest);
    expect(body.toString("utf8")).toBe(image.manifestJson);
  });

  it("upstream killed mid-blob → the client sees a broken transfer, nothing is cached, the pull succeeds once it is back", async () => {
    const layer = images.kill!.layers[0]!;
    standIn.blobBytesPerSecond = 4 * MiB;
    const res = await openBlob(layer.digest);
    expect(res.statusCode).toBe(200);
    const body = collect(res);
    await body.atLeast(1 * MiB);
    await registry.kill("SIGKILL");
    const cut = await body.done;
    expect(cut.error).not.toBeNull();
    expect(cut.body.length).toBeLessThan(layer.size);

    const content = await cacheSettled();
    expect(content.files.some((f) => f.endsWith(layer.digest.slice(7)))).toBe(false);
    expect(content.tempFiles).toEqual([]);

    standIn.blobBytesPerSecond = 0;
    await registry.restart();
    const again = await collect(await openBlob(layer.digest)).done;
    expect(again.error).toBeNull();
    expect(sha256(again.body)).toBe(layer.digest);
    // The verified file is fsync'd and renamed after the last byte went out: wait for that, not longer.
    expect((await cacheSettled()).files.some((f) => f.endsWith(layer.digest.slice(7)))).toBe(true);
  });

  it("proxy SIGKILLed mid-write → after restart the blob is fetched again, served correctly, and no temporary file is left", async () => {
    const layer = images.crash!.layers[0]!;
    standIn.blobBytesPerSecond = 4 * MiB;
    const before = registry.blobGets(layer.digest);
    const body = collect(await openBlob(layer.digest));
    await body.atLeast(1 * MiB);
    const partial = await cacheContentBytes(cacheDir);
    expect(partial.tempFiles.length).toBe(1);

    proxy.child.kill("SIGKILL");
    expect((await body.done).error).not.toBeNull();
    standIn.blobBytesPerSecond = 0;

    proxy = await startProxyProcess(proxyEnv());
    expect((await cacheContentBytes(cacheDir)).tempFiles).toEqual([]);
    expect(await fs.promises.readdir(path.join(cacheDir, "tmp"))).toHaveLength(1); // the new process's own, empty

    const again = await collect(await openBlob(layer.digest)).done;
    expect(again.error).toBeNull();
    expect(sha256(again.body)).toBe(layer.digest);
    // Counted at the registry: the download cut off by the crash and a fresh one, never a reuse of the partial file.
    expect(await registry.settledBlobGets(layer.digest, before + 2)).toBe(before + 2);
    expect((await cacheContentBytes(cacheDir)).tempFiles).toEqual([]);
  });
});

describe("a blob whose download cannot start", () => {
  it("the upstream does not have it → 404, and the temporary file made while it answered is gone", async () => {
    const missing = `sha256:${randomBytes(32).toString("hex")}`;
    const res = await fetch(`${proxy.url}/v2/proxy/${fixture.appSlug}/slow/acme/app/blobs/${missing}`, { headers: { authorization: basicAuth(fixture.licenseId) } });
    expect(res.status).toBe(404);
    expect((await res.json()).errors[0].code).toBe("BLOB_UNKNOWN");
    expect((await cacheSettled()).tempFiles).toEqual([]);
  });

  it("no temporary file can be made → an error status for the client, never a 200 cut short; served once it can", async () => {
    const layer = images.tmpdir!.layers[0]!;
    const tmpRoot = path.join(cacheDir, "tmp");
    const own = (await fs.promises.readdir(tmpRoot)).find((name) => name.startsWith(`${proxy.child.pid}.`))!;
    const ownDir = path.join(tmpRoot, own);
    // Its directory replaced by a file: creating a temporary file fails (ENOTDIR), as on an unwritable disk.
    await fs.promises.rm(ownDir, { recursive: true });
    await fs.promises.writeFile(ownDir, "not a directory");
    try {
      const res = await fetch(`${proxy.url}/v2/proxy/${fixture.appSlug}/slow/acme/app/blobs/${layer.digest}`, { headers: { authorization: basicAuth(fixture.licenseId) } });
      expect(res.status).toBeGreaterThanOrEqual(500);
      expect((await res.json()).errors[0].code).toBeTruthy();
    } finally {
      await fs.promises.rm(ownDir);
      await fs.promises.mkdir(ownDir);
    }
    const again = await collect(await openBlob(layer.digest)).done;
    expect(again.error).toBeNull();
    expect(sha256(again.body)).toBe(layer.digest);
  });
});
