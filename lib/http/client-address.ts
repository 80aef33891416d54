import net from "node:net";

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
 * The unit a throttle counts by: an IPv4 address, or an IPv6 address's /64
 * (one subscriber gets a whole /64 and can pick any address inside it).
 */
export function addressGroup(address: string): string {
  if (net.isIPv4(address)) return address;
  if (!net.isIPv6(address)) return address;
  return `${expandIpv6(address).slice(0, 4).join(":")}::/64`;
}

function expandIpv6(address: string): string[] {
  const [head = "", tail] = address.split("::");
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  // An embedded IPv4 tail (::ffff:1.2.3.4 forms) takes two groups.
  const last = right.at(-1) ?? left.at(-1);
  if (last?.includes(".")) {
    const parts = last.split(".").map(Number);
    const groups = [((parts[0]! << 8) | parts[1]!).toString(16), ((parts[2]! << 8) | parts[3]!).toString(16)];
    if (right.length) right.splice(-1, 1, ...groups);
    else left.splice(-1, 1, ...groups);
  }
  const missing = tail === undefined ? 0 : 8 - left.length - right.length;
  return [...left, ...Array<string>(missing).fill("0"), ...right].map((g) => g.toLowerCase().replace(/^0+(?=.)/, ""));
}
