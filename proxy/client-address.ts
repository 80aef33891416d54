import type { IncomingMessage } from "node:http";
import net from "node:net";

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
