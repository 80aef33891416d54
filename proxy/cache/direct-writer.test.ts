import { randomBytes, randomFillSync } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { vi } from "vitest";
import { openFillWriter, resetDirectIo, STAGING_BYTES, stagingBuffersCreated, type FillWriter } from "./direct-writer";
import { isAlignedSlab, isSlab, SLAB_BYTES, takeSlab } from "@/lib/upstream/slab-pool";

const KiB = 1024;
const MiB = 1024 * KiB;
let dir: string;

// Every unshared WebAssembly memory made in this file (the writer's staging buffers; read slabs are
// shared ones): the bound is checked on what was made, not only on the writer's own count.
const RealMemory = WebAssembly.Memory;
let memoriesMade = 0;
/** Set: no address space for another shared WebAssembly memory (a read slab). */
let noRoomForSlabs = false;

beforeAll(async () => {
  dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), "pullgate-direct-writer-"));
  (WebAssembly as { Memory: unknown }).Memory = function (descriptor: WebAssembly.MemoryDescriptor) {
    if (!descriptor.shared) memoriesMade++;
    else if (noRoomForSlabs) throw new RangeError("WebAssembly.Memory(): could not allocate memory");
    return new RealMemory(descriptor);
  };
});
afterAll(async () => {
  (WebAssembly as { Memory: unknown }).Memory = RealMemory;
  await fs.promises.rm(dir, { recursive: true, force: true });
});
afterEach(() => {
  resetDirectIo();
  delete process.env.PULLGATE_CACHE_DIRECT_IO;
});

let n = 0;
async function open(): Promise<{ file: string; handle: fs.promises.FileHandle; writer: FillWriter }> {
  const file = path.join(dir, `f${n++}`);
  const handle = await fs.promises.open(file, "w+");
  return { file, handle, writer: await openFillWriter(file, handle) };
}

/** The open file flags of the writer's direct descriptor (from /proc). */
function directFlags(writer: FillWriter): number {
  const fd = (writer as unknown as { directHandle: fs.promises.FileHandle }).directHandle.fd;
  return parseInt(/^flags:\s+(\d+)/m.exec(fs.readFileSync(`/proc/self/fdinfo/${fd}`, "utf8"))![1]!, 8);
}

type DirectWrite = (buffers: Buffer[], position: number) => Promise<{ bytesWritten: number; buffers: Buffer[] }>;

/** Replaces the writer's direct writes (the disk) with `write`, which may call the real one. */
function replaceDirectWrites(writer: FillWriter, write: (real: DirectWrite, ...args: Parameters<DirectWrite>) => ReturnType<DirectWrite>): void {
  const direct = (writer as unknown as { directHandle: fs.promises.FileHandle }).directHandle;
  const real: DirectWrite = direct.writev.bind(direct) as DirectWrite;
  (direct as { writev: unknown }).writev = (...args: Parameters<DirectWrite>) => write(real, ...args);
}

/** Every direct write's buffers, in order, as the writer hands them to the disk (which still takes them). */
function recordDirectWrites(writer: FillWriter): Buffer[][] {
  const writes: Buffer[][] = [];
  replaceDirectWrites(writer, (realWrite, buffers, position) => {
    writes.push(buffers);
    return realWrite(buffers, position);
  });
  return writes;
}

/** The buffers without their last `bytes` bytes (whole blocks, so what is left is still aligned). */
function withoutLast(buffers: Buffer[], bytes: number): Buffer[] {
  const out = [...buffers];
  while (bytes > 0) {
    const last = out.pop()!;
    if (last.length > bytes) out.push(last.subarray(0, last.length - bytes));
    bytes -= Math.min(bytes, last.length);
  }
  return out;
}

/**
 * Data as socket-get reads a body into slabs: the first slab from `headBytes` on, reads of the
 * given sizes (cycled), a new slab when less than 512 KiB is left, started at the body offset's
 * place in a 4 KiB block. The views, and the body range each slab holds.
 */
