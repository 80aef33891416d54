import path from "node:path";
import type { Logger } from "pino";
import type { ProxyMetrics } from "../metrics";
import type { BlobFill } from "./blob-fill";
import type { BlobStore } from "./blob-store";
import { CacheStore } from "./cache-store";
import { LocalBlobStore } from "./local-blob-store";
import type { PeerFills } from "./peer-fills";
import type { OffloadConfig } from "./offload";
import { TagCache, type TagAnswers } from "./tag-cache";

// Everything the cached handlers share in one process: the files, the tag
// answers, the downloads in flight (single flight) and the metrics.

export type ProxyCacheOptions = {
  dir: string;
  /** 0 = unbounded. */
  maxBytes: number;
  /** Tag → digest answers younger than this are used without asking the upstream. */
  tagTtlMs: number;
  /** How long a tag revalidation may take before the last known digest is served. */
  revalidateTimeoutMs?: number;
  /** Largest read when streaming cached files (large reads: fewer syscalls and writes). */
  chunkSize?: number;
  /** Memory all responses streaming cached files share for their buffers; chunks shrink as more run. */
  sendBudgetBytes?: number;
  /** Hand complete cached blobs to nginx (X-Accel-Redirect) instead of streaming them (offload.ts). */
  offload?: OffloadConfig | null;
  /** Where a full disk is reported. */
  logger?: Logger;
  /** Where verified blobs are kept (e.g. S3BlobStore); default: the cache directory. Manifests and tag answers stay in the directory. */
  blobStore?: BlobStore;
  /** Replicas sharing the blob store share their downloads too (peer-fills.ts). */
  peers?: PeerFills | null;
  /** Where tag answers live; default: files in the cache directory. */
  tagAnswers?: TagAnswers;
};

// Manifests are read on every pull (often by tag, hundreds of times a second
// during a rollout): the most recent ones stay in memory, up to this many bytes.
const MANIFEST_MEMORY_BYTES = 16 * 1024 * 1024;

export type InFlightBlob = { fill: BlobFill; ready: Promise<void> };

export class ProxyCache {
  readonly fills = new Map<string, InFlightBlob>();
  readonly manifestFetches = new Map<string, Promise<unknown>>();
  readonly tagTtlMs: number;
  readonly revalidateTimeoutMs: number;
  readonly chunkSize: number;
  readonly sendBudgetBytes: number;
  readonly offload: OffloadConfig | null;
  private metricsSink: ProxyMetrics | null = null;
  private readonly logger: Logger | null;
  private readonly manifestBodies = new Map<string, Buffer>();
  private manifestBodyBytes = 0;

  /** Verified blobs (blob-store.ts): the cache directory or object storage. */
  readonly blobs: BlobStore;
  readonly peers: PeerFills | null;

  private constructor(
    readonly store: CacheStore,
    readonly tags: TagAnswers,
    options: ProxyCacheOptions,
  ) {
    this.blobs = options.blobStore ?? new LocalBlobStore(store);
    this.peers = options.peers ?? null;
    this.tagTtlMs = options.tagTtlMs;
    this.revalidateTimeoutMs = options.revalidateTimeoutMs ?? 3_000;
    this.chunkSize = options.chunkSize ?? 8 * 1024 * 1024;
    // 8 MiB: a single stream still reads 4 MiB at a time (no slower than 8 MiB chunks, measured),
    // and 64 concurrent streams peaked at 160-164 MiB RSS instead of 194-202 with 16 MiB.
    this.sendBudgetBytes = options.sendBudgetBytes ?? 8 * 1024 * 1024;
    this.offload = options.offload ?? null;
    this.logger = options.logger ?? null;
  }

  static async open(options: ProxyCacheOptions): Promise<ProxyCache> {
    let cache: ProxyCache | null = null;
    const store = await CacheStore.open({
      root: options.dir,
      maxBytes: options.maxBytes,
      onEvict: () => {
        cache?.metricsSink?.cacheEvictions.inc();
        cache?.updateSizeGauge();
      },
    });
    cache = new ProxyCache(store, options.tagAnswers ?? new TagCache(path.resolve(options.dir)), options);
    return cache;
  }

  /** Connects the cache to the server's metrics (one registry per server). */
  observe(metrics: ProxyMetrics): void {
    this.metricsSink = metrics;
    this.updateSizeGauge();
  }

  get metrics(): ProxyMetrics | null {
    return this.metricsSink;
  }

  updateSizeGauge(): void {
    this.metricsSink?.cacheSize.set({ unit: "bytes" }, this.store.bytes);
    this.metricsSink?.cacheSize.set({ unit: "entries" }, this.store.count);
    this.metricsSink?.cacheMaxBytes.set(this.store.maxBytes);
  }

  /** Changes the size bound (0 = unbounded), evicting down to it. */
  setMaxBytes(maxBytes: number): void {
    this.store.maxBytes = maxBytes;
    this.store.enforceBound();
    this.updateSizeGauge();
  }

  /**
   * A write failed with ENOSPC/EDQUOT: counts it, evicts least recently used
   * entries to free `bytes`, and says so. Resolves to the bytes freed.
   */
  async relieveDiskPressure(bytes: number, err: Error, digest: string): Promise<number> {
    this.metricsSink?.cacheDiskFull.inc();
    const freed = await this.store.evictForSpace(bytes);
    this.updateSizeGauge();
    this.logger?.warn(
      { code: (err as NodeJS.ErrnoException).code, digest, neededBytes: bytes, evicted: freed.count, freedBytes: freed.bytes, cacheBytes: this.store.bytes },
      freed.bytes > 0 ? "cache disk full: evicted least recently used entries to make room" : "cache disk full and nothing left to evict",
    );
    return freed.bytes;
  }

  /** A download goes on to its clients without being kept (the disk stayed full). */
  noteUncached(digest: string): void {
    this.logger?.warn({ digest }, "cache disk full: the download continues to its clients without being cached");
  }

  /** A cached manifest's bytes from memory, if recently used (keyed by cache key, i.e. namespace/digest). */
  manifestBody(key: string): Buffer | undefined {
    const body = this.manifestBodies.get(key);
    if (body) {
      this.manifestBodies.delete(key);
      this.manifestBodies.set(key, body);
    }
    return body;
  }

  rememberManifestBody(key: string, body: Buffer): void {
    if (body.length > MANIFEST_MEMORY_BYTES / 16 || this.manifestBodies.has(key)) return;
    this.manifestBodies.set(key, body);
    this.manifestBodyBytes += body.length;
    for (const [k, b] of this.manifestBodies) {
      if (this.manifestBodyBytes <= MANIFEST_MEMORY_BYTES) break;
      this.manifestBodies.delete(k);
      this.manifestBodyBytes -= b.length;
    }
  }

  /** Lets downloads in flight finish and commit (up to `graceMs`), then removes this process's temporary files. */
  async close(graceMs = 10_000): Promise<void> {
    // Only unsettled downloads are in the map (each removes itself as it settles).
    const pending = [...this.fills.values()].map(({ fill }) => new Promise<void>((resolve) => fill.once("settled", () => resolve())));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(pending), new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)))]);
    clearTimeout(timer);
    await this.store.close();
    await this.blobs.close();
    await this.peers?.claims.close();
    await this.peers?.agent.close();
  }
}
