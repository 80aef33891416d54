import fs from "node:fs";
import { config } from "@/lib/config";
import { copyBytes } from "@/lib/upstream/slab-pool";

// A download's bytes go to its temporary file with O_DIRECT where the file
// system allows it. Buffered writes first copy every byte into freshly
// allocated page-cache pages, and on a virtual machine a fresh page is
// expensive: measured here with dd, 256 MiB cost 1.1–1.3 s of kernel time
// buffered and 0.07 s direct (0.27 s wall). Cold blobs are written once and
// read back rarely soon after, so bypassing the page cache is also what a
// cache wants (nginx's `directio` for large files makes the same choice).
//
// O_DIRECT wants the memory address, the file offset and the length aligned
// to the device's logical block. The upstream's chunks are views at any
// offset, so they are copied into aligned staging buffers first (a memcpy,
// ~40 ms per GiB). Node has no aligned allocation; WebAssembly memory is
// mapped page-aligned by V8, so the staging buffers are WebAssembly memories.
// The part of the data after the last whole block is written through the
// ordinary descriptor and kept: the next write starts at that block again,
// so the file always holds every byte it was given (readers and `written`
// rely on that) and direct writes stay aligned. Where direct I/O is refused
// (EINVAL: tmpfs on older kernels, some network file systems) the writer
// falls back to buffered writes, and no later download tries again.

const BLOCK = 4096; // a multiple of any logical block size in use (512, 4096)
export const STAGING_BYTES = 4 * 1024 * 1024;
const MAX_STAGING = 4; // staging memory is shared: at most this many direct writes at once
/** Direct writes one download has running at once: one buffer is filled while another is written. */
const WRITES_IN_FLIGHT = 2;
const WASM_PAGE = 64 * 1024;

const freeStaging: Buffer[] = [];
let stagingCreated = 0;

/** Staging buffers created so far: never more than MAX_STAGING (tests). */
export function stagingBuffersCreated(): number {
  return stagingCreated;
}
const stagingWaiters: ((buffer: Buffer) => void)[] = [];
/** Direct I/O was refused by this file system once: no later download tries again. */
let directRefused = false;

async function takeStaging(): Promise<Buffer> {
  const free = freeStaging.pop();
  if (free) return free;
  if (stagingCreated < MAX_STAGING) {
    stagingCreated++;
    const pages = STAGING_BYTES / WASM_PAGE;
    return Buffer.from(new WebAssembly.Memory({ initial: pages, maximum: pages }).buffer);
  }
  return new Promise((resolve) => stagingWaiters.push(resolve));
}

function giveStaging(buffer: Buffer): void {
  const waiter = stagingWaiters.shift();
  if (waiter) waiter(buffer);
  else freeStaging.push(buffer);
}

/** Writes a download's bytes in order, each call starting where the last ended. */
export type FillWriter = {
  /** Writes buffers at position; resolves to how many of their bytes are now in the file (all unless a full disk cut it short). */
  writev(buffers: Buffer[], position: number): Promise<{ bytesWritten: number }>;
  /** Whether writes bypass the page cache (tests, metrics). */
  readonly direct: boolean;
  close(): Promise<void>;
};

/**
 * A writer for the file `path`, already open as `handle` (which also serves
 * reads and fsync). Direct when the file system allows O_DIRECT.
 */
export async function openFillWriter(path: string, handle: fs.promises.FileHandle): Promise<FillWriter> {
  // Stryker disable next-line ConditionalExpression: O_DIRECT is defined on every Linux; the check is for other platforms
  if (!config.cacheDirectIo || directRefused || fs.constants.O_DIRECT === undefined) return bufferedWriter(handle);
  try {
    return new DirectWriter(await fs.promises.open(path, fs.constants.O_WRONLY | fs.constants.O_DIRECT), handle);
  } catch (err) {
    // EINVAL: this file system has no direct I/O (remembered). Anything else (out of descriptors,
    // say): this download writes buffered; the handle it already has is enough.
    if ((err as NodeJS.ErrnoException).code === "EINVAL") directRefused = true;
    return bufferedWriter(handle);
  }
}

function bufferedWriter(handle: fs.promises.FileHandle): FillWriter {
  return { direct: false, writev: (buffers, position) => handle.writev(buffers, position), close: async () => {} };
}

class DirectWriter implements FillWriter {
  direct = true;
  /** Bytes in the file. */
  private end = 0;
  /** The bytes after the last whole block (end - tail.length is aligned), written buffered and written again with the next block. */
  private tail = Buffer.alloc(0);

  constructor(
    private readonly directHandle: fs.promises.FileHandle,
    private readonly handle: fs.promises.FileHandle,
  ) {}

