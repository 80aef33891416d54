import { describe, expect, it } from "vitest";
import { parseWwwAuthenticate, pickChallenge } from "@/lib/upstream/challenge";
import { ExpiringCache } from "@/lib/upstream/expiring-cache";
import { parseImageReference } from "@/lib/upstream/image-ref";
import { apiHost, normalizeEndpoint } from "@/lib/upstream/endpoint";
import { scopeForPath } from "@/lib/upstream/client";

describe("WWW-Authenticate parsing", () => {
  it("parses a Bearer challenge with quoted values containing commas", () => {
    const [c] = parseWwwAuthenticate(
      'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:samalba/my-app:pull,push"',
    );
    expect(c).toEqual({
      scheme: "bearer",
      params: { realm: "https://auth.docker.io/token", service: "registry.docker.io", scope: "repository:samalba/my-app:pull,push" },
    });
  });

  it("parses Basic, unquoted values, escapes, spaces and several challenges", () => {
    expect(parseWwwAuthenticate('Basic realm="Registry \\"Realm\\""')).toEqual([{ scheme: "basic", params: { realm: 'Registry "Realm"' } }]);
    const many = parseWwwAuthenticate('Negotiate abc==, Basic realm=x , Bearer realm="https://a/t", error="insufficient_scope"');
    expect(many.map((c) => c.scheme)).toEqual(["negotiate", "basic", "bearer"]);
    expect(many[1]!.params).toEqual({ realm: "x" });
    expect(many[2]!.params).toEqual({ realm: "https://a/t", error: "insufficient_scope" });
    expect(pickChallenge(many)?.scheme).toBe("bearer");
    expect(parseWwwAuthenticate(undefined)).toEqual([]);
    expect(parseWwwAuthenticate(["Basic realm=a", 'Bearer realm="b"']).length).toBe(2);
  });
});

describe("endpoints and image references", () => {
  it("maps Docker Hub names to the API host and recognises loopback", () => {
    expect(apiHost("index.docker.io")).toBe("registry-1.docker.io");
    expect(apiHost("docker.io")).toBe("registry-1.docker.io");
    expect(apiHost("https://GHCR.io/")).toBe("ghcr.io");
    expect(normalizeEndpoint(" http://127.0.0.1:5000/v2/ ")).toBe("127.0.0.1:5000");
  });

  it("parses image references against an endpoint", () => {
    expect(parseImageReference("acme/api:1.0", "127.0.0.1:5000")).toEqual({ repository: "acme/api", reference: "1.0" });
    expect(parseImageReference("127.0.0.1:5000/acme/api", "127.0.0.1:5000")).toEqual({ repository: "acme/api", reference: "latest" });
    expect(parseImageReference("nginx", "index.docker.io")).toEqual({ repository: "library/nginx", reference: "latest" });
    expect(parseImageReference("docker.io/nginx:1", "index.docker.io")).toEqual({ repository: "library/nginx", reference: "1" });
    const digest = `sha256:${"a".repeat(64)}`;
    expect(parseImageReference(`acme/api@${digest}`, "ghcr.io")).toEqual({ repository: "acme/api", reference: digest });
    expect(parseImageReference("Acme/API", "ghcr.io")).toBeNull();
    expect(parseImageReference("acme/api:bad tag", "ghcr.io")).toBeNull();
  });

  it("derives the pull scope from registry API paths", () => {
    expect(scopeForPath("/v2/")).toBe("");
    expect(scopeForPath("/v2/acme/api/manifests/1.0")).toBe("repository:acme/api:pull");
    expect(scopeForPath("/v2/a/b/c/blobs/sha256:00")).toBe("repository:a/b/c:pull");
    expect(scopeForPath("/v2/acme/api/tags/list?n=2")).toBe("repository:acme/api:pull");
  });
});

describe("expiring credential cache", () => {
  it("honours expiry with a refresh margin and shares concurrent fetches", async () => {
    let now = 1_000_000;
    const cache = new ExpiringCache<string>({ refreshMarginMs: 30_000, refreshMarginFraction: 0.2, now: () => now });
    let fetches = 0;
    const fetch = async () => ({ value: `t${++fetches}`, expiresAt: now + 300_000 });
    const [a, b] = await Promise.all([cache.getOrFetch("k", fetch), cache.getOrFetch("k", fetch)]);
    expect([a, b, fetches]).toEqual(["t1", "t1", 1]);
    now += 269_000; // 31 s before expiry: still usable
    expect(await cache.getOrFetch("k", fetch)).toBe("t1");
    now += 2_000; // 29 s before expiry: inside the margin, refreshed
    expect(await cache.getOrFetch("k", fetch)).toBe("t2");
    // A 10 s token is refreshed 2 s early (20 % of its life), not 30 s early.
    cache.set("short", { value: "s", expiresAt: now + 10_000 });
    now += 7_900;
    expect(cache.get("short")).toBe("s");
    now += 200;
    expect(cache.get("short")).toBeUndefined();
  });
});
