// How the path segments after `proxy/<app-slug>/` name an upstream registry
// and an image (DESIGN.md "Image paths through the proxy"). Shared by the
// proxy and the portal's image rewriter so both normalise Docker Hub alike.

export const DOCKER_HUB_HOST = "docker.io";
export const DOCKER_HUB_API_HOST = "registry-1.docker.io";
const DOCKER_HUB_ALIASES = new Set(["docker.io", "index.docker.io", "registry-1.docker.io"]);

export function isDockerHubHost(host: string): boolean {
  return DOCKER_HUB_ALIASES.has(host.toLowerCase());
}

/** A first segment names a registry host when it has a "." or ":" or is localhost. */
export function looksLikeRegistryHost(segment: string): boolean {
  return segment.includes(".") || segment.includes(":") || segment === "localhost" || segment.startsWith("localhost:");
}

export type UpstreamRef =
  | { kind: "host"; host: string; image: string }
  | { kind: "alias"; alias: string; image: string }
  | { kind: "dockerhub"; host: typeof DOCKER_HUB_HOST; image: string };

/**
 * Splits `<upstream>/<image...>` into the registry and the image path.
 * `isAlias` says whether a dot-less first segment is one of the team's
 * registry aliases. Returns null when no image path remains.
 */
export function splitUpstream(segments: string[], isAlias: (segment: string) => boolean): UpstreamRef | null {
  const [first, ...rest] = segments;
  if (!first) return null;
  if (looksLikeRegistryHost(first)) {
    if (rest.length === 0) return null;
    if (isDockerHubHost(first)) return { kind: "dockerhub", host: DOCKER_HUB_HOST, image: dockerHubImage(rest) };
    return { kind: "host", host: first.toLowerCase(), image: rest.join("/") };
  }
  if (isAlias(first)) {
    if (rest.length === 0) return null;
    return { kind: "alias", alias: first, image: rest.join("/") };
  }
  return { kind: "dockerhub", host: DOCKER_HUB_HOST, image: dockerHubImage(segments) };
}

/** Docker Hub's official images live under library/. */
export function dockerHubImage(parts: string[]): string {
  return parts.length === 1 ? `library/${parts[0]}` : parts.join("/");
}
