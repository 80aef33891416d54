import type { IncomingMessage } from "node:http";

// Cross-site request forgery: a browser sends Origin with every POST, so a
// write whose Origin names another site is refused with 403 here. Next checks
// server actions the same way but answers 500 ("Invalid Server Actions
// request"); Auth.js has its own CSRF token on top. The REST API is exempt: it
// authenticates with a bearer token, never a cookie, so a foreign page gains
// nothing by calling it. Requests without Origin (curl, the CLI) carry no
// ambient browser credentials an attacker could borrow and pass, as in Next.

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export function isCrossOriginWrite(req: IncomingMessage, pathname: string): boolean {
  if (SAFE_METHODS.has(req.method ?? "GET")) return false;
  if (pathname === "/api/v1" || pathname.startsWith("/api/v1/")) return false;
  const origin = req.headers.origin;
  if (origin === undefined) return false;
  return originHost(origin) !== requestHost(req);
}

function originHost(origin: string): string | null {
  if (origin === "null") return null;
  try {
    return new URL(origin).host;
  } catch {
    return null;
  }
}

/** The host the browser addressed, decided the way Next decides it for server actions. */
function requestHost(req: IncomingMessage): string | undefined {
  const forwarded = req.headers["x-forwarded-host"];
  const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded?.split(",")[0])?.trim();
  return first || req.headers.host;
}
