import { DIGEST } from "@/lib/images/reference";

// OCI 1.1 referrers (distribution-spec "Listing Referrers"): what
// GET /v2/<name>/referrers/<digest> answers, an image index of the manifests
// whose `subject` is that digest. Registries without the API (Distribution
// 2.8, several hosted ones) hold the same list under the referrers tag schema
// instead: an image index tagged `<alg>-<hex>` that clients maintain when
// they push a signature or SBOM. Pure functions, shared by the proxy's
// referrers handler and its tests.

export const OCI_INDEX_MEDIA_TYPE = "application/vnd.oci.image.index.v1+json";

export type ReferrerDescriptor = {
  mediaType: string;
  digest: string;
  size: number;
  artifactType?: string;
  annotations?: Record<string, string>;
};

// RFC 6838 type/subtype (restricted-name characters), as artifactType values are.
const MEDIA_TYPE = /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}$/;
const MAX_DESCRIPTORS = 10_000;

export function isMediaType(value: string): boolean {
  return MEDIA_TYPE.test(value);
}

/** `sha256:<hex>` → `sha256-<hex>`: the fallback tag, its hex part cut at 64 characters as the spec says. */
export function referrersTagFor(digest: string): string {
  const colon = digest.indexOf(":");
  return `${digest.slice(0, colon)}-${digest.slice(colon + 1, colon + 1 + 64)}`;
}

/**
 * The descriptors listed by an image index, or null when the bytes are not
 * one. Only a descriptor's own fields are kept, and entries that are not
 * well-formed descriptors are left out rather than passed on to clients.
 */
export function parseIndexDescriptors(body: Buffer | string): ReferrerDescriptor[] | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(typeof body === "string" ? body : body.toString("utf8"));
  } catch {
    return null;
  }
  if (!isObject(parsed) || parsed.schemaVersion !== 2 || !Array.isArray(parsed.manifests)) return null;
  if (parsed.mediaType !== undefined && parsed.mediaType !== OCI_INDEX_MEDIA_TYPE) return null;
  const descriptors: ReferrerDescriptor[] = [];
  for (const entry of parsed.manifests.slice(0, MAX_DESCRIPTORS)) {
    const descriptor = toDescriptor(entry);
    if (descriptor) descriptors.push(descriptor);
  }
  return descriptors;
}

/** The descriptors whose artifactType is `artifactType` (all of them when it is null). */
export function filterByArtifactType(descriptors: ReferrerDescriptor[], artifactType: string | null): ReferrerDescriptor[] {
  return artifactType === null ? descriptors : descriptors.filter((d) => d.artifactType === artifactType);
}

/** The referrers response body: an OCI image index (empty when there are no referrers). */
export function referrersIndexBody(descriptors: ReferrerDescriptor[]): string {
  return JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX_MEDIA_TYPE, manifests: descriptors });
}

function toDescriptor(entry: unknown): ReferrerDescriptor | null {
  if (!isObject(entry)) return null;
  const { mediaType, digest, size, artifactType, annotations } = entry;
  if (typeof mediaType !== "string" || !isMediaType(mediaType)) return null;
  if (typeof digest !== "string" || digest.length > 200 || !DIGEST.test(digest)) return null;
  if (typeof size !== "number" || !Number.isSafeInteger(size) || size < 0) return null;
  const descriptor: ReferrerDescriptor = { mediaType, digest, size };
  if (typeof artifactType === "string" && isMediaType(artifactType)) descriptor.artifactType = artifactType;
  if (isObject(annotations)) {
    const kept = Object.entries(annotations).filter((kv): kv is [string, string] => typeof kv[1] === "string");
    if (kept.length) descriptor.annotations = Object.fromEntries(kept);
  }
  return descriptor;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
