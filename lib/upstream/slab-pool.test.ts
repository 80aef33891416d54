import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { copyBytes, SLAB_BYTES, takeSlab } from "./slab-pool";

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
});
