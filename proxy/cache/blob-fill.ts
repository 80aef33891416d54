import { EventEmitter } from "node:events";
import fs from "node:fs";
import type { FillDestination } from "./blob-store";
import { CacheStore, type CacheEntry } from "./cache-store";
import { openFillWriter, type FillWriter } from "./direct-writer";
import { createIncrementalHash } from "./hash-worker";
import { giveSlab, isSlab } from "@/lib/upstream/slab-pool";

// One upstream download of a blob into a temporary file, shared by every
// request that wants the blob while it is in flight (single flight). Readers
// that keep up are served the most recent bytes straight from memory (a
// bounded window of what arrived last); readers further behind read the file
// as it grows. The final byte is held back from all of them until the digest
// checks out, so a wrong or cut-short blob is never delivered whole. Once
// verified the file is fsync'd and renamed into the store; on any failure it
// is deleted and every reader is cut off.
//
// A full disk (ENOSPC, EDQUOT) is not a failure of the download: the fill
// asks the cache to make room (onDiskFull evicts least recently used entries)
// and retries once; if there is still no room it goes on "uncached": nothing
// more is written, the bytes after what reached the disk stay in memory until
// every reader has taken them (the upstream is paused while the slowest one
// catches up, so memory stays bounded), nobody new joins, and the verified
// blob is delivered but not kept.

/** An upstream body: a Readable, or the lighter SocketBody of lib/upstream/socket-get.ts. */
export type FillBody = {
  on(event: "data", listener: (chunk: Buffer) => void): unknown;
  off(event: "data", listener: (chunk: Buffer) => void): unknown;
  once(event: "end" | "close", listener: () => void): unknown;
  once(event: "error", listener: (err: Error) => void): unknown;
  pause(): unknown;
  resume(): unknown;
  isPaused(): boolean;
  destroy(err?: Error): unknown;
  readonly readableEnded: boolean;
};

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
  /** The disk is full: free at least `bytes` (evicting), resolving to what was freed. */
  onDiskFull?: (bytes: number, err: Error) => Promise<number>;
  /** The fill stopped writing (disk full) and will not be kept: later requests must not join it. */
  onUncached?: () => void;
  /**
   * Where the verified blob is kept when it is not the temporary file itself
   * (object storage, blob-store.ts): fed every byte as it arrives, completed
   * after the digest verified, aborted on any failure.
   */
  destination?: FillDestination | null;
};

/** ENOSPC or EDQUOT: the disk (or the quota) is full. */
export function isDiskFull(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return code === "ENOSPC" || code === "EDQUOT";
}

// What a disk-full fill asks to free when the blob's size is unknown.
const UNKNOWN_SIZE_RELIEF_BYTES = 64 * 1024 * 1024;

export type FillState = "fetching" | "verified" | "failed";

