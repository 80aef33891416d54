import http from "node:http";
import { createTlsServer, type TlsFiles } from "./tls";
import type { PrismaClient } from "@/lib/generated/prisma/client";
import { sendOciError } from "./errors";
import { REQUEST_ID_HEADER, requestIdFor, type Logger } from "./logger";
import { createMetrics, methodLabel, type ProxyMetrics } from "./metrics";
import { createRouter, type RequestContext } from "./router";
import { AuthorizationData } from "./authorization-data";
import { AuthThrottle, type AuthThrottleOptions, type FailureStore } from "./auth-rate-limit";
import { startChangeListener, type ChangeListener } from "./change-listener";
import { PullEventQueue } from "./pull-events";
import { createRegistryApi } from "./registry-api";
import { createLicenseApi } from "./license-api";
import { clientAddress } from "./client-address";
import { serveBlob } from "./blobs";
import { serveManifest } from "./manifests";
import { serveReferrers } from "./referrers";
import { serveTags } from "./tags";
import type { ProxyCache } from "./cache/proxy-cache";
import { createCachedBlobHandler } from "./cache/cached-blobs";
import { createCachedManifestHandler } from "./cache/cached-manifests";
import { servePeerFill } from "./cache/peer-fills";
import { DATABASE_RETRY_AFTER_SECONDS, isDatabaseUnavailable } from "@/lib/db/unavailable";
import { RegistrySecretUnreadableError, reportUpstreamClientProblemsTo } from "./upstream-clients";
import { sendSecretUnreadable } from "./upstream-failure";

export type ProxyServerOptions = {
  prisma: PrismaClient;
  logger: Logger;
  /** Host customers use by default; stands in when a request has no Host header. */
  publicHost: string;
  /** Trust X-Forwarded-Proto and -For (set PROXY_TRUST_FORWARDED=1 only behind a proxy that sets them, e.g. nginx). */
  trustForwarded?: boolean;
  readyTimeoutMs?: number;
  /** How long close() lets in-flight requests finish before cutting connections (default 30 s). */
  shutdownGraceMs?: number;
  metrics?: ProxyMetrics;
  /** Connection string for the LISTEN/NOTIFY change listener; without it the authorization cache lives ≤ 1 s. */
  databaseUrl?: string;
  /** Failed-login throttling per (client network, credential) (proxy/auth-rate-limit.ts defaults). */
  authThrottle?: Partial<AuthThrottleOptions>;
  /** Where failure counts live (default: this process's memory). */
  authFailureStore?: FailureStore;
  /** Serve HTTPS with these certificate files (proxy/tls.ts); plain HTTP without. */
  tls?: TlsFiles;
  /** Blob/manifest cache (proxy/cache); without it every request goes to the upstream. */
  cache?: ProxyCache;
};

export type ProxyServer = {
  server: http.Server;
  metrics: ProxyMetrics;
  pullEvents: PullEventQueue;
  authorizationData: AuthorizationData;
  /**
   * Drains: /readyz answers 503 from now on, the listening socket closes (new
   * connections are refused), idle keep-alive connections are closed, requests
   * in progress may finish for up to the grace period, then the remaining
   * connections are cut; pull events are written last. Resolves when done.
   */
  close(): Promise<void>;
  /** True once close() was called. */
  readonly draining: boolean;
};

