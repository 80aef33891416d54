import { DIGEST, TAG } from "@/lib/images/reference";
import { UpstreamError } from "@/lib/upstream/errors";

// What a registry answer must look like before the proxy serves or caches
// it. A vendor's registry is tenant-controlled: without these checks any
// body it (or whatever it redirects to) returns would be handed to customers
// as a manifest, a tag list or a referrers index, and written to the cache.
// Every failure is an UpstreamError "bad_response" whose message says what
// was wrong (for the log and the vendor's pull events; customers see
// "upstream returned an invalid response").

export const OCI_INDEX = "application/vnd.oci.image.index.v1+json";
export const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
export const DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
export const DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";

/** The manifest media types the proxy passes through. */
export const MANIFEST_MEDIA_TYPES: readonly string[] = [OCI_INDEX, OCI_MANIFEST, DOCKER_MANIFEST_LIST, DOCKER_MANIFEST];
const INDEX_TYPES = new Set([OCI_INDEX, DOCKER_MANIFEST_LIST]);

/** `application/vnd.oci.image.manifest.v1+json; charset=utf-8` → the bare, lower-case media type. */
export function mediaTypeOf(contentType: string | undefined): string {
  return (contentType ?? "").split(";")[0]!.trim().toLowerCase();
}

export function isManifestMediaType(contentType: string | undefined): boolean {
  return MANIFEST_MEDIA_TYPES.includes(mediaTypeOf(contentType));
}

function invalid(host: string, what: string): UpstreamError {
  return new UpstreamError("bad_response", `${host} ${what}`);
}

/** The media type of a manifest answer (GET or HEAD), from its Content-Type; throws unless it is a manifest type. */
export function manifestMediaType(contentType: string | undefined, host: string): string {
  const mediaType = mediaTypeOf(contentType);
  if (!MANIFEST_MEDIA_TYPES.includes(mediaType)) {
    throw invalid(host, `answered a manifest request with Content-Type ${JSON.stringify((contentType ?? "none").slice(0, 100))}, not a manifest type`);
  }
  return mediaType;
}

function parseObject(body: Buffer, host: string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(body.toString("utf8"));
  } catch {
    throw invalid(host, `sent a ${what} that is not JSON`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw invalid(host, `sent a ${what} that is not a JSON object`);
  return value as Record<string, unknown>;
}

function isDescriptor(value: unknown): boolean {
  if (typeof value !== "object" || value === null) return false;
  const d = value as Record<string, unknown>;
  return typeof d.mediaType === "string" && typeof d.digest === "string" && DIGEST.test(d.digest) && Number.isSafeInteger(d.size) && (d.size as number) >= 0;
}

/**
 * Checks a manifest body against its Content-Type: JSON, schemaVersion 2, a
 * `mediaType` field (when present) equal to the Content-Type, and the shape of
 * that type (an index lists `manifests`, an image manifest has `config` and
 * `layers` descriptors). Returns the media type.
 */
export function checkManifest(body: Buffer, contentType: string | undefined, host: string): string {
  const mediaType = manifestMediaType(contentType, host);
  const manifest = parseObject(body, host, "manifest");
  if (manifest.schemaVersion !== 2) throw invalid(host, "sent a manifest without schemaVersion 2");
  if (manifest.mediaType !== undefined && manifest.mediaType !== mediaType) {
    throw invalid(host, `sent a manifest whose mediaType does not match its Content-Type ${mediaType}`);
  }
  if (INDEX_TYPES.has(mediaType)) {
    if (!Array.isArray(manifest.manifests) || !manifest.manifests.every(isDescriptor)) throw invalid(host, "sent an image index without a valid manifests list");
  } else if (!isDescriptor(manifest.config) || !Array.isArray(manifest.layers) || !manifest.layers.every(isDescriptor)) {
    throw invalid(host, "sent an image manifest without valid config and layers");
  }
  return mediaType;
}

export type TagList = { name: string; tags: string[] };

/** `{"name": "...", "tags": [...]}` (tags may be null for an empty repository); every tag a valid tag name. */
export function parseTagList(body: Buffer, host: string): TagList {
  const list = parseObject(body, host, "tag list");
  if (typeof list.name !== "string") throw invalid(host, "sent a tag list without a repository name");
  const tags = list.tags === null || list.tags === undefined ? [] : list.tags;
  if (!Array.isArray(tags) || !tags.every((tag) => typeof tag === "string" && TAG.test(tag))) {
    throw invalid(host, "sent a tag list whose tags are not a list of tag names");
  }
  return { name: list.name, tags: tags as string[] };
}

/** A referrers answer: an OCI image index (Content-Type and body) whose manifests are descriptors. */
export function checkReferrersIndex(body: Buffer, contentType: string | undefined, host: string): void {
  if (mediaTypeOf(contentType) !== OCI_INDEX) {
    throw invalid(host, `answered a referrers request with Content-Type ${JSON.stringify((contentType ?? "none").slice(0, 100))}, not an OCI image index`);
  }
  const index = parseObject(body, host, "referrers answer");
  if (index.schemaVersion !== 2 || (index.mediaType !== undefined && index.mediaType !== OCI_INDEX)) {
    throw invalid(host, "sent a referrers answer that is not an OCI image index");
  }
  if (!Array.isArray(index.manifests) || !index.manifests.every(isDescriptor)) throw invalid(host, "sent a referrers index without a valid manifests list");
}
