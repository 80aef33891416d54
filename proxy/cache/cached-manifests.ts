import fs from "node:fs";
import { isManifestMediaType, mediaTypeOf } from "@/lib/upstream/answers";
import { API_VERSION, API_VERSION_HEADER, manifestNotFound } from "../errors";
import { manifestAccept } from "../manifest-accept";
import { readManifest, serveManifest } from "../manifests";
import type { ActionHandler, PullContext } from "../registry-api";
import { upstreamClientFor, upstreamHost } from "../upstream-clients";
import { headerString, timedUpstream } from "../upstream-request";
import { CacheStore } from "./cache-store";
import { confirmRepository } from "./confirm-repository";
import type { ProxyCache } from "./proxy-cache";
import type { TagRecord } from "./tag-cache";
import { isUpstreamOutage, sendFetchFailure, UpstreamStatusError } from "./upstream-outcome";

// GET/HEAD .../manifests/<tag|digest> through the cache (after the license check).
// By digest: immutable, served from the cache file when present, else fetched,
// verified and stored. By tag: the tag → digest answer is used for
// PULLGATE_TAG_TTL, then revalidated with an upstream HEAD (free against
// Docker Hub's pull limits); if that HEAD fails because the upstream is down,
// slow or rate limiting, the last known digest is served (counted as stale).
// A manifest fetched by tag is stored under its digest.

type FetchedManifest = { digest: string; mediaType: string; body: Buffer };

// Outage answers are not retried on every request: give the upstream a moment.
const OUTAGE_BACKOFF_MS = 5_000;

export function createCachedManifestHandler(cache: ProxyCache): ActionHandler {
  const retryUpstreamAt = new Map<string, number>();

  return async function serveCachedManifest(ctx: PullContext): Promise<void> {
    const reference = ctx.reference!;
    const namespace = ctx.registry.id;
    const byDigest = reference.includes(":");
    if (!CacheStore.isNamespace(namespace) || (byDigest && !CacheStore.isCacheable(namespace, reference))) {
      return serveManifest(ctx);
    }
    const host = upstreamHost(ctx.registry);
    const accept = manifestAccept(ctx.req.headers.accept);
    const head = ctx.req.method === "HEAD";

    let digest = reference;
    let record: TagRecord | undefined;
    if (!byDigest) {
      try {
        const resolved = await resolveTag(reference);
        if ("body" in resolved) return sendManifest(ctx, resolved, false);
        record = resolved;
        digest = resolved.digest;
      } catch (err) {
        return sendFetchFailure(ctx.res, err, host, manifestNotFound(ctx.repository, reference));
      }
    }

    const hit = cache.store.lease(namespace, digest);
    if (hit?.entry.mediaType) {
      try {
        // By tag, the upstream just named this digest for this repository.
        const confirmed = record ? !hit.entry.repositories.has(ctx.upstreamImage) : await confirmRepository(ctx, "manifests", digest, hit.entry.repositories);
        if (confirmed) await cache.store.addRepository(hit.entry, ctx.upstreamImage);
        const body = cache.manifestBody(hit.entry.key) ?? (await fs.promises.readFile(hit.entry.path));
        cache.rememberManifestBody(hit.entry.key, body);
        cache.metrics?.cacheRequests.inc({ kind: "manifest", result: "hit" });
        cache.metrics?.cacheBytes.inc({ source: "cache" }, body.length);
        return sendManifest(ctx, { digest, mediaType: hit.entry.mediaType, body }, true);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "ENOENT") cache.store.forget(hit.entry);
        else return sendFetchFailure(ctx.res, err, host, manifestNotFound(ctx.repository, reference));
      } finally {
        hit.release();
      }
    } else {
      hit?.release();
    }

    if (head && record) {
      // The tag's answer is enough for a HEAD; no manifest download.
      return sendManifestHeaders(ctx, { digest, mediaType: record.mediaType, size: record.size });
    }
    if (head) return serveManifest(ctx);
    cache.metrics?.cacheRequests.inc({ kind: "manifest", result: "miss" });
    try {
      return sendManifest(ctx, await fetchManifest(cache, ctx, digest, accept), false);
    } catch (err) {
      return sendFetchFailure(ctx.res, err, host, manifestNotFound(ctx.repository, reference));
    }

    /** The tag's digest (cached, revalidated or stale), or the manifest itself when it had to be fetched. */
    async function resolveTag(tag: string): Promise<TagRecord | FetchedManifest> {
      const known = await cache.tags.get(namespace, ctx.upstreamImage, tag, accept);
      const recordKey = `${namespace}\0${ctx.upstreamImage}\0${tag}\0${accept}`;
      const now = Date.now();
      if (known && now - known.checkedAt < cache.tagTtlMs) {
        cache.metrics?.cacheRequests.inc({ kind: "tag", result: "hit" });
        return known;
      }
      if (known && (retryUpstreamAt.get(recordKey) ?? 0) > now) return stale(known);
      if (known || head) {
        let info: { digest: string; mediaType: string; size: number } | null;
        try {
          info = await headUpstream(tag);
        } catch (err) {
          if (known && isUpstreamOutage(err)) {
            if (retryUpstreamAt.size > 10_000) retryUpstreamAt.clear();
            retryUpstreamAt.set(recordKey, now + Math.min(OUTAGE_BACKOFF_MS, Math.max(cache.tagTtlMs, 1000)));
            return stale(known);
          }
          if (err instanceof UpstreamStatusError && err.status === 404) await cache.tags.delete(namespace, ctx.upstreamImage, tag, accept);
          throw err;
        }
        retryUpstreamAt.delete(recordKey);
        if (info) {
          const fresh: TagRecord = { ...info, checkedAt: now };
          await cache.tags.set(namespace, ctx.upstreamImage, tag, accept, fresh);
          cache.metrics?.cacheRequests.inc({ kind: "tag", result: "revalidated" });
          return fresh;
        }
      }
      cache.metrics?.cacheRequests.inc({ kind: "tag", result: "miss" });
      return fetchManifest(cache, ctx, tag, accept);
    }

    function stale(known: TagRecord): TagRecord {
      cache.metrics?.cacheRequests.inc({ kind: "tag", result: "stale" });
      cache.metrics?.cacheStaleServes.inc();
      return known;
    }

    /** HEAD of the tag upstream; null when the answer carries no digest (then the manifest is fetched). */
    async function headUpstream(tag: string): Promise<{ digest: string; mediaType: string; size: number } | null> {
      const client = upstreamClientFor(ctx.registry);
      const up = await timedUpstream(
        ctx,
        "manifest",
        client.request("HEAD", `/v2/${ctx.upstreamImage}/manifests/${tag}`, { headers: { accept }, signal: AbortSignal.timeout(cache.revalidateTimeoutMs) }),
      );
      await up.body.dump();
      if (up.statusCode !== 200) throw new UpstreamStatusError(up.statusCode, headerString(up.headers["retry-after"]));
      const digest = headerString(up.headers["docker-content-digest"]);
      const mediaType = headerString(up.headers["content-type"]);
      const size = Number(headerString(up.headers["content-length"]));
      if (!digest || !CacheStore.isCacheable(namespace, digest) || !isManifestMediaType(mediaType) || !Number.isSafeInteger(size)) return null;
      return { digest, mediaType: mediaTypeOf(mediaType), size };
    }
  };
}

