import fs from "node:fs";
import { config } from "@/lib/config";
import { copyBytes, isAlignedSlab } from "@/lib/upstream/slab-pool";

// A download's bytes go to its temporary file with O_DIRECT where the file
// system allows it. Buffered writes first copy every byte into freshly
// allocated page-cache pages, and on a virtual machine a fresh page is
// expensive: measured here with dd, 256 MiB cost 1.1–1.3 s of kernel time
// buffered and 0.07 s direct (0.27 s wall). Cold blobs are written once and
// read back rarely soon after, so bypassing the page cache is also what a
// cache wants (nginx's `directio` for large files makes the same choice).
//
// O_DIRECT wants the memory address, the file offset and the length aligned
// to the device's logical block. The read slabs (lib/upstream/slab-pool) are
// page-aligned and socket-get places each body byte at its offset's place in
// a 4 KiB block, so whole blocks are written straight from them; what is not
// so placed (the first slab, which also holds the response head; a block
// across two slabs; bytes from anywhere else) is copied into aligned staging
// buffers first. Copying every byte cost the main thread ~50 ms per 256 MiB
// (proxy/cache/README.md, "Fifth pass"). Node has no aligned allocation;
// WebAssembly memory is mapped page-aligned by V8, so the staging buffers
// (like the slabs) are WebAssembly memories.
// The part of the data after the last whole block is written through the
// ordinary descriptor and kept: the next write starts at that block again,
// so the file always holds every byte it was given (readers and `written`
// rely on that) and direct writes stay aligned. Where direct I/O is refused
// (EINVAL: tmpfs on older kernels, some network file systems) the writer
// falls back to buffered writes, and no later download tries again.

