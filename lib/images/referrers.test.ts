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
