import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { isProcessAlive } from "@/lib/utils/process-alive";

// The content-addressed files on disk and their in-memory index.
//
// Layout under the cache root:
//   <namespace>/<algorithm>/<hex>            blob or manifest bytes, complete and verified
//   <namespace>/<algorithm>/<hex>.meta.json  media type (manifests) and the upstream
//                                            repositories the digest is confirmed in
//   <namespace>/tags/<key>.json              tag → digest answers (tag-cache.ts)
//   tmp/<pid>.<nonce>/                       files being fetched by one process
//
// The namespace is the id of the vendor's linked registry: a blob fetched with
// one team's credentials is never served on another team's behalf. Files only
// appear under <namespace>/ by an atomic rename after their digest checked
// out, so whatever is found there at start-up is whole.
//
// Size bound: least recently used entries are removed until the cached bytes
// plus the bytes reserved by fills in progress fit; an entry with a lease (a
// response reading it) is never removed.

export type CacheEntry = {
  readonly key: string;
  readonly namespace: string;
  readonly digest: string;
  readonly path: string;
  readonly size: number;
  mediaType: string | undefined;
  /** Upstream repositories (in this namespace's registry) known to contain the digest. */
  repositories: Set<string>;
  touchedAt: number;
};

type EntryMeta = { mediaType?: string; repositories?: string[] };

export type CacheStoreOptions = {
  root: string;
  /** 0 = unbounded. */
  maxBytes: number;
  onEvict?: (entry: CacheEntry) => void;
};

const NAMESPACE = /^[A-Za-z0-9_-]{1,100}$/;
const DIGEST = /^(sha256|sha384|sha512):([a-f0-9]{64,128})$/;
const META_SUFFIX = ".meta.json";
// Persist LRU order (file mtime) at most this often per entry.
const TOUCH_INTERVAL_MS = 60_000;

export class CacheStore {
  readonly root: string;
  readonly tmpDir: string;
  maxBytes: number;
  /** Insertion order is recency order: the first entry is the least recently used. */
  private readonly entries = new Map<string, CacheEntry>();
  private readonly leases = new Map<string, number>();
  private cachedBytes = 0;
  private reservedBytes = 0;
  private tempCounter = 0;
  private readonly onEvict?: (entry: CacheEntry) => void;

  private constructor(options: CacheStoreOptions) {
    this.root = path.resolve(options.root);
    this.maxBytes = options.maxBytes;
    this.onEvict = options.onEvict;
    this.tmpDir = path.join(this.root, "tmp", `${process.pid}.${randomBytes(6).toString("hex")}`);
  }

  /** Opens (creating) the cache root, removes temporary files of dead processes and indexes what is there. */
  static async open(options: CacheStoreOptions): Promise<CacheStore> {
    const store = new CacheStore(options);
    await fs.promises.mkdir(store.tmpDir, { recursive: true });
    await store.removeStaleTempDirs();
    await store.scan();
    return store;
  }

  static keyOf(namespace: string, digest: string): string {
    return `${namespace}/${digest}`;
  }

  static isNamespace(namespace: string): boolean {
    return NAMESPACE.test(namespace) && namespace !== "tmp";
  }

  static isCacheable(namespace: string, digest: string): boolean {
    return CacheStore.isNamespace(namespace) && DIGEST.test(digest);
  }

  get bytes(): number {
    return this.cachedBytes;
  }

  get count(): number {
    return this.entries.size;
  }

  /** Entries from least to most recently used. */
  list(): CacheEntry[] {
    return [...this.entries.values()];
  }

  dataPath(namespace: string, digest: string): string {
    const [algorithm, hex] = digest.split(":") as [string, string];
    return path.join(this.root, namespace, algorithm, hex);
  }

  /** A fresh temporary file path (the caller creates the file). */
  tempPath(): string {
    return path.join(this.tmpDir, `${Date.now().toString(36)}-${++this.tempCounter}`);
  }

  /**
   * The entry, marked most recently used, with a lease taken atomically so
   * eviction cannot remove it before the caller has opened it. Call release()
   * when the response is done.
   */
  lease(namespace: string, digest: string): { entry: CacheEntry; release: () => void } | undefined {
    const key = CacheStore.keyOf(namespace, digest);
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    this.entries.set(key, entry);
    const now = Date.now();
    if (now - entry.touchedAt > TOUCH_INTERVAL_MS) {
      entry.touchedAt = now;
      fs.promises.utimes(entry.path, new Date(now), new Date(now)).catch(() => {});
    }
    return { entry, release: this.acquire(key) };
  }

