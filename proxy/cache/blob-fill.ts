import { EventEmitter } from "node:events";
import fs from "node:fs";
import type { Readable } from "node:stream";
import { CacheStore, type CacheEntry } from "./cache-store";
import { createIncrementalHash } from "./hash-worker";

// One upstream download of a blob into a temporary file, shared by every
// request that wants the blob while it is in flight (single flight). Readers
// that keep up are served the most recent bytes straight from memory (a
// bounded window of what arrived last); readers further behind read the file
// as it grows. The final byte is held back from all of them until the digest
// checks out, so a wrong or cut-short blob is never delivered whole. Once
// verified the file is fsync'd and renamed into the store; on any failure it
// is deleted and every reader is cut off.

export type FillBody = Readable;

export type FillOptions = {
  store: CacheStore;
  namespace: string;
  digest: string;
  /** Upstream repository the blob is being fetched from (confirmed by the fetch). */
  repository: string;
  mediaType?: string;
  onUpstreamBytes?: (n: number) => void;
  /** Called once the fill is committed or failed (the caller's single-flight map). */
  onSettled?: () => void;
};

export type FillState = "fetching" | "verified" | "failed";

// Coalesce upstream chunks into large writes; bound what waits in memory.
const MAX_QUEUED_BYTES = 8 * 1024 * 1024;
// Recent bytes kept in memory for readers that keep up (beyond what awaits writing).
const WINDOW_BYTES = 16 * 1024 * 1024;

export class BlobFill extends EventEmitter {
  readonly key: string;
  readonly namespace: string;
  readonly digest: string;
  readonly repositories: Set<string>;
  readonly tempPath: string;
  /** Total size once known (Content-Length, or when the download ends). */
  size: number | null = null;
  /** Bytes on disk. */
  written = 0;
  /** Bytes received from the upstream (on disk, or in the write queue and the window). */
  received = 0;
  state: FillState = "fetching";
  error: Error | null = null;
  /** Set after the rename: later requests use it directly. */
  entry: CacheEntry | null = null;

  private fh: fs.promises.FileHandle | null = null;
  private refs = 1; // the writer
  private readonly releaseLease: () => void;
  private reservation: { ok: boolean; release: () => void } | null = null;
  private window: Buffer[] = [];
  private windowStart = 0;
  private windowBytes = 0;

  constructor(private readonly options: FillOptions) {
    super();
    this.setMaxListeners(0);
    this.namespace = options.namespace;
    this.digest = options.digest;
    this.key = CacheStore.keyOf(options.namespace, options.digest);
    this.repositories = new Set([options.repository]);
    this.tempPath = options.store.tempPath();
    // While in flight the key is leased, so a committed copy cannot be evicted under late readers.
    this.releaseLease = options.store.acquire(this.key);
  }

  /** Bytes readers may have: everything received, except the last byte until verified. */
  available(): number {
    return this.state === "verified" ? this.received : Math.max(0, this.received - 1);
  }

  /** Up to `max` bytes at `position` from the in-memory window (no copy), or null if it is not there. */
  fromWindow(position: number, max: number): Buffer | null {
    if (position < this.windowStart || position >= this.windowStart + this.windowBytes) return null;
    // Readers that keep up ask near the end: search from there.
    let offset = this.windowStart + this.windowBytes;
    for (let i = this.window.length - 1; i >= 0; i--) {
      const chunk = this.window[i]!;
      offset -= chunk.length;
      if (position >= offset) return chunk.subarray(position - offset, Math.min(chunk.length, position - offset + max));
    }
    return null;
  }

  /** Positioned read from the temporary file (valid after rename or unlink while referenced). */
  async read(buffer: Buffer, length: number, position: number): Promise<number> {
    if (!this.fh) throw new Error("fill has no file");
    const { bytesRead } = await this.fh.read(buffer, 0, length, position);
    return bytesRead;
  }

  retain(): void {
    this.refs++;
  }

  release(): void {
    if (--this.refs === 0) void this.fh?.close().catch(() => {});
  }

  /** Creates the temporary file; must succeed before the upstream body is consumed. */
  async open(): Promise<void> {
    this.fh = await fs.promises.open(this.tempPath, "w+");
  }

  /** Declares the upstream's Content-Length, reserving room in the cache for it. */
  expectSize(size: number | null): void {
    this.size = size;
    if (size !== null) this.reservation = this.options.store.reserve(size);
  }

