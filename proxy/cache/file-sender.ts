import type { ServerResponse } from "node:http";
import type fs from "node:fs";

// Streams a byte range of a complete cache file to a response with two
// reusable buffers per response: one is read from disk while the other is
// being written to the socket. No per-chunk allocation (so no garbage for the
// GC to chase at GiB/s), and memory per response is bounded by 2 × chunk.
//
// Chunks are large for few concurrent responses (fewer syscalls) and shrink
// as more responses run, so the total stays within a fixed budget.

const MIN_CHUNK = 256 * 1024;
const ALIGN = 64 * 1024;

let activeSenders = 0;
/** Bytes of send buffers currently allocated by all responses. */
let allocatedBytes = 0;

export function chunkSizeFor(active: number, maxChunk: number, budgetBytes: number): number {
  const fair = Math.floor(budgetBytes / (2 * Math.max(1, active)) / ALIGN) * ALIGN;
  return Math.max(MIN_CHUNK, Math.min(maxChunk, fair));
}

export async function sendFileRange(
  fh: fs.promises.FileHandle,
  res: ServerResponse,
  range: { start: number; end: number },
  options: { maxChunk: number; budgetBytes: number; onBytes?: (n: number) => void },
): Promise<void> {
  activeSenders++;
  const buffers: (Buffer | undefined)[] = [undefined, undefined];
  try {
    let position = range.start;
    let which = 0;
    let writing: Promise<void> | null = null;
    while (position <= range.end) {
      // This slot's last write is done (awaited below before the other slot was queued): it may be re-sized.
      const current = buffers[which];
      const wanted = Math.min(chunkSizeFor(activeSenders, options.maxChunk, options.budgetBytes), range.end - position + 1);
      // Grow only within what the budget has left (responses starting together must not each take the
      // largest size); shrink when far above the fair share, as more responses run.
      const room = options.budgetBytes - allocatedBytes + (current?.length ?? 0);
      const size = !current ? Math.max(Math.min(wanted, Math.max(room, 0)), Math.min(MIN_CHUNK, wanted)) : current.length < wanted && room >= wanted ? wanted : current.length > wanted * 2 ? wanted : current.length;
      if (!current || size !== current.length) {
        allocatedBytes += size - (current?.length ?? 0);
        buffers[which] = Buffer.allocUnsafeSlow(size);
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
      writing = write(res, buffer.subarray(0, bytesRead));
      writing.catch(() => {}); // awaited (and rethrown) above or below; never unhandled meanwhile
      options.onBytes?.(bytesRead);
    }
    if (writing) await writing;
  } finally {
    activeSenders--;
    allocatedBytes -= (buffers[0]?.length ?? 0) + (buffers[1]?.length ?? 0);
    await fh.close().catch(() => {});
  }
}

function write(res: ServerResponse, data: Buffer): Promise<void> {
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
