import type { ServerResponse } from "node:http";
import type fs from "node:fs";

// Streams a byte range of a complete cache file to a response with two
// reusable buffers per response: one is read from disk while the other is
// being written to the socket. No per-chunk allocation (so no garbage for the
// GC to chase at GiB/s), and memory per response is bounded by 2 × chunk.
//
// Chunks are large for few concurrent responses (fewer syscalls) and shrink
// as more responses run, so the total stays within a fixed budget. Buffers
// come in power-of-two sizes from a shared free list: without it, 64
// responses starting and re-sizing churn native memory (measured: ~100 MiB
// more peak RSS for 64 concurrent streams).

const MIN_CHUNK = 128 * 1024;

let activeSenders = 0;
/** Bytes of send buffers currently allocated by all responses. */
let allocatedBytes = 0;

const freeBuffers = new Map<number, Buffer[]>();
let freeBytes = 0;

function takeBuffer(size: number): Buffer {
  const list = freeBuffers.get(size);
  const reused = list?.pop();
  if (reused) {
    freeBytes -= size;
    return reused;
  }
  return Buffer.allocUnsafeSlow(size);
}

function giveBuffer(buffer: Buffer | undefined, budgetBytes: number): void {
  // Buffers in use and kept buffers share one budget; beyond it they are left to the GC.
  if (!buffer || allocatedBytes + freeBytes + buffer.length > budgetBytes) return;
  const list = freeBuffers.get(buffer.length) ?? [];
  list.push(buffer);
  freeBuffers.set(buffer.length, list);
  freeBytes += buffer.length;
}

/** The largest power-of-two chunk (MIN_CHUNK … maxChunk) within a fair share of the budget. */
function chunkSizeFor(active: number, maxChunk: number, budgetBytes: number): number {
  const fair = budgetBytes / (2 * Math.max(1, active));
  let size = MIN_CHUNK;
  while (size * 2 <= Math.min(maxChunk, fair)) size *= 2;
  return size;
}

export async function sendFileRange(
  fh: fs.promises.FileHandle,
  res: ServerResponse,
  range: { start: number; end: number },
  options: { maxChunk: number; budgetBytes: number; onBytes?: (n: number) => void },
): Promise<void> {
  activeSenders++;
  const buffers: (Buffer | undefined)[] = [undefined, undefined];
  let pendingWrites = 0;
  try {
    let position = range.start;
    let which = 0;
    let writing: Promise<void> | null = null;
    while (position <= range.end) {
      // This slot's last write is done (awaited below before the other slot was queued): it may be re-sized.
      const current = buffers[which];
      const wanted = chunkSizeFor(activeSenders, options.maxChunk, options.budgetBytes);
      // Grow only within what the budget has left (responses starting together must not each take the
      // largest size); shrink when far above the fair share, as more responses run.
      const room = options.budgetBytes - allocatedBytes + (current?.length ?? 0);
      let size = current?.length ?? MIN_CHUNK;
      if (!current) while (size * 2 <= wanted && size * 2 <= room) size *= 2;
      else if (current.length < wanted && room >= wanted) size = wanted;
      else if (current.length > wanted * 2) size = wanted;
      if (!current || size !== current.length) {
        allocatedBytes += size - (current?.length ?? 0);
        giveBuffer(current, options.budgetBytes);
        buffers[which] = takeBuffer(size);
      }
      const buffer = buffers[which]!;
      which ^= 1;
      const want = Math.min(buffer.length, range.end - position + 1);
      const { bytesRead } = await fh.read(buffer, 0, want, position);
      if (bytesRead <= 0) throw new Error("cache file shorter than expected");
      position += bytesRead;
      // The other buffer must be on the socket before this one is queued (and before it is refilled).
      if (writing) await writing;
      if (res.destroyed) throw new Error("client went away");
      pendingWrites++;
      writing = writeAwaited(res, buffer.subarray(0, bytesRead));
      // Awaited (and rethrown) above or below; never unhandled meanwhile.
      writing.then(
        () => pendingWrites--,
        () => pendingWrites--,
      );
      options.onBytes?.(bytesRead);
    }
    if (writing) await writing;
  } finally {
    activeSenders--;
    allocatedBytes -= (buffers[0]?.length ?? 0) + (buffers[1]?.length ?? 0);
    // Reused only when no write can still be reading them.
    if (pendingWrites === 0) {
      giveBuffer(buffers[0], options.budgetBytes);
      giveBuffer(buffers[1], options.budgetBytes);
    }
    await fh.close().catch(() => {});
  }
}

/** Writes to a response and settles once the write is done (or the client left): the buffer is free after that. */
export function writeAwaited(res: ServerResponse, data: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const onClose = () => reject(new Error("client went away"));
    res.once("close", onClose);
    res.write(data, (err) => {
      res.off("close", onClose);
      if (err) reject(err);
      else resolve();
    });
  });
}