/** GET of a manifest by tag or digest, verified and stored by digest; concurrent identical fetches share one request. */
function fetchManifest(cache: ProxyCache, ctx: PullContext, reference: string, accept: string): Promise<FetchedManifest> {
  const namespace = ctx.registry.id;
  const key = `${namespace}\0${ctx.upstreamImage}\0${reference}\0${accept}`;
  const inFlight = cache.manifestFetches.get(key) as Promise<FetchedManifest> | undefined;
  if (inFlight) return inFlight;
  const fetching = (async (): Promise<FetchedManifest> => {
    const client = upstreamClientFor(ctx.registry);
    const up = await timedUpstream(ctx, "manifest", client.request("GET", `/v2/${ctx.upstreamImage}/manifests/${reference}`, { headers: { accept } }));
    if (up.statusCode !== 200) {
      await up.body.dump();
      throw new UpstreamStatusError(up.statusCode, headerString(up.headers["retry-after"]));
    }
    // Checked (type, shape, digest) before anything is cached.
    const { body, digest, mediaType } = await readManifest(up.body, reference, client.host, headerString(up.headers["content-type"]));
    const byDigest = reference.includes(":");
    cache.metrics?.cacheBytes.inc({ source: "upstream" }, body.length);

    const temp = cache.store.tempPath();
    try {
      await fs.promises.writeFile(temp, body);
      await cache.store.commit(namespace, digest, temp, body.length, { mediaType, repositories: [ctx.upstreamImage] });
      cache.updateSizeGauge();
    } catch {
      // Served anyway; only the cached copy is lost.
      await fs.promises.rm(temp, { force: true }).catch(() => {});
    }
    if (!byDigest) {
      await cache.tags.set(namespace, ctx.upstreamImage, reference, accept, { digest, mediaType, size: body.length, checkedAt: Date.now() });
    }
    return { digest, mediaType, body };
  })();
  cache.manifestFetches.set(key, fetching);
  void fetching.catch(() => {}).finally(() => cache.manifestFetches.delete(key));
  return fetching;
}

/** A manifest's response headers (and its pull event's digest); the caller sends the body, if any. */
function setManifestHeaders(ctx: PullContext, manifest: { digest: string; mediaType: string; size: number }): void {
  const { res } = ctx;
  res.statusCode = 200;
  res.setHeader("Content-Type", manifest.mediaType);
  res.setHeader("Docker-Content-Digest", manifest.digest);
  res.setHeader("Content-Length", manifest.size);
  res.setHeader(API_VERSION_HEADER, API_VERSION);
  ctx.event.digest = manifest.digest;
}

function sendManifestHeaders(ctx: PullContext, manifest: { digest: string; mediaType: string; size: number }): void {
  setManifestHeaders(ctx, manifest);
  ctx.res.end();
}

function sendManifest(ctx: PullContext, manifest: FetchedManifest, cacheHit: boolean): void {
  setManifestHeaders(ctx, { digest: manifest.digest, mediaType: manifest.mediaType, size: manifest.body.length });
  ctx.event.cacheHit = cacheHit;
  if (ctx.req.method === "HEAD") return void ctx.res.end();
  ctx.event.bytes = manifest.body.length;
  ctx.event.manifest = manifest.body;
  ctx.res.end(manifest.body);
}
