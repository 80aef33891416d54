import type { Logger } from "pino";
import { toUpstreamCredential } from "@/lib/registries/upstream-credential";
import { SecretDecryptionError } from "@/lib/secrets/crypto";
import { createUpstreamClient, type UpstreamClient } from "@/lib/upstream/client";
import { apiHost } from "@/lib/upstream/endpoint";
import type { RegistryRecord } from "./authorization-data";

// One upstream client per linked registry (and per version of its
// credentials), so connection pools and upstream tokens are reused across
// requests. The secret is decrypted only here, when a client is built.
//
// A secret that no longer decrypts (PULLGATE_SECRET_KEY changed without the
// old key in PULLGATE_SECRET_KEY_PREVIOUS) breaks that one registry only:
// requests that need its upstream answer 502 with a message saying so, its
// cached content and every other registry keep serving, and the log says
// what to do (once per registry every few minutes, not once per request).

const clients = new Map<string, UpstreamClient>();
const UNREADABLE_LOG_INTERVAL_MS = 5 * 60_000;
const unreadableLoggedAt = new Map<string, number>();
let log: Logger | null = null;

/** The upstream's API host[:port], without building a client (no decryption). */
export function upstreamHost(registry: Pick<RegistryRecord, "endpoint">): string {
  return apiHost(registry.endpoint);
}

export class RegistrySecretUnreadableError extends Error {
  readonly host: string;
  constructor(registry: RegistryRecord) {
    super(`the stored credentials of upstream registry ${upstreamHost(registry)} cannot be decrypted`);
    this.name = "RegistrySecretUnreadableError";
    this.host = upstreamHost(registry);
  }
}

/** Where unreadable secrets are reported (the proxy's logger). */
export function reportUpstreamClientProblemsTo(logger: Logger): void {
  log = logger;
}

export function upstreamClientFor(registry: RegistryRecord): UpstreamClient {
  const key = `${registry.id}@${registry.updatedAt.getTime()}`;
  let client = clients.get(key);
  if (!client) {
    let credential;
    try {
      credential = toUpstreamCredential(registry);
    } catch (err) {
      if (!(err instanceof SecretDecryptionError)) throw err;
      reportUnreadable(registry, key, err);
      throw new RegistrySecretUnreadableError(registry);
    }
    for (const k of clients.keys()) if (k.startsWith(`${registry.id}@`)) clients.delete(k);
    client = createUpstreamClient(credential);
    clients.set(key, client);
  }
  return client;
}

function reportUnreadable(registry: RegistryRecord, key: string, err: SecretDecryptionError): void {
  const now = Date.now();
  if (now - (unreadableLoggedAt.get(key) ?? -Infinity) < UNREADABLE_LOG_INTERVAL_MS) return;
  if (unreadableLoggedAt.size > 10_000) unreadableLoggedAt.clear();
  unreadableLoggedAt.set(key, now);
  log?.error(
    { registryId: registry.id, registry: registry.name ?? registry.endpoint, host: upstreamHost(registry), reason: err.message },
    "stored registry secret cannot be decrypted with the configured keys: pulls that need this registry answer 502 until the vendor re-enters " +
      "the password in the portal, or the key that sealed it is added to PULLGATE_SECRET_KEY_PREVIOUS",
  );
}
