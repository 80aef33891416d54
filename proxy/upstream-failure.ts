import type { ServerResponse } from "node:http";
import { UpstreamError } from "@/lib/upstream/errors";
import { sendNotFound, sendOciError, type NotFound } from "./errors";
import { RegistrySecretUnreadableError } from "./upstream-clients";

// What a customer sees when the vendor's registry fails us: an OCI error with
// 502/503/504 that names neither the registry's host nor any credential (the
// customer did not choose the host, and it may be internal). The detail, with
// the host, is kept for the request (upstreamFailureOf) and goes to the log
// and the vendor's pull events.

export const UNREACHABLE = "the vendor's registry is unreachable";
export const INVALID_RESPONSE = "upstream returned an invalid response";

const failures = new WeakMap<ServerResponse, string>();

/** What went wrong upstream for this response, with the host (for the log and the pull event), if anything. */
export function upstreamFailureOf(res: ServerResponse): string | undefined {
  return failures.get(res);
}

function remember(res: ServerResponse, registryHost: string, detail: string): void {
  failures.set(res, `${registryHost}: ${detail}`.slice(0, 500));
}

export function sendUpstreamFailure(res: ServerResponse, err: unknown, registryHost: string): void {
  if (err instanceof UpstreamError) remember(res, registryHost, `${err.kind}: ${err.message}`);
  else if (err instanceof Error && err.name !== "AbortError") remember(res, registryHost, err.message);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (err instanceof RegistrySecretUnreadableError) return sendSecretUnreadable(res, err);
  if (err instanceof UpstreamError) {
    switch (err.kind) {
      case "timeout":
        return sendOciError(res, "UNAVAILABLE", UNREACHABLE, { status: 504 });
      case "unreachable":
      case "dns":
        return sendOciError(res, "UNAVAILABLE", UNREACHABLE, { status: 503 });
      case "bad_response":
        return sendOciError(res, "UNKNOWN", INVALID_RESPONSE, { status: 502 });
      default:
        return sendOciError(res, "UNKNOWN", UNREACHABLE, { status: 502 });
    }
  }
  if ((err as Error)?.name === "AbortError") {
    res.destroy();
    return;
  }
  sendOciError(res, "UNKNOWN", UNREACHABLE, { status: 502 });
}

/** 502 for the one registry whose stored credentials no longer decrypt (the vendor must re-enter them). */
export function sendSecretUnreadable(res: ServerResponse, err: RegistrySecretUnreadableError): void {
  remember(res, err.host, "stored credentials cannot be decrypted with this server's PULLGATE_SECRET_KEY");
  if (res.headersSent) return void res.destroy();
  sendOciError(res, "UNKNOWN", `${UNREACHABLE}: the vendor's stored credentials for it are unreadable on this server`, { status: 502 });
}

/** Maps an upstream HTTP status we do not pass through to an OCI error; a 404 becomes `notFound`. */
export function sendUpstreamStatus(res: ServerResponse, status: number, registryHost: string, notFound: NotFound, retryAfter?: string): void {
  if (status === 404) return sendNotFound(res, notFound);
  if (status === 416) return sendOciError(res, "UNKNOWN", "requested range not satisfiable", { status: 416 });
  remember(res, registryHost, `answered HTTP ${status}`);
  if (status === 429) {
    return sendOciError(res, "TOOMANYREQUESTS", "the vendor's registry is rate limiting; try again later", {
      headers: retryAfter ? { "Retry-After": retryAfter } : {},
    });
  }
  if (status === 503 || status === 504) return sendOciError(res, "UNAVAILABLE", UNREACHABLE, { status });
  return sendOciError(res, "UNKNOWN", UNREACHABLE, { status: 502 });
}
