import { checkReferrersIndex } from "@/lib/upstream/answers";
import { UpstreamError } from "@/lib/upstream/errors";
import { API_VERSION, API_VERSION_HEADER } from "./errors";
import type { PullContext } from "./registry-api";
import { upstreamClientFor } from "./upstream-clients";
import { sendUpstreamFailure, sendUpstreamStatus } from "./upstream-failure";
import { abortOnClientClose, timedUpstream, headerString, readLimited } from "./upstream-request";

// GET .../referrers/<digest>[?artifactType=]: passed through once checked to
// be an OCI image index (lib/upstream/answers.ts), including an upstream 404
// (registries without the referrers API answer that, and clients then fall
// back to the tag schema).

const MAX_REFERRERS_BYTES = 4 * 1024 * 1024;

export async function serveReferrers(ctx: PullContext): Promise<void> {
  const { req, res } = ctx;
  const client = upstreamClientFor(ctx.registry);
  const artifactType = ctx.query.get("artifactType");
  const qs = artifactType ? `?${new URLSearchParams({ artifactType }).toString()}` : "";
  let up;
  try {
    up = await timedUpstream(ctx, "referrers", client.request("GET", `/v2/${ctx.upstreamImage}/referrers/${ctx.reference}${qs}`, {
      headers: { accept: "application/vnd.oci.image.index.v1+json" },
      signal: abortOnClientClose(ctx),
    }));
  } catch (err) {
    return sendUpstreamFailure(res, err, client.host);
  }
  if (up.statusCode !== 200 && up.statusCode !== 404) {
    await up.body.dump();
    return sendUpstreamStatus(res, up.statusCode, client.host, "MANIFEST_UNKNOWN", headerString(up.headers["retry-after"]));
  }
  const body = await readLimited(up.body, MAX_REFERRERS_BYTES);
  try {
    if (!body) throw new UpstreamError("bad_response", `${client.host} sent a referrers answer larger than 4 MiB`);
    if (up.statusCode === 200) checkReferrersIndex(body, headerString(up.headers["content-type"]), client.host);
  } catch (err) {
    return sendUpstreamFailure(res, err, client.host);
  }
  res.statusCode = up.statusCode;
  res.setHeader("Content-Type", headerString(up.headers["content-type"]) ?? "application/json");
  const filters = headerString(up.headers["oci-filters-applied"]);
  if (filters) res.setHeader("OCI-Filters-Applied", filters);
  res.setHeader("Content-Length", body.length);
  res.setHeader(API_VERSION_HEADER, API_VERSION);
  res.end(req.method === "HEAD" ? undefined : body);
}
