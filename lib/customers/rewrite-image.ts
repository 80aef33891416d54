// Rewrites an image reference to pull through the proxy:
//   ghcr.io/acme/api:1.2.0  ->  <host>/proxy/<app-slug>/ghcr.io/acme/api:1.2.0
//   nginx                   ->  <host>/proxy/<app-slug>/docker.io/library/nginx
// A first segment without "." or ":" that is not "localhost" means Docker Hub
// (DESIGN.md); a single-segment Docker Hub name gets "library/".

export type ParsedImage = {
  /** Registry host as written (docker.io for Docker Hub short names). */
  registry: string;
  /** Repository path within the registry. */
  path: string;
  tag: string | null;
  digest: string | null;
};

const DOCKER_HUB_HOSTS = new Set(["docker.io", "index.docker.io", "registry-1.docker.io"]);
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$/;

export class ImageReferenceError extends Error {}

export function parseImageReference(input: string): ParsedImage {
  let rest = input.trim();
  if (!rest) throw new ImageReferenceError("Enter an image reference such as ghcr.io/acme/api:1.2.0.");
  if (/\s/.test(rest)) throw new ImageReferenceError("An image reference has no spaces.");
  let digest: string | null = null;
  const at = rest.indexOf("@");
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) throw new ImageReferenceError(`"${digest}" is not a valid digest (expected e.g. sha256:<64 hex>).`);
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
  let registry = "docker.io";
  const first = segments[0]!;
  if (segments.length > 1 && (first.includes(".") || first.includes(":") || first === "localhost")) {
    registry = first;
    segments.shift();
  }
  if (DOCKER_HUB_HOSTS.has(registry)) {
    registry = "docker.io";
    if (segments.length === 1) segments.unshift("library");
  }
  if (segments.length === 0 || segments.some((s) => !PATH_COMPONENT.test(s))) {
    throw new ImageReferenceError("Image names use lowercase letters, digits and . _ - separators between slashes.");
  }
  return { registry, path: segments.join("/"), tag, digest };
}

/** The image reference to use through the proxy host for this app. */
export function rewriteImage(input: string, options: { host: string; appSlug: string }): string {
  const image = parseImageReference(input);
  let ref = `${options.host}/proxy/${options.appSlug}/${image.registry}/${image.path}`;
  if (image.tag) ref += `:${image.tag}`;
  if (image.digest) ref += `@${image.digest}`;
  return ref;
}
