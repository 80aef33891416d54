import { describe, expect, it } from "vitest";
import { isValidDigest, parseRegistryPath } from "./repository-path";
import { splitUpstream } from "@/lib/images/upstream-segments";

const D = `sha256:${"a".repeat(64)}`;

describe("parseRegistryPath", () => {
  it("parses manifests by tag and digest", () => {
    expect(parseRegistryPath("/v2/proxy/acme/ghcr.io/acme/api/manifests/1.2.0")).toEqual({
      ok: true, action: "manifest", repository: "proxy/acme/ghcr.io/acme/api", appSlug: "acme", segments: ["ghcr.io", "acme", "api"], reference: "1.2.0",
    });
    const byDigest = parseRegistryPath(`/v2/proxy/acme/reg/api/manifests/${D}`);
    expect(byDigest.ok && byDigest.reference).toBe(D);
  });

  it("parses blobs, tags and referrers, keeping a host with a port", () => {
    const blob = parseRegistryPath(`/v2/proxy/acme/127.0.0.1:5000/team/api/blobs/${D}`);
    expect(blob).toMatchObject({ ok: true, action: "blob", segments: ["127.0.0.1:5000", "team", "api"] });
    expect(parseRegistryPath("/v2/proxy/acme/nginx/tags/list")).toMatchObject({ ok: true, action: "tags", segments: ["nginx"], reference: null });
    expect(parseRegistryPath(`/v2/proxy/acme/reg/api/referrers/${D}`)).toMatchObject({ ok: true, action: "referrers" });
  });

  it("uses the last marker so image names may contain the word blobs", () => {
    const r = parseRegistryPath(`/v2/proxy/acme/reg/blobs/tool/blobs/${D}`);
    expect(r).toMatchObject({ ok: true, action: "blob", segments: ["reg", "blobs", "tool"] });
  });

  it("rejects malformed names and digests with OCI codes, never throwing", () => {
    expect(parseRegistryPath("/v2/proxy/acme/reg/Bad_Name/manifests/latest")).toMatchObject({ ok: false, code: "NAME_INVALID" });
    expect(parseRegistryPath("/v2/proxy/ac..me/reg/api/manifests/latest")).toMatchObject({ ok: false, code: "NAME_INVALID" });
    expect(parseRegistryPath(`/v2/proxy/acme/reg/${"a".repeat(260)}/manifests/latest`)).toMatchObject({ ok: false, code: "NAME_INVALID" });
    expect(parseRegistryPath("/v2/proxy/acme/reg/api/referrers/sha256:xyz")).toMatchObject({ ok: false, code: "DIGEST_INVALID" });
    expect(parseRegistryPath("/v2/proxy/acme/reg/api/referrers/latest")).toMatchObject({ ok: false, code: "DIGEST_INVALID" });
    expect(parseRegistryPath("/v2/other/acme/api/manifests/latest")).toMatchObject({ ok: false, code: "NAME_UNKNOWN" });
    expect(parseRegistryPath("/v2/proxy/acme/manifests/latest")).toMatchObject({ ok: false, code: "NAME_INVALID" });
    expect(parseRegistryPath("/v2/proxy/acme/reg/api/uploads/")).toMatchObject({ ok: false, code: "NOT_FOUND" });
  });

  it("marks manifest and blob references no registry could hold, for a 404 after the license check", () => {
    for (const path of [
      "/v2/proxy/acme/reg/api/blobs/sha256:xyz",
      "/v2/proxy/acme/reg/api/blobs/notadigest",
      `/v2/proxy/acme/reg/api/blobs/md5:${"a".repeat(32)}`,
      "/v2/proxy/acme/reg/api/manifests/sha256:abc",
      "/v2/proxy/acme/reg/api/manifests/-bad",
      "/v2/proxy/acme/reg/api/manifests/.INVALID_MANIFEST_NAME",
      `/v2/proxy/acme/reg/api/manifests/${"t".repeat(129)}`,
    ]) {
      expect(parseRegistryPath(path), path).toMatchObject({ ok: true, unknownReference: true });
    }
    for (const path of ["/v2/proxy/acme/reg/api/manifests/1.0", `/v2/proxy/acme/reg/api/manifests/${D}`, `/v2/proxy/acme/reg/api/blobs/${D}`]) {
      expect(parseRegistryPath(path), path).not.toHaveProperty("unknownReference");
    }
  });

  it("knows which digests it can verify", () => {
    expect(isValidDigest(D)).toBe(true);
    expect(isValidDigest(`sha512:${"b".repeat(128)}`)).toBe(true);
    expect(isValidDigest(`sha256:${"A".repeat(64)}`)).toBe(false);
    expect(isValidDigest(`md5:${"a".repeat(32)}`)).toBe(false);
  });
});

describe("splitUpstream", () => {
  const aliases = new Set(["internal"]);
  const isAlias = (s: string) => aliases.has(s);
  it("normalises Docker Hub names", () => {
    expect(splitUpstream(["nginx"], isAlias)).toEqual({ kind: "dockerhub", host: "docker.io", image: "library/nginx" });
    expect(splitUpstream(["acme", "api"], isAlias)).toEqual({ kind: "dockerhub", host: "docker.io", image: "acme/api" });
    expect(splitUpstream(["index.docker.io", "nginx"], isAlias)).toEqual({ kind: "dockerhub", host: "docker.io", image: "library/nginx" });
    expect(splitUpstream(["registry-1.docker.io", "acme", "api"], isAlias)).toEqual({ kind: "dockerhub", host: "docker.io", image: "acme/api" });
  });
  it("recognises hosts and aliases", () => {
    expect(splitUpstream(["ghcr.io", "acme", "api"], isAlias)).toEqual({ kind: "host", host: "ghcr.io", image: "acme/api" });
    expect(splitUpstream(["localhost:5000", "api"], isAlias)).toEqual({ kind: "host", host: "localhost:5000", image: "api" });
    expect(splitUpstream(["localhost", "api"], isAlias)).toEqual({ kind: "host", host: "localhost", image: "api" });
    expect(splitUpstream(["internal", "acme", "api"], isAlias)).toEqual({ kind: "alias", alias: "internal", image: "acme/api" });
    expect(splitUpstream(["ghcr.io"], isAlias)).toBeNull();
    expect(splitUpstream(["internal"], isAlias)).toBeNull();
  });
});