export function createProxyServer(options: ProxyServerOptions): ProxyServer {
  const { logger } = options;
  const metrics = options.metrics ?? createMetrics();
  options.cache?.observe(metrics);
  reportUpstreamClientProblemsTo(logger);
  let listener: ChangeListener | null = null;
  const authorizationData = new AuthorizationData(options.prisma, () => listener?.healthy ?? false);
  if (options.databaseUrl) {
    listener = startChangeListener({ databaseUrl: options.databaseUrl, logger, onChange: () => authorizationData.invalidate() });
  }
  metrics.watchChangeListener(() => listener?.healthy ?? false);
  const pullEvents = new PullEventQueue({
    prisma: options.prisma,
    logger,
    onDrop: (n) => metrics.pullEventsDropped.inc(n),
    onWritten: (n) => metrics.pullEventsWritten.inc(n),
  });
  // One count of failed logins for pulls and license fetches alike.
  const throttle = new AuthThrottle(options.authFailureStore, options.authThrottle);
  const registryApi = createRegistryApi({
    data: authorizationData,
    throttle,
    pullEvents,
    metrics,
    trustForwarded: options.trustForwarded ?? false,
    logger,
    handlers: {
      manifest: options.cache ? createCachedManifestHandler(options.cache) : serveManifest,
      blob: options.cache ? createCachedBlobHandler(options.cache) : serveBlob,
      tags: serveTags,
      referrers: serveReferrers,
    },
  });
  const licenseApi = createLicenseApi({ data: authorizationData, prisma: options.prisma, throttle, metrics, trustForwarded: options.trustForwarded ?? false });
  const route = createRouter({
    registryApi,
    licenseApi,
    data: authorizationData,
    prisma: options.prisma,
    metrics,
    publicHost: options.publicHost,
    trustForwarded: options.trustForwarded ?? false,
    readyTimeoutMs: options.readyTimeoutMs ?? 1000,
    isDraining: () => closing !== undefined,
    peerFills: options.cache?.peers ? (req, res, pathname) => servePeerFill(options.cache!, req, res, pathname) : undefined,
  });
  let closing: Promise<void> | undefined;
  let databaseDownSince: number | null = null;

  const handler: http.RequestListener = async (req, res) => {
    const started = process.hrtime.bigint();
    const requestId = requestIdFor(req);
    const log = logger.child({ requestId });
    const ctx: RequestContext = { route: "not_found" };
    res.setHeader(REQUEST_ID_HEADER, requestId);
    // While shutting down, keep-alive clients are told to reconnect elsewhere.
    if (closing) res.setHeader("Connection", "close");

    res.once("close", () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const method = methodLabel(req.method);
      metrics.httpRequests.inc({ route: ctx.route, method, status: String(res.statusCode) });
      metrics.httpDuration.observe({ route: ctx.route, method }, seconds);
      // Deliberately no headers here: Authorization carries license IDs and tokens.
      log.info(
        {
          method: req.method,
          path: req.url,
          route: ctx.route,
          status: res.statusCode,
          durationMs: Math.round(seconds * 1000 * 10) / 10,
          bytes: res.getHeader("Content-Length") ?? undefined,
          clientIp: clientAddress(req, options.trustForwarded ?? false),
          userAgent: req.headers["user-agent"],
          aborted: res.writableFinished ? undefined : true,
        },
        "request",
      );
    });

    try {
      await route(req, res, ctx);
      if (databaseDownSince !== null && ctx.route === "/v2/*") {
        logger.info({ downMs: Date.now() - databaseDownSince }, "database reachable again");
        databaseDownSince = null;
      }
    } catch (err) {
      if (res.headersSent) {
        log.error({ err }, "request failed");
        return void res.destroy();
      }
      if (isDatabaseUnavailable(err)) {
        // Never a decision without the database (beyond the short authorization cache): ask the client to retry.
        metrics.databaseUnavailable.inc();
        if (databaseDownSince === null) {
          databaseDownSince = Date.now();
          log.error({ err: (err as Error).message }, "database unreachable: registry requests answer 503 until it is back");
        }
        return sendOciError(res, "UNAVAILABLE", "the registry's database is temporarily unavailable; try again shortly", {
          headers: { "Retry-After": String(DATABASE_RETRY_AFTER_SECONDS) },
          detail: { requestId },
        });
      }
      if (err instanceof RegistrySecretUnreadableError) return sendSecretUnreadable(res, err);
      log.error({ err }, "request failed");
      sendOciError(res, "UNKNOWN", "internal error", { detail: { requestId } });
    }
  };
  const server: http.Server = options.tls ? createTlsServer(options.tls, logger, handler) : http.createServer(handler);

  function close(): Promise<void> {
    closing ??= new Promise<void>((resolve) => {
      const graceMs = options.shutdownGraceMs ?? 30_000;
      const grace = setTimeout(() => {
        logger.warn({ graceMs }, "shutdown grace over: cutting the connections still open");
        server.closeAllConnections();
      }, graceMs);
      grace.unref();
      server.close(() => {
        clearTimeout(grace);
        // Requests are done: write their pull events, stop listening for changes.
        void Promise.allSettled([pullEvents.flush(), listener?.close()]).then(() => resolve());
      });
      server.closeIdleConnections();
    });
    return closing;
  }

  return {
    server,
    metrics,
    pullEvents,
    authorizationData,
    close,
    get draining() {
      return closing !== undefined;
    },
  };
}
