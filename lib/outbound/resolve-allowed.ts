import dns from "node:dns";
import { Resolver } from "node:dns/promises";
import net from "node:net";
import { config } from "@/lib/config";
import { outboundPolicy, OutboundRefusedError, type OutboundPolicy } from "@/lib/outbound/outbound-policy";

// Host name → the addresses the outbound policy lets Pullgate connect to.
// Used as the `lookup` of every outgoing socket (outbound-connector.ts), so
// what is checked is exactly what is connected to: a name that resolves to a
// public address now and to 127.0.0.1 a second later is judged each time.

export type ResolvedAddress = { address: string; family: 4 | 6 };

export type ResolveOptions = {
  policy?: OutboundPolicy;
  /** `ip[:port]` resolvers; default PULLGATE_DNS_SERVERS, empty = the system's (getaddrinfo, /etc/hosts). */
  dnsServers?: string[];
  timeoutMs?: number;
};

const DEFAULT_TIMEOUT_MS = 10_000;

/** An IP literal, possibly in URL brackets, or null for a name. */
export function ipLiteral(hostname: string): string | null {
  const bare = hostname.startsWith("[") && hostname.endsWith("]") ? hostname.slice(1, -1) : hostname;
  return net.isIP(bare) ? bare : null;
}

/**
 * The allowed addresses of `hostname`, in resolver order. Throws
 * OutboundRefusedError when it resolves only to refused addresses (naming the
 * first), or a DNS error (code ENOTFOUND, EAI_AGAIN…) when it does not resolve.
 */
export async function resolveAllowed(hostname: string, options: ResolveOptions = {}): Promise<ResolvedAddress[]> {
  const policy = options.policy ?? outboundPolicy();
  const literal = ipLiteral(hostname);
  if (literal) {
    policy.assertAllowed(literal);
    return [{ address: literal, family: net.isIPv6(literal) ? 6 : 4 }];
  }
  const addresses = await withTimeout(lookupAll(hostname, options.dnsServers ?? config.dnsServers), hostname, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const allowed: ResolvedAddress[] = [];
  let refused: OutboundRefusedError | undefined;
  for (const entry of addresses) {
    const decision = policy.check(entry.address);
    if (decision.allowed) allowed.push(entry);
    else refused ??= new OutboundRefusedError(decision.address, decision.range, decision.allowable, hostname);
  }
  if (allowed.length > 0) return allowed;
  throw refused ?? dnsError("ENOTFOUND", hostname);
}

/**
 * A `lookup` for net/tls sockets and http(s).Agent: resolves through the
 * policy. Node calls it only for names; IP literals are checked by the
 * connector before the socket is made (assertLiteralAllowed).
 */
export function outboundLookup(
  hostname: string,
  options: dns.LookupOptions,
  callback: (err: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void,
): void {
  resolveAllowed(hostname).then(
    (addresses) => {
      const wanted = options.family === 4 || options.family === 6 ? addresses.filter((a) => a.family === options.family) : addresses;
      if (wanted.length === 0) return callback(dnsError("ENOTFOUND", hostname), options.all ? [] : "", undefined);
      if (options.all) callback(null, wanted);
      else callback(null, wanted[0]!.address, wanted[0]!.family);
    },
    (err: NodeJS.ErrnoException) => callback(err, options.all ? [] : "", undefined),
  );
}

/** Throws OutboundRefusedError when `hostname` is an IP literal the policy refuses; names pass (their lookup decides). */
export function assertLiteralAllowed(hostname: string, policy: OutboundPolicy = outboundPolicy()): void {
  const literal = ipLiteral(hostname);
  if (literal) policy.assertAllowed(literal);
}

const resolvers = new Map<string, Resolver>();

function resolverFor(servers: string[]): Resolver {
  const key = servers.join(",");
  let resolver = resolvers.get(key);
  if (!resolver) {
    resolver = new Resolver({ timeout: 2000, tries: 2 });
    resolver.setServers(servers);
    resolvers.set(key, resolver);
  }
  return resolver;
}

// RFC 6761: "localhost" and names under it are loopback, whatever a resolver says.
const LOOPBACK_NAMES: ResolvedAddress[] = [
  { address: "127.0.0.1", family: 4 },
  { address: "::1", family: 6 },
];

async function lookupAll(hostname: string, servers: string[]): Promise<ResolvedAddress[]> {
  const name = hostname.toLowerCase().replace(/\.$/, "");
  if (name === "localhost" || name.endsWith(".localhost")) return LOOPBACK_NAMES;
  if (servers.length === 0) {
    const found = await dns.promises.lookup(hostname, { all: true });
    return found.map((entry) => ({ address: entry.address, family: entry.family === 6 ? 6 : 4 }));
  }
  const resolver = resolverFor(servers);
  const [v4, v6] = await Promise.allSettled([resolver.resolve4(hostname), resolver.resolve6(hostname)]);
  const addresses: ResolvedAddress[] = [
    ...(v4.status === "fulfilled" ? v4.value.map((address) => ({ address, family: 4 as const })) : []),
    ...(v6.status === "fulfilled" ? v6.value.map((address) => ({ address, family: 6 as const })) : []),
  ];
  if (addresses.length > 0) return addresses;
  const failure = [v4, v6].find((r): r is PromiseRejectedResult => r.status === "rejected");
  const code = (failure?.reason as NodeJS.ErrnoException | undefined)?.code;
  throw dnsError(code === "ETIMEOUT" || code === "ESERVFAIL" || code === "ECONNREFUSED" ? "EAI_AGAIN" : "ENOTFOUND", hostname);
}

function dnsError(code: "ENOTFOUND" | "EAI_AGAIN", hostname: string): NodeJS.ErrnoException {
  const err: NodeJS.ErrnoException & { hostname?: string } = new Error(`${code === "ENOTFOUND" ? "getaddrinfo ENOTFOUND" : "DNS lookup timed out for"} ${hostname}`);
  err.code = code;
  err.hostname = hostname;
  return err;
}

function withTimeout<T>(promise: Promise<T>, hostname: string, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(dnsError("EAI_AGAIN", hostname)), ms);
    timer.unref();
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err);
      },
    );
  });
}