  async writev(buffers: Buffer[], position: number): Promise<{ bytesWritten: number }> {
    if (!this.direct) return this.handle.writev(buffers, position);
    if (position !== this.end) throw new Error(`out-of-order write at ${position}, file ends at ${this.end}`);
    const data = [this.tail, ...buffers]; // an empty tail copies nothing
    const total = data.reduce((n, b) => n + b.length, 0);
    const base = this.end - this.tail.length;
    const whole = total - (total % BLOCK);
    let index = 0;
    let offset = 0; // into data[index]
    let done = 0; // bytes of data in the file
    try {
      // Stryker disable next-line ConditionalExpression,EqualityOperator: only spares taking a staging buffer when no whole block is written; the loop writes nothing either way
      if (whole > 0) {
        const blocks = await this.writeWholeBlocks(data, whole, base);
        ({ index, offset, written: done } = blocks);
        if (blocks.failure) throw blocks.failure;
      }
      // What follows the whole blocks (nothing when they took every byte).
      const rest = Buffer.concat(data.slice(index).map((b, i) => (i === 0 ? b.subarray(offset) : b)), total - whole);
      // Stryker disable next-line ConditionalExpression,EqualityOperator: only spares a write of nothing
      if (rest.length > 0) {
        const { bytesWritten } = await this.handle.write(rest, 0, rest.length, base + whole);
        if (bytesWritten !== rest.length) throw Object.assign(new Error("short write"), { code: "ENOSPC" });
      }
      this.tail = rest;
      done = total;
    } catch (err) {
      // Stryker disable next-line ConditionalExpression: after some whole blocks, EINVAL falling back at once rewrites the same bytes buffered; the retry from them would fall back too
      if ((err as NodeJS.ErrnoException).code === "EINVAL" && done === 0) {
        // Direct I/O refused after all (alignment this file system will not take): buffered from here on.
        directRefused = true;
        this.direct = false;
        return this.handle.writev(buffers, position);
      }
      // Whole blocks of new bytes that reached the file count (the caller retries the rest from
      // there, aligned again); if none did, the file and the kept tail are as before.
      if (base + done <= position) throw err;
      this.end = base + done;
      this.tail = Buffer.alloc(0);
      return { bytesWritten: this.end - position };
    }
    this.end = base + total;
    return { bytesWritten: this.end - position };
  }

  /**
   * The first `whole` bytes of data, through staging buffers, at base. Up to WRITES_IN_FLIGHT
   * direct writes run at once: the next buffer is filled while the previous one is on its way
   * to the disk. Settles once none is in flight, with where the data's copying stopped, the
   * bytes that reached the file before the first failure, and that failure.
   */
  private async writeWholeBlocks(data: Buffer[], whole: number, base: number): Promise<{ index: number; offset: number; written: number; failure: Error | null }> {
    let index = 0;
    let offset = 0;
    let issued = 0;
    let stop = false;
    const writes: { size: number; result: Promise<number> }[] = [];
    while (issued < whole && !stop) {
      // The write WRITES_IN_FLIGHT back must be done before another starts.
      const before = writes[writes.length - WRITES_IN_FLIGHT];
      if (before) await before.result.catch(() => {});
      if (stop) break;
      const staging = await takeStaging();
      let filled = 0;
      const room = Math.min(staging.length, whole - issued);
      while (filled < room) {
        // Stryker disable next-line ArithmeticOperator: copyBytes stops at the source's end, so asking past it copies the same bytes
        const n = copyBytes(data[index]!, staging, filled, offset, offset + Math.min(room - filled, data[index]!.length - offset));
        filled += n;
        offset += n;
        if (offset === data[index]!.length) {
          index++;
          offset = 0;
        }
      }
      const result = this.directHandle.write(staging, 0, filled, base + issued).then(
        ({ bytesWritten }) => {
          giveStaging(staging);
          // A short direct write is a whole number of blocks; were it not, the next direct write
          // would start unaligned, be refused (EINVAL) and this writer would go on buffered.
          if (bytesWritten !== filled) stop = true;
          return bytesWritten;
        },
        (err: unknown) => {
          giveStaging(staging);
          stop = true;
          throw err;
        },
      );
      result.catch(() => {}); // looked at below, once none is in flight
      issued += filled;
      writes.push({ size: filled, result });
    }
    // In order: what reached the file is the run of whole writes before the first that fell short.
    const outcomes = await Promise.allSettled(writes.map((w) => w.result));
    let written = 0;
    for (const [i, outcome] of outcomes.entries()) {
      if (outcome.status === "rejected") return { index, offset, written, failure: outcome.reason as Error };
      written += outcome.value;
      if (outcome.value !== writes[i]!.size) return { index, offset, written, failure: Object.assign(new Error("short direct write"), { code: "ENOSPC" }) };
    }
    return { index, offset, written, failure: null };
  }

  async close(): Promise<void> {
    await this.directHandle.close().catch(() => {});
  }
}

/** For tests: forget that direct I/O was refused. */
export function resetDirectIo(): void {
  directRefused = false;
}
