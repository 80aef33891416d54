import fs from "node:fs";

// With PULLGATE_CACHE_MAX_BYTES unset the cache is still bounded: by this
// fraction of the space it could use when the proxy starts (the free space of
// its file system plus what the cache already holds there), so a growing
// cache never fills the disk it shares with the database, logs and the
// system. Set PULLGATE_CACHE_MAX_BYTES to choose (0 = unbounded).

export const DEFAULT_CACHE_DISK_FRACTION = 0.5;

export function defaultCacheBound(dir: string, cachedBytes: number): { maxBytes: number; freeBytes: number } {
  const stat = fs.statfsSync(dir);
  // bavail: blocks available to unprivileged users (what root's reserve leaves).
  const freeBytes = Number(stat.bavail) * Number(stat.bsize);
  // At least 1 byte: 0 would mean unbounded.
  return { maxBytes: Math.max(1, Math.floor((freeBytes + cachedBytes) * DEFAULT_CACHE_DISK_FRACTION)), freeBytes };
}
