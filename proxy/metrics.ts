import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import { blobConnectionCounts } from "@/lib/upstream/socket-get";

// One registry per server instance (tests start several in one process).
// Route labels come from the router's fixed set, never from raw paths, so
// label cardinality stays bounded.
export type ProxyMetrics = {
  registry: Registry;
  httpRequests: Counter<"route" | "method" | "status">;
  httpDuration: Histogram<"route" | "method">;
  authDecisions: Counter<"result">;
  registryRequests: Counter<"action" | "status">;
  bytesServed: Counter<"action">;
  upstreamLatency: Histogram<"action">;
  pullEventsWritten: Counter;
  pullEventsDropped: Counter;
  cacheRequests: Counter<"kind" | "result">;
  cacheBytes: Counter<"source">;
  cacheSingleFlightJoins: Counter;
  cacheStaleServes: Counter;
  cacheEvictions: Counter;
  cacheSize: Gauge<"unit">;
  cacheOffloads: Counter;
  cacheRedirects: Counter;
  cacheDiskFull: Counter;
  cacheMaxBytes: Gauge;
  databaseUnavailable: Counter;
  changeListenerUp: Gauge;
  /** Where pullgate_proxy_change_listener_up reads its value when scraped. */
  watchChangeListener(healthy: () => boolean): void;
};

