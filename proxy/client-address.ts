import type { IncomingMessage } from "node:http";
import net from "node:net";
import ipaddr from "ipaddr.js";

// The customer's address, for the failed-authentication limit, pull events and
// logs. Behind nginx or a load balancer every connection comes from the proxy
// in front, so with PROXY_TRUST_FORWARDED=1 the address that proxy appended to
// X-Forwarded-For (the last entry; earlier ones are whatever the client sent)
// is used instead. Without the setting the header is ignored: a client could
// otherwise pick a fresh address per attempt and never be limited.
export function clientAddress(req: IncomingMessage, trustForwarded: boolean): string {
  const peer = req.socket.remoteAddress ?? "unknown";
  if (!trustForwarded) return peer;
  const header = req.headers["x-forwarded-for"];
  const list = Array.isArray(header) ? header.join(",") : header;
  const last = list?.split(",").at(-1)?.trim();
  return last && net.isIP(last) ? last : peer;
}

/**
 * The network an address counts as for failed-login limits: an IPv4 address
 * itself, an IPv6 address's /64 (one subscriber's allocation: addresses inside
 * it are free to rotate through), an IPv4-mapped IPv6 address as its IPv4.
 */
export function addressGroup(address: string): string {
  if (!ipaddr.isValid(address)) return address;
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === "ipv6" && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  if (parsed.kind() === "ipv4") return parsed.toString();
  const prefix = (parsed as ipaddr.IPv6).parts.slice(0, 4);
  return `${new ipaddr.IPv6([...prefix, 0, 0, 0, 0]).toString()}/64`;
}
