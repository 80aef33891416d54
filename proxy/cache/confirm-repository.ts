import { MANIFEST_ACCEPT } from "@/lib/upstream/client";
import type { PullContext } from "../registry-api";
import { upstreamClientFor } from "../upstream-clients";
import { timedUpstream, headerString } from "../upstream-request";
import { UpstreamStatusError } from "./upstream-outcome";

// A cached digest is served for a repository only once the vendor's registry
// has shown it there: the download itself proves the repository it came from,
// and any other repository (another image the license may not cover) is asked
// with one HEAD before the cached copy is used for it.

export async function confirmRepository(ctx: PullContext, kind: "blobs" | "manifests", digest: string, known: ReadonlySet<string>): Promise<boolean> {
  if (known.has(ctx.upstreamImage)) return false;
  const client = upstreamClientFor(ctx.registry);
  const headers: Record<string, string> = kind === "manifests" ? { accept: MANIFEST_ACCEPT } : {};
  const up = await timedUpstream(ctx, kind === "blobs" ? "blob" : "manifest", client.request("HEAD", `/v2/${ctx.upstreamImage}/${kind}/${digest}`, { headers }));
  await up.body.dump();
  if (up.statusCode !== 200) throw new UpstreamStatusError(up.statusCode, headerString(up.headers["retry-after"]));
  return true;
}
