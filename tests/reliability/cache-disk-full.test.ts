import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cacheContentBytes, createCacheFixture, layoutDigests, metricValue, skopeoCopy, type CacheFixture } from "../helpers/cache-fixture";
import { writeOciImage, type WrittenImage } from "../helpers/oci-image";
import { startProxyProcess, type ProxyProcess } from "../helpers/proxy-process";
import { startRegistry, type TestRegistry } from "../helpers/registry";

// The cache on a file system that fills up: a 20 MiB tmpfs mounted by the
// test (it runs as root on the project's machines; without the right to mount,
// the test fails saying so rather than passing untested). The bound is set
// far above the file system, so ENOSPC is what stops writes. Pulls must still
// succeed: the proxy evicts to make room and keeps the blob, or, when nothing
// can be evicted, streams it to the client without keeping it; and it
// recovers once there is room again.

const run = promisify(execFile);
const UPSTREAM_PASSWORD = `upstream-${randomBytes(12).toString("hex")}`;
const MiB = 1024 * 1024;

let work: string;
let cacheDir: string;
let mounted = false;
let registry: TestRegistry;
let proxy: ProxyProcess;
let fixture: CacheFixture;
const images: Record<string, WrittenImage> = {};

async function mountTmpfs(dir: string, bytes: number): Promise<void> {
  try {
    await run("mount", ["-t", "tmpfs", "-o", `size=${bytes},mode=0700`, "tmpfs", dir]);
  } catch (err) {
    throw new Error(`This test mounts a small tmpfs as the cache directory and needs the right to mount (root): ${(err as Error).message}`);
  }
}

function freeBytes(dir: string): number {
  const stat = fs.statfsSync(dir);
  return Number(stat.bavail) * Number(stat.bsize);
}

async function pull(tag: string, image: WrittenImage): Promise<void> {
  const dest = path.join(work, `copy-${tag}-${randomBytes(3).toString("hex")}`);
  await skopeoCopy(`${proxy.host}/proxy/${fixture.appSlug}/upstream/acme/app:${tag}`, dest, tag, fixture.licenseId);
  const copy = await layoutDigests(dest);
  expect(copy.manifests).toEqual([image.manifest.digest]);
  for (const layer of image.layers) expect(copy.blobs).toContain(layer.digest);
  await fs.promises.rm(dest, { recursive: true, force: true });
}

const cachedFile = (digest: string) => path.join(cacheDir, fixture.registryIds.upstream!, "sha256", digest.slice("sha256:".length));

beforeAll(async () => {
  work = await fs.promises.mkdtemp(path.join(os.tmpdir(), "pullgate-disk-full-"));
  cacheDir = path.join(work, "cache");
  await fs.promises.mkdir(cacheDir);
  await mountTmpfs(cacheDir, 20 * MiB);
  mounted = true;
  registry = await startRegistry({ auth: "htpasswd", users: { vendor: UPSTREAM_PASSWORD } });
  const layout = path.join(work, "layout");
  const seed = randomBytes(4).toString("hex");
  images.c = await writeOciImage(layout, { tag: "c", layers: [{ size: 6 * MiB, seed: `c-${seed}` }] });
  images.a = await writeOciImage(layout, { tag: "a", layers: [{ size: 6 * MiB, seed: `a1-${seed}` }, { size: 5 * MiB, seed: `a2-${seed}` }] });
  images.b = await writeOciImage(layout, { tag: "b", layers: [{ size: 6 * MiB, seed: `b1-${seed}` }, { size: 5 * MiB, seed: `b2-${seed}` }] });
  for (const tag of ["a", "b", "c"]) await registry.push(layout, tag, `acme/app:${tag}`);
  fixture = await createCacheFixture({ registries: { upstream: registry.host }, upstreamPassword: UPSTREAM_PASSWORD });
  proxy = await startProxyProcess({
    DATABASE_URL: process.env.DATABASE_URL!,
    PULLGATE_SECRET_KEY: process.env.PULLGATE_SECRET_KEY!,
    PULLGATE_CACHE_DIR: cacheDir,
    PULLGATE_CACHE_MAX_BYTES: "1GiB",
    PULLGATE_DOMAIN_CHECK_INTERVAL: "0",
    PULLGATE_UPSTREAM_ALLOW_CIDRS: "127.0.0.0/8",
  });
}, 240_000);

afterAll(async () => {
  await proxy?.stop();
  await registry?.stop();
  if (mounted) await run("umount", [cacheDir]).catch(() => run("umount", ["-l", cacheDir]));
  if (work) await fs.promises.rm(work, { recursive: true, force: true });
});

describe("cache directory on a full file system", () => {
  it("streams a blob to the client without keeping it when there is no room and nothing to evict, then caches again once there is room", async () => {
    // Something else fills the disk: under 1 MiB left, and the cache holds nothing to evict.
    const ballast = path.join(cacheDir, "ballast");
    await fs.promises.writeFile(ballast, Buffer.alloc(freeBytes(cacheDir) - 768 * 1024));
    const layer = images.c!.layers[0]!;

    await pull("c", images.c!);
    expect(fs.existsSync(cachedFile(layer.digest))).toBe(false);
    expect((await cacheContentBytes(cacheDir)).tempFiles).toEqual([]);
    expect(metricValue(await proxy.metrics(), "pullgate_proxy_cache_disk_full_total")).toBeGreaterThan(0);
    expect(proxy.logs()).toContain("cache disk full: the download continues to its clients without being cached");

    // Room again: the same pull is cached this time.
    await fs.promises.rm(ballast);
    await pull("c", images.c!);
    expect(fs.existsSync(cachedFile(layer.digest))).toBe(true);
  }, 120_000);

  it("evicts least recently used entries when a write hits ENOSPC, and keeps the new blob", async () => {
    const before = metricValue(await proxy.metrics(), "pullgate_proxy_cache_disk_full_total");
    await pull("a", images.a!); // c (6 MiB) + a (11 MiB) fit in 20 MiB
    for (const layer of images.a!.layers) expect(fs.existsSync(cachedFile(layer.digest))).toBe(true);

    await pull("b", images.b!); // another 11 MiB do not: the oldest entries must go
    for (const layer of images.b!.layers) expect(fs.existsSync(cachedFile(layer.digest))).toBe(true);
    expect(fs.existsSync(cachedFile(images.c!.layers[0]!.digest))).toBe(false);
    const metrics = await proxy.metrics();
    expect(metricValue(metrics, "pullgate_proxy_cache_disk_full_total")).toBeGreaterThan(before);
    expect(metricValue(metrics, "pullgate_proxy_cache_evictions_total")).toBeGreaterThan(0);
    expect(proxy.logs()).toContain("cache disk full: evicted least recently used entries to make room");
    expect((await cacheContentBytes(cacheDir)).tempFiles).toEqual([]);
  }, 120_000);
});
