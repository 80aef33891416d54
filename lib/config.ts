import path from "node:path";
import { parseByteSize } from "@/lib/utils/byte-size";

// One place that reads the process environment, so every process (portal,
// proxy, CLI) agrees on defaults. Values are read lazily: the launcher sets
// DATABASE_URL for its children after starting the embedded database.
export const config = {
  get databaseUrl(): string | undefined {
    return process.env.DATABASE_URL || undefined;
  },
  /**
   * Set by `pullgate start` for its children (PULLGATE_EMBEDDED_DATABASE=1): DATABASE_URL is the
   * embedded server of PULLGATE_DATA_DIR, which may come back on another port after a restart.
   */
  get embeddedDatabase(): boolean {
    return process.env.PULLGATE_EMBEDDED_DATABASE === "1";
  },
  get dataDir(): string {
    return path.resolve(/*turbopackIgnore: true*/ process.env.PULLGATE_DATA_DIR || ".pullgate");
  },
  get cacheDir(): string {
    return path.resolve(/*turbopackIgnore: true*/ process.env.PULLGATE_CACHE_DIR || path.join(this.dataDir, "cache"));
  },
  /**
   * Upper bound of the proxy's blob/manifest cache (PULLGATE_CACHE_MAX_BYTES: bytes, or a size such
   * as 20GiB; 0 = unbounded). Unset: null, and the proxy derives a bound from the free disk space.
   */
  get cacheMaxBytes(): number | null {
    const setting = process.env.PULLGATE_CACHE_MAX_BYTES?.trim();
    if (!setting) return null;
    const bytes = parseByteSize(setting);
    if (bytes === null) throw new Error(`PULLGATE_CACHE_MAX_BYTES must be a number of bytes or a size such as 20GiB, not "${setting}".`);
    return bytes;
  },
  /** Seconds a stopping portal or proxy lets requests in progress finish (PULLGATE_SHUTDOWN_GRACE). */
  get shutdownGraceSeconds(): number {
    const setting = process.env.PULLGATE_SHUTDOWN_GRACE;
    const seconds = setting === undefined || setting.trim() === "" ? 30 : Number(setting);
    return Number.isFinite(seconds) && seconds >= 0 ? seconds : 30;
  },
  /**
   * Days raw pull events are kept (PULLGATE_PULL_EVENT_RETENTION_DAYS, default 90); their hourly
   * rollups are kept for good. A whole number from 1 to 36500, else start-up stops with this message.
   */
  get pullEventRetentionDays(): number {
    return parsePullEventRetentionDays(process.env.PULLGATE_PULL_EVENT_RETENTION_DAYS);
  },
  /** Seconds a cached tag → digest answer is used before it is revalidated upstream. */
  get tagTtlSeconds(): number {
    const ttl = Number(process.env.PULLGATE_TAG_TTL ?? 60);
    return Number.isFinite(ttl) && ttl >= 0 ? ttl : 60;
  },
  /**
   * Who delivers complete cached blobs: "" (the proxy itself) or "nginx" (the
   * proxy authorizes, then answers with X-Accel-Redirect so nginx sends the
   * file with sendfile). Only for a proxy reachable solely through that nginx.
   */
  get cacheOffload(): string {
    return (process.env.PULLGATE_OFFLOAD || "").trim().toLowerCase();
  },
  /** nginx internal location that maps onto PULLGATE_CACHE_DIR (PULLGATE_OFFLOAD=nginx). */
  get cacheOffloadPrefix(): string {
    const prefix = process.env.PULLGATE_OFFLOAD_PREFIX || "/_pullgate_cache/";
    return prefix.endsWith("/") ? prefix : `${prefix}/`;
  },
  /**
   * Where verified blobs are kept (PULLGATE_BLOB_STORE): "" = the local cache directory, or
   * `s3://<bucket>/<prefix>` (proxy/cache/s3-blob-store.ts).
   */
  get blobStore(): string {
    return (process.env.PULLGATE_BLOB_STORE || "").trim();
  },
  /** S3-compatible endpoint (MinIO, Ceph RGW, R2, GCS interoperability); unset: AWS S3 of the region. */
  get s3Endpoint(): string | undefined {
    return process.env.PULLGATE_S3_ENDPOINT?.trim() || undefined;
  },
  get s3Region(): string {
    return process.env.PULLGATE_S3_REGION?.trim() || process.env.AWS_REGION?.trim() || "us-east-1";
  },
  /** Path-style URLs (`<endpoint>/<bucket>/<key>`), which most S3-compatible services need. */
  get s3ForcePathStyle(): boolean {
    return /^(1|true|yes)$/i.test(process.env.PULLGATE_S3_FORCE_PATH_STYLE?.trim() ?? "");
  },
  /**
   * How the other proxy replicas reach this one's internal endpoint for downloads in progress
   * (PULLGATE_PEER_URL, e.g. http://10.0.3.7:5050); unset: this machine's first non-loopback address.
   */
  get peerUrl(): string | undefined {
    return process.env.PULLGATE_PEER_URL?.trim().replace(/\/+$/, "") || undefined;
  },
  /** Warm blobs: 307 to a presigned GET (default) or, with PULLGATE_S3_REDIRECT=0, streamed through the proxy. */
  get s3Redirect(): boolean {
    return !/^(0|false|no)$/i.test(process.env.PULLGATE_S3_REDIRECT?.trim() ?? "");
  },
  /** Hash downloads on a worker thread: "1" always, "0" never, unset from 2 cores up (proxy/cache/hash-worker.ts). */
  get hashWorker(): "1" | "0" | undefined {
    const setting = process.env.PULLGATE_HASH_WORKER;
    return setting === "1" || setting === "0" ? setting : undefined;
  },
  /** Cold downloads written with O_DIRECT where the file system allows it (proxy/cache/direct-writer.ts); PULLGATE_CACHE_DIRECT_IO=0 writes through the page cache. */
  get cacheDirectIo(): boolean {
    return !/^(0|false|no)$/i.test(process.env.PULLGATE_CACHE_DIRECT_IO?.trim() ?? "");
  },
  /** V8 heap growth past the live size between full GCs, percent (proxy/heap-growth.ts); 0 = V8's default. */
  get heapGrowingPercent(): number {
    const setting = process.env.PULLGATE_HEAP_GROWING_PERCENT;
    const percent = setting === undefined || setting === "" ? 200 : Number(setting);
    return Number.isSafeInteger(percent) && percent > 0 ? percent : 0;
  },
  get portalPort(): number {
    return Number(process.env.PORT || 3000);
  },
  get proxyPort(): number {
    return Number(process.env.PROXY_PORT || 5050);
  },
  get proxyPublicHost(): string {
    return process.env.PROXY_PUBLIC_HOST || "localhost:5050";
  },
  /** Honour X-Forwarded-Proto and X-Forwarded-For in the proxy: only behind a proxy (nginx, load balancer) that sets them. */
  get proxyTrustForwarded(): boolean {
    return process.env.PROXY_TRUST_FORWARDED === "1";
  },
  /**
   * Resolvers Pullgate asks itself: custom-domain verification and the addresses of upstream registries,
   * token services and redirect targets (lib/outbound). `ip[:port]` list (PULLGATE_DNS_SERVERS); empty = the system's.
   */
  get dnsServers(): string[] {
    return (process.env.PULLGATE_DNS_SERVERS || "").split(",").map((s) => s.trim()).filter(Boolean);
  },
  /**
   * CIDRs of private, loopback and other special-purpose addresses that upstream registries, token services
   * and redirects may reach (PULLGATE_UPSTREAM_ALLOW_CIDRS, comma list; empty = none). lib/outbound parses it.
   */
  get upstreamAllowCidrs(): string {
    return process.env.PULLGATE_UPSTREAM_ALLOW_CIDRS ?? "";
  },
  /** How long a registry connection test may take, ms (PULLGATE_CONNECTION_TEST_TIMEOUT seconds, default 15). */
  get connectionTestTimeoutMs(): number {
    const seconds = Number(process.env.PULLGATE_CONNECTION_TEST_TIMEOUT || 15);
    return Number.isFinite(seconds) && seconds > 0 ? Math.round(seconds * 1000) : 15_000;
  },
  /** How often the proxy re-checks pending custom domains, ms (PULLGATE_DOMAIN_CHECK_INTERVAL seconds; 0 = never). */
  get domainCheckIntervalMs(): number {
    const seconds = Number(process.env.PULLGATE_DOMAIN_CHECK_INTERVAL ?? 60);
    return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 0;
  },
  /**
   * Seconds before a failed webhook delivery's first retry (PULLGATE_WEBHOOK_RETRY_BASE); each further
   * retry waits twice as long, up to an hour, for 24 hours. Tests shorten it.
   */
  get webhookRetryBaseMs(): number {
    const seconds = Number(process.env.PULLGATE_WEBHOOK_RETRY_BASE ?? 30);
    return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 30_000;
  },
  /** PEM files that make the proxy serve HTTPS itself (both or neither). */
  get proxyTlsCert(): string | undefined {
    return process.env.PROXY_TLS_CERT || undefined;
  },
  get proxyTlsKey(): string | undefined {
    return process.env.PROXY_TLS_KEY || undefined;
  },
  /** Per-domain certificates chosen by SNI: `<hostname>.crt` + `<hostname>.key`. */
  get proxyTlsCertDir(): string | undefined {
    return process.env.PROXY_TLS_CERT_DIR || undefined;
  },
  /**
   * Portal: take the client's address from the last X-Forwarded-For entry (PULLGATE_TRUST_PROXY=1), for sign-in
   * throttling; only behind a proxy that appends it. Otherwise the socket's address, whatever the headers say.
   */
  get portalTrustProxy(): boolean {
    return process.env.PULLGATE_TRUST_PROXY === "1";
  },
  /** Outgoing mail (invitations, password resets): smtp:// or smtps:// URL, credentials inside (PULLGATE_SMTP_URL). Unset: the dev mailbox. */
  get smtpUrl(): string | undefined {
    return process.env.PULLGATE_SMTP_URL?.trim() || undefined;
  },
  /** The From of outgoing mail (PULLGATE_MAIL_FROM). */
  get mailFrom(): string {
    return process.env.PULLGATE_MAIL_FROM?.trim() || "Pullgate <pullgate@localhost>";
  },
  /**
   * The development mailbox (/dev/mailbox) shows every mail, one-time links included, to whoever opens it:
   * only without SMTP, and in production only when PULLGATE_DEV_MAILBOX=1 says so explicitly (a trial).
   */
  get devMailboxEnabled(): boolean {
    if (this.smtpUrl) return false;
    return process.env.NODE_ENV !== "production" || process.env.PULLGATE_DEV_MAILBOX === "1";
  },
  get portalUrl(): string {
    return process.env.PULLGATE_PORTAL_URL || `http://localhost:${this.portalPort}`;
  },
};

export const DEFAULT_PULL_EVENT_RETENTION_DAYS = 90;

export function parsePullEventRetentionDays(setting: string | undefined): number {
  const text = setting?.trim();
  if (!text) return DEFAULT_PULL_EVENT_RETENTION_DAYS;
  const days = /^\d{1,5}$/.test(text) ? Number(text) : NaN;
  if (!(days >= 1 && days <= 36_500)) {
    throw new Error(`PULLGATE_PULL_EVENT_RETENTION_DAYS must be a whole number of days from 1 to 36500, not "${setting}".`);
  }
  return days;
}
