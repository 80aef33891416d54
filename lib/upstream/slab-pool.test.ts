import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { copyBytes, giveSlab, isAlignedSlab, isSlab, SLAB_BYTES, takeSlab } from "./slab-pool";

describe("slab-pool", () => {
  it("copyBytes copies out of a slab at any offsets, and stops where Buffer#copy stops", () => {
    const slab = takeSlab();
    const bytes = randomBytes(SLAB_BYTES);
    bytes.copy(slab);
    const target = Buffer.alloc(10_000, 0xaa);
    // Source and target differently aligned: the case V8's shared-memory copy does a byte at a time.
    expect(copyBytes(slab, target, 3, 5, 5 + 4_000)).toBe(4_000);
    expect(target.subarray(3, 4_003).equals(bytes.subarray(5, 4_005))).toBe(true);
    expect(target[2]).toBe(0xaa);
    expect(target[4_003]).toBe(0xaa);
    // As Buffer#copy: no more than the target has room for, nor than the source holds.
    expect(copyBytes(slab, target, 9_990, 100, 200)).toBe(10);
    expect(target.subarray(9_990).equals(bytes.subarray(100, 110))).toBe(true);
    expect(copyBytes(slab.subarray(SLAB_BYTES - 4), target, 0, 0, 100)).toBe(4);
    expect(target.subarray(0, 4).equals(bytes.subarray(SLAB_BYTES - 4))).toBe(true);
    expect(copyBytes(slab, target, 0, 7, 7)).toBe(0);
    expect(copyBytes(slab, target, 10_000, 0, 10)).toBe(0);
    // Plain memory too.
    const plain = randomBytes(50);
    expect(copyBytes(plain, target, 1, 10, 40)).toBe(30);
    expect(target.subarray(1, 31).equals(plain.subarray(10, 40))).toBe(true);
  });

  it("copyBytes copies into a slab at any offsets, up to its end", () => {
    const slab = takeSlab();
    slab.fill(0xaa, 0, 64);
    slab.fill(0xaa, SLAB_BYTES - 64);
    const record = randomBytes(16_384);
    expect(copyBytes(record, slab, 7, 3, 3 + 40)).toBe(40);
    expect(slab.subarray(7, 47).equals(record.subarray(3, 43))).toBe(true);
    expect(slab[6]).toBe(0xaa);
    expect(slab[47]).toBe(0xaa);
    // No more than the slab has room for.
    expect(copyBytes(record, slab, SLAB_BYTES - 10, 0, record.length)).toBe(10);
    expect(slab.subarray(SLAB_BYTES - 10).equals(record.subarray(0, 10))).toBe(true);
    expect(slab[SLAB_BYTES - 11]).toBe(0xaa);
  });

  it("slabs are shared, page-aligned memory: a direct write takes one in place", async () => {
    const slab = takeSlab();
    expect(isSlab(slab.buffer)).toBe(true);
    expect(isAlignedSlab(slab.buffer)).toBe(true);
    expect(slab.buffer).toBeInstanceOf(SharedArrayBuffer);
    slab.fill(7, 0, 8192);
    const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), "pullgate-slab-"));
    try {
      const file = path.join(dir, "f");
      // The temporary directory's file system takes O_DIRECT (proxy/cache/direct-writer.test.ts checks it too).
      const handle = await fs.promises.open(file, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_DIRECT);
      // Refused (EINVAL) unless the address is aligned to the device's block.
      expect((await handle.write(slab, 0, 8192, 0)).bytesWritten).toBe(8192);
      await handle.close();
      expect((await fs.promises.readFile(file)).equals(Buffer.alloc(8192, 7))).toBe(true);
    } finally {
      await fs.promises.rm(dir, { recursive: true, force: true });
      giveSlab(slab.buffer);
    }
  });
});
