import { describe, expect, it } from "vitest";
import { CHILD_WINDOW_MS, indexChildren, PULL_WINDOW_MS, PullCounter, type CountableRequest } from "./pull-counting";

// The counting rule on the request sequences real clients send.

const INDEX = `sha256:${"a".repeat(64)}`;
const AMD64 = `sha256:${"b".repeat(64)}`;
const ARM64 = `sha256:${"c".repeat(64)}`;
const REPO = "proxy/app/acme/api";

function req(overrides: Partial<CountableRequest>): CountableRequest {
  return {
    customerId: "cust",
    clientIp: "203.0.113.7",
    userAgent: "skopeo/1.9.3",
    action: "manifest",
    method: "GET",
    repository: REPO,
    reference: "1.0",
    digest: INDEX,
    status: 200,
    reason: null,
    time: 1_000_000,
    ...overrides,
  };
}

function pulls(counter: PullCounter, requests: Partial<CountableRequest>[]) {
  return requests.map((r) => counter.classify(req(r)));
}

describe("PullCounter", () => {
  it("skopeo copy --all: the index by tag is one pull, its platform manifests are not", () => {
    const seen = pulls(new PullCounter(), [
      { reference: "1.0", digest: INDEX, children: [AMD64, ARM64] },
      { reference: AMD64, digest: AMD64, time: 1_000_100 },
      { reference: ARM64, digest: ARM64, time: 1_000_200 },
      { action: "blob", reference: `sha256:${"d".repeat(64)}`, digest: null, time: 1_000_300 },
    ]);
    expect(seen.map((s) => s.isPull)).toEqual([true, false, false, false]);
    // The platform manifests are attributed to the tag.
    expect(seen.map((s) => s.tag)).toEqual(["1.0", "1.0", "1.0", null]);
  });

  it("two tags of the same index are two pulls", () => {
    const seen = pulls(new PullCounter(), [
      { reference: "1.0", children: [AMD64, ARM64] },
      { reference: AMD64, digest: AMD64 },
      { reference: "latest", children: [AMD64, ARM64] },
      { reference: AMD64, digest: AMD64 },
    ]);
    expect(seen.map((s) => s.isPull)).toEqual([true, false, true, false]);
  });

  it("docker: HEAD of the tag, then GETs by digest, is one pull of that tag", () => {
    const seen = pulls(new PullCounter(), [
      { method: "HEAD", reference: "1.0", digest: INDEX },
      { reference: INDEX, digest: INDEX, children: [AMD64, ARM64] },
      { reference: AMD64, digest: AMD64 },
    ]);
    expect(seen).toEqual([
      { isPull: false, tag: "1.0" },
      { isPull: true, tag: "1.0" },
      { isPull: false, tag: "1.0" },
    ]);
  });

  it("a retry within the window is the same pull; after it, a new one", () => {
    const counter = new PullCounter();
    expect(counter.classify(req({ time: 0 })).isPull).toBe(true);
    expect(counter.classify(req({ time: PULL_WINDOW_MS - 1 })).isPull).toBe(false);
    expect(counter.classify(req({ time: 2 * PULL_WINDOW_MS })).isPull).toBe(true);
  });

  it("another client (address, user agent or customer) is another pull", () => {
    const counter = new PullCounter();
    expect(counter.classify(req({})).isPull).toBe(true);
    expect(counter.classify(req({ clientIp: "203.0.113.8" })).isPull).toBe(true);
    expect(counter.classify(req({ userAgent: "containerd/1.7" })).isPull).toBe(true);
    expect(counter.classify(req({ customerId: "other" })).isPull).toBe(true);
    expect(counter.classify(req({})).isPull).toBe(false);
  });

  it("a platform manifest pulled by digest without its index is a pull; the index's children expire", () => {
    const counter = new PullCounter();
    expect(counter.classify(req({ reference: AMD64, digest: AMD64 })).isPull).toBe(true);
    const later = new PullCounter();
    later.classify(req({ reference: "1.0", children: [AMD64], time: 0 }));
    expect(later.classify(req({ reference: AMD64, digest: AMD64, time: CHILD_WINDOW_MS - 1 })).isPull).toBe(false);
    expect(later.classify(req({ reference: AMD64, digest: AMD64, time: 3 * CHILD_WINDOW_MS })).isPull).toBe(true);
  });

  it("failed attempts count once per reason; 404s and refusals keep their reason apart", () => {
    const counter = new PullCounter();
    const seen = pulls(counter, [
      { method: "HEAD", reference: "nope", status: 404, reason: "not_found" },
      { reference: "nope", status: 404, reason: "not_found" },
      { reference: "1.0", status: 403, reason: "expired" },
      { reference: "1.0", status: 403, reason: "expired" },
      { reference: "1.0", status: 416, reason: null },
      { action: "blob", reference: AMD64, status: 404, reason: "not_found" },
    ]);
    expect(seen.map((s) => s.isPull)).toEqual([true, false, true, false, false, false]);
  });

  it("a token refused for bad credentials is one failed attempt; other token requests are not pulls", () => {
    const counter = new PullCounter();
    const token = { action: "token" as const, reference: null, digest: null };
    expect(counter.classify(req({ ...token, status: 200 })).isPull).toBe(false);
    expect(counter.classify(req({ ...token, status: 401, reason: "bad_credentials", customerId: null })).isPull).toBe(true);
    expect(counter.classify(req({ ...token, status: 401, reason: "bad_credentials", customerId: null })).isPull).toBe(false);
  });

  it("a token refused because the license may not pull is one failed attempt; a login naming no repository is none", () => {
    const counter = new PullCounter();
    const token = { action: "token" as const, reference: null, digest: null, status: 401 };
    expect(counter.classify(req({ ...token, reason: "expired", repository: "" })).isPull).toBe(false);
    expect(counter.classify(req({ ...token, reason: "expired" })).isPull).toBe(true);
    expect(counter.classify(req({ ...token, reason: "expired" })).isPull).toBe(false);
    expect(counter.classify(req({ ...token, reason: "access_off" })).isPull).toBe(true);
  });

  it("stays within its entry bound", () => {
    const counter = new PullCounter(100);
    for (let i = 0; i < 1000; i++) counter.classify(req({ reference: `t${i}`, digest: `sha256:${String(i).padStart(64, "0")}` }));
    expect((counter as unknown as { entries: Map<string, unknown> }).entries.size).toBeLessThanOrEqual(100);
  });
});

describe("indexChildren", () => {
  it("lists the digests of an OCI index or a Docker manifest list, nothing else", () => {
    const body = Buffer.from(JSON.stringify({ manifests: [{ digest: AMD64 }, { digest: ARM64 }, { nodigest: true }] }));
    expect(indexChildren(body, "application/vnd.oci.image.index.v1+json")).toEqual([AMD64, ARM64]);
    expect(indexChildren(body, "application/vnd.docker.distribution.manifest.list.v2+json; charset=utf-8")).toEqual([AMD64, ARM64]);
    expect(indexChildren(body, "application/vnd.oci.image.manifest.v1+json")).toEqual([]);
    expect(indexChildren(Buffer.from("{not json"), "application/vnd.oci.image.index.v1+json")).toEqual([]);
    expect(indexChildren(undefined, "application/vnd.oci.image.index.v1+json")).toEqual([]);
  });
});
