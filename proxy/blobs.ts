import { createHash, type Hash } from "node:crypto";
import { Transform, type TransformCallback } from "node:stream";
import { pipeline } from "node:stream/promises";
import { API_VERSION, API_VERSION_HEADER, blobNotFound, sendOciError } from "./errors";
import type { PullContext } from "./registry-api";
import { upstreamClientFor } from "./upstream-clients";
import { sendUpstreamFailure, sendUpstreamStatus } from "./upstream-failure";
import { abortOnClientClose, timedUpstream, headerString } from "./upstream-request";

// GET/HEAD .../blobs/<digest>: streamed from the upstream with backpressure
// (never held in memory), Range passed through. A whole-blob GET is hashed as
// it streams and its last chunk is held back until the digest checks out, so
// a corrupt upstream gives the customer a broken transfer, never a wrong blob.

export async function serveBlob(ctx: PullContext): Promise<void> {
  const { req, res } = ctx;
  const digest = ctx.reference!;
  const client = upstreamClientFor(ctx.registry);
  const method = req.method === "HEAD" ? "HEAD" : "GET";
  const headers: Record<string, string> = {};
  if (typeof req.headers.range === "string") headers.range = req.headers.range;

  let up;
  try {
    up = await timedUpstream(ctx, "blob", client.request(method, `/v2/${ctx.upstreamImage}/blobs/${digest}`, { headers, signal: abortOnClientClose(ctx) }));
  } catch (err) {
    return sendUpstreamFailure(res, err, client.host);
  }

  if (up.statusCode === 416) {
    await up.body.dump();
    const contentRange = headerString(up.headers["content-range"]);
    return sendOciError(res, "UNKNOWN", "requested range not satisfiable", { status: 416, headers: contentRange ? { "Content-Range": contentRange } : {} });
  }
  if (up.statusCode !== 200 && up.statusCode !== 206) {
    await up.body.dump();
    return sendUpstreamStatus(res, up.statusCode, client.host, blobNotFound(ctx.repository, digest), headerString(up.headers["retry-after"]));
  }

  res.statusCode = up.statusCode;
  res.setHeader("Content-Type", "application/octet-stream");
  res.setHeader("Docker-Content-Digest", digest);
  res.setHeader("Accept-Ranges", "bytes");
  res.setHeader("ETag", `"${digest}"`);
  res.setHeader(API_VERSION_HEADER, API_VERSION);
  const length = headerString(up.headers["content-length"]);
  if (length) res.setHeader("Content-Length", length);
  const contentRange = headerString(up.headers["content-range"]);
  if (up.statusCode === 206 && contentRange) res.setHeader("Content-Range", contentRange);

  if (method === "HEAD") {
    await up.body.dump();
    return void res.end();
  }

  const verify = up.statusCode === 200 ? new DigestVerifier(digest) : null;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      ctx.event.bytes += chunk.length;
      cb(null, chunk);
    },
  });
  try {
    if (verify) await pipeline(up.body, verify, counter, res);
    else await pipeline(up.body, counter, res);
  } catch {
    // The customer went away, the upstream broke off, or the digest did not
    // match: in every case the response is cut short, never completed.
    res.destroy();
  }
}

/** Passes bytes through, holding back the last chunk until the digest is verified. */
export class DigestVerifier extends Transform {
  private readonly hash: Hash;
  private readonly expectedHex: string;
  private held: Buffer | null = null;

  constructor(digest: string) {
    super();
    const [algorithm, hex] = digest.split(":") as [string, string];
    this.hash = createHash(algorithm);
    this.expectedHex = hex;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.hash.update(chunk);
    const previous = this.held;
    this.held = chunk;
    cb(null, previous ?? undefined);
  }

  override _flush(cb: TransformCallback): void {
    const actual = this.hash.digest("hex");
    if (actual !== this.expectedHex) return cb(new Error("blob digest mismatch"));
    cb(null, this.held ?? undefined);
  }
}
