import { toUpstreamCredential } from "@/lib/registries/upstream-credential";
import { createUpstreamClient, type UpstreamClient } from "@/lib/upstream/client";
import type { RegistryRecord } from "./authorization-data";

// One upstream client per linked registry (and per version of its
// credentials), so connection pools and upstream tokens are reused across
// requests. The secret is decrypted only here, when a client is built.

const clients = new Map<string, UpstreamClient>();

export function upstreamClientFor(registry: RegistryRecord): UpstreamClient {
  const key = `${registry.id}@${registry.updatedAt.getTime()}`;
  let client = clients.get(key);
  if (!client) {
    for (const k of clients.keys()) if (k.startsWith(`${registry.id}@`)) clients.delete(k);
    client = createUpstreamClient(toUpstreamCredential(registry));
    clients.set(key, client);
  }
  return client;
}
