import { Agent } from "undici";
import { createOutboundConnector } from "@/lib/outbound/outbound-connector";

// Shared connection pools for all upstream traffic: one Agent keeps a keep-alive
// pool per origin, so the proxy reuses connections to each registry and to the
// object storage blobs redirect to. A second Agent skips certificate
// verification, used only for registries the vendor marked insecure. Both open
// every socket through the outbound policy (lib/outbound): registries, token
// services and redirect targets alike.

const POOL_OPTIONS = {
  connections: 128,
  keepAliveTimeout: 30_000,
  keepAliveMaxTimeout: 120_000,
  headersTimeout: 30_000,
  // Idle time between body chunks, not the whole transfer: large blobs stream for minutes.
  bodyTimeout: 60_000,
} as const;

const CONNECT_TIMEOUT_MS = 10_000;

let verified: Agent | undefined;
let insecure: Agent | undefined;

export function upstreamAgent(options: { insecureTls?: boolean } = {}): Agent {
  if (options.insecureTls) {
    insecure ??= new Agent({ ...POOL_OPTIONS, connect: createOutboundConnector({ timeout: CONNECT_TIMEOUT_MS, rejectUnauthorized: false }) });
    return insecure;
  }
  verified ??= new Agent({ ...POOL_OPTIONS, connect: createOutboundConnector({ timeout: CONNECT_TIMEOUT_MS }) });
  return verified;
}

/** Closes the shared pools (process shutdown, tests). */
export async function closeUpstreamAgents(): Promise<void> {
  const agents = [verified, insecure].filter((a): a is Agent => Boolean(a));
  verified = undefined;
  insecure = undefined;
  await Promise.all(agents.map((a) => a.close()));
}
