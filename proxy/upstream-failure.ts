import type { ServerResponse } from "node:http";
import { UpstreamError } from "@/lib/upstream/errors";
import { sendOciError, type OciErrorCode } from "./errors";
import { RegistrySecretUnreadableError } from "./upstream-clients";

// What a customer sees when the vendor's registry fails us: an OCI error with
// 502/503/504 and a message that names the registry host but no credential.

export function sendUpstreamFailure(res: ServerResponse, err: unknown, registryHost: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (err instanceof RegistrySecretUnreadableError) return sendSecretUnreadable(res, err);
  if (err instanceof UpstreamError) {
    switch (err.kind) {
      case "timeout":
        return sendOciError(res, "UNAVAILABLE", `upstream registry ${registryHost} did not answer in time`, { status: 504 });
      case "unreachable":
        return sendOciError(res, "UNAVAILABLE", `upstream registry ${registryHost} is unreachable`, { status: 503 });
      case "unauthorized":
      case "forbidden":
        return sendOciError(res, "UNKNOWN", `upstream registry ${registryHost} refused the vendor's stored credentials`, { status: 502 });
      default:
        return sendOciError(res, "UNKNOWN", `upstream registry ${registryHost} failed: ${err.message}`, { status: 502 });
    }
  }
  if ((err as Error)?.name === "AbortError") {
    res.destroy();
    return;
  }
  sendOciError(res, "UNKNOWN", `upstream registry ${registryHost} failed`, { status: 502 });
}

/** 502 for the one registry whose stored credentials no longer decrypt (the vendor must re-enter them). */
export function sendSecretUnreadable(res: ServerResponse, err: RegistrySecretUnreadableError): void {
  if (res.headersSent) return void res.destroy();
  sendOciError(res, "UNKNOWN", `upstream registry ${err.host} cannot be reached: the vendor's stored credentials for it are unreadable on this server`, {
    status: 502,
  });
}

/** Maps an upstream HTTP status we do not pass through to an OCI error. */
export function sendUpstreamStatus(res: ServerResponse, status: number, registryHost: string, notFound: OciErrorCode, retryAfter?: string): void {
  if (status === 404) return sendOciError(res, notFound, notFound === "BLOB_UNKNOWN" ? "blob unknown to registry" : "manifest unknown");
  if (status === 429) {
    return sendOciError(res, "TOOMANYREQUESTS", `upstream registry ${registryHost} is rate limiting; try again later`, {
      headers: retryAfter ? { "Retry-After": retryAfter } : {},
    });
  }
  if (status === 401 || status === 403) {
    return sendOciError(res, "UNKNOWN", `upstream registry ${registryHost} refused the vendor's stored credentials`, { status: 502 });
  }
  if (status === 416) return sendOciError(res, "UNKNOWN", "requested range not satisfiable", { status: 416 });
  if (status === 503 || status === 504) return sendOciError(res, "UNAVAILABLE", `upstream registry ${registryHost} is unavailable (HTTP ${status})`, { status });
  return sendOciError(res, "UNKNOWN", `upstream registry ${registryHost} answered HTTP ${status}`, { status: 502 });
}
