import { beforeEach, describe, expect, it, vi } from "vitest";
import { MANIFEST_ACCEPT } from "@/lib/upstream/client";
import { createMetrics } from "../metrics";
import type { PullContext } from "../registry-api";
import { UpstreamStatusError } from "./upstream-outcome";

// A cached digest is served for another repository only after the vendor's
// registry confirmed it holds the digest there (one HEAD); the repository the
// download came from needs no question.

const request = vi.fn();
vi.mock("../upstream-clients", () => ({ upstreamClientFor: () => ({ request }) }));
const { confirmRepository } = await import("./confirm-repository");

const digest = `sha256:${"a".repeat(64)}`;
const dumped: number[] = [];
const answer = (statusCode: number, headers: Record<string, string | string[]> = {}) => {
  request.mockResolvedValueOnce({ statusCode, headers, body: { dump: async () => void dumped.push(statusCode) } });
};
let ctx: PullContext;

beforeEach(() => {
  request.mockReset();
  dumped.length = 0;
  ctx = { upstreamImage: "acme/other", registry: {}, metrics: createMetrics() } as unknown as PullContext;
});

/** How many upstream requests the latency histogram timed, by action. */
async function timedActions(): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const sample of (await ctx.metrics.upstreamLatency.get()).values) {
    if (sample.metricName?.endsWith("_count")) counts[String(sample.labels.action)] = sample.value;
  }
  return counts;
}

describe("confirmRepository", () => {
  it("a repository the digest is known in needs no question", async () => {
    expect(await confirmRepository(ctx, "blobs", digest, new Set(["acme/other"]))).toBe(false);
    expect(request).not.toHaveBeenCalled();
  });

  it("asks the upstream with one HEAD (a blob, or a manifest with the manifest Accept) and confirms on 200", async () => {
    answer(200);
    expect(await confirmRepository(ctx, "blobs", digest, new Set(["acme/app"]))).toBe(true);
    expect(request).toHaveBeenLastCalledWith("HEAD", `/v2/acme/other/blobs/${digest}`, { headers: {} });
    expect(await timedActions()).toEqual({ blob: 1 });
    answer(200);
    expect(await confirmRepository(ctx, "manifests", digest, new Set())).toBe(true);
    expect(request).toHaveBeenLastCalledWith("HEAD", `/v2/acme/other/manifests/${digest}`, { headers: { accept: MANIFEST_ACCEPT } });
    expect(dumped).toEqual([200, 200]);
    expect(await timedActions()).toEqual({ blob: 1, manifest: 1 });
  });

  it.each([404, 401, 302, 500])("any other answer (%i) refuses, passing Retry-After on", async (status) => {
    answer(status, { "retry-after": ["7", "9"] });
    const err = await confirmRepository(ctx, "blobs", digest, new Set(["acme/app"])).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpstreamStatusError);
    expect((err as UpstreamStatusError).status).toBe(status);
    expect((err as UpstreamStatusError).retryAfter).toBe("7");
    expect(dumped).toEqual([status]);
  });
});
