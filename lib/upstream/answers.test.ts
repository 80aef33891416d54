import { describe, expect, it } from "vitest";
import {
  checkManifest,
  checkReferrersIndex,
  DOCKER_MANIFEST,
  DOCKER_MANIFEST_LIST,
  isManifestMediaType,
  manifestMediaType,
  mediaTypeOf,
  OCI_INDEX,
  OCI_MANIFEST,
  parseTagList,
} from "@/lib/upstream/answers";
import { UpstreamError } from "@/lib/upstream/errors";

const HOST = "registry.example.com";
const descriptor = (mediaType = "application/vnd.oci.image.layer.v1.tar+gzip") => ({ mediaType, digest: `sha256:${"a".repeat(64)}`, size: 10 });
const json = (value: unknown) => Buffer.from(JSON.stringify(value));
const image = (mediaType?: string) => ({ schemaVersion: 2, ...(mediaType ? { mediaType } : {}), config: descriptor("application/vnd.oci.image.config.v1+json"), layers: [descriptor()] });
const index = (mediaType?: string) => ({ schemaVersion: 2, ...(mediaType ? { mediaType } : {}), manifests: [descriptor(OCI_MANIFEST)] });

function invalid(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(UpstreamError);
    expect((err as UpstreamError).kind).toBe("bad_response");
    expect((err as Error).message.startsWith(`${HOST} `)).toBe(true);
    return (err as Error).message;
  }
  throw new Error("expected an invalid answer");
}

describe("media types", () => {
  it("reads the bare type from a Content-Type", () => {
    expect(mediaTypeOf("Application/VND.oci.image.manifest.v1+json; charset=utf-8")).toBe(OCI_MANIFEST);
    expect(mediaTypeOf(undefined)).toBe("");
    expect(isManifestMediaType(` ${DOCKER_MANIFEST} `)).toBe(true);
    expect(isManifestMediaType("application/json")).toBe(false);
    expect(isManifestMediaType(undefined)).toBe(false);
    expect(manifestMediaType(`${OCI_INDEX};q=1`, HOST)).toBe(OCI_INDEX);
    expect(invalid(() => manifestMediaType("text/html", HOST))).toBe(`${HOST} answered a manifest request with Content-Type "text/html", not a manifest type`);
    expect(invalid(() => manifestMediaType(undefined, HOST))).toContain('Content-Type "none"');
  });
});

describe("checkManifest", () => {
  it("accepts the four manifest types, with or without a matching mediaType field", () => {
    expect(checkManifest(json(image(OCI_MANIFEST)), OCI_MANIFEST, HOST)).toBe(OCI_MANIFEST);
    expect(checkManifest(json(image()), OCI_MANIFEST, HOST)).toBe(OCI_MANIFEST);
    expect(checkManifest(json(image(DOCKER_MANIFEST)), DOCKER_MANIFEST, HOST)).toBe(DOCKER_MANIFEST);
    expect(checkManifest(json(index(OCI_INDEX)), OCI_INDEX, HOST)).toBe(OCI_INDEX);
    expect(checkManifest(json(index(DOCKER_MANIFEST_LIST)), `${DOCKER_MANIFEST_LIST}; charset=utf-8`, HOST)).toBe(DOCKER_MANIFEST_LIST);
    expect(checkManifest(json({ ...image(), layers: [] }), OCI_MANIFEST, HOST)).toBe(OCI_MANIFEST);
  });

  it("refuses anything else, saying why", () => {
    expect(invalid(() => checkManifest(json(image()), "application/json", HOST))).toContain("not a manifest type");
    expect(invalid(() => checkManifest(Buffer.from("<html>"), OCI_MANIFEST, HOST))).toBe(`${HOST} sent a manifest that is not JSON`);
    expect(invalid(() => checkManifest(json([image()]), OCI_MANIFEST, HOST))).toBe(`${HOST} sent a manifest that is not a JSON object`);
    expect(invalid(() => checkManifest(json(null), OCI_MANIFEST, HOST))).toContain("not a JSON object");
    expect(invalid(() => checkManifest(json("x"), OCI_MANIFEST, HOST))).toContain("not a JSON object");
    expect(invalid(() => checkManifest(json({ ...image(), schemaVersion: 1 }), OCI_MANIFEST, HOST))).toBe(`${HOST} sent a manifest without schemaVersion 2`);
    expect(invalid(() => checkManifest(json({ ...image(), schemaVersion: "2" }), OCI_MANIFEST, HOST))).toContain("schemaVersion 2");
    expect(invalid(() => checkManifest(json(image(DOCKER_MANIFEST)), OCI_MANIFEST, HOST))).toBe(
      `${HOST} sent a manifest whose mediaType does not match its Content-Type ${OCI_MANIFEST}`,
    );
    expect(invalid(() => checkManifest(json(image(OCI_MANIFEST)), OCI_INDEX, HOST))).toContain("does not match");
    expect(invalid(() => checkManifest(json(image()), OCI_INDEX, HOST))).toBe(`${HOST} sent an image index without a valid manifests list`);
    expect(invalid(() => checkManifest(json(index()), OCI_MANIFEST, HOST))).toBe(`${HOST} sent an image manifest without valid config and layers`);
    expect(invalid(() => checkManifest(json({ ...index(), manifests: {} }), OCI_INDEX, HOST))).toContain("manifests list");
    expect(invalid(() => checkManifest(json({ ...index(), manifests: [{ digest: "sha256:x" }] }), OCI_INDEX, HOST))).toContain("manifests list");
    expect(invalid(() => checkManifest(json({ ...image(), config: "x" }), OCI_MANIFEST, HOST))).toContain("config and layers");
    expect(invalid(() => checkManifest(json({ ...image(), layers: "x" }), OCI_MANIFEST, HOST))).toContain("config and layers");
    expect(invalid(() => checkManifest(json({ ...image(), layers: [null] }), OCI_MANIFEST, HOST))).toContain("config and layers");
  });

  it("checks every descriptor field", () => {
    const withLayer = (layer: Record<string, unknown>) => json({ ...image(), layers: [layer] });
    expect(checkManifest(withLayer({ ...descriptor(), size: 0 }), OCI_MANIFEST, HOST)).toBe(OCI_MANIFEST);
    for (const bad of [
      { ...descriptor(), mediaType: 5 },
      { ...descriptor(), digest: 5 },
      { ...descriptor(), digest: "not a digest" },
      { ...descriptor(), size: -1 },
      { ...descriptor(), size: 1.5 },
      { ...descriptor(), size: "10" },
      { digest: descriptor().digest, size: 1 },
    ]) {
      expect(invalid(() => checkManifest(withLayer(bad), OCI_MANIFEST, HOST)), JSON.stringify(bad)).toContain("config and layers");
    }
  });
});