  /** Holds a key against eviction (also for a fill not committed yet). */
  acquire(key: string): () => void {
    this.leases.set(key, (this.leases.get(key) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const n = (this.leases.get(key) ?? 1) - 1;
      if (n > 0) this.leases.set(key, n);
      else this.leases.delete(key);
      // An entry kept only because it was being read may go now.
      this.enforceBound();
    };
  }

  /**
   * Reserves room for a fill of `size` bytes, evicting to make it. Returns
   * false (reserving nothing) when the blob could never fit the bound.
   */
  reserve(size: number): { ok: boolean; release: () => void } {
    if (this.maxBytes > 0 && size > this.maxBytes) return { ok: false, release: () => {} };
    this.reservedBytes += size;
    this.enforceBound();
    let released = false;
    return {
      ok: true,
      release: () => {
        if (released) return;
        released = true;
        this.reservedBytes -= size;
      },
    };
  }

  /** Moves a verified temporary file into place (atomically) and indexes it. */
  async commit(namespace: string, digest: string, tempPath: string, size: number, meta: EntryMeta): Promise<CacheEntry> {
    const target = this.dataPath(namespace, digest);
    await fs.promises.mkdir(path.dirname(target), { recursive: true });
    // The sidecar first: a data file is never visible without what it needs.
    await writeFileAtomic(`${target}${META_SUFFIX}`, JSON.stringify(meta), this.tempPath());
    const key = CacheStore.keyOf(namespace, digest);
    const previous = this.entries.get(key);
    if (previous) {
      this.cachedBytes -= previous.size;
      this.entries.delete(key);
    }
    // Room first: the file appears only once the files it displaces are gone, so the directory
    // never holds more than the bound, not even while an eviction's removal is under way (a
    // manifest, which reserves nothing, used to land before the entry it evicted was removed).
    this.cachedBytes += size;
    try {
      await Promise.all(this.evictOverBound(this.maxBytes));
      await fs.promises.rename(tempPath, target);
    } catch (err) {
      this.cachedBytes -= size;
      throw err;
    }
    const entry: CacheEntry = {
      key,
      namespace,
      digest,
      path: target,
      size,
      mediaType: meta.mediaType,
      repositories: new Set([...(previous?.repositories ?? []), ...(meta.repositories ?? [])]),
      touchedAt: Date.now(),
    };
    this.entries.set(key, entry);
    return entry;
  }

  /** Records that the digest is also in `repository` upstream (confirmed by a HEAD). */
  async addRepository(entry: CacheEntry, repository: string): Promise<void> {
    if (entry.repositories.has(repository)) return;
    entry.repositories.add(repository);
    const meta: EntryMeta = { mediaType: entry.mediaType, repositories: [...entry.repositories] };
    await writeFileAtomic(`${entry.path}${META_SUFFIX}`, JSON.stringify(meta), this.tempPath()).catch(() => {});
  }

  /** Drops an entry whose file disappeared (removed by `pullgate cache --prune`, or by hand). */
  forget(entry: CacheEntry): void {
    if (this.entries.get(entry.key) !== entry) return;
    this.entries.delete(entry.key);
    this.cachedBytes -= entry.size;
  }

  /** Evicts least recently used, unleased entries until cached + reserved bytes fit the bound. */
  enforceBound(maxBytes = this.maxBytes): number {
    return this.evictOverBound(maxBytes).length;
  }

  /** Evicts least recently used, unleased entries until the index fits `maxBytes`; each one's file removal. */
  private evictOverBound(maxBytes: number): Promise<unknown>[] {
    const removals: Promise<unknown>[] = [];
    if (maxBytes <= 0) return removals;
    for (const entry of this.entries.values()) {
      if (this.cachedBytes + this.reservedBytes <= maxBytes) break;
      if (this.leases.has(entry.key)) continue;
      this.entries.delete(entry.key);
      this.cachedBytes -= entry.size;
      this.onEvict?.(entry);
      removals.push(Promise.all([fs.promises.rm(entry.path, { force: true }), fs.promises.rm(`${entry.path}${META_SUFFIX}`, { force: true })]).catch(() => {}));
    }
    return removals;
  }

  /**
   * The disk is full: removes least recently used, unleased entries until at
   * least `bytes` are freed (or nothing is left to remove), and waits for the
   * files to be gone. The bound itself is unchanged.
   */
  async evictForSpace(bytes: number): Promise<{ count: number; bytes: number }> {
    const removals: Promise<unknown>[] = [];
    let freed = 0;
    for (const entry of [...this.entries.values()]) {
      if (freed >= bytes) break;
      if (this.leases.has(entry.key)) continue;
      this.entries.delete(entry.key);
      this.cachedBytes -= entry.size;
      freed += entry.size;
      this.onEvict?.(entry);
      removals.push(fs.promises.rm(entry.path, { force: true }).catch(() => {}));
      removals.push(fs.promises.rm(`${entry.path}${META_SUFFIX}`, { force: true }).catch(() => {}));
    }
    await Promise.all(removals);
    return { count: removals.length / 2, bytes: freed };
  }

  /** Removes this process's temporary directory (clean shutdown). */
  async close(): Promise<void> {
    await fs.promises.rm(this.tmpDir, { recursive: true, force: true });
  }

  // tmp/<pid>.<nonce>: a directory whose process is gone holds only partial
  // downloads of a crashed proxy. A live pid may be a replica sharing the
  // directory, except our own pid, which (in a container restarted as pid 1)
  // means a previous incarnation of this process.
  private async removeStaleTempDirs(): Promise<void> {
    const tmpRoot = path.dirname(this.tmpDir);
    for (const name of await fs.promises.readdir(tmpRoot)) {
      const full = path.join(tmpRoot, name);
      if (full === this.tmpDir) continue;
      const pid = Number(name.split(".")[0]);
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isProcessAlive(pid)) continue;
      await fs.promises.rm(full, { recursive: true, force: true });
    }
  }