function slabReads(data: Buffer, headBytes: number, sizes: number[]): { chunks: Buffer[]; slabs: { start: number; end: number }[] } {
  const chunks: Buffer[] = [];
  const slabs: { start: number; end: number }[] = [];
  let slab = takeSlab();
  let offset = headBytes;
  slabs.push({ start: 0, end: 0 });
  for (let at = 0, i = 0; at < data.length; i++) {
    if (SLAB_BYTES - offset < 512 * KiB) {
      slab = takeSlab();
      offset = at % 4096;
      slabs.push({ start: at, end: at });
    }
    const size = Math.min(sizes[i % sizes.length]!, data.length - at, SLAB_BYTES - offset);
    data.copy(slab, offset, at, at + size);
    chunks.push(slab.subarray(offset, offset + size));
    offset += size;
    at += size;
    slabs[slabs.length - 1]!.end = at;
  }
  return { chunks, slabs };
}

/** Splits data into views of the given sizes (cycled), each at an odd offset of its own memory, as socket reads arrive. */
function chunksOf(data: Buffer, sizes: number[]): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0, i = 0; at < data.length; i++) {
    const size = Math.min(sizes[i % sizes.length]!, data.length - at);
    const memory = Buffer.allocUnsafe(size + 7);
    data.copy(memory, 3, at, at + size);
    out.push(memory.subarray(3, 3 + size));
    at += size;
  }
  return out;
}

