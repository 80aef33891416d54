import { API_VERSION, API_VERSION_HEADER, sendOciError } from "../errors";
import type { PullContext } from "../registry-api";

// The headers of a blob answer, whichever store or download serves it.

export function setBlobHeaders(ctx: PullContext, size: number | null, range: { start: number; end: number } | undefined): void {
  const { res } = ctx;
  res.statusCode = range ? 206 : 200;
  res.setHeader("Content-Type", "application/octet-stream");
  res.setHeader("Docker-Content-Digest", ctx.reference!);
  res.setHeader("Accept-Ranges", "bytes");
  res.setHeader("ETag", `"${ctx.reference}"`);
  res.setHeader(API_VERSION_HEADER, API_VERSION);
  if (range) {
    res.setHeader("Content-Range", `bytes ${range.start}-${range.end}/${size}`);
    res.setHeader("Content-Length", range.end - range.start + 1);
  } else if (size !== null) {
    res.setHeader("Content-Length", size);
  }
}

export function sendUnsatisfiable(ctx: PullContext, size: number): void {
  sendOciError(ctx.res, "UNKNOWN", "requested range not satisfiable", { status: 416, headers: { "Content-Range": `bytes */${size}` } });
}
