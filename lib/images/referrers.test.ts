import { describe, expect, it } from "vitest";
import { filterByArtifactType, isMediaType, parseIndexDescriptors, referrersIndexBody, referrersTagFor } from "./referrers";

const D = (c: string) => `sha256:${c.repeat(64)}`;
const SBOM = "application/vnd.example.sbom+json";
const SIG = "application/vnd.dev.cosign.artifact.sig.v1+json";

describe("referrers helpers", () => {
  it("names the fallback tag per the spec, cutting long digests at 64 hex characters", () => {
    expect(referrersTagFor(D("a"))).toBe(`sha256-${"a".repeat(64)}`);
    expect(referrersTagFor(`sha512:${"b".repeat(128)}`)).toBe(`sha512-${"b".repeat(64)}`);
  });

  it("reads the descriptors of an image index, keeping only descriptor fields", () => {
    const index = {
      schemaVersion: 2,
      mediaType: "application/vnd.oci.image.index.v1+json",
      manifests: [
        { mediaType: "application/vnd.oci.image.manifest.v1+json", digest: D("1"), size: 10, artifactType: SBOM, annotations: { "org.example": "x", bad: 3 }, extra: "dropped" },
        { mediaType: "application/vnd.oci.image.manifest.v1+json", digest: D("2"), size: 20, artifactType: SIG },
        { mediaType: "application/vnd.oci.image.manifest.v1+json", digest: "not a digest", size: 1 },
        { mediaType: "application/vnd.oci.image.manifest.v1+json", digest: D("3"), size: -1 },
        "junk",
      ],
    };
    expect(parseIndexDescriptors(JSON.stringify(index))).toEqual([
      { mediaType: "application/vnd.oci.image.manifest.v1+json", digest: D("1"), size: 10, artifactType: SBOM, annotations: { "org.example": "x" } },
      { mediaType: "application/vnd.oci.image.manifest.v1+json", digest: D("2"), size: 20, artifactType: SIG },
    ]);
  });

  it("refuses what is not an image index", () => {
    for (const body of ["", "{", "[]", JSON.stringify({ schemaVersion: 2 }), JSON.stringify({ schemaVersion: 1, manifests: [] }),
      JSON.stringify({ schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json", manifests: [] })]) {
      expect(parseIndexDescriptors(body), body).toBeNull();
    }
  });

  it("filters by artifactType and writes an OCI index", () => {
    const descriptors = [
      { mediaType: "m/x", digest: D("1"), size: 1, artifactType: SBOM },
      { mediaType: "m/x", digest: D("2"), size: 2, artifactType: SIG },
      { mediaType: "m/x", digest: D("3"), size: 3 },
    ];
    expect(filterByArtifactType(descriptors, SBOM).map((d) => d.digest)).toEqual([D("1")]);
    expect(filterByArtifactType(descriptors, null)).toHaveLength(3);
    expect(JSON.parse(referrersIndexBody([]))).toEqual({ schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json", manifests: [] });
  });

  it("knows a media type", () => {
    expect(isMediaType(SBOM)).toBe(true);
    for (const bad of ["", "sbom", "a/b/c", "a b/c", `a/${"x".repeat(200)}`]) expect(isMediaType(bad), bad).toBe(false);
  });
});

describe("parseIndexDescriptors on hostile or sloppy upstream answers", () => {
  const M = "application/vnd.oci.image.manifest.v1+json";
  const good = { mediaType: M, digest: D("3"), size: 30 };
  const index = (manifests: unknown[], extra: Record<string, unknown> = {}) => JSON.stringify({ schemaVersion: 2, manifests, ...extra });

  it("reads bytes and strings alike; refuses what is not JSON or not an index", () => {
    expect(parseIndexDescriptors(Buffer.from(index([good])))).toEqual([good]);
    expect(parseIndexDescriptors(index([good]))).toEqual([good]);
    expect(parseIndexDescriptors(Buffer.from("{not json"))).toBeNull();
    expect(parseIndexDescriptors("{not json")).toBeNull();
    expect(parseIndexDescriptors(index([good], { mediaType: "application/vnd.oci.image.index.v1+json" }))).toEqual([good]);
    expect(parseIndexDescriptors(index([good], { mediaType: M }))).toBeNull();
    expect(parseIndexDescriptors(JSON.stringify({ schemaVersion: 1, manifests: [good] }))).toBeNull();
    expect(parseIndexDescriptors(JSON.stringify({ schemaVersion: 2, manifests: {} }))).toBeNull();
    expect(parseIndexDescriptors(JSON.stringify([good]))).toBeNull();
    expect(parseIndexDescriptors("null")).toBeNull();
  });

  it("leaves out every entry that is not a well-formed descriptor", () => {
    const bad = [
      null,
      [good],
      "x",
      { ...good, mediaType: 7 },
      { ...good, mediaType: "not a media type" },
      { ...good, digest: 7 },
      { ...good, digest: "sha256:not/a/digest" },
      { ...good, digest: "no-algorithm" },
      { ...good, digest: `sha256:${"a".repeat(200)}` },
      { ...good, size: "30" },
      { ...good, size: 1.5 },
      { ...good, size: -1 },
      { ...good, size: 2 ** 60 },
    ];
    expect(parseIndexDescriptors(index([...bad, good]))).toEqual([good]);
    // The edges that are fine.
    const zero = { ...good, size: 0 };
    const longest = { ...good, digest: `sha256:${"a".repeat(193)}` };
    expect(longest.digest).toHaveLength(200);
    expect(parseIndexDescriptors(index([zero, longest]))).toEqual([zero, longest]);
  });

  it("keeps a valid artifactType and string annotations only", () => {
    expect(parseIndexDescriptors(index([{ ...good, artifactType: 5 }]))).toEqual([good]);
    expect(parseIndexDescriptors(index([{ ...good, artifactType: "nope" }]))).toEqual([good]);
    expect(parseIndexDescriptors(index([{ ...good, annotations: { n: 1 } }]))).toEqual([good]);
    expect(parseIndexDescriptors(index([{ ...good, annotations: ["a"] }]))).toEqual([good]);
    expect(parseIndexDescriptors(index([{ ...good, annotations: "a" }]))).toEqual([good]);
    expect(parseIndexDescriptors(index([{ ...good, artifactType: SBOM, annotations: { a: "b", n: 1 } }]))).toEqual([{ ...good, artifactType: SBOM, annotations: { a: "b" } }]);
  });

  it("reads at most the first descriptors of a huge index", () => {
    const many = Array.from({ length: 10_001 }, () => good);
    expect(parseIndexDescriptors(index(many))).toHaveLength(10_000);
  });
});
