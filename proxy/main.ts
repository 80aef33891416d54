// Entry point of the proxy process (`pullgate start` runs it next to the portal,
// `pullgate start --proxy-only` alone), from the bundle `npm run build` writes
// (cli/proxy-bundle.ts; `--dev` and the tests run this file through tsx).
import type { AddressInfo } from "node:net";
import { config } from "@/lib/config";
import { createPrisma } from "@/lib/db/client";
import { createLogger } from "./logger";
import { createProxyServer } from "./server";
import { SharedFailureStore } from "./shared-failure-store";
import { startDomainRechecks } from "@/lib/domains/start-domain-rechecks";
import { startPullEventMaintenance } from "@/lib/pulls/start-pull-event-maintenance";
import { startWebhookWorker } from "@/lib/webhooks/webhook-worker";
import { ProxyCache } from "./cache/proxy-cache";
import { parseOffloadConfig, type OffloadConfig } from "./cache/offload";
import { tuneHeapGrowth } from "./heap-growth";
import { outboundPolicy } from "@/lib/outbound/outbound-policy";
import { defaultCacheBound, DEFAULT_CACHE_DISK_FRACTION } from "./cache/default-bound";
import { formatBytes } from "@/lib/utils/byte-size";
import type { S3BlobStore } from "./cache/s3-blob-store";
import { SharedTagCache } from "./cache/shared-tag-cache";
import { createPeerFills } from "./cache/peer-fills";
import { FillClaims } from "./cache/fill-claims";
import { defaultPeerUrl } from "./cache/default-peer-url";
import { startSharedEviction } from "./cache/shared-eviction";


