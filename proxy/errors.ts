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
};

export function ociErrorBody(code: OciErrorCode, message: string, detail?: unknown): string {
  return JSON.stringify({ errors: [{ code, message, detail: detail ?? null }] });
}

/** Writes `{"errors":[...]}` with the code's status; HEAD gets the headers only. */
export function sendOciError(res: ServerResponse, code: OciErrorCode, message: string, options: OciErrorOptions = {}): void {
  const body = ociErrorBody(code, message, options.detail);
  res.statusCode = options.status ?? ociErrorStatus[code];
  res.setHeader("Content-Type", "application/json; charset=utf-8");
  res.setHeader("Content-Length", Buffer.byteLength(body));
  res.setHeader(API_VERSION_HEADER, API_VERSION);
  for (const [name, value] of Object.entries(options.headers ?? {})) res.setHeader(name, value);
  res.end(res.req.method === "HEAD" ? undefined : body);
}
