import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// The hash worker reads the upstream's slabs (shared memory) in place, so a
// slab may go back to the pool only once the worker has read it, not merely
// once it is on disk and behind the window. Here the worker is kept busy
// while a download runs ahead of it: reusing a slab too early would hash
// bytes of a later chunk and fail the digest.

process.env.PULLGATE_HASH_WORKER = "1";
const { BlobFill } = await import("./blob-fill");
const { CacheStore } = await import("./cache-store");
const { createIncrementalHash } = await import("./hash-worker");
const { slabCounts, takeSlab, SLAB_BYTES } = await import("@/lib/upstream/slab-pool");

const MiB = 1024 * 1024;
let root: string;
let store: Awaited<ReturnType<typeof CacheStore.open>>;

beforeAll(async () => {
  root = await fs.promises.mkdtemp(path.join(os.tmpdir(), "pullgate-shared-slabs-"));
  store = await CacheStore.open({ root, maxBytes: 0 });
});
afterAll(() => fs.promises.rm(root, { recursive: true, force: true }));

describe("BlobFill with the hash worker reading shared slabs", () => {
  it("a slab the worker has not read yet is not reused, so the digest verifies while the worker lags far behind", async () => {
    const data = randomBytes(40 * MiB);
    const digest = `sha256:${createHash("sha256").update(data).digest("hex")}`;
    // Work queued ahead of the download (shared memory too, so queuing it costs no copy here):
    // the worker reads the download's slabs only after hashing this.
    const busy = createIncrementalHash("sha256");
    const zeros = Buffer.from(new SharedArrayBuffer(768 * MiB));
    busy.update(zeros);
    const fill = new BlobFill({ store, namespace: "ns", digest, repository: "acme/app" });
    await fill.open();
    fill.expectSize(data.length);
    const body = new PassThrough({ highWaterMark: SLAB_BYTES });
    const running = fill.run(body);
    const before = slabCounts();
    // As socket-get does: each read into a slab from the pool (a freed one if there is any).
    for (let at = 0; at < data.length; at += SLAB_BYTES) {
      const slab = takeSlab();
      const n = data.copy(slab, 0, at, at + SLAB_BYTES);
      body.write(slab.subarray(0, n));
      while (fill.received < at + n) await new Promise((r) => setTimeout(r, 1));
    }
    // The download ran ahead of the worker: on disk and behind the window, yet every slab is still held for it.
    while (fill.written < data.length - SLAB_BYTES) await new Promise((r) => setTimeout(r, 1));
    expect(slabCounts().reused).toBe(before.reused);
    body.end();
    await running;
    expect(fill.state).toBe("verified");
    expect(fs.readFileSync(fill.entry!.path).equals(data)).toBe(true);
    expect(await busy.digest()).toBe(createHash("sha256").update(zeros).digest("hex"));
    // Once read, they went back to the pool.
    expect(slabCounts().free).toBeGreaterThan(before.free);
  });
});
