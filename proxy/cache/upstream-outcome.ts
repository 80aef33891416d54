import type { ServerResponse } from "node:http";
import { UpstreamError } from "@/lib/upstream/errors";
import type { NotFound } from "../errors";
import { sendUpstreamFailure, sendUpstreamStatus } from "../upstream-failure";

// Cache fetches run detached from the request that started them (others may
// be waiting on the same fetch), so an upstream answer that is not a success
// travels as an exception and each waiting request turns it into its own
// OCI error.

export class UpstreamStatusError extends Error {
  constructor(
    readonly status: number,
    readonly retryAfter?: string,
  ) {
    super(`upstream answered HTTP ${status}`);
    this.name = "UpstreamStatusError";
  }
}

export function sendFetchFailure(res: ServerResponse, err: unknown, registryHost: string, notFound: NotFound): void {
  if (res.headersSent) return void res.destroy();
  if (err instanceof UpstreamStatusError) return sendUpstreamStatus(res, err.status, registryHost, notFound, err.retryAfter);
  sendUpstreamFailure(res, err, registryHost);
}

/**
 * The upstream is down, slow or rate limiting (as opposed to saying "no"):
 * the cases in which a cached tag answer is served stale.
 */
export function isUpstreamOutage(err: unknown): boolean {
  if (err instanceof UpstreamStatusError) return err.status === 429 || err.status >= 500;
  if (err instanceof UpstreamError) return err.kind === "unreachable" || err.kind === "dns" || err.kind === "timeout" || err.kind === "upstream_5xx" || err.kind === "tls";
  const name = (err as Error | undefined)?.name;
  return name === "TimeoutError" || name === "AbortError";
}
