import { timingSafeEqual } from "node:crypto";
import path from "node:path";
import type { IncomingMessage } from "node:http";
import { deriveKey } from "@/lib/secrets/master-key";
import type { CacheEntry } from "./cache-store";

// Offload (PULLGATE_OFFLOAD=nginx): for a complete cached blob the proxy still
// authenticates, checks the license and confirms the repository, then answers
// with an empty response carrying X-Accel-Redirect; nginx, in front, replaces
// it with the file from its internal location (an alias of the cache
// directory), sent with sendfile and with Range handled by nginx. The bytes
// never pass through Node. `pullgate nginx-config` prints the matching config.
//
// Only requests that came through that nginx are offloaded: it adds
// OFFLOAD_KEY_HEADER with a key derived from PULLGATE_SECRET_KEY (in the
// config `pullgate nginx-config` prints). A client reaching the proxy's port
// directly, by a deployment mistake, is streamed the blob instead of getting
// an empty answer.
//
// If nginx cannot open the file (evicted or pruned between our answer and its
// open), its error_page sends the request back to us with OFFLOAD_RETRY_HEADER,
// and we stream it ourselves (fetching it again if needed). A client sending
// that header itself only turns offload off for its own request.

export type OffloadConfig = { kind: "nginx"; prefix: string; key: string };

export const OFFLOAD_RETRY_HEADER = "x-pullgate-offload-retry";
export const OFFLOAD_KEY_HEADER = "x-pullgate-offload-key";

/** The value nginx sends in OFFLOAD_KEY_HEADER: derived from the master key, never the key itself. */
export function offloadKey(masterKey?: Buffer): string {
  return deriveKey("nginx-offload", masterKey).toString("base64url");
}

const PREFIX = /^\/[A-Za-z0-9._~\-/]*\/$/;

/** The offload setting from PULLGATE_OFFLOAD / PULLGATE_OFFLOAD_PREFIX; throws on a value we do not know. */
export function parseOffloadConfig(kind: string, prefix: string, key: () => string = () => offloadKey()): OffloadConfig | null {
  if (!kind || kind === "off" || kind === "none") return null;
  if (kind !== "nginx") throw new Error(`PULLGATE_OFFLOAD must be "nginx" or empty, not "${kind}"`);
  if (!PREFIX.test(prefix)) throw new Error(`PULLGATE_OFFLOAD_PREFIX must be an absolute URL path ending in "/", e.g. /_pullgate_cache/`);
  return { kind, prefix, key: key() };
}

/**
 * Whether this request's blob is handed to nginx: a GET (a HEAD is answered by us, no file needed) that came
 * through our nginx (it carries the key) and is not nginx's retry after the file went away.
 */
export function shouldOffload(offload: OffloadConfig | null, req: IncomingMessage): offload is OffloadConfig {
  if (!offload || req.method !== "GET" || req.headers[OFFLOAD_RETRY_HEADER] !== undefined) return false;
  const sent = req.headers[OFFLOAD_KEY_HEADER];
  if (typeof sent !== "string") return false;
  const a = Buffer.from(sent);
  const b = Buffer.from(offload.key);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The internal URI nginx serves the entry's file from: prefix + its path under the cache root. */
export function offloadUri(offload: OffloadConfig, cacheRoot: string, entry: Pick<CacheEntry, "path">): string {
  const relative = path.relative(cacheRoot, entry.path).split(path.sep).join("/");
  // Namespaces and digests are [A-Za-z0-9_-] and hex (cache-store.ts): nothing to escape, never "..".
  if (relative.startsWith("..") || !/^[A-Za-z0-9_\-/]+$/.test(relative)) throw new Error("cache entry outside the cache root");
  return offload.prefix + relative;
}