describe("parseTagList", () => {
  it("reads {name, tags}, with null tags as none", () => {
    expect(parseTagList(json({ name: "acme/api", tags: ["1.0", "latest", "v2_rc-1.x"] }), HOST)).toEqual({ name: "acme/api", tags: ["1.0", "latest", "v2_rc-1.x"] });
    expect(parseTagList(json({ name: "acme/api", tags: null }), HOST)).toEqual({ name: "acme/api", tags: [] });
    expect(parseTagList(json({ name: "acme/api" }), HOST)).toEqual({ name: "acme/api", tags: [] });
  });

  it("refuses other shapes", () => {
    expect(invalid(() => parseTagList(json({ tags: ["1.0"] }), HOST))).toBe(`${HOST} sent a tag list without a repository name`);
    expect(invalid(() => parseTagList(json({ name: 1, tags: [] }), HOST))).toContain("without a repository name");
    expect(invalid(() => parseTagList(json({ name: "a", tags: "1.0" }), HOST))).toBe(`${HOST} sent a tag list whose tags are not a list of tag names`);
    expect(invalid(() => parseTagList(json({ name: "a", tags: [1] }), HOST))).toContain("not a list of tag names");
    expect(invalid(() => parseTagList(json({ name: "a", tags: ["../etc"] }), HOST))).toContain("not a list of tag names");
    expect(invalid(() => parseTagList(json({ name: "a", tags: [".hidden"] }), HOST))).toContain("not a list of tag names");
    expect(invalid(() => parseTagList(Buffer.from("tags"), HOST))).toBe(`${HOST} sent a tag list that is not JSON`);
  });
});

describe("checkReferrersIndex", () => {
  it("accepts an OCI image index, empty or not", () => {
    expect(() => checkReferrersIndex(json(index(OCI_INDEX)), OCI_INDEX, HOST)).not.toThrow();
    expect(() => checkReferrersIndex(json({ schemaVersion: 2, manifests: [] }), `${OCI_INDEX}; charset=utf-8`, HOST)).not.toThrow();
  });

  it("refuses anything else", () => {
    expect(invalid(() => checkReferrersIndex(json(index(OCI_INDEX)), "application/json", HOST))).toBe(
      `${HOST} answered a referrers request with Content-Type "application/json", not an OCI image index`,
    );
    expect(invalid(() => checkReferrersIndex(json(index(OCI_INDEX)), undefined, HOST))).toContain('"none"');
    expect(invalid(() => checkReferrersIndex(json(index(DOCKER_MANIFEST_LIST)), OCI_INDEX, HOST))).toBe(`${HOST} sent a referrers answer that is not an OCI image index`);
    expect(invalid(() => checkReferrersIndex(json({ ...index(), schemaVersion: 1 }), OCI_INDEX, HOST))).toContain("not an OCI image index");
    expect(invalid(() => checkReferrersIndex(json({ schemaVersion: 2 }), OCI_INDEX, HOST))).toBe(`${HOST} sent a referrers index without a valid manifests list`);
    expect(invalid(() => checkReferrersIndex(json({ schemaVersion: 2, manifests: [{}] }), OCI_INDEX, HOST))).toContain("manifests list");
    expect(invalid(() => checkReferrersIndex(Buffer.from("{"), OCI_INDEX, HOST))).toBe(`${HOST} sent a referrers answer that is not JSON`);
  });
});