export function createMetrics(): ProxyMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "pullgate_proxy_" });
  const httpRequests = new Counter({
    name: "pullgate_proxy_http_requests_total",
    help: "HTTP requests answered by the proxy, by route, method and status code.",
    labelNames: ["route", "method", "status"] as const,
    registers: [registry],
  });
  const httpDuration = new Histogram({
    name: "pullgate_proxy_http_request_duration_seconds",
    help: "Time from request start until the response finished, by route and method.",
    labelNames: ["route", "method"] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [registry],
  });
  const authDecisions = new Counter({
    name: "pullgate_proxy_auth_decisions_total",
    help: "Customer authentication and authorization outcomes (allowed, denied, name_unknown, bad_credentials, rate_limited, token_issued).",
    labelNames: ["result"] as const,
    registers: [registry],
  });
  const registryRequests = new Counter({
    name: "pullgate_proxy_registry_requests_total",
    help: "Authorized registry API requests by action (manifest, blob, tags, referrers) and status code.",
    labelNames: ["action", "status"] as const,
    registers: [registry],
  });
  const bytesServed = new Counter({
    name: "pullgate_proxy_bytes_served_total",
    help: "Response body bytes sent to customers, by action.",
    labelNames: ["action"] as const,
    registers: [registry],
  });
  const upstreamLatency = new Histogram({
    name: "pullgate_proxy_upstream_latency_seconds",
    help: "Time until the upstream registry's response headers arrived, by action.",
    labelNames: ["action"] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const pullEventsWritten = new Counter({
    name: "pullgate_proxy_pull_events_written_total",
    help: "Pull events written to the database.",
    registers: [registry],
  });
  const pullEventsDropped = new Counter({
    name: "pullgate_proxy_pull_events_dropped_total",
    help: "Pull events dropped because the queue was full or a batch could not be written.",
    registers: [registry],
  });
  const cacheRequests = new Counter({
    name: "pullgate_proxy_cache_requests_total",
    help: "Cache lookups by kind (blob, manifest, tag) and result (hit, miss, join = joined a fetch already in flight, stale).",
    labelNames: ["kind", "result"] as const,
    registers: [registry],
  });
  const cacheBytes = new Counter({
    name: "pullgate_proxy_cache_bytes_total",
    help: "Blob and manifest bytes by source: cache (served from a complete cache file) or upstream (fetched from the vendor's registry).",
    labelNames: ["source"] as const,
    registers: [registry],
  });
  const cacheSingleFlightJoins = new Counter({
    name: "pullgate_proxy_cache_single_flight_joins_total",
    help: "Requests that streamed a blob from a download another request had already started, instead of fetching it again.",
    registers: [registry],
  });
  const cacheStaleServes = new Counter({
    name: "pullgate_proxy_cache_stale_serves_total",
    help: "Tags answered from the last known digest because the upstream was down, timed out or rate limited.",
    registers: [registry],
  });
  const cacheEvictions = new Counter({
    name: "pullgate_proxy_cache_evictions_total",
    help: "Cache entries removed to stay under the size bound (PULLGATE_CACHE_MAX_BYTES), or to make room on a full disk.",
    registers: [registry],
  });
  const cacheSize = new Gauge({
    name: "pullgate_proxy_cache_size",
    help: "Current cache size in bytes (unit=bytes) and entries (unit=entries).",
    labelNames: ["unit"] as const,
    registers: [registry],
  });
  const cacheOffloads = new Counter({
    name: "pullgate_proxy_cache_offloads_total",
    help: "Cached blobs handed to nginx to send (PULLGATE_OFFLOAD=nginx, X-Accel-Redirect); their bytes are in nginx's figures, not in pullgate_proxy_cache_bytes_total.",
    registers: [registry],
  });
  const cacheRedirects = new Counter({
    name: "pullgate_proxy_cache_redirects_total",
    help: "Cached blobs answered with a 307 to a presigned object-storage URL (PULLGATE_BLOB_STORE=s3://…); their bytes are sent by the object store.",
    registers: [registry],
  });
  const cacheDiskFull = new Counter({
    name: "pullgate_proxy_cache_disk_full_total",
    help: "Times a cache write failed because the disk was full (ENOSPC/EDQUOT): entries were evicted and the download went on to its clients, cached only if room was found.",
    registers: [registry],
  });
  // Counted in lib/upstream/socket-get.ts (one pool per process); the counter catches up when scraped.
  const seenBlobConnections = { new: 0, reused: 0 };
  new Counter({
    name: "pullgate_proxy_upstream_blob_connections_total",
    help: "Connections the upstream blob downloads took: new (a TCP and, for HTTPS, a TLS handshake first) or reused, kept alive from an earlier download to the same origin.",
    labelNames: ["connection"],
    registers: [registry],
    collect() {
      const counts = blobConnectionCounts();
      for (const kind of ["new", "reused"] as const) {
        this.inc({ connection: kind }, counts[kind] - seenBlobConnections[kind]);
        seenBlobConnections[kind] = counts[kind];
      }
    },
  });
  const cacheMaxBytes = new Gauge({
    name: "pullgate_proxy_cache_max_bytes",
    help: "The cache's size bound in bytes (PULLGATE_CACHE_MAX_BYTES, or derived from the free disk space at start; 0 = unbounded).",
    registers: [registry],
  });
  const databaseUnavailable = new Counter({
    name: "pullgate_proxy_database_unavailable_total",
    help: "Requests answered 503 UNAVAILABLE because the database could not be reached.",
    registers: [registry],
  });
  let listenerHealthy: () => boolean = () => false;
  const changeListenerUp = new Gauge({
    name: "pullgate_proxy_change_listener_up",
    help: "1 while the LISTEN/NOTIFY connection delivers change notifications (authorization cache of 30 s), 0 while it is being re-established (1 s).",
    registers: [registry],
    collect() {
      this.set(listenerHealthy() ? 1 : 0);
    },
  });
  return {
    registry,
    httpRequests,
    httpDuration,
    authDecisions,
    registryRequests,
    bytesServed,
    upstreamLatency,
    pullEventsWritten,
    pullEventsDropped,
    cacheRequests,
    cacheBytes,
    cacheSingleFlightJoins,
    cacheStaleServes,
    cacheEvictions,
    cacheSize,
    cacheOffloads,
    cacheRedirects,
    cacheDiskFull,
    cacheMaxBytes,
    databaseUnavailable,
    changeListenerUp,
    watchChangeListener(healthy) {
      listenerHealthy = healthy;
    },
  };
}

/** Methods as a bounded label set: anything unusual is "other". */
export function methodLabel(method: string | undefined): string {
  const known = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];
  return method && known.includes(method) ? method : "other";
}
