// How the path segments after `proxy/<app-slug>/` name an upstream registry
// and an image (DESIGN.md "Image paths through the proxy"). Shared by the
// proxy and the portal's image rewriter so both normalise Docker Hub alike.

import { DOCKER_HUB_HOST, dockerHubImage, isDockerHubHost, looksLikeRegistryHost } from "@/lib/images/reference";

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
