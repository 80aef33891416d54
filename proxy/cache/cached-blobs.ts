import { blobNotFound } from "../errors";
import type { ActionHandler, PullContext } from "../registry-api";
import { serveBlob } from "../blobs";
import { upstreamClientFor, upstreamHost } from "../upstream-clients";
import { headerString, timedUpstream } from "../upstream-request";
import { BlobFill } from "./blob-fill";
import { parseByteRange } from "./byte-range";
import { setBlobHeaders, sendUnsatisfiable } from "./blob-response";
import { CacheStore } from "./cache-store";
import { confirmRepository } from "./confirm-repository";
import { sendFromFill } from "./fill-sender";
import { openSharedSource, SharedFillDestination, type BlobSource } from "./peer-fills";
import type { InFlightBlob, ProxyCache } from "./proxy-cache";
import { sendFetchFailure, UpstreamStatusError } from "./upstream-outcome";

// GET/HEAD .../blobs/<digest> through the cache. The license was checked
// before this handler runs. In order:
//   1. a complete stored blob → served by its store (blob-store.ts; Range included);
//   2. a download of the blob already in flight → joined, streamed as it grows;
//   3. otherwise this request starts the one download everybody shares.
// A HEAD that misses the cache asks the upstream (no download for a HEAD).

// Readers of a download in flight get what has arrived, in reads up to this
// size (also their buffer): many concurrent readers stay within memory.
const FILL_READ_CHUNK = 512 * 1024;

export function createCachedBlobHandler(cache: ProxyCache): ActionHandler {
  return async function serveCachedBlob(ctx: PullContext): Promise<void> {
    const digest = ctx.reference!;
    const namespace = ctx.registry.id;
    if (!CacheStore.isCacheable(namespace, digest)) return serveBlob(ctx);
    const metrics = cache.metrics;
    const host = upstreamHost(ctx.registry);

    const hit = await cache.blobs.lease(namespace, digest);
    if (hit) {
      try {
        if (await confirmRepository(ctx, "blobs", digest, hit.repositories)) await hit.addRepository(ctx.upstreamImage);
      } catch (err) {
        hit.release();
        return sendFetchFailure(ctx.res, err, host, blobNotFound(ctx.repository, digest));
      }
      const served = await hit.send(ctx, cache);
      if (served) {
        metrics?.cacheRequests.inc({ kind: "blob", result: "hit" });
        return;
      }
      // The blob vanished (pruned from the command line, or evicted by another replica): fetch it again.
      hit.forget();
      cache.updateSizeGauge();
    }

    const key = CacheStore.keyOf(namespace, digest);
    let inFlight = cache.fills.get(key);
    if (ctx.req.method === "HEAD" && !(inFlight && inFlight.fill.size !== null && inFlight.fill.repositories.has(ctx.upstreamImage))) {
      return serveBlob(ctx);
    }
    if (inFlight) {
      try {
        if (await confirmRepository(ctx, "blobs", digest, inFlight.fill.repositories)) inFlight.fill.repositories.add(ctx.upstreamImage);
      } catch (err) {
        return sendFetchFailure(ctx.res, err, host, blobNotFound(ctx.repository, digest));
      }
      metrics?.cacheRequests.inc({ kind: "blob", result: "join" });
      metrics?.cacheSingleFlightJoins.inc();
    } else {
      metrics?.cacheRequests.inc({ kind: "blob", result: "miss" });
      inFlight = startFill(cache, ctx, digest);
    }
    try {
      await inFlight.ready;
    } catch (err) {
      return sendFetchFailure(ctx.res, err, host, blobNotFound(ctx.repository, digest));
    }
    await serveFromFill(ctx, cache, inFlight.fill);
  };
}

