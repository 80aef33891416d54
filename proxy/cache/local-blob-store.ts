import fs from "node:fs";
import type { PullContext } from "../registry-api";
import { headerString } from "../upstream-request";
import type { BlobStore, FillDestination, StoredBlob } from "./blob-store";
import { setBlobHeaders, sendUnsatisfiable } from "./blob-response";
import { parseByteRange } from "./byte-range";
import { type CacheEntry, type CacheStore } from "./cache-store";
import { sendFileRange } from "./file-sender";
import { offloadUri, shouldOffload } from "./offload";
import type { ProxyCache } from "./proxy-cache";

// Blobs in the local cache directory (the default store): the files, LRU index
// and size bound of cache-store.ts. A fill's own temporary file is what is
// kept, so there is no separate destination to write to.

export class LocalBlobStore implements BlobStore {
  readonly kind = "local" as const;

  constructor(private readonly store: CacheStore) {}

  async lease(namespace: string, digest: string): Promise<StoredBlob | undefined> {
    const hit = this.store.lease(namespace, digest);
    if (!hit) return undefined;
    const { entry, release } = hit;
    const store = this.store;
    return {
      size: entry.size,
      repositories: entry.repositories,
      addRepository: (repository) => store.addRepository(entry, repository),
      send: (ctx, cache) => serveCachedFile(ctx, cache, entry, release),
      release,
      forget: () => store.forget(entry),
    };
  }

  openDestination(): FillDestination | null {
    return null;
  }

  async close(): Promise<void> {}
}

/** Streams a complete cache file. False when the file is gone (nothing was sent). */
async function serveCachedFile(ctx: PullContext, cache: ProxyCache, entry: CacheEntry, release: () => void): Promise<boolean> {
  const { req, res } = ctx;
  try {
    const range = parseByteRange(headerString(req.headers.range), entry.size);
    if (range === "unsatisfiable") {
      sendUnsatisfiable(ctx, entry.size);
      return true;
    }
    if (req.method === "HEAD") {
      setBlobHeaders(ctx, entry.size, range);
      ctx.event.cacheHit = true;
      res.end();
      return true;
    }
    if (shouldOffload(cache.offload, req)) {
      // nginx sends the file (and the Range, from the client's own request headers); our body is empty.
      setBlobHeaders(ctx, entry.size, undefined);
      res.setHeader("Content-Length", 0);
      res.setHeader("X-Accel-Redirect", offloadUri(cache.offload, cache.store.root, entry));
      ctx.event.cacheHit = true;
      ctx.event.bytes += range ? range.end - range.start + 1 : entry.size;
      cache.metrics?.cacheOffloads.inc();
      res.end();
      return true;
    }
    let fh: fs.promises.FileHandle;
    try {
      fh = await fs.promises.open(entry.path, "r");
    } catch {
      return false;
    }
    setBlobHeaders(ctx, entry.size, range);
    ctx.event.cacheHit = true;
    const counter = cache.metrics?.cacheBytes.labels({ source: "cache" });
    try {
      await sendFileRange(fh, res, range ?? { start: 0, end: entry.size - 1 }, {
        maxChunk: cache.chunkSize,
        budgetBytes: cache.sendBudgetBytes,
        onBytes: (n) => {
          ctx.event.bytes += n;
          counter?.inc(n);
        },
      });
      res.end();
    } catch {
      res.destroy();
    }
    return true;
  } finally {
    release();
  }
}