  // Synchronous on purpose: it runs once, before the proxy listens, and a
  // stat + sidecar read per entry through the thread pool took ~4 s for 20k
  // entries (measured), against ~0.3 s this way.
  private async scan(): Promise<void> {
    const found: CacheEntry[] = [];
    for (const namespace of await readdirSafe(this.root)) {
      if (!CacheStore.isNamespace(namespace)) continue;
      for (const algorithm of await readdirSafe(path.join(this.root, namespace))) {
        if (!/^sha(256|384|512)$/.test(algorithm)) continue;
        const dir = path.join(this.root, namespace, algorithm);
        for (const name of await readdirSafe(dir)) {
          if (name.endsWith(META_SUFFIX)) continue;
          const digest = `${algorithm}:${name}`;
          if (!DIGEST.test(digest)) continue;
          const file = path.join(dir, name);
          const stat = fs.statSync(file, { throwIfNoEntry: false });
          if (!stat) continue;
          let meta: EntryMeta = {};
          try {
            meta = JSON.parse(fs.readFileSync(`${file}${META_SUFFIX}`, "utf8")) as EntryMeta;
          } catch {
            // No sidecar: a blob confirmed in no repository yet (checked upstream on first use).
          }
          found.push({
            key: CacheStore.keyOf(namespace, digest),
            namespace,
            digest,
            path: file,
            size: stat.size,
            mediaType: typeof meta.mediaType === "string" ? meta.mediaType : undefined,
            repositories: new Set(Array.isArray(meta.repositories) ? meta.repositories.filter((r) => typeof r === "string") : []),
            touchedAt: stat.mtimeMs,
          });
        }
      }
    }
    found.sort((a, b) => a.touchedAt - b.touchedAt);
    for (const entry of found) {
      this.entries.set(entry.key, entry);
      this.cachedBytes += entry.size;
    }
  }
}

async function readdirSafe(dir: string): Promise<string[]> {
  try {
    return await fs.promises.readdir(dir);
  } catch {
    return [];
  }
}

async function writeFileAtomic(target: string, data: string, tempPath: string): Promise<void> {
  await fs.promises.writeFile(tempPath, data);
  await fs.promises.rename(tempPath, target);
}