describe("direct-writer: a download's bytes to its file", () => {
  it("writes with O_DIRECT on this file system, and the file holds every byte after every call, whatever the chunk sizes", async () => {
    const { file, handle, writer } = await open();
    expect(writer.direct).toBe(true);
    expect(directFlags(writer) & fs.constants.O_DIRECT).toBe(fs.constants.O_DIRECT);
    const data = randomBytes(2 * STAGING_BYTES + 12_345);
    // Batches that end on and off block boundaries, smaller and larger than a staging buffer.
    // The 3584-byte batch brings the file to exactly 12 KiB (no tail); STAGING_BYTES + 8192 + 5 takes two staging rounds.
    const batches = [1, 511, 4095, 4097, 3584, 4096, 3 * MiB + 7, STAGING_BYTES, STAGING_BYTES + 8192 + 5, 65_536, STAGING_BYTES + 1];
    let position = 0;
    for (const [i, size] of batches.entries()) {
      const end = i === batches.length - 1 ? data.length : Math.min(data.length, position + size);
      const batch = chunksOf(data.subarray(position, end), [1000, 64 * KiB, 3]);
      const { bytesWritten } = await writer.writev(batch, position);
      expect(bytesWritten).toBe(end - position);
      position = end;
      const onDisk = await fs.promises.readFile(file);
      expect(onDisk.length).toBe(position);
      expect(onDisk.equals(data.subarray(0, position))).toBe(true);
    }
    expect(position).toBe(data.length);
    // Every staging write was aligned: direct I/O was never refused along the way.
    expect(writer.direct).toBe(true);
    await writer.close();
    await handle.close();
  });

  it("a tail made of many small chunks is written in their order", async () => {
    const { file, handle, writer } = await open();
    const data = randomBytes(4096 + 700);
    expect((await writer.writev(chunksOf(data, [7]), 0)).bytesWritten).toBe(data.length);
    expect((await fs.promises.readFile(file)).equals(data)).toBe(true);
    const more = randomBytes(5000);
    await writer.writev(chunksOf(more, [3, 11]), data.length);
    expect((await fs.promises.readFile(file)).equals(Buffer.concat([data, more]))).toBe(true);
    expect(writer.direct).toBe(true);
    await writer.close();
    await handle.close();
  });

  it("refuses a write that does not start where the file ends", async () => {
    const { handle, writer } = await open();
    await writer.writev([randomBytes(5000)], 0);
    await expect(writer.writev([randomBytes(10)], 4096)).rejects.toThrow(/out-of-order write at 4096, file ends at 5000/);
    await writer.close();
    await handle.close();
  });

  it("many writers at once share the bounded staging memory and all write correctly", async () => {
    const files = await Promise.all(Array.from({ length: 7 }, () => open()));
    const datas = files.map(() => randomBytes(STAGING_BYTES + 3 * MiB + 99));
    await Promise.all(
      files.map(async ({ writer }, i) => {
        let position = 0;
        for (const part of chunksOf(datas[i]!, [MiB + 13, 2 * MiB])) {
          await writer.writev([part], position);
          position += part.length;
        }
      }),
    );
    expect(stagingBuffersCreated()).toBeLessThanOrEqual(4);
    expect(memoriesMade).toBeLessThanOrEqual(4);
    expect(memoriesMade).toBeGreaterThan(0);
    for (const [i, { file, writer, handle }] of files.entries()) {
      expect((await fs.promises.readFile(file)).equals(datas[i]!)).toBe(true);
      await writer.close();
      await handle.close();
    }
  });

  it("a batch longer than a staging buffer, not a multiple of it, is written whole in one call: the last round takes what is left", async () => {
    const { file, handle, writer } = await open();
    const data = randomBytes(STAGING_BYTES + 2 * MiB + 100);
    expect((await writer.writev(chunksOf(data, [3 * MiB + 5]), 0)).bytesWritten).toBe(data.length);
    expect((await fs.promises.readFile(file)).equals(data)).toBe(true);
    await writer.close();
    await handle.close();
  });

  it("a full disk part way: the whole blocks that reached the file count, and the retry from there completes the file", async () => {
    const { file, handle, writer } = await open();
    let writes = 0;
    replaceDirectWrites(writer, (realWrite, buffers, position) => {
      if (++writes === 2) return Promise.reject(Object.assign(new Error("no space left on device"), { code: "ENOSPC" }));
      return realWrite(buffers, position);
    });
    const head = randomBytes(1000); // written buffered, kept as the tail
    await writer.writev([head], 0);
    const data = randomBytes(3 * STAGING_BYTES);
    const { bytesWritten } = await writer.writev([data], head.length);
    // The first staging buffer (which rewrote the 1000-byte tail) reached the file; the second failed.
    expect(bytesWritten).toBe(STAGING_BYTES - head.length);
    const rest = data.subarray(bytesWritten);
    await expect(writer.writev([rest], 0)).rejects.toThrow(/out-of-order/);
    // Failing with nothing new written leaves the writer as it was.
    writes = 1;
    await expect(writer.writev([rest], STAGING_BYTES)).rejects.toMatchObject({ code: "ENOSPC" });
    const again = await writer.writev([rest], STAGING_BYTES);
    expect(again.bytesWritten).toBe(rest.length);
    expect((await fs.promises.readFile(file)).equals(Buffer.concat([head, data]))).toBe(true);
    await writer.close();
    await handle.close();
  });

  it("keeps two direct writes on their way at once (the next buffer is filled meanwhile), never more", async () => {
    const { file, handle, writer } = await open();
    let running = 0;
    let most = 0;
    replaceDirectWrites(writer, async (realWrite, buffers, position) => {
      most = Math.max(most, ++running);
      await new Promise((r) => setTimeout(r, 5));
      try {
        return await realWrite(buffers, position);
      } finally {
        running--;
      }
    });
    const data = randomBytes(3 * STAGING_BYTES + 5000);
    expect((await writer.writev(chunksOf(data, [MiB + 1]), 0)).bytesWritten).toBe(data.length);
    expect(most).toBe(2);
    expect((await fs.promises.readFile(file)).equals(data)).toBe(true);
    await writer.close();
    await handle.close();
  });

  it("a direct write that fails while a later one succeeds: nothing after the failure counts, and the retry completes the file", async () => {
    const { file, handle, writer } = await open();
    let writes = 0;
    replaceDirectWrites(writer, async (realWrite, buffers, position) => {
      if (++writes === 1) {
        // The first fails only after the second (already on its way) went through.
        await new Promise((r) => setTimeout(r, 20));
        throw Object.assign(new Error("no space left on device"), { code: "ENOSPC" });
      }
      return realWrite(buffers, position);
    });
    const data = randomBytes(2 * STAGING_BYTES);
    await expect(writer.writev([data], 0)).rejects.toMatchObject({ code: "ENOSPC" });
    expect(writes).toBe(2);
    expect((await writer.writev([data], 0)).bytesWritten).toBe(data.length);
    expect((await fs.promises.readFile(file)).equals(data)).toBe(true);
    await writer.close();
    await handle.close();
  });

  it("direct I/O refused (EINVAL): the writer goes on buffered, and later downloads do not try again", async () => {
    const { file, handle, writer } = await open();
    replaceDirectWrites(writer, () => Promise.reject(Object.assign(new Error("invalid argument"), { code: "EINVAL" })));
    const data = randomBytes(STAGING_BYTES + 5);
    expect((await writer.writev([data.subarray(0, 100)], 0)).bytesWritten).toBe(100); // a tail only: no direct write yet
    expect((await writer.writev([data.subarray(100)], 100)).bytesWritten).toBe(data.length - 100);
    expect(writer.direct).toBe(false);
    const extra = randomBytes(5000);
    expect((await writer.writev([extra], data.length)).bytesWritten).toBe(extra.length); // buffered from here on
    expect((await fs.promises.readFile(file)).equals(Buffer.concat([data, extra]))).toBe(true);
    const later = await open();
    expect(later.writer.direct).toBe(false);
    await writer.close();
    await handle.close();
    await later.handle.close();
  });

  it("a file system that refuses O_DIRECT when opening: buffered, remembered; any other open failure: buffered this once", async () => {
    const realOpen = fs.promises.open.bind(fs.promises);
    const refusals: string[] = [];
    const spy = vi.spyOn(fs.promises, "open").mockImplementation(async (file, flags, mode) => {
      if (typeof flags === "number" && flags & fs.constants.O_DIRECT) {
        const code = refusals.shift() ?? "none";
        if (code !== "none") throw Object.assign(new Error(code), { code });
      }
      return realOpen(file, flags, mode);
    });
    try {
      refusals.push("EMFILE");
      const once = await open();
      expect(once.writer.direct).toBe(false);
      const next = await open(); // tried again, and allowed
      expect(next.writer.direct).toBe(true);
      refusals.push("EINVAL");
      const refused = await open();
      expect(refused.writer.direct).toBe(false);
      const data = randomBytes(9000);
      expect((await refused.writer.writev([data], 0)).bytesWritten).toBe(data.length);
      expect((await fs.promises.readFile(refused.file)).equals(data)).toBe(true);
      refusals.push("none");
      expect((await open()).writer.direct).toBe(false); // not asked again
      expect(refusals).toEqual(["none"]);
      for (const f of [once, next, refused]) {
        await f.writer.close();
        await f.handle.close();
      }
    } finally {
      spy.mockRestore();
    }
  });

  it("short writes: a direct write that took part of a staging buffer, or a tail write that took nothing, count what reached the file", async () => {
    resetDirectIo();
    const { file, handle, writer } = await open();
    const direct = (writer as unknown as { directHandle: fs.promises.FileHandle }).directHandle;
    let shortNext = true;
    let full = false;
    replaceDirectWrites(writer, (realWrite, buffers, position) => {
      if (full) return Promise.resolve({ bytesWritten: 0, buffers });
      if (!shortNext) return realWrite(buffers, position);
      shortNext = false;
      return realWrite(withoutLast(buffers, 8192), position); // the disk took all but two blocks
    });
    const data = randomBytes(3 * 8192 + 10);
    expect((await writer.writev([data], 0)).bytesWritten).toBe(2 * 8192);
    expect((await writer.writev([data.subarray(2 * 8192)], 2 * 8192)).bytesWritten).toBe(data.length - 2 * 8192);
    expect((await fs.promises.readFile(file)).equals(data)).toBe(true);

    // Nothing of a direct write reached the file: the caller learns the disk is full.
    full = true;
    await expect(writer.writev([randomBytes(8192)], data.length)).rejects.toMatchObject({ code: "ENOSPC", message: "short direct write" });
    // A tail write that took nothing, with no whole block before it: the same.
    const realTail = handle.write.bind(handle);
    (handle as { write: unknown }).write = () => Promise.resolve({ bytesWritten: 0, buffer: Buffer.alloc(0) });
    await expect(writer.writev([randomBytes(10)], data.length)).rejects.toMatchObject({ code: "ENOSPC", message: "short write" });
    (handle as { write: unknown }).write = realTail;
    full = false;
    const rest = randomBytes(5000);
    expect((await writer.writev([rest], data.length)).bytesWritten).toBe(rest.length);
    expect((await fs.promises.readFile(file)).equals(Buffer.concat([data, rest]))).toBe(true);
    await writer.close();
    expect(direct.fd).toBe(-1); // its own descriptor closed; the fill's stays open for reads
    expect(handle.fd).toBeGreaterThan(-1);
    await handle.close();
  });

  it("whole blocks at block-aligned places of read slabs are written from the slabs; only the first slab and each block across two slabs are copied", async () => {
    const { file, handle, writer } = await open();
    const data = randomBytes(3 * SLAB_BYTES + 12_345);
    // As socket-get reads a body: the first slab starts after the response head (out of
    // place), later ones at the body offset's place in a block; reads of uneven sizes.
    const { chunks, slabs } = slabReads(data, 300, [700_001, 65_536, 333_333]);
    expect(slabs.length).toBeGreaterThan(2);
    const writes = recordDirectWrites(writer);
    expect((await writer.writev(chunks, 0)).bytesWritten).toBe(data.length);
    expect((await fs.promises.readFile(file)).equals(data)).toBe(true);
    const whole = data.length - (data.length % 4096);
    // In place: every block wholly inside one slab after the first.
    let inPlace = 0;
    for (const { start, end } of slabs.slice(1)) inPlace += Math.max(0, Math.floor(Math.min(end, whole) / 4096) - Math.ceil(start / 4096)) * 4096;
    const sent = writes.flat();
    const fromSlabs = sent.filter((b) => isSlab(b.buffer)).reduce((n, b) => n + b.length, 0);
    expect(fromSlabs).toBe(inPlace);
    expect(sent.reduce((n, b) => n + b.length, 0)).toBe(whole);
    expect(writer.direct).toBe(true); // the disk took them (an unaligned one would be refused, and the writer go buffered)
    await writer.close();
    await handle.close();
  });

  it("a slab's bytes out of their place in a block are copied, and still land where they belong", async () => {
    const { file, handle, writer } = await open();
    const data = randomBytes(SLAB_BYTES + 5000);
    const slab = takeSlab();
    data.copy(slab, 8, 0, SLAB_BYTES - 8); // every block 8 bytes off its place
    const chunks = [slab.subarray(8, 1_000_008), slab.subarray(1_000_008, SLAB_BYTES), data.subarray(SLAB_BYTES - 8)];
    const writes = recordDirectWrites(writer);
    expect((await writer.writev(chunks, 0)).bytesWritten).toBe(data.length);
    expect((await fs.promises.readFile(file)).equals(data)).toBe(true);
    expect(writes.flat().some((b) => b.buffer === slab.buffer)).toBe(false);
    await writer.close();
    await handle.close();
  });

  it("a write takes at most 64 buffers (far below IOV_MAX), however scattered the blocks in place are", async () => {
    const { file, handle, writer } = await open();
    // Every other 4 KiB block of four slabs: each block in place, none continuing the one before.
    const chunks: Buffer[] = [];
    for (let s = 0; s < 4; s++) {
      const slab = takeSlab();
      for (let at = 0; at < SLAB_BYTES; at += 8192) {
        const chunk = slab.subarray(at, at + 4096);
        randomFillSync(chunk);
        chunks.push(chunk);
      }
    }
    const data = Buffer.concat(chunks);
    const writes = recordDirectWrites(writer);
    expect((await writer.writev(chunks, 0)).bytesWritten).toBe(data.length);
    expect((await fs.promises.readFile(file)).equals(data)).toBe(true);
    const counts = writes.map((buffers) => buffers.length);
    expect(Math.max(...counts)).toBe(64);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(chunks.length);
    expect(writer.direct).toBe(true);
    await writer.close();
    await handle.close();
  });

  it("a slab made of plain shared memory (no address space left for an aligned one) is copied, and direct I/O goes on", async () => {
    noRoomForSlabs = true;
    let reads: ReturnType<typeof slabReads>;
    try {
      reads = slabReads(randomBytes(2 * SLAB_BYTES + 777), 0, [1_000_003]); // from a block boundary: in place, were the slab aligned
    } finally {
      noRoomForSlabs = false;
    }
    expect(reads.chunks.every((c) => isSlab(c.buffer) && !isAlignedSlab(c.buffer))).toBe(true);
    const { file, handle, writer } = await open();
    const writes = recordDirectWrites(writer);
    const data = Buffer.concat(reads.chunks);
    expect((await writer.writev(reads.chunks, 0)).bytesWritten).toBe(data.length);
    expect((await fs.promises.readFile(file)).equals(data)).toBe(true);
    expect(writes.flat().some((b) => isSlab(b.buffer))).toBe(false);
    expect(writer.direct).toBe(true);
    await writer.close();
    await handle.close();
  });

  it("PULLGATE_CACHE_DIRECT_IO=0 writes through the page cache", async () => {
    process.env.PULLGATE_CACHE_DIRECT_IO = "0";
    const { file, handle, writer } = await open();
    expect(writer.direct).toBe(false);
    const data = randomBytes(MiB + 3);
    expect((await writer.writev(chunksOf(data, [4097]), 0)).bytesWritten).toBe(data.length);
    expect((await fs.promises.readFile(file)).equals(data)).toBe(true);
    await handle.close();
  });
});
