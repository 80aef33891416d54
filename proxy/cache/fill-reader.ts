import { Readable } from "node:stream";
import type { BlobFill } from "./blob-fill";

// A byte range of a blob that is still being downloaded, read from the fill's
// temporary file as the bytes arrive. It waits for progress instead of
// polling, and fails (so the response is cut off) if the fill fails.

export type FillReaderOptions = {
  start: number;
  /** Inclusive; undefined = to the end of the blob, whatever its size turns out to be. */
  end?: number;
  chunkSize: number;
};

export class FillReader extends Readable {
  private position: number;
  private readonly end: number | undefined;
  private pumping = false;
  private readonly onProgress = () => this.pump();

  constructor(
    private readonly fill: BlobFill,
    private readonly options: FillReaderOptions,
  ) {
    super({ highWaterMark: options.chunkSize });
    this.position = options.start;
    this.end = options.end;
    fill.retain();
    fill.attach(this, this.position);
    fill.on("progress", this.onProgress);
  }

  override _read(): void {
    this.pump();
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    this.fill.off("progress", this.onProgress);
    this.fill.detach(this);
    this.fill.release();
    cb(err);
  }

  private pump(): void {
    if (this.pumping || this.destroyed) return;
    this.pumping = true;
    void this.readUntilBlocked();
  }

  // `pumping` is cleared by the finally in this same function, which runs in
  // the same tick as the return that decided to wait: a "progress" emitted
  // right after is never missed.
  private async readUntilBlocked(): Promise<void> {
    try {
      for (;;) {
        if (this.destroyed) return;
        const fill = this.fill;
        if (fill.state === "failed") {
          this.destroy(fill.error ?? new Error("upstream fetch failed"));
          return;
        }
        const stop = this.end !== undefined ? this.end + 1 : fill.state === "verified" ? fill.received : Infinity;
        if (this.position >= stop) {
          this.push(null);
          return;
        }
        const limit = Math.min(fill.available(), stop);
        if (this.position >= limit) return; // until the next "progress"
        const length = Math.min(limit - this.position, this.options.chunkSize);
        // Caught up: the bytes are still in memory. Behind: read them from the file.
        let data = fill.fromWindow(this.position, length);
        if (!data) {
          // Older than the window, hence on disk.
          const onDisk = Math.min(length, fill.written - this.position);
          if (onDisk <= 0) {
            // An uncached fill (disk full) dropped these bytes before this reader came: it cannot be served.
            if (fill.uncached && this.position < fill.memoryStart) throw new Error("blob bytes no longer available (disk full, not cached)");
            return;
          }
          const buffer = Buffer.allocUnsafe(onDisk);
          const n = await fill.read(buffer, onDisk, this.position);
          if (n <= 0) throw new Error("cache file shorter than written");
          data = n === onDisk ? buffer : buffer.subarray(0, n);
        }
        this.position += data.length;
        fill.readerAt(this, this.position);
        if (!this.push(data)) return;
      }
    } catch (err) {
      this.destroy(err as Error);
    } finally {
      this.pumping = false;
    }
  }
}