describe("parseRegistryPath: exact answers at the edges", () => {
  it("names what is wrong, word for word", () => {
    expect(parseRegistryPath("/v3/proxy/acme/reg/api/manifests/1")).toEqual({ ok: false, code: "NOT_FOUND", message: "not a registry API path" });
    for (const path of ["/v2//manifests/latest", "/v2//tags/list", "/v2/proxy/acme/reg/api/manifests/", "/v2/proxy/acme/reg/api/manifests/a/b", "/v2/proxy/acme/reg/api/tags/list/x"]) {
      expect(parseRegistryPath(path), path).toEqual({ ok: false, code: "NOT_FOUND", message: "unknown registry API path" });
    }
    const repository = (name: string) => ({ repository: name });
    expect(parseRegistryPath("/v2/other/acme/api/manifests/1")).toEqual({
      ok: false, code: "NAME_UNKNOWN", message: "repository names start with proxy/<app>/<registry>/<image>", ...repository("other/acme/api"),
    });
    expect(parseRegistryPath("/v2/proxy/acme/manifests/1")).toEqual({ ok: false, code: "NAME_INVALID", message: "repository name must be proxy/<app>/<registry>/<image>", ...repository("proxy/acme") });
    expect(parseRegistryPath("/v2/proxy/Acme/reg/api/manifests/1")).toMatchObject({ code: "NAME_INVALID", message: 'invalid app slug "Acme"' });
    expect(parseRegistryPath("/v2/proxy/acme/re_g/api/manifests/1")).toMatchObject({ code: "NAME_INVALID", message: 'invalid registry "re_g"' });
    expect(parseRegistryPath("/v2/proxy/acme/reg/API/manifests/1")).toMatchObject({ code: "NAME_INVALID", message: 'invalid repository name component "API"' });
    expect(parseRegistryPath("/v2/proxy/acme/reg/api/referrers/latest")).toEqual({ ok: false, code: "DIGEST_INVALID", message: 'invalid digest "latest"', repository: "proxy/acme/reg/api" });
  });

  it("cuts long values in messages at 80 characters", () => {
    const at80 = "a".repeat(80);
    const at81 = "b".repeat(81);
    expect(parseRegistryPath(`/v2/proxy/acme/reg/api/referrers/${at80}`)).toMatchObject({ message: `invalid digest "${at80}"` });
    expect(parseRegistryPath(`/v2/proxy/acme/reg/api/referrers/${at81}`)).toMatchObject({ message: `invalid digest "${"b".repeat(77)}..."` });
  });

  it("allows names of exactly 255 characters, not 256", () => {
    const name = (length: number) => `proxy/acme/reg/${"a".repeat(length - "proxy/acme/reg/".length)}`;
    expect(parseRegistryPath(`/v2/${name(255)}/manifests/1`)).toMatchObject({ ok: true, repository: name(255) });
    expect(parseRegistryPath(`/v2/${name(256)}/manifests/1`)).toEqual({ ok: false, code: "NAME_INVALID", message: "repository name longer than 255 characters", repository: name(256) });
  });

  it("takes the last action marker, whichever it is, and /tags/list only at the end", () => {
    expect(parseRegistryPath(`/v2/proxy/acme/reg/referrers/x/manifests/1.0`)).toEqual({
      ok: true, action: "manifest", repository: "proxy/acme/reg/referrers/x", appSlug: "acme", segments: ["reg", "referrers", "x"], reference: "1.0",
    });
    expect(parseRegistryPath(`/v2/proxy/acme/reg/manifests/x/blobs/${D}`)).toMatchObject({ ok: true, action: "blob", segments: ["reg", "manifests", "x"] });
    expect(parseRegistryPath(`/v2/proxy/acme/reg/blobs/x/referrers/${D}`)).toMatchObject({ ok: true, action: "referrers", segments: ["reg", "blobs", "x"] });
    expect(parseRegistryPath("/v2/proxy/acme/reg/tags/list/manifests/1.0")).toMatchObject({ ok: true, action: "manifest", segments: ["reg", "tags", "list"], reference: "1.0" });
    expect(parseRegistryPath("/v2/proxy/acme/reg/api/manifests/tags/list")).toEqual({
      ok: true, action: "tags", repository: "proxy/acme/reg/api/manifests", appSlug: "acme", segments: ["reg", "api", "manifests"], reference: null,
    });
  });

  it("accepts only digests it can verify, whatever the generic grammar allows", () => {
    expect(isValidDigest(`${D}:x`)).toBe(false);
    expect(isValidDigest(`sha512:${"a".repeat(64)}`)).toBe(false);
    expect(isValidDigest(`sha256:${"a".repeat(128)}`)).toBe(false);
    expect(isValidDigest(`sha384:${"a".repeat(96)}`)).toBe(false);
  });
});
