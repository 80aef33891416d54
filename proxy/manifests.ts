import { createHash } from "node:crypto";
import { UpstreamError } from "@/lib/upstream/errors";
import { checkManifest, manifestMediaType } from "@/lib/upstream/answers";
import { manifestAccept } from "./manifest-accept";
import { API_VERSION, API_VERSION_HEADER, manifestNotFound } from "./errors";
import type { PullContext } from "./registry-api";
import { upstreamClientFor } from "./upstream-clients";
import { sendUpstreamFailure, sendUpstreamStatus } from "./upstream-failure";
import { abortOnClientClose, timedUpstream, headerString, readLimited } from "./upstream-request";

// GET/HEAD .../manifests/<tag|digest>. Manifests are small (Distribution caps
// them at 4 MiB), so a GET is read whole, hashed, and checked against the
// digest it was asked by before a byte reaches the customer, and checked to be
// a manifest of the type its Content-Type names (lib/upstream/answers.ts).
// Image indexes pass through unchanged: the client picks its platform.

export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

export async function serveManifest(ctx: PullContext): Promise<void> {
  const { req, res } = ctx;
  const reference = ctx.reference!;
  const client = upstreamClientFor(ctx.registry);
  const method = req.method === "HEAD" ? "HEAD" : "GET";
  const accept = manifestAccept(req.headers.accept);

  let up;
  try {
    up = await timedUpstream(ctx, "manifest", client.request(method, `/v2/${ctx.upstreamImage}/manifests/${reference}`, { headers: { accept }, signal: abortOnClientClose(ctx) }));
  } catch (err) {
    return sendUpstreamFailure(res, err, client.host);
  }
  if (up.statusCode !== 200) {
    await up.body.dump();
    return sendUpstreamStatus(res, up.statusCode, client.host, manifestNotFound(ctx.repository, reference), headerString(up.headers["retry-after"]));
  }

  const contentType = headerString(up.headers["content-type"]);
  const upstreamDigest = headerString(up.headers["docker-content-digest"]);
  const byDigest = reference.includes(":");

  if (method === "HEAD") {
    await up.body.dump();
    try {
      manifestMediaType(contentType, client.host);
    } catch (err) {
      return sendUpstreamFailure(res, err, client.host);
    }
    const digest = upstreamDigest ?? (byDigest ? reference : undefined);
    res.statusCode = 200;
    res.setHeader("Content-Type", contentType!);
    if (digest) res.setHeader("Docker-Content-Digest", digest);
    const length = headerString(up.headers["content-length"]);
    if (length) res.setHeader("Content-Length", length);
    res.setHeader(API_VERSION_HEADER, API_VERSION);
    ctx.event.digest = digest ?? null;
    return void res.end();
  }

  let body: Buffer;
  let digest: string;
  try {
    ({ body, digest } = await readManifest(up.body, reference, client.host, contentType));
  } catch (err) {
    return sendUpstreamFailure(res, err, client.host);
  }
  res.statusCode = 200;
  res.setHeader("Content-Type", contentType!);
  res.setHeader("Docker-Content-Digest", byDigest ? digest : (upstreamDigest ?? digest));
  res.setHeader("Content-Length", body.length);
  res.setHeader(API_VERSION_HEADER, API_VERSION);
  ctx.event.digest = digest;
  ctx.event.bytes = body.length;
  ctx.event.manifest = body;
  res.end(body);
}

/**
 * Reads an upstream manifest (at most 4 MiB), checks that it is a manifest of
 * its Content-Type and computes its digest, checked against the reference
 * when that is a digest. Throws UpstreamError ("bad_response") otherwise.
 * Shared by the uncached and cached paths: nothing unchecked is served or cached.
 */
export async function readManifest(
  stream: AsyncIterable<Buffer | Uint8Array>,
  reference: string,
  host: string,
  contentType: string | undefined,
): Promise<{ body: Buffer; digest: string; mediaType: string }> {
  const body = await readLimited(stream, MAX_MANIFEST_BYTES);
  if (!body) throw new UpstreamError("bad_response", `${host} sent a manifest larger than 4 MiB`);
  const mediaType = checkManifest(body, contentType, host);
  const byDigest = reference.includes(":");
  const algorithm = byDigest ? reference.slice(0, reference.indexOf(":")) : "sha256";
  const digest = `${algorithm}:${createHash(algorithm).update(body).digest("hex")}`;
  if (byDigest && digest !== reference) throw new UpstreamError("bad_response", `${host} returned content that does not match digest ${reference}`);
  return { body, digest, mediaType };
}