const BLOCK = 4096; // a multiple of any logical block size in use (512, 4096)
export const STAGING_BYTES = 4 * 1024 * 1024;
const MAX_STAGING = 4; // staging memory is shared: at most this many direct writes at once
/** Direct writes one download has running at once: one is put together while another is written. */
const WRITES_IN_FLIGHT = 2;
/** File bytes per direct write (its staged part fits one staging buffer). */
const WRITE_BYTES = STAGING_BYTES;
/** Buffers per direct write at most (far below IOV_MAX): a write ends early, at a block boundary, when it has this many. */
const MAX_PIECES = 64;
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
    let done = 0; // bytes of data in the file
    try {
      // Stryker disable next-line ConditionalExpression,EqualityOperator: only spares taking a staging buffer when no whole block is written; the loop writes nothing either way
      if (whole > 0) {
        const blocks = await this.writeWholeBlocks(data, whole, base);
        done = blocks.written;
        if (blocks.failure) throw blocks.failure;
      }
      // What follows the whole blocks (nothing when they took every byte).
      const rest = Buffer.concat(bytesAfter(data, whole), total - whole);
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
   * The first `whole` bytes of data, at base, in writes of up to WRITE_BYTES: whole blocks that
   * lie at block-aligned addresses of a read slab (lib/upstream/slab-pool: socket-get places
   * body bytes so) are written from there; the rest (a block that straddles two slabs, the kept
   * tail, chunks from anywhere else) is copied into a staging buffer first. Up to
   * WRITES_IN_FLIGHT direct writes run at once: the next one is put together while the previous
   * one is on its way to the disk. Settles once none is in flight, with the bytes that reached
   * the file before the first failure, and that failure.
   */
  private async writeWholeBlocks(data: Buffer[], whole: number, base: number): Promise<{ written: number; failure: Error | null }> {
    const runs = contiguousRuns(data);
    let index = 0; // into runs
    let offset = 0; // into runs[index]
    let issued = 0;
    let stop = false;
    const writes: { size: number; result: Promise<number> }[] = [];
    while (issued < whole && !stop) {
      // The write WRITES_IN_FLIGHT back must be done before another starts.
      const before = writes[writes.length - WRITES_IN_FLIGHT];
      if (before) await before.result.catch(() => {});
      if (stop) break;
      const size = Math.min(WRITE_BYTES, whole - issued);
      const pieces: Buffer[] = [];
      let staging: Buffer | null = null;
      let staged = 0; // bytes in staging
      let pieceStart = 0; // where the staged piece not yet in `pieces` starts
      let taken = 0;
      while (taken < size) {
        const run = runs[index]!;
        const want = Math.min(run.length - offset, size - taken);
        const view = run.subarray(offset, offset + want);
        const position = base + issued + taken;
        // Placed: in an aligned slab, at the same place in a block as in the file. In place from a
        // block boundary, whole blocks of it.
        const placed = isAlignedSlab(view.buffer) && view.byteOffset % BLOCK === position % BLOCK;
        let n: number;
        if (placed && position % BLOCK === 0 && want >= BLOCK) {
          n = want - (want % BLOCK);
          if (staged > pieceStart) pieces.push(staging!.subarray(pieceStart, staged)); // whole blocks: it began and ends at a block boundary
          pieceStart = staged;
          pieces.push(view.subarray(0, n));
        } else {
          // Copied up to the next block boundary when the bytes after it may be taken in place, else all of them.
          n = placed ? Math.min(want, BLOCK - (position % BLOCK)) : want;
          staging ??= await takeStaging();
          staged += copyBytes(view, staging, staged, 0, n);
        }
        taken += n;
        offset += n;
        if (offset === run.length) {
          index++;
          offset = 0;
        }
        if (pieces.length >= MAX_PIECES && (base + issued + taken) % BLOCK === 0) break;
      }
      if (staged > pieceStart) pieces.push(staging!.subarray(pieceStart, staged));
      const heldStaging = staging;
      const result = this.directHandle.writev(pieces, base + issued).then(
        ({ bytesWritten }) => {
          if (heldStaging) giveStaging(heldStaging);
          // A short direct write is a whole number of blocks; were it not, the next direct write
          // would start unaligned, be refused (EINVAL) and this writer would go on buffered.
          if (bytesWritten !== taken) stop = true;
          return bytesWritten;
        },
        (err: unknown) => {
          if (heldStaging) giveStaging(heldStaging);
          stop = true;
          throw err;
        },
      );
      result.catch(() => {}); // looked at below, once none is in flight
      issued += taken;
      writes.push({ size: taken, result });
    }
    // In order: what reached the file is the run of whole writes before the first that fell short.
    const outcomes = await Promise.allSettled(writes.map((w) => w.result));
    let written = 0;
    for (const [i, outcome] of outcomes.entries()) {
      if (outcome.status === "rejected") return { written, failure: outcome.reason as Error };
      written += outcome.value;
      if (outcome.value !== writes[i]!.size) return { written, failure: Object.assign(new Error("short direct write"), { code: "ENOSPC" }) };
    }
    return { written, failure: null };
  }

  async close(): Promise<void> {
    await this.directHandle.close().catch(() => {});
  }
}

/**
 * The chunks with every run of them that continues in the same memory (consecutive reads into
 * one slab) joined into one view: a block may straddle two reads and still lie in one place.
 */
function contiguousRuns(data: Buffer[]): Buffer[] {
  const runs: Buffer[] = [];
  for (const chunk of data) {
    const last = runs[runs.length - 1];
    if (last && chunk.length > 0 && last.buffer === chunk.buffer && last.byteOffset + last.length === chunk.byteOffset) {
      runs[runs.length - 1] = Buffer.from(last.buffer, last.byteOffset, last.length + chunk.length);
    } else if (chunk.length > 0) runs.push(chunk);
  }
  return runs;
}

/** Views of the chunks' bytes from byte `skip` on. */
function bytesAfter(data: Buffer[], skip: number): Buffer[] {
  const out: Buffer[] = [];
  for (const chunk of data) {
    if (skip >= chunk.length) skip -= chunk.length;
    else {
      out.push(skip > 0 ? chunk.subarray(skip) : chunk);
      skip = 0;
    }
  }
  return out;
}

/** For tests: forget that direct I/O was refused. */
export function resetDirectIo(): void {
  directRefused = false;
}
