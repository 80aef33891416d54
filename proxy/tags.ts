import { parseTagList } from "@/lib/upstream/answers";
import { UpstreamError } from "@/lib/upstream/errors";
import { API_VERSION, API_VERSION_HEADER, repositoryNotFound, sendNotFound, sendOciError } from "./errors";
import type { PullContext } from "./registry-api";
import { upstreamClientFor } from "./upstream-clients";
import { sendUpstreamFailure, sendUpstreamStatus } from "./upstream-failure";
import { abortOnClientClose, timedUpstream, headerString, readLimited } from "./upstream-request";

// GET .../tags/list?n=&last=: the upstream's answer with the repository name
// and the pagination Link rewritten to the proxy's own path, so a client
// following `rel="next"` stays on Pullgate (and on its license check).

const MAX_TAGS_BYTES = 8 * 1024 * 1024;

export async function serveTags(ctx: PullContext): Promise<void> {
  const { req, res } = ctx;
  const client = upstreamClientFor(ctx.registry);
  const incoming = ctx.query;
  const query = new URLSearchParams();
  const n = incoming.get("n");
  const last = incoming.get("last");
  if (n !== null) {
    if (!/^\d{1,6}$/.test(n)) return sendOciError(res, "UNSUPPORTED", "n must be a non-negative integer", { status: 400 });
    query.set("n", n);
  }
  if (last !== null) query.set("last", last);
  const qs = query.toString();

  let up;
  try {
    up = await timedUpstream(ctx, "tags", client.request("GET", `/v2/${ctx.upstreamImage}/tags/list${qs ? `?${qs}` : ""}`, { signal: abortOnClientClose(ctx) }));
  } catch (err) {
    return sendUpstreamFailure(res, err, client.host);
  }
  if (up.statusCode === 404) {
    await up.body.dump();
    return sendNotFound(res, repositoryNotFound(ctx.repository));
  }
  if (up.statusCode !== 200) {
    await up.body.dump();
    return sendUpstreamStatus(res, up.statusCode, client.host, repositoryNotFound(ctx.repository), headerString(up.headers["retry-after"]));
  }
  const raw = await readLimited(up.body, MAX_TAGS_BYTES);
  let tags: string[];
  try {
    if (!raw) throw new UpstreamError("bad_response", `${client.host} sent a tag list larger than 8 MiB`);
    ({ tags } = parseTagList(raw, client.host));
  } catch (err) {
    return sendUpstreamFailure(res, err, client.host);
  }
  tags.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

  // Registries that ignore n/last (Distribution 2.8 among them) get paginated
  // here, so clients always see the spec's behaviour.
  let link = rewriteNextLink(headerString(up.headers.link), ctx.repository);
  if (last !== null) tags = tags.filter((t) => t > last);
  if (n !== null && tags.length > Number(n)) {
    tags = tags.slice(0, Number(n));
    const nextQuery = new URLSearchParams({ last: tags[tags.length - 1] ?? "", n });
    link = `</v2/${ctx.repository}/tags/list?${nextQuery.toString()}>; rel="next"`;
  }
  const body = JSON.stringify({ name: ctx.repository, tags });
  res.statusCode = 200;
  res.setHeader("Content-Type", "application/json");
  res.setHeader("Content-Length", Buffer.byteLength(body));
  res.setHeader(API_VERSION_HEADER, API_VERSION);
  if (link) res.setHeader("Link", link);
  res.end(req.method === "HEAD" ? undefined : body);
}

/** `</v2/acme/api/tags/list?last=b&n=2>; rel="next"` → the same query on the proxy path. */
export function rewriteNextLink(link: string | undefined, proxyRepository: string): string | undefined {
  if (!link) return undefined;
  const m = /<([^>]*)>\s*;\s*rel="?next"?/i.exec(link);
  if (!m) return undefined;
  const target = new URL(m[1]!, "http://upstream.invalid");
  const query = new URLSearchParams();
  for (const key of ["n", "last"]) {
    const v = target.searchParams.get(key);
    if (v !== null) query.set(key, v);
  }
  return `</v2/${proxyRepository}/tags/list?${query.toString()}>; rel="next"`;
}
