import type { IncomingMessage } from "node:http";
import type { TLSSocket } from "node:tls";

// The Bearer challenge points clients at our own token endpoint on the host
// they used, so custom domains work without configuration. Because the host
// ends up inside a quoted header value, it is validated strictly first.

export class InvalidHostError extends Error {
  constructor() {
    super("invalid Host header");
  }
}

// host[:port] with DNS labels, or a bracketed IPv6 literal with optional port.
const HOST_PATTERN = /^(?:(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?$/;

export function isValidHost(host: string): boolean {
  return host.length <= 261 && HOST_PATTERN.test(host);
}

export type RequestOrigin = { scheme: "http" | "https"; host: string };

export type OriginOptions = {
  /** Used when the request carries no Host header (HTTP/1.0). */
  publicHost: string;
  /** Honour X-Forwarded-Proto; only safe behind a proxy that sets it. */
  trustForwarded: boolean;
};

/** Scheme and host the client used to reach us; throws InvalidHostError for a malformed Host. */
export function requestOrigin(req: IncomingMessage, options: OriginOptions): RequestOrigin {
  const host = req.headers.host ?? options.publicHost;
  if (!isValidHost(host)) throw new InvalidHostError();
  let scheme: "http" | "https" = (req.socket as TLSSocket).encrypted ? "https" : "http";
  if (options.trustForwarded) {
    const forwarded = req.headers["x-forwarded-proto"];
    const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(",")[0]?.trim().toLowerCase();
    if (first === "http" || first === "https") scheme = first;
  }
  return { scheme, host: host.toLowerCase() };
}

/** `Bearer realm="<scheme>://<host>/v2/token",service="<host>"[,scope="repository:<name>:pull"]` */
export function bearerChallenge(origin: RequestOrigin, repository?: string): string {
  // Callers pass names already checked against the OCI grammar; this guard keeps
  // a mistake from ever becoming header injection.
  if (repository !== undefined && !/^[A-Za-z0-9._\-/:]+$/.test(repository)) {
    throw new Error("repository name not allowed in a challenge");
  }
  let challenge = `Bearer realm="${origin.scheme}://${origin.host}/v2/token",service="${origin.host}"`;
  if (repository) challenge += `,scope="repository:${repository}:pull"`;
  return challenge;
}
