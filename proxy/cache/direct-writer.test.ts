import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { openFillWriter, resetDirectIo, STAGING_BYTES, type FillWriter } from "./direct-writer";

const KiB = 1024;
const MiB = 1024 * KiB;
let dir: string;

beforeAll(async () => {
  dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), "pullgate-direct-writer-"));
});
afterAll(() => fs.promises.rm(dir, { recursive: true, force: true }));
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
    const batches = [1, 511, 4095, 4097, 4096, 3 * MiB + 7, STAGING_BYTES, 65_536, STAGING_BYTES + 1];
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
    for (const [i, { file, writer, handle }] of files.entries()) {
      expect((await fs.promises.readFile(file)).equals(datas[i]!)).toBe(true);
      await writer.close();
      await handle.close();
    }
  });

  it("a full disk part way: the whole blocks that reached the file count, and the retry from there completes the file", async () => {
    const { file, handle, writer } = await open();
    const direct = (writer as unknown as { directHandle: fs.promises.FileHandle }).directHandle;
    const realWrite = direct.write.bind(direct);
    let writes = 0;
    (direct as { write: unknown }).write = (buffer: Buffer, offset: number, length: number, position: number) => {
      if (++writes === 2) return Promise.reject(Object.assign(new Error("no space left on device"), { code: "ENOSPC" }));
      return realWrite(buffer, offset, length, position);
    };
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

  it("direct I/O refused (EINVAL): the writer goes on buffered, and later downloads do not try again", async () => {
    const { file, handle, writer } = await open();
    const direct = (writer as unknown as { directHandle: fs.promises.FileHandle }).directHandle;
    (direct as { write: unknown }).write = () => Promise.reject(Object.assign(new Error("invalid argument"), { code: "EINVAL" }));
    const data = randomBytes(STAGING_BYTES + 5);
    expect((await writer.writev([data.subarray(0, 100)], 0)).bytesWritten).toBe(100); // a tail only: no direct write yet
    expect((await writer.writev([data.subarray(100)], 100)).bytesWritten).toBe(data.length - 100);
    expect(writer.direct).toBe(false);
    expect((await fs.promises.readFile(file)).equals(data)).toBe(true);
    const later = await open();
    expect(later.writer.direct).toBe(false);
    await writer.close();
    await handle.close();
    await later.handle.close();
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
