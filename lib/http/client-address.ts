import net from "node:net";
import ipaddr from "ipaddr.js";

// The portal's idea of who is asking, for sign-in throttling and the session
// list. Next.js exposes no socket address to route handlers, server actions or
// Auth.js (it only copies it into X-Forwarded-For when the client sent none,
// so a client-sent header wins), so the portal's own server
// (portal-server/main.ts) resolves the address once per request and hands it
// on in CLIENT_ADDRESS_HEADER after deleting any copy the client sent.

export const CLIENT_ADDRESS_HEADER = "x-pullgate-client-address";

/** Set on globalThis by the portal server: without it the header may come from anyone and is ignored. */
const GATE_MARK = Symbol.for("pullgate.portal-request-gate");

export function markRequestGateInstalled(): void {
  (globalThis as Record<symbol, unknown>)[GATE_MARK] = true;
}

/**
 * The socket address, or with PULLGATE_TRUST_PROXY=1 the right-most
 * X-Forwarded-For entry: the one the trusted proxy in front appended (earlier
 * entries are whatever the client sent). A malformed last entry falls back to
 * the socket address, never to an earlier entry.
 */
export function resolveClientAddress(input: { socketAddress: string | undefined; forwardedFor: string | string[] | undefined; trustProxy: boolean }): string {
  const peer = normalizeAddress(input.socketAddress) ?? "unknown";
  if (!input.trustProxy) return peer;
  const list = Array.isArray(input.forwardedFor) ? input.forwardedFor.join(",") : input.forwardedFor;
  return normalizeAddress(list?.split(",").at(-1)?.trim()) ?? peer;
}

/** The address the portal server resolved for this request; "unknown" when not behind it. */
export function requestClientAddress(headers: Headers): string {
  if (!(globalThis as Record<symbol, unknown>)[GATE_MARK]) return "unknown";
  return normalizeAddress(headers.get(CLIENT_ADDRESS_HEADER) ?? undefined) ?? "unknown";
}

/** An IP address in canonical form (IPv4-mapped IPv6 as plain IPv4), or null. */
export function normalizeAddress(value: string | undefined): string | null {
  if (!value) return null;
  const address = value.startsWith("[") && value.endsWith("]") ? value.slice(1, -1) : value;
  if (!net.isIP(address)) return null;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped ? mapped[1]! : address.toLowerCase();
}

/**
 * The network an address counts as for failed-login limits, in the portal and
 * the proxy: an IPv4 address itself, an IPv6 address's /64 (one subscriber's
 * allocation: addresses inside it are free to rotate through), an IPv4-mapped
 * IPv6 address as its IPv4. Anything that is not an address is its own group.
 */
export function addressGroup(address: string): string {
  if (!ipaddr.isValid(address)) return address;
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === "ipv6" && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  if (parsed.kind() === "ipv4") return parsed.toString();
  const prefix = (parsed as ipaddr.IPv6).parts.slice(0, 4);
  return `${new ipaddr.IPv6([...prefix, 0, 0, 0, 0]).toString()}/64`;
}
