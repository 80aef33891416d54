import {
  filterByArtifactType,
  isMediaType,
  OCI_INDEX_MEDIA_TYPE,
  parseIndexDescriptors,
  referrersIndexBody,
  referrersTagFor,
  type ReferrerDescriptor,
} from "@/lib/images/referrers";
import { checkReferrersIndex } from "@/lib/upstream/answers";
import { UpstreamError } from "@/lib/upstream/errors";
import { sendFetchFailure, UpstreamStatusError } from "./cache/upstream-outcome";
import { API_VERSION, API_VERSION_HEADER, repositoryNotFound, sendOciError } from "./errors";
import type { PullContext } from "./registry-api";
import { upstreamClientFor } from "./upstream-clients";
import { abortOnClientClose, timedUpstream, headerString, readLimited } from "./upstream-request";

// GET .../referrers/<digest>[?artifactType=] (OCI distribution-spec 1.1).
// The license was checked for the subject's repository before this runs.
//   1. Ask the upstream's referrers API; a 200 is passed on (filtered here
//      when the upstream did not apply the artifactType filter itself).
//   2. A 404 means the upstream has no referrers API (Distribution 2.8 and
//      several hosted registries): read the referrers tag schema instead, the
//      image index tagged `sha256-<hex>`, and answer with its descriptors.
//   3. No such tag: no referrers, 200 with an empty index (the spec forbids
//      a 404 from a registry that supports the API, and we do).
// Either way the answer is an OCI image index; `OCI-Filters-Applied:
// artifactType` says the list was filtered.

const MAX_REFERRERS_BYTES = 4 * 1024 * 1024;

type Answer = { descriptors: ReferrerDescriptor[]; filtered: boolean } | { raw: Buffer; filtered: boolean };

export async function serveReferrers(ctx: PullContext): Promise<void> {
  const { res } = ctx;
  const subject = ctx.reference!;
  const client = upstreamClientFor(ctx.registry);
  const artifactType = ctx.query.get("artifactType");
  if (artifactType !== null && !isMediaType(artifactType)) {
    return sendOciError(res, "UNSUPPORTED", "artifactType must be a media type such as application/vnd.example.sbom+json", { status: 400 });
  }

  let answer: Answer;
  try {
    answer = (await fromReferrersApi(ctx, subject, artifactType)) ?? (await fromTagSchema(ctx, subject, artifactType));
  } catch (err) {
    // 404s never get here (they mean "no API" and "no referrers"), so the repository is the only thing to name.
    return sendFetchFailure(res, err, client.host, repositoryNotFound(ctx.repository));
  }
  const body = "raw" in answer ? answer.raw : Buffer.from(referrersIndexBody(answer.descriptors));
  res.statusCode = 200;
  res.setHeader("Content-Type", OCI_INDEX_MEDIA_TYPE);
  if (answer.filtered) res.setHeader("OCI-Filters-Applied", "artifactType");
  res.setHeader("Content-Length", body.length);
  res.setHeader(API_VERSION_HEADER, API_VERSION);
  ctx.event.bytes = body.length;
  res.end(ctx.req.method === "HEAD" ? undefined : body);
}

/** The upstream's referrers API answer; null when it has no such API (404). */
async function fromReferrersApi(ctx: PullContext, subject: string, artifactType: string | null): Promise<Answer | null> {
  const qs = artifactType ? `?${new URLSearchParams({ artifactType }).toString()}` : "";
  const up = await upstreamGet(ctx, `/v2/${ctx.upstreamImage}/referrers/${subject}${qs}`);
  if (up.statusCode === 404) {
    await up.body.dump();
    return null;
  }
  const index = await readIndex(ctx, up, "referrers response");
  const applied = (headerString(up.headers["oci-filters-applied"]) ?? "").split(",").map((f) => f.trim());
  // The spec lets a registry ignore the filter and leave it to the client; we filter for it.
  if (artifactType && !applied.includes("artifactType")) {
    return { descriptors: filterByArtifactType(index.descriptors, artifactType), filtered: true };
  }
  return { raw: index.raw, filtered: artifactType !== null };
}

/** The referrers tag schema: the `<alg>-<hex>` tag's image index, or no referrers at all when the tag does not exist. */
async function fromTagSchema(ctx: PullContext, subject: string, artifactType: string | null): Promise<Answer> {
  const tag = referrersTagFor(subject);
  const up = await upstreamGet(ctx, `/v2/${ctx.upstreamImage}/manifests/${tag}`);
  if (up.statusCode === 404) {
    await up.body.dump();
    return { descriptors: [], filtered: artifactType !== null };
  }
  const index = await readIndex(ctx, up, `referrers tag ${tag}`);
  return { descriptors: filterByArtifactType(index.descriptors, artifactType), filtered: artifactType !== null };
}

type UpstreamResponse = Awaited<ReturnType<ReturnType<typeof upstreamClientFor>["request"]>>;

function upstreamGet(ctx: PullContext, path: string): Promise<UpstreamResponse> {
  const client = upstreamClientFor(ctx.registry);
  return timedUpstream(ctx, "referrers", client.request("GET", path, { headers: { accept: OCI_INDEX_MEDIA_TYPE }, signal: abortOnClientClose(ctx) }));
}

/** A 200 answer's image index (at most 4 MiB); any other status or body throws for sendFetchFailure. */
async function readIndex(ctx: PullContext, up: UpstreamResponse, what: string): Promise<{ raw: Buffer; descriptors: ReferrerDescriptor[] }> {
  if (up.statusCode !== 200) {
    await up.body.dump();
    throw new UpstreamStatusError(up.statusCode, headerString(up.headers["retry-after"]));
  }
  const host = upstreamClientFor(ctx.registry).host;
  const raw = await readLimited(up.body, MAX_REFERRERS_BYTES);
  if (!raw) throw new UpstreamError("bad_response", `${host} sent a ${what} larger than 4 MiB`);
  // Content-Type, schemaVersion and descriptor shape (the one validator for referrers answers).
  checkReferrersIndex(raw, headerString(up.headers["content-type"]), host);
  const descriptors = parseIndexDescriptors(raw);
  if (!descriptors) throw new UpstreamError("bad_response", `${host} sent a ${what} that is not an image index`);
  return { raw, descriptors };
}
