import { Resolver } from "node:dns/promises";
import { config } from "@/lib/config";

/** What verification needs from DNS; tests and the real resolver both satisfy it. */
export type DomainResolver = Pick<Resolver, "resolveTxt" | "resolveCname">;

/**
 * A resolver for verification lookups: PULLGATE_DNS_SERVERS (`ip[:port]`,
 * comma-separated) when set, else the system's servers. Short timeouts so a
 * dead resolver fails a check instead of hanging a request.
 */
export function createDomainResolver(servers = config.dnsServers): DomainResolver {
  const resolver = new Resolver({ timeout: 2000, tries: 2 });
  if (servers.length > 0) resolver.setServers(servers);
  return resolver;
}
