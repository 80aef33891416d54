import type { ServerResponse } from "node:http";

// OCI distribution-spec error codes (plus Distribution's UNKNOWN/UNAVAILABLE for
// our own failures), each with the status a client expects for it.
export const ociErrorStatus = {
  UNAUTHORIZED: 401,
  DENIED: 403,
  NAME_UNKNOWN: 404,
  NAME_INVALID: 400,
  MANIFEST_UNKNOWN: 404,
  MANIFEST_INVALID: 400,
  BLOB_UNKNOWN: 404,
  DIGEST_INVALID: 400,
  TOOMANYREQUESTS: 429,
  UNSUPPORTED: 405,
  UNAVAILABLE: 503,
  UNKNOWN: 500,
} as const;

export type OciErrorCode = keyof typeof ociErrorStatus;

export const API_VERSION_HEADER = "Docker-Distribution-Api-Version";
export const API_VERSION = "registry/2.0";

export type OciErrorOptions = {
  /** Overrides the code's usual status (e.g. 502/504 for upstream failures). */
  status?: number;
  detail?: unknown;
  headers?: Record<string, string>;
  /**
   * Token endpoint (OAuth2 form): also carry RFC 6749's `error` and
   * `error_description`, so OAuth2 clients and Docker's errcode parser both
   * read the reason.
   */
  oauthError?: "invalid_request" | "invalid_grant" | "unsupported_grant_type";
};

export function ociErrorBody(code: OciErrorCode, message: string, detail?: unknown, oauthError?: string): string {
  const errors = [{ code, message, detail: detail ?? null }];
  return JSON.stringify(oauthError ? { errors, error: oauthError, error_description: message } : { errors });
}

/** Writes `{"errors":[...]}` with the code's status; HEAD gets the headers only. */
export function sendOciError(res: ServerResponse, code: OciErrorCode, message: string, options: OciErrorOptions = {}): void {
  const body = ociErrorBody(code, message, options.detail, options.oauthError);
  res.statusCode = options.status ?? ociErrorStatus[code];
  res.statusMessage = reasonPhrase(message);
  res.setHeader("Content-Type", "application/json; charset=utf-8");
  res.setHeader("Content-Length", Buffer.byteLength(body));
  res.setHeader(API_VERSION_HEADER, API_VERSION);
  for (const [name, value] of Object.entries(options.headers ?? {})) res.setHeader(name, value);
  res.end(res.req.method === "HEAD" ? undefined : body);
}

/**
 * A "not found" answer that names what was not found, as Distribution's
 * detail does and as Docker prints it (`manifest for <name>:<tag> not found`):
 * a bare "manifest unknown" leaves the customer guessing which part was wrong.
 */
/**
 * The message again as the HTTP/1.1 reason phrase (`HTTP/1.1 401 license
 * expired on 2026-10-01`): some clients print only the status line of a
 * refusal (containerd's "unexpected status: …"), and this is what the line is
 * for. Only visible ASCII and spaces (RFC 9112), kept short.
 */
function reasonPhrase(message: string): string {
  const phrase = message.replace(/[^\x20-\x7e]/g, "?");
  return phrase.length > 200 ? `${phrase.slice(0, 197)}...` : phrase;
}

export type NotFound = { code: "MANIFEST_UNKNOWN" | "BLOB_UNKNOWN" | "NAME_UNKNOWN"; message: string; detail: Record<string, string> };

/** `repository` is the name the customer asked for (`proxy/<app>/<registry>/<image>`). */
export function manifestNotFound(repository: string, reference: string): NotFound {
  const byDigest = reference.includes(":");
  const shown = shorten(reference);
  return {
    code: "MANIFEST_UNKNOWN",
    message: `manifest for ${repository}${byDigest ? "@" : ":"}${shown} not found`,
    detail: byDigest ? { Name: repository, Revision: shown } : { Name: repository, Tag: shown },
  };
}

export function blobNotFound(repository: string, digest: string): NotFound {
  const shown = shorten(digest);
  return { code: "BLOB_UNKNOWN", message: `blob ${shown} not found in ${repository}`, detail: { Name: repository, Digest: shown } };
}

export function repositoryNotFound(repository: string): NotFound {
  return { code: "NAME_UNKNOWN", message: `repository name not known to registry: ${repository} does not exist`, detail: { Name: repository } };
}

export function sendNotFound(res: ServerResponse, notFound: NotFound): void {
  sendOciError(res, notFound.code, notFound.message, { detail: notFound.detail });
}

/** References come from the request line: echo at most a bounded prefix. */
function shorten(text: string): string {
  return text.length > 140 ? `${text.slice(0, 137)}...` : text;
}
