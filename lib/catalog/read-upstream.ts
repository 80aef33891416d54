import type { UpstreamClient, UpstreamResponse } from "@/lib/upstream/client";
import { UpstreamError } from "@/lib/upstream/errors";
import { REPOSITORY_NAME, TAG } from "@/lib/images/reference";

// Reads what a vendor's registry holds, through the one upstream client (so
// every request passes the same outbound rules as the proxy's): the
// repositories from `/v2/_catalog` and a repository's tags, each paged with
// `n=` and capped, and every answer bounded in bytes and checked against the
// OCI grammar before anything of it is kept.

export const PAGE_SIZE = 100;
export const MAX_REPOSITORIES = 1_000;
export const MAX_TAGS = 500;
/** One page of either list (Distribution 2.8 ignores `n` for tags and sends them all at once). */
const MAX_PAGE_BYTES = 1024 * 1024;
const REQUEST_TIMEOUT_MS = 15_000;
const MAX_NAME_LENGTH = 255;

/** Page size and caps (tests lower them to see paging and truncation on a small registry). */
export type ReadLimits = { pageSize?: number; maxRepositories?: number; maxTags?: number };

export type RepositoryList = { available: true; repositories: string[]; truncated: boolean } | { available: false; reason: string };
export type TagList = { tags: string[]; truncated: boolean };

/**
 * The registry's repositories, or `available: false` when it does not list
 * them (Docker Hub, GHCR and registries that refuse the catalog scope answer
 * 401/403/404/405). Outages throw UpstreamError.
 */
export async function readRepositories(client: UpstreamClient, limits: ReadLimits = {}): Promise<RepositoryList> {
  const pageSize = limits.pageSize ?? PAGE_SIZE;
  const max = limits.maxRepositories ?? MAX_REPOSITORIES;
  const names = new Set<string>();
  let truncated = false;
  let path: string | null = `/v2/_catalog?n=${pageSize}`;
  for (let page = 0; path && names.size < max && page <= max / pageSize; page++) {
    const res: UpstreamResponse = await client.request("GET", path, { scope: "registry:catalog:*", signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    if (page === 0 && [401, 403, 404, 405].includes(res.statusCode)) {
      await res.body.dump();
      return { available: false, reason: `${client.host} does not list its repositories (HTTP ${res.statusCode} for /v2/_catalog)` };
    }
    const body = await readJson(res, client.host, "the repository list");
    const list = (body as { repositories?: unknown }).repositories;
    if (list !== null && list !== undefined && !Array.isArray(list)) throw new UpstreamError("bad_response", `${client.host} sent an invalid repository list.`);
    const before = names.size;
    for (const name of (list as unknown[] | null) ?? []) {
      if (typeof name !== "string" || name.length > MAX_NAME_LENGTH || !REPOSITORY_NAME.test(name)) continue;
      if (names.size >= max) {
        truncated = true;
        break;
      }
      names.add(name);
    }
    const next = nextPage(res, "/v2/_catalog", pageSize);
    // A registry that keeps answering the same page would loop: stop when nothing new arrived.
    path = next && names.size > before ? next : null;
  }
  return { available: true, repositories: [...names].sort(), truncated: truncated || (path !== null && names.size >= max) };
}

/** A repository's tags (lexical order), or null when the registry does not know it. */
export async function readTags(client: UpstreamClient, repository: string, limits: ReadLimits = {}): Promise<TagList | null> {
  const pageSize = limits.pageSize ?? PAGE_SIZE;
  const max = limits.maxTags ?? MAX_TAGS;
  const tags = new Set<string>();
  let path: string | null = `/v2/${repository}/tags/list?n=${pageSize}`;
  let truncated = false;
  for (let page = 0; path && page <= max / pageSize; page++) {
    const res: UpstreamResponse = await client.request("GET", path, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    if (res.statusCode === 404 && page === 0) {
      await res.body.dump();
      return null;
    }
    const body = await readJson(res, client.host, `the tags of ${repository}`);
    const list = (body as { tags?: unknown }).tags;
    if (list !== null && list !== undefined && !Array.isArray(list)) throw new UpstreamError("bad_response", `${client.host} sent an invalid tag list.`);
    const before = tags.size;
    // Registries that ignore n= (Distribution 2.8) send every tag at once, in no set order: keep the lexically first.
    const received = ((list as unknown[] | null) ?? []).filter((t): t is string => typeof t === "string" && TAG.test(t)).sort();
    for (const tag of received) {
      if (tags.size >= max) {
        truncated = true;
        break;
      }
      tags.add(tag);
    }
    const next = nextPage(res, `/v2/${repository}/tags/list`, pageSize);
    path = next && !truncated && tags.size > before ? next : null;
    if (next && tags.size >= max) truncated = true;
  }
  return { tags: [...tags].sort(), truncated };
}

async function readJson(res: UpstreamResponse, host: string, what: string): Promise<object> {
  if (res.statusCode !== 200) {
    await res.body.dump();
    if (res.statusCode === 401 || res.statusCode === 403) {
      throw new UpstreamError("forbidden", `${host} refused to list ${what} with the stored credentials (HTTP ${res.statusCode}).`, res.statusCode);
    }
    const kind = res.statusCode >= 500 || res.statusCode === 429 ? "upstream_5xx" : "bad_response";
    throw new UpstreamError(kind, `${host} answered HTTP ${res.statusCode} for ${what}.`, res.statusCode);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res.body) {
    size += chunk.length;
    if (size > MAX_PAGE_BYTES) {
      res.body.destroy();
      throw new UpstreamError("bad_response", `${host} sent more than 1 MiB for one page of ${what}.`);
    }
    chunks.push(Buffer.from(chunk));
  }
  try {
    const parsed = JSON.parse(Buffer.concat(chunks, size).toString("utf8")) as unknown;
    if (parsed && typeof parsed === "object") return parsed;
  } catch {
    // reported below
  }
  throw new UpstreamError("bad_response", `${host} did not answer JSON for ${what}.`);
}

/**
 * The next page from `Link: <…>; rel="next"`, kept on the same API path (only
 * `n` and `last` are taken from it, so a registry cannot steer us elsewhere).
 */
function nextPage(res: UpstreamResponse, basePath: string, pageSize: number): string | null {
  const header = res.headers.link;
  const link = Array.isArray(header) ? header[0] : header;
  if (!link) return null;
  const m = /<([^>]*)>\s*;\s*rel="?next"?/i.exec(link);
  if (!m) return null;
  let target: URL;
  try {
    target = new URL(m[1]!, "http://upstream.invalid");
  } catch {
    return null;
  }
  const last = target.searchParams.get("last");
  if (!last) return null;
  const query = new URLSearchParams({ n: String(pageSize), last });
  return `${basePath}?${query.toString()}`;
}
