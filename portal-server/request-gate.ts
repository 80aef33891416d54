import type { IncomingMessage, ServerResponse } from "node:http";
import { CLIENT_ADDRESS_HEADER, resolveClientAddress } from "@/lib/http/client-address";
import { SECURITY_HEADERS } from "@/lib/http/security-headers";
import { limitRequestBody } from "@/portal-server/body-limit";
import { refuse } from "@/portal-server/refuse";
import { isCrossOriginWrite } from "@/portal-server/same-origin";

export type GateOptions = { trustProxy: boolean; maxBodyBytes: number };

/**
 * Everything the portal decides about a request before Next.js sees it.
 * Returns true when Next should handle the request, false when the gate has
 * answered it.
 */
export function gateRequest(req: IncomingMessage, res: ServerResponse, options: GateOptions): boolean {
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);

  // Who is asking: resolved here once; a client-sent copy of the header never reaches the app.
  const address = resolveClientAddress({
    socketAddress: req.socket.remoteAddress,
    forwardedFor: req.headers["x-forwarded-for"],
    trustProxy: options.trustProxy,
  });
  delete req.headers[CLIENT_ADDRESS_HEADER];
  if (!options.trustProxy) {
    // Not set by anyone we trust: nothing downstream (Next fills in X-Forwarded-For from the socket) may read them.
    delete req.headers["x-forwarded-for"];
    delete req.headers["x-real-ip"];
  }
  req.headers[CLIENT_ADDRESS_HEADER] = address;

  if (isCrossOriginWrite(req, pathnameOf(req))) {
    refuse(res, 403, "cross_origin", "Cross-origin request refused: submit the form from the portal itself.");
    return false;
  }
  return limitRequestBody(req, res, options.maxBodyBytes) === "pass";
}

function pathnameOf(req: IncomingMessage): string {
  try {
    return new URL(req.url ?? "/", "http://portal.invalid").pathname;
  } catch {
    return "/";
  }
}