// Coalesce upstream chunks into large writes; bound what waits in memory.
const MAX_QUEUED_BYTES = 8 * 1024 * 1024;
// Recent bytes kept in memory for readers that keep up (beyond what awaits writing).
const WINDOW_BYTES = 16 * 1024 * 1024;
// Received bytes the digest may lag behind: one hash thread serves every download, and the
// slabs it reads in place are held until it is done, so an upstream faster than hashing
// (or many at once) is paused here instead of piling memory up. A single cold pull on an
// idle 2-core machine lagged by up to 29 MiB at its end (proxy/cache/README.md, "Fourth pass").
const MAX_HASH_LAG_BYTES = 32 * 1024 * 1024;

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
  /** The disk was full: nothing more is written and the blob will not be kept. */
  uncached = false;

  private fh: fs.promises.FileHandle | null = null;
  /** The temporary file being created (open()): a fill failed meanwhile removes it once it exists. */
  private opening: Promise<void> | null = null;
  private writer: FillWriter | null = null;
  private refs = 1; // the writer
  private readonly releaseLease: () => void;
  private reservation: { ok: boolean; release: () => void } | null = null;
  private window: Buffer[] = [];
  private windowStart = 0;
  private windowBytes = 0;
  /** Position of every reader, so an uncached fill keeps the bytes some reader still needs. */
  private readonly readers = new Map<object, number>();
  private body: FillBody | null = null;
  private pausedForReaders = false;
  private reliefTried = false;
  /** Read slabs (lib/upstream/slab-pool) the received chunks are views of, in order, with the blob offset where each one's bytes end. */
  // Stryker disable next-line ArrayDeclaration: a junk first entry has no end, so it is dropped and never given back
  private slabs: { memory: ArrayBufferLike; end: number }[] = [];
  /** The digest of this download: slabs before what it has `hashed` are no longer read by it. */
  private hash: { readonly hashed: number } = { hashed: 0 };

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

  /** First byte still held in memory (an uncached fill's reader behind it has lost its bytes). */
  get memoryStart(): number {
    return this.windowStart;
  }

  /** A reader starting at `position`; report its progress with readerAt() and leave with detach(). */
  attach(reader: object, position: number): void {
    this.readers.set(reader, position);
  }

  readerAt(reader: object, position: number): void {
    this.readers.set(reader, position);
    // Only an uncached fill trims by its readers or pauses for them; both always release slabs.
    this.trimWindow();
    this.resumeIfRoom();
  }

  detach(reader: object): void {
    if (!this.readers.delete(reader)) return;
    this.releaseSlabs();
    if (!this.uncached) return;
    if (this.readers.size === 0 && this.state === "fetching") {
      void this.fail(new Error("download abandoned: the disk is full, so it is not cached, and no client is reading it any more"));
      return;
    }
    this.trimWindow();
    this.resumeIfRoom();
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
    if (--this.refs > 0) return;
    this.closeFile();
  }

  private closeFile(): void {
    void this.writer?.close();
    void this.fh?.close().catch(() => {});
    this.writer = null;
    this.fh = null;
  }

  /** Creates the temporary file before the upstream body is consumed (on a full disk: makes room, or goes uncached). */
  open(): Promise<void> {
    this.opening ??= this.openFile();
    return this.opening;
  }

  private async openFile(): Promise<void> {
    try {
      this.fh = await fs.promises.open(this.tempPath, "w+");
      this.writer = await openFillWriter(this.tempPath, this.fh);
    } catch (err) {
      if (!isDiskFull(err)) throw err;
      if ((await this.relieve(err as Error)) > 0) {
        try {
          this.fh = await fs.promises.open(this.tempPath, "w+");
          this.writer = await openFillWriter(this.tempPath, this.fh);
          return;
        } catch (again) {
          if (!isDiskFull(again)) throw again;
        }
      }
      this.goUncached();
    }
  }

  /** Declares the upstream's Content-Length, reserving room in the cache for it. */
  expectSize(size: number | null): void {
    this.size = size;
    // An uncached fill (no room even for its file) keeps nothing: no room to reserve.
    // Room is reserved in the local cache only when the blob will be kept there.
    if (size !== null && !this.uncached && !this.options.destination) this.reservation = this.options.store.reserve(size);
  }

  /** Streams the upstream body into the file, verifies, commits. Never throws: failures end in state "failed". */
  async run(body: FillBody): Promise<void> {
    const [algorithm, expectedHex] = this.digest.split(":") as [string, string];
    // Stryker disable next-line BooleanLiteral: starting "paused" only resumes a body that is not paused, a no-op
    let pausedForHash = false;
    // Slab chunks are hashed in place by the worker: their slabs wait for it (releaseSlabs).
    const hash = createIncrementalHash(algorithm, () => {
      this.releaseSlabs();
      // A dead worker hashes no more: the next chunk ends the download (see onData).
      if (pausedForHash && (this.received - hash.hashed <= MAX_HASH_LAG_BYTES / 2 || hash.failed)) {
        pausedForHash = false;
        if (this.state === "fetching") body.resume();
      }
    });
    this.hash = hash;
    let queue: Buffer[] = [];
    let queued = 0;
    let writing: Promise<void> | null = null;
    let writeError: Error | null = null;
    // Stryker disable next-line BooleanLiteral: starting "paused" only resumes a body that is not paused, a no-op
    let pausedForDisk = false;

    const flush = async () => {
      while (queue.length > 0 && !writeError && !this.uncached) {
        const batch = queue;
        const bytes = queued;
        queue = [];
        queued = 0;
        // Double buffering: the upstream refills the queue while this batch is written.
        if (pausedForDisk) {
          // Stryker disable next-line BooleanLiteral: left set, it only resumes the body again later, a no-op
          pausedForDisk = false;
          if (this.state === "fetching") body.resume();
        }
        try {
          let done = 0;
          while (done < bytes) {
            try {
              const { bytesWritten } = await this.writer!.writev(done === 0 ? batch : [Buffer.concat(batch).subarray(done)], this.written);
              done += bytesWritten;
              this.written += bytesWritten;
            } catch (err) {
              // A full disk: make room once and retry; else stop writing and serve from memory.
              if (!isDiskFull(err)) throw err;
              if (this.reliefTried || (await this.relieve(err as Error)) === 0) {
                this.goUncached();
                break;
              }
            }
          }
        } catch (err) {
          writeError = err as Error;
        }
        this.trimWindow();
        this.emit("progress");
      }
      // Stryker disable next-line ConditionalExpression,BlockStatement: only lets the memory go early; nothing reads the queue once uncached (nor after an error)
      if (this.uncached) {
        // Stryker disable next-line ArrayDeclaration: as above
        queue = [];
        queued = 0;
      }
      if (pausedForDisk) {
        // Stopped writing (an error, or uncached): let the next chunk see why.
        // Stryker disable next-line BooleanLiteral: left set, it only resumes the body again later, a no-op
        pausedForDisk = false;
        if (this.state === "fetching") body.resume();
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
            if (hash.failed) throw new Error("hash worker failed");
            const chunk = Buffer.isBuffer(raw) ? raw : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
            if (this.size !== null && this.received + chunk.length > this.size) throw new Error("upstream sent more bytes than it announced");
            hash.update(chunk);
            this.options.onUpstreamBytes?.(chunk.length);
            // The destination (an upload) is slower than the upstream: pause until it drained.
            const destination = this.options.destination;
            if (destination && !destination.write(chunk) && !body.isPaused()) {
              body.pause();
              destination.onceDrained(() => !settled && body.resume());
            }
            if (!this.uncached) {
              queue.push(chunk);
              queued += chunk.length;
            }
            this.window.push(chunk);
            this.windowBytes += chunk.length;
            this.received += chunk.length;
            this.noteSlab(chunk);
            this.trimWindow();
            this.emit("progress");
            if (this.received - hash.hashed > MAX_HASH_LAG_BYTES && !body.isPaused()) {
              // The digest is behind: stop reading until it has caught up half way.
              pausedForHash = true;
              body.pause();
            }
            if (this.uncached) {
              // Memory holds what readers have not taken yet: wait for the slowest one.
              if (this.windowBytes > WINDOW_BYTES && !body.isPaused()) {
                if (this.readers.size === 0) throw new Error("download abandoned: the disk is full, so it is not cached, and no client is reading it");
                this.pausedForReaders = true;
                body.pause();
              }
              return;
            }
            writing ??= flush();
            if (queued >= MAX_QUEUED_BYTES && !body.isPaused()) {
              // The disk is behind (a full batch waits while one is being written): stop reading
              // until the writer takes this one.
              pausedForDisk = true;
              body.pause();
            }
          } catch (err) {
            finish(err as Error);
          }
        };
        this.body = body;
        body.on("data", onData);
        body.once("end", () => finish());
        body.once("error", (err) => finish(err));
        body.once("close", () => finish(body.readableEnded ? undefined : new Error("upstream closed the connection mid-blob")));
      });
      if (this.size !== null && this.received !== this.size) throw new Error(`upstream ended the blob after ${this.received} of ${this.size} bytes`);
      if (writeError) throw writeError;
      if ((await hash.digest()) !== expectedHex) throw new Error("blob digest mismatch");
    } catch (err) {
      hash.abort();
      while (writing) await writing;
      await this.fail(err as Error);
      return;
    }

    // Verified: readers get the last byte now, while the last writes finish (their bytes are
    // still in the window), instead of waiting for the disk.
    this.size = this.received;
    this.state = "verified";
    this.emit("progress");
    while (writing) await writing;
    const lateFailure = writeError ?? (!this.uncached && this.written !== this.received ? new Error("cache file shorter than what was received") : null);
    if (lateFailure) {
      // The digest matched, so readers still get every byte (what the file lacks stays in
      // memory, as for an uncached fill, until they took it); only the copy is not kept.
      this.uncached = true;
      void this.options.destination?.abort(lateFailure).catch(() => {});
    }
    if (lateFailure || (this.uncached && !this.options.destination)) {
      // Delivered to its readers (from memory, and the file they may still read), never kept.
      await fs.promises.rm(this.tempPath).catch(() => {}) /* already gone is fine too */;
      this.finish();
      return;
    }
    await this.commit();
  }

  /** Ends the fill as failed: readers are cut off, the temporary file is deleted. */
  async fail(err: Error): Promise<void> {
    if (this.state === "failed") return;
    this.state = "failed";
    this.error = err;
    this.emit("progress");
    void this.options.destination?.abort(err).catch(() => {});
    // A paused upstream sends no more events: end it so the download settles.
    this.body?.destroy();
    this.finish();
    // Failed while its file was being created (the upstream said no first): wait for the file, then close and remove it.
    await this.opening?.catch(() => {});
    if (this.refs <= 0) this.closeFile();
    await fs.promises.rm(this.tempPath).catch(() => {}) /* already gone is fine too */;
  }

  private async commit(): Promise<void> {
    const destination = this.options.destination;
    if (destination) {
      // Kept elsewhere (verified: the destination may make it visible now); the temporary
      // file only served the readers of this download, who keep their open handle.
      try {
        await destination.complete({ size: this.received, repositories: [...this.repositories], mediaType: this.options.mediaType, file: this.tempPath });
      } catch {
        // Delivered to its readers, not kept: the next request fetches it again.
      }
      await fs.promises.rm(this.tempPath).catch(() => {}) /* already gone is fine too */;
      this.finish();
      return;
    }
    this.reservation ??= this.options.store.reserve(this.written);
    try {
      // Stryker disable next-line StringLiteral: caught below, never shown
      if (!this.reservation.ok) throw new Error("blob larger than the cache");
      // Durable before it becomes visible: a crash must never leave a short file under its digest.
      await this.fh!.sync();
      this.reservation.release();
      this.reservation = null;
      this.entry = await this.options.store.commit(this.namespace, this.digest, this.tempPath, this.written, {
        mediaType: this.options.mediaType,
        repositories: [...this.repositories],
      });
    } catch {
      // Served from the temporary file to its readers, but not kept.
      await fs.promises.rm(this.tempPath).catch(() => {}) /* already gone is fine too */;
    }
    this.finish();
  }

  /**
   * Drops the oldest chunks once the window is over its size: chunks on disk;
   * when uncached, also chunks every reader has passed (and only those).
   */
  private trimWindow(): void {
    let limit = this.written;
    if (this.uncached) {
      let slowest = Infinity;
      for (const position of this.readers.values()) slowest = Math.min(slowest, position);
      limit = Math.max(limit, slowest === Infinity ? this.windowStart : slowest);
    }
    // windowBytes is the sum of the window's chunks: over any bound, the window is not empty.
    while (this.windowBytes > (this.uncached ? 0 : WINDOW_BYTES)) {
      const first = this.window[0]!;
      if (this.windowStart + first.length > limit) break; // still needed: not on disk, or a reader has not taken it
      this.window.shift();
      this.windowStart += first.length;
      this.windowBytes -= first.length;
    }
    this.releaseSlabs();
  }

  private noteSlab(chunk: Buffer): void {
    if (!isSlab(chunk.buffer)) return;
    const last = this.slabs[this.slabs.length - 1];
    if (last?.memory === chunk.buffer) last.end = this.received;
    else this.slabs.push({ memory: chunk.buffer, end: this.received });
  }

  /**
   * Slabs whose bytes are all behind the window (so on disk, or taken by every reader
   * when uncached) and no longer being read into go back to the pool, if every reader
   * has also finished writing them to its client (readers report their position once a
   * write is done); otherwise they are left to the GC.
   */
  private releaseSlabs(): void {
    const done = this.state !== "fetching"; // the socket reads into no slab any more
    let slowest = Infinity;
    for (const position of this.readers.values()) slowest = Math.min(slowest, position);
    while (this.slabs.length > (done ? 0 : 1)) {
      const first = this.slabs[0]!;
      // Still in the window (windowStart + windowBytes is always `received`, so an empty window starts past every slab).
      if (first.end > this.windowStart) break;
      // Still being hashed: called again when the worker is done with it.
      if (first.end > this.hash.hashed) break;
      this.slabs.shift();
      if (first.end <= slowest) giveSlab(first.memory);
    }
  }

  private resumeIfRoom(): void {
    if (this.pausedForReaders && this.windowBytes <= WINDOW_BYTES / 2 && this.state === "fetching") {
      this.pausedForReaders = false;
      this.body!.resume(); // paused for readers: run() set it
    }
  }

  /** Asks the cache to make room for what is left of this blob; resolves to the bytes freed. */
  private async relieve(err: Error): Promise<number> {
    this.reliefTried = true;
    const remaining = this.size !== null ? this.size - this.written : UNKNOWN_SIZE_RELIEF_BYTES;
    try {
      // Stryker disable next-line OptionalChaining: without onDiskFull the call throws, which is caught as "nothing freed" too
      return (await this.options.onDiskFull?.(Math.max(remaining, 1024 * 1024), err)) ?? 0;
    } catch {
      return 0;
    }
  }

  private goUncached(): void {
    // Called once: open() goes on uncached without a file, and run() writes only when cached.
    this.uncached = true;
    this.reservation?.release();
    this.reservation = null;
    this.options.onUncached?.();
  }

  private finish(): void {
    // Later readers use the file; an uncached fill's readers still need what only memory holds
    // (dropped as they take it, and with the fill once the last one is done).
    if (!this.uncached || this.state === "failed") {
      // Stryker disable next-line ArrayDeclaration: a junk entry in an empty window (windowBytes 0) is never read nor trimmed
      this.window = [];
      this.windowStart = this.received;
      this.windowBytes = 0;
    }
    this.releaseSlabs();
    this.reservation?.release();
    this.reservation = null;
    this.releaseLease();
    this.options.onSettled?.();
    this.emit("settled");
    this.release();
  }
}