/** Starts the shared download; `ready` settles when the upstream's headers arrived (or it failed). */
function startFill(cache: ProxyCache, ctx: PullContext, digest: string): InFlightBlob {
  const key = CacheStore.keyOf(ctx.registry.id, digest);
  const namespace = ctx.registry.id;
  // Replicas sharing a store fetch each blob once between them (peer-fills.ts).
  const shared = cache.peers ? new SharedFillDestination(cache.blobs, namespace, digest) : null;
  const fill = new BlobFill({
    store: cache.store,
    namespace: ctx.registry.id,
    digest,
    repository: ctx.upstreamImage,
    onUpstreamBytes: (n) => cache.metrics?.cacheBytes.inc({ source: "upstream" }, n),
    onSettled: () => {
      if (cache.fills.get(key)?.fill === fill) cache.fills.delete(key);
      cache.updateSizeGauge();
      if (cache.peers) void cache.peers.claims.release(namespace, digest);
    },
    onDiskFull: (bytes, err) => cache.relieveDiskPressure(bytes, err, digest),
    destination: shared ?? cache.blobs.openDestination(namespace, digest),
    onUncached: () => {
      // Not kept, and its early bytes may be gone from memory: later requests start their own download.
      if (cache.fills.get(key)?.fill === fill) cache.fills.delete(key);
      cache.noteUncached(digest);
    },
  });
  const ready = (async () => {
    const client = upstreamClientFor(ctx.registry);
    // Not tied to this request: others may join, and a finished download is worth keeping.
    if (shared) {
      // Replicas share the download (peer-fills.ts): its relay and takeover read undici Readables.
      await fill.open();
      const fetchUpstream = async (from: number): Promise<BlobSource> => {
        const headers: Record<string, string> = from > 0 ? { range: `bytes=${from}-` } : {};
        const up = await timedUpstream(ctx, "blob", client.request("GET", `/v2/${ctx.upstreamImage}/blobs/${digest}`, { headers }));
        if (up.statusCode !== (from > 0 ? 206 : 200)) {
          await up.body.dump();
          throw new UpstreamStatusError(up.statusCode, headerString(up.headers["retry-after"]));
        }
        const length = Number(headerString(up.headers["content-length"]));
        return { body: up.body, size: Number.isSafeInteger(length) && length >= 0 ? from + length : null };
      };
      const source = await openSharedSource(cache.peers!, shared, namespace, digest, fetchUpstream);
      fill.expectSize(source.size);
      void fill.run(source.body);
      return;
    }
    // Alone: the blob transport of lib/upstream/socket-get.ts. The temporary file is
    // created while the upstream answers, and the clients' headers go out as soon as
    // it answered: neither waits for the other (time to first byte).
    const request = timedUpstream(ctx, "blob", client.requestStream(`/v2/${ctx.upstreamImage}/blobs/${digest}`));
    const opened = fill.open();
    opened.catch(() => {}); // handled below, once the upstream answered (a fill failed first removes the file once made)
    const up = await request;
    if (up.statusCode !== 200) {
      await up.body.dump();
      throw new UpstreamStatusError(up.statusCode, headerString(up.headers["retry-after"]));
    }
    const length = Number(headerString(up.headers["content-length"]));
    fill.expectSize(Number.isSafeInteger(length) && length >= 0 ? length : null);
    const body = up.body;
    // The body waits in the socket for the file; it is taken in a later turn, after the
    // headers of the requests waiting on `ready` were flushed. A file that could not be
    // made fails the fill: its readers get an error status (serveFromFill), or a cut transfer.
    opened.then(
      () => setImmediate(() => void fill.run(body)),
      (err: Error) => {
        void body.dump();
        void fill.fail(err);
      },
    );
  })();
  ready.catch((err: Error) => void fill.fail(err));
  const inFlight = { fill, ready };
  cache.fills.set(key, inFlight);
  return inFlight;
}

/** Serves (a range of) a blob that is still downloading, as its bytes arrive. */
async function serveFromFill(ctx: PullContext, cache: ProxyCache, fill: BlobFill): Promise<void> {
  const releaseLease = cache.store.acquire(fill.key);
  try {
    const rangeHeader = headerString(ctx.req.headers.range);
    // A Range needs the total size: with no Content-Length upstream, wait for the end.
    if (rangeHeader && fill.size === null) await settled(fill);
    if (fill.state === "failed") return sendFetchFailure(ctx.res, fill.error, upstreamHost(ctx.registry), blobNotFound(ctx.repository, ctx.reference!));
    const range = fill.size !== null ? parseByteRange(rangeHeader, fill.size) : undefined;
    if (range === "unsatisfiable") return sendUnsatisfiable(ctx, fill.size!);
    setBlobHeaders(ctx, fill.size, range);
    if (ctx.req.method === "HEAD") return void ctx.res.end();
    // The client hears back as soon as the upstream did, not when the first body bytes are through.
    ctx.res.flushHeaders();
    try {
      await sendFromFill(fill, ctx.res, { start: range?.start ?? 0, end: range?.end, fileChunk: FILL_READ_CHUNK, onBytes: (n) => (ctx.event.bytes += n) });
      ctx.res.end();
    } catch {
      // The customer left, or the download failed or did not verify: cut the
      // response short so the client can never take it for a whole blob.
      ctx.res.destroy();
    }
  } finally {
    releaseLease();
  }
}

function settled(fill: BlobFill): Promise<void> {
  return new Promise((resolve) => {
    const check = () => {
      if (fill.state === "fetching") return;
      fill.off("progress", check);
      resolve();
    };
    fill.on("progress", check);
    check();
  });
}