async function main(): Promise<void> {
  tuneHeapGrowth();
  const logger = createLogger();
  const databaseUrl = config.databaseUrl;
  if (!databaseUrl) {
    logger.fatal("DATABASE_URL is not set: start the proxy through `pullgate start` (embedded database) or set DATABASE_URL");
    process.exit(1);
  }

  let allowCidrs: string;
  try {
    allowCidrs = outboundPolicy().allowCidrs.map((c) => `${c.network}/${c.prefix}`).join(",");
  } catch (err) {
    logger.fatal((err as Error).message);
    process.exit(1);
  }
  if (allowCidrs) logger.info({ allowCidrs }, "upstreams may reach these private ranges (PULLGATE_UPSTREAM_ALLOW_CIDRS)");

  const prisma = createPrisma(databaseUrl);
  const tlsCert = config.proxyTlsCert;
  const tlsKey = config.proxyTlsKey;
  if (!tlsCert !== !tlsKey) {
    logger.fatal("set both PROXY_TLS_CERT and PROXY_TLS_KEY to serve HTTPS, or neither");
    process.exit(1);
  }
  let offload: OffloadConfig | null;
  try {
    offload = parseOffloadConfig(config.cacheOffload, config.cacheOffloadPrefix);
  } catch (err) {
    logger.fatal((err as Error).message);
    process.exit(1);
  }
  let maxBytes: number | null;
  try {
    maxBytes = config.cacheMaxBytes;
  } catch (err) {
    logger.fatal((err as Error).message);
    process.exit(1);
  }
  let retentionDays: number;
  try {
    retentionDays = config.pullEventRetentionDays;
  } catch (err) {
    logger.fatal((err as Error).message);
    process.exit(1);
  }
  const shutdownGraceMs = config.shutdownGraceSeconds * 1000;
  let blobStore: S3BlobStore | undefined;
  try {
    blobStore = config.blobStore ? await (await import("./cache/open-s3-blob-store")).openS3BlobStore(config.blobStore, prisma, logger) : undefined;
  } catch (err) {
    logger.fatal((err as Error).message);
    process.exit(1);
  }
  const cache = await ProxyCache.open({
    dir: config.cacheDir,
    maxBytes: maxBytes ?? 0,
    tagTtlMs: config.tagTtlSeconds * 1000,
    offload,
    logger,
    blobStore,
    // Replicas fetch each blob once between them; the others stream it from this one (PULLGATE_PEER_URL).
    peers: blobStore ? createPeerFills(new FillClaims(prisma, config.peerUrl ?? defaultPeerUrl(config.proxyPort, !!tlsCert))) : null,
    // With object storage the proxy is meant to run as N replicas: tag answers are shared too.
    tagAnswers: blobStore ? new SharedTagCache(prisma) : undefined,
  });
  // The bucket's size bound (PULLGATE_CACHE_MAX_BYTES; unset: unbounded), one evicting replica at a time.
  const eviction =
    blobStore && maxBytes
      ? startSharedEviction({ prisma, maxBytes, graceMs: (await import("./cache/open-s3-blob-store")).SHARED_EVICTION_GRACE_MS, intervalMs: 30_000, deleteObject: (ns, digest) => blobStore.deleteObject(ns, digest), logger })
      : null;
  if (maxBytes === null) {
    const bound = defaultCacheBound(cache.store.root, cache.store.bytes);
    cache.setMaxBytes(bound.maxBytes);
    logger.info(
      { maxBytes: bound.maxBytes, freeBytes: bound.freeBytes, fraction: DEFAULT_CACHE_DISK_FRACTION },
      `cache bound ${formatBytes(bound.maxBytes)}: PULLGATE_CACHE_MAX_BYTES is unset, so ${DEFAULT_CACHE_DISK_FRACTION * 100}% of the free disk space (plus what the cache holds) at start; set it to choose`,
    );
  }
  logger.info(
    { cacheDir: config.cacheDir, blobStore: blobStore ? `s3://${blobStore.bucket}/${blobStore.prefix}` : "local", s3Redirect: blobStore?.redirect, entries: cache.store.count, bytes: cache.store.bytes, maxBytes: cache.store.maxBytes || null, offload: offload ? `${offload.kind} ${offload.prefix}` : null },
    "cache opened",
  );
  if (offload && !config.proxyTrustForwarded) {
    logger.warn("PULLGATE_OFFLOAD=nginx without PROXY_TRUST_FORWARDED=1: every client looks like nginx's address to the failed-login limit");
  }
  const proxy = createProxyServer({
    prisma,
    logger,
    publicHost: config.proxyPublicHost,
    trustForwarded: config.proxyTrustForwarded,
    shutdownGraceMs,
    databaseUrl,
    tls: tlsCert && tlsKey ? { certFile: tlsCert, keyFile: tlsKey, certDir: config.proxyTlsCertDir } : undefined,
    cache,
    // Failed-login counts shared by every replica (proxy/shared-failure-store.ts).
    authFailureStore: new SharedFailureStore(prisma),
  });

  await new Promise<void>((resolve, reject) => {
    proxy.server.once("error", reject);
    proxy.server.listen(config.proxyPort, () => {
      proxy.server.off("error", reject);
      resolve();
    });
  });
  const { port } = proxy.server.address() as AddressInfo;
  logger.info({ port, publicHost: config.proxyPublicHost, tls: !!tlsCert }, `proxy listening on port ${port}`);
  // The proxy process owns the background DNS re-checks of pending custom
  // domains (the portal does not run them); replicas claim domains atomically.
  const domainChecks = config.domainCheckIntervalMs > 0 ? startDomainRechecks({ intervalMs: config.domainCheckIntervalMs, log: logger }) : null;
  // The proxy process also delivers webhooks from the shared queue (replicas split it with SKIP LOCKED).
  const webhooks = startWebhookWorker({ prisma, log: logger, retry: { baseDelayMs: config.webhookRetryBaseMs } });

  // Hourly rollups of pulls and deletion of raw events past the retention, in
  // small batches; with several proxies, an advisory lock lets one work at a time.
  const pullMaintenance = startPullEventMaintenance({ prisma, retentionDays, log: logger });
  logger.info({ retentionDays }, `raw pull events are kept ${retentionDays} days (PULLGATE_PULL_EVENT_RETENTION_DAYS); hourly rollups for good`);

  let stopping = false;
  const shutdown = async (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal, graceSeconds: shutdownGraceMs / 1000 }, "shutting down: /readyz answers 503, new connections are refused, requests in progress may finish");
    // A last resort in case draining or the pool hangs: never block a deploy forever.
    setTimeout(() => {
      logger.error("shutdown took too long, exiting");
      process.exit(1);
    }, shutdownGraceMs + 5_000).unref();
    domainChecks?.stop();
    pullMaintenance.stop();
    eviction?.stop();
    await Promise.all([proxy.close(), webhooks.stop()]);
    // Downloads that only fill the cache (their clients left) get what is left of the grace.
    await cache.close(Math.max(0, shutdownGraceMs - (Date.now() - stoppingAt)));
    await prisma.$disconnect();
    logger.info({ pullEventsPending: proxy.pullEvents.pending }, "proxy stopped");
    process.exit(0);
  };
  let stoppingAt = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    stoppingAt ||= Date.now();
    void shutdown(signal);
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
}

main().catch((err: unknown) => {
  console.error("proxy failed to start:", err instanceof Error ? err.message : err);
  process.exit(1);
});
