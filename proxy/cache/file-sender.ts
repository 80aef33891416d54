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
  try {
    const buffers: Buffer[] = [];
    let position = range.start;
    let which = 0;
    let writing: Promise<void> | null = null;
    while (position <= range.end) {
      // Re-sized as other responses start and finish (this slot's last write is done: see below).
      const chunk = Math.min(chunkSizeFor(activeSenders, options.maxChunk, options.budgetBytes), range.end - position + 1);
      const current = buffers[which];
      if (!current || current.length < chunk || current.length > chunk * 2) buffers[which] = Buffer.allocUnsafeSlow(chunk);
      const buffer = buffers[which]!;
      which ^= 1;
      const want = Math.min(chunk, buffer.length);
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