  /** Streams the upstream body into the file, verifies, commits. Never throws: failures end in state "failed". */
  async run(body: FillBody): Promise<void> {
    const [algorithm, expectedHex] = this.digest.split(":") as [string, string];
    const hash = createIncrementalHash(algorithm);
    let queue: Buffer[] = [];
    let queued = 0;
    let writing: Promise<void> | null = null;
    let writeError: Error | null = null;

    const flush = async () => {
      while (queue.length > 0 && !writeError) {
        const batch = queue;
        const bytes = queued;
        queue = [];
        queued = 0;
        try {
          let done = 0;
          while (done < bytes) {
            const { bytesWritten } = await this.fh!.writev(done === 0 ? batch : [Buffer.concat(batch).subarray(done)], this.written);
            done += bytesWritten;
            this.written += bytesWritten;
          }
        } catch (err) {
          writeError = err as Error;
        }
        this.trimWindow();
        this.emit("progress");
      }
      writing = null;
    };

    try {
      // Flowing mode with explicit pause/resume: no promise per chunk, and the
      // socket keeps being read while chunks are handled.
      await new Promise<void>((resolve, reject) => {
        let settled = false;
        const finish = (err?: Error) => {
          if (settled) return;
          settled = true;
          body.off("data", onData);
          if (err) {
            body.destroy();
            reject(err);
          } else resolve();
        };
        const onData = (raw: Buffer | Uint8Array) => {
          try {
            if (this.state !== "fetching") throw new Error("fill ended");
            if (writeError) throw writeError;
            const chunk = Buffer.isBuffer(raw) ? raw : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
            if (this.size !== null && this.received + chunk.length > this.size) throw new Error("upstream sent more bytes than it announced");
            hash.update(chunk);
            this.options.onUpstreamBytes?.(chunk.length);
            queue.push(chunk);
            queued += chunk.length;
            this.window.push(chunk);
            this.windowBytes += chunk.length;
            this.received += chunk.length;
            this.trimWindow();
            this.emit("progress");
            writing ??= flush();
            if (queued >= MAX_QUEUED_BYTES && !body.isPaused()) {
              // The disk is behind: stop reading until the queue is written.
              body.pause();
              void writing.then(() => !settled && body.resume());
            }
          } catch (err) {
            finish(err as Error);
          }
        };
        body.on("data", onData);
        body.once("end", () => finish());
        body.once("error", (err) => finish(err));
        body.once("close", () => finish(body.readableEnded ? undefined : new Error("upstream closed the connection mid-blob")));
      });
      while (writing) await writing;
      if (writeError) throw writeError;
      if (this.size !== null && this.written !== this.size) throw new Error(`upstream ended the blob after ${this.written} of ${this.size} bytes`);
      if (this.written !== this.received) throw new Error("cache file shorter than what was received");
      if ((await hash.digest()) !== expectedHex) throw new Error("blob digest mismatch");
    } catch (err) {
      hash.abort();
      while (writing) await writing;
      await this.fail(err as Error);
      return;
    }

    this.size = this.written;
    this.state = "verified";
    this.emit("progress");
    await this.commit();
  }

  /** Ends the fill as failed: readers are cut off, the temporary file is deleted. */
  async fail(err: Error): Promise<void> {
    if (this.state === "failed") return;
    this.state = "failed";
    this.error = err;
    this.emit("progress");
    this.finish();
    await fs.promises.rm(this.tempPath, { force: true }).catch(() => {});
  }

  private async commit(): Promise<void> {
    this.reservation ??= this.options.store.reserve(this.written);
    try {
      if (!this.reservation.ok) throw new Error("blob larger than the cache");
      // Durable before it becomes visible: a crash must never leave a short file under its digest.
      await this.fh!.sync();
      this.reservation?.release();
      this.reservation = null;
      this.entry = await this.options.store.commit(this.namespace, this.digest, this.tempPath, this.written, {
        mediaType: this.options.mediaType,
        repositories: [...this.repositories],
      });
    } catch {
      // Served from the temporary file to its readers, but not kept.
      await fs.promises.rm(this.tempPath, { force: true }).catch(() => {});
    }
    this.finish();
  }

  /** Drops the oldest chunks that are on disk once the window is over its size. */
  private trimWindow(): void {
    while (this.windowBytes > WINDOW_BYTES && this.window.length > 0) {
      const first = this.window[0]!;
      if (this.windowStart + first.length > this.written) break; // not on disk yet
      this.window.shift();
      this.windowStart += first.length;
      this.windowBytes -= first.length;
    }
  }

  private finish(): void {
    // Later readers use the file.
    this.window = [];
    this.windowStart = this.received;
    this.windowBytes = 0;
    this.reservation?.release();
    this.reservation = null;
    this.releaseLease();
    this.options.onSettled?.();
    this.emit("settled");
    this.release();
  }
}
