import type { ServerResponse } from "node:http";
import type { BlobFill } from "./blob-fill";
import { writeAwaited } from "./file-sender";

// A byte range of a blob that is still being downloaded, written to a
// response as the bytes arrive: from the fill's in-memory window when the
// reader keeps up (views of the upstream's read buffers, no copy), from the
// temporary file when it is behind. At most two writes are outstanding (the
// socket always has the next one queued); a write is reported to the fill
// (readerAt) only once done, so the fill knows which read buffers no
// response can still be sending and may reuse them. It waits for
// progress instead of polling, and throws (the caller cuts the response off)
// if the fill fails, so a partial blob is never taken for a whole one.

/** Largest write of bytes still in memory (they are views: no buffer of this size is allocated). */
const MAX_WINDOW_WRITE = 4 * 1024 * 1024;

export type FillRange = {
  start: number;
  /** Inclusive; undefined = to the end of the blob, whatever its size turns out to be. */
  end?: number;
  /** Size of reads from the temporary file (also their buffer). */
  fileChunk: number;
  onBytes?: (n: number) => void;
};

export async function sendFromFill(fill: BlobFill, res: ServerResponse, range: FillRange): Promise<void> {
  const reader = {};
  let position = range.start;
  let previous: { done: Promise<void>; end: number } | null = null;
  const settlePrevious = async () => {
    if (!previous) return;
    const { done, end } = previous;
    previous = null;
    await done;
    fill.readerAt(reader, end);
  };
  fill.retain();
  fill.attach(reader, position);
  try {
    for (;;) {
      if (fill.error) throw fill.error; // set when, and only when, the fill failed
      if (res.destroyed) throw new Error("client went away");
      const stop = range.end !== undefined ? range.end + 1 : fill.state === "verified" ? fill.received : Infinity;
      if (position >= stop) return await settlePrevious();
      const limit = Math.min(fill.available(), stop);
      if (position >= limit) {
        // Registered in the same tick as the check above: no "progress" in between is missed.
        await new Promise((resolve) => fill.once("progress", resolve));
        continue;
      }
      let data = fill.fromWindow(position, Math.min(limit - position, MAX_WINDOW_WRITE));
      if (!data) {
        // Older than the window (position < limit <= received, the window's end), hence on disk
        // unless an uncached fill (disk full) dropped them before this reader came.
        const length = Math.min(limit - position, range.fileChunk, fill.written - position);
        if (length <= 0) throw new Error("blob bytes no longer available (disk full, not cached)");
        const buffer = Buffer.allocUnsafe(length);
        const n = await fill.read(buffer, length, position);
        if (n <= 0) throw new Error("cache file shorter than written");
        data = buffer.subarray(0, n); // a view: the whole buffer when the read was full
      }
      const done = writeAwaited(res, data);
      done.catch(() => {}); // awaited by settlePrevious, or the response is being cut off anyway
      position += data.length;
      range.onBytes?.(data.length);
      await settlePrevious();
      previous = { done, end: position };
    }
  } catch (err) {
    // Cut off before the fill forgets this reader: no write can go on sending a buffer it may reuse.
    res.destroy();
    throw err;
  } finally {
    fill.detach(reader);
    fill.release();
  }
}
