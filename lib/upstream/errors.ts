// Every way talking to an upstream registry can fail, as one classified error.
// Messages name the host and what happened, never a credential: callers may
// show them to vendors, put them in API responses and log them.

export type UpstreamErrorKind =
  /** The outbound policy refused the address (lib/outbound); the message says how to allow it. */
  | "refused"
  /** The host name does not resolve (or the resolver did not answer). */
  | "dns"
  | "unreachable"
  | "tls"
  | "timeout"
  | "unauthorized"
  | "forbidden"
  | "not_found"
  | "not_a_registry"
  | "upstream_5xx"
  | "bad_response";

export class UpstreamError extends Error {
  constructor(
    readonly kind: UpstreamErrorKind,
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = "UpstreamError";
  }
}

const UNREACHABLE_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EHOSTDOWN",
  "EPIPE",
  "UND_ERR_SOCKET",
  "UND_ERR_CLOSED",
]);

const TIMEOUT_CODES = new Set([
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
  "ETIMEDOUT",
  "ABORT_ERR",
]);

const TLS_MESSAGES: Record<string, (host: string) => string> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: (host) => `the certificate of ${host} is self-signed`,
  SELF_SIGNED_CERT_IN_CHAIN: (host) => `the certificate chain of ${host} ends in a self-signed certificate`,
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: (host) => `the certificate of ${host} is not signed by a trusted authority`,
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: (host) => `the certificate of ${host} is not signed by a trusted authority`,
  CERT_HAS_EXPIRED: (host) => `the certificate of ${host} has expired`,
  CERT_NOT_YET_VALID: (host) => `the certificate of ${host} is not valid yet`,
  ERR_TLS_CERT_ALTNAME_INVALID: (host) => `the certificate of ${host} does not cover this host name`,
  ERR_SSL_WRONG_VERSION_NUMBER: (host) => `${host} does not speak TLS on this port`,
};

type ErrorWithCode = Error & { code?: string; cause?: unknown };

const REFUSED_CODE = "ERR_PULLGATE_OUTBOUND_REFUSED";

function codesOf(err: unknown): string[] {
  const codes: string[] = [];
  let current: unknown = err;
  for (let depth = 0; current && depth < 5; depth++) {
    const e = current as ErrorWithCode;
    if (typeof e.code === "string") codes.push(e.code);
    if (e.name === "AbortError" || e.name === "TimeoutError") codes.push("ABORT_ERR");
    current = e.cause;
  }
  return codes;
}

/** The TLS error codes (Node/OpenSSL) found in an error or its causes. */
export function isTlsFailure(err: unknown): boolean {
  return codesOf(err).some((code) => code in TLS_MESSAGES || code.startsWith("ERR_SSL_") || code.startsWith("ERR_TLS_"));
}

/** True when the peer answered a TLS ClientHello with something that is not TLS. */
export function isPlainHttpPeer(err: unknown): boolean {
  return codesOf(err).some((code) => code === "ERR_SSL_WRONG_VERSION_NUMBER" || code === "ERR_SSL_PACKET_LENGTH_TOO_LONG");
}

/** Turns a transport-level failure (undici, Node TLS, abort) into an UpstreamError. */
export function classifyTransportError(err: unknown, host: string): UpstreamError {
  if (err instanceof UpstreamError) return err;
  const refused = refusalIn(err);
  if (refused) return new UpstreamError("refused", refused.message);
  const codes = codesOf(err);
  const tlsCode = codes.find((code) => code in TLS_MESSAGES || code.startsWith("ERR_SSL_") || code.startsWith("ERR_TLS_"));
  if (tlsCode) {
    const describe = TLS_MESSAGES[tlsCode] ?? ((h: string) => `the TLS handshake with ${h} failed (${tlsCode})`);
    return new UpstreamError("tls", `${describe(host)}.`);
  }
  const timeoutCode = codes.find((code) => TIMEOUT_CODES.has(code));
  if (timeoutCode) return new UpstreamError("timeout", `${host} did not answer in time.`);
  const netCode = codes.find((code) => UNREACHABLE_CODES.has(code));
  if (netCode === "ENOTFOUND" || netCode === "EAI_AGAIN") {
    return new UpstreamError("dns", `the name ${host.replace(/:\d+$/, "")} does not resolve.`);
  }
  if (netCode) return new UpstreamError("unreachable", `${host} did not accept a connection (${netCode}).`);
  return new UpstreamError("unreachable", `${host} could not be reached (${codes[0] ?? "network error"}).`);
}

/** The outbound policy's refusal (OutboundRefusedError) in an error or its causes. */
function refusalIn(err: unknown): Error | undefined {
  let current: unknown = err;
  for (let depth = 0; current && depth < 5; depth++) {
    if ((current as ErrorWithCode).code === REFUSED_CODE) return current as Error;
    current = (current as ErrorWithCode).cause;
  }
  return undefined;
}
