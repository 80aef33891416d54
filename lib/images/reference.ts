// Container image references, in one place for the portal's image rewriter,
// the registry connection test and the proxy: the OCI name grammar, tags,
// digests, and Docker Hub's naming rules (DESIGN.md "Image paths").

export const DOCKER_HUB_HOST = "docker.io";
/** Where Docker Hub's registry API actually lives. */
export const DOCKER_HUB_API_HOST = "registry-1.docker.io";
const DOCKER_HUB_NAMES = new Set(["docker.io", "index.docker.io", "registry-1.docker.io"]);

/** One path component of a repository name (OCI distribution-spec). */
export const PATH_COMPONENT = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*$/;
export const REPOSITORY_NAME = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)*$/;
export const TAG = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;
export const DIGEST = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;

export function isDockerHubHost(host: string): boolean {
  return DOCKER_HUB_NAMES.has(host.toLowerCase());
}

/** A first segment names a registry host when it has a "." or ":" or is localhost. */
export function looksLikeRegistryHost(segment: string): boolean {
  return segment.includes(".") || segment.includes(":") || segment === "localhost";
}

/** Docker Hub's official images live under library/. */
export function dockerHubImage(parts: string[]): string {
  return parts.length === 1 ? `library/${parts[0]}` : parts.join("/");
}

export type ParsedImage = {
  /** Registry host as written, lower-cased; docker.io for Docker Hub in any spelling. */
  registry: string;
  /** Repository path within the registry (library/ added for Docker Hub short names). */
  path: string;
  tag: string | null;
  digest: string | null;
};

export class ImageReferenceError extends Error {}

/** `ghcr.io/acme/api:1.2.0`, `nginx`, `acme/api@sha256:…` → registry, path, tag, digest. */
export function parseImageReference(input: string): ParsedImage {
  let rest = input.trim();
  if (!rest) throw new ImageReferenceError("Enter an image reference such as ghcr.io/acme/api:1.2.0.");
  if (/\s/.test(rest)) throw new ImageReferenceError("An image reference has no spaces.");
  let digest: string | null = null;
  const at = rest.indexOf("@");
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest) || digest.length < 40) throw new ImageReferenceError(`"${digest}" is not a valid digest (expected e.g. sha256:<64 hex>).`);
  }
  let tag: string | null = null;
  const lastSlash = rest.lastIndexOf("/");
  const colon = rest.lastIndexOf(":");
  if (colon > lastSlash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) throw new ImageReferenceError(`"${tag}" is not a valid tag.`);
  }
  const segments = rest.split("/");
  let registry = DOCKER_HUB_HOST;
  const first = segments[0]!;
  if (segments.length > 1 && looksLikeRegistryHost(first)) {
    registry = first.toLowerCase();
    segments.shift();
  }
  if (isDockerHubHost(registry)) {
    registry = DOCKER_HUB_HOST;
    if (segments.length === 1) segments.unshift("library");
  }
  if (segments.length === 0 || segments.some((s) => !PATH_COMPONENT.test(s))) {
    throw new ImageReferenceError("Image names use lowercase letters, digits and . _ - separators between slashes.");
  }
  return { registry, path: segments.join("/"), tag, digest };
}
