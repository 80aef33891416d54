import { randomBytes } from "node:crypto";
import { beforeEach, describe, expect, it } from "vitest";
import { prisma } from "@/lib/db/client";
import { runExclusively } from "@/lib/db/advisory-lock";
import { evictSharedBlobs } from "../../proxy/cache/shared-eviction";
import { SharedBlobIndex } from "../../proxy/cache/shared-blob-index";

// The bucket's size bound across replicas: least recently used blobs are marked
// (no longer served), their objects deleted after the grace period.

const MiB = 1024 * 1024;
const index = new SharedBlobIndex(prisma);
let namespace: string;

function digest(): string {
  return `sha256:${randomBytes(32).toString("hex")}`;
}

beforeEach(async () => {
  // Every test owns the whole table (the bound is global).
  await prisma.cachedBlob.deleteMany({});
  namespace = `ns${randomBytes(4).toString("hex")}`;
});

async function add(d: string, size: number, minutesAgo: number): Promise<void> {
  await index.record(namespace, d, { size, repositories: ["acme/app"] });
  await prisma.cachedBlob.update({ where: { namespace_digest: { namespace, digest: d } }, data: { lastAccessAt: new Date(Date.now() - minutesAgo * 60_000) } });
}

describe("evictSharedBlobs", () => {
  it("marks the least recently used blobs over the bound, stops serving them, and deletes their objects only after the grace period", async () => {
    const [oldest, older, recent] = [digest(), digest(), digest()];
    await add(oldest, 4 * MiB, 30);
    await add(older, 4 * MiB, 20);
    await add(recent, 4 * MiB, 1);
    const deleted: string[] = [];
    const options = { prisma, maxBytes: 5 * MiB, graceMs: 120_000, deleteObject: async (_ns: string, d: string) => void deleted.push(d) };

    const first = await evictSharedBlobs(options);
    expect(first).toMatchObject({ marked: 2, deleted: 0, bytes: 12 * MiB });
    expect(await index.get(namespace, oldest)).toBeNull();
    expect(await index.get(namespace, older)).toBeNull();
    expect(await index.get(namespace, recent)).not.toBeNull();
    expect(deleted).toEqual([]);

    // A blob stored again meanwhile is served again and not deleted.
    await index.record(namespace, older, { size: 4 * MiB, repositories: ["acme/other"] });
    expect((await index.get(namespace, older))?.repositories.sort()).toEqual(["acme/app", "acme/other"]);

    const later = await evictSharedBlobs({ ...options, maxBytes: 100 * MiB, now: new Date(Date.now() + 121_000) });
    expect(later.deleted).toBe(1);
    expect(deleted).toEqual([oldest]);
    expect(await prisma.cachedBlob.count({ where: { namespace } })).toBe(2);
  });

  it("an access refreshes the last-access time at most once a minute (sampled writes)", async () => {
    const d = digest();
    await add(d, MiB, 10);
    await index.get(namespace, d);
    await new Promise((r) => setTimeout(r, 200));
    const touched = await prisma.cachedBlob.findUniqueOrThrow({ where: { namespace_digest: { namespace, digest: d } } });
    expect(Date.now() - touched.lastAccessAt.getTime()).toBeLessThan(5_000);
    await index.get(namespace, d);
    await new Promise((r) => setTimeout(r, 200));
    const again = await prisma.cachedBlob.findUniqueOrThrow({ where: { namespace_digest: { namespace, digest: d } } });
    expect(again.lastAccessAt.getTime()).toBe(touched.lastAccessAt.getTime());
  });

  it("one eviction job at a time: a replica finding the lock taken skips its round", async () => {
    let release!: () => void;
    const holder = runExclusively("blob-eviction", () => new Promise<void>((resolve) => (release = resolve)));
    await new Promise((r) => setTimeout(r, 200));
    const other = await runExclusively("blob-eviction", () => evictSharedBlobs({ prisma, maxBytes: 1, graceMs: 0, deleteObject: async () => {} }));
    expect(other.ran).toBe(false);
    release();
    await holder;
  });
});
