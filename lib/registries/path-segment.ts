import { DOCKER_HUB_HOST, isDockerHubHost, looksLikeRegistryHost, PATH_COMPONENT } from "@/lib/images/reference";

// How image paths through the proxy name a linked registry
// (`<proxy>/proxy/<app>/<segment>/<image>`): its alias when it has one, else
// its host when the host is itself a valid path component. A `host:port` (or
// an IPv6 literal) is not: docker, podman, skopeo and containerd all reject
// such a reference, so those registries need an alias. Pure: the registry
// form uses it in the browser.

export type PathSegment = { ok: true; segment: string } | { ok: false; problem: string };

type Named = { name: string | null; endpoint: string; provider?: string };

/** Whether image paths can name this host directly (no port, no brackets, OCI path grammar). */
export function isHostPathComponent(host: string): boolean {
  const h = host.toLowerCase();
  return PATH_COMPONENT.test(h) && looksLikeRegistryHost(h);
}

/** The host[:port] of what a vendor typed into the endpoint field (scheme and path dropped), as the server normalises it. */
export function typedHost(input: string): string {
  return input.trim().replace(/^[a-z][a-z0-9+.-]*:\/\//i, "").replace(/\/.*$/, "").toLowerCase();
}

export function aliasRequiredMessage(endpoint: string): string {
  const why = /[:[\]]/.test(endpoint)
    ? "docker, podman, skopeo and containerd reject a host with a port there"
    : "a name without a dot would be read as a Docker Hub namespace";
  return `${endpoint} cannot appear in an image path (${why}), so customers reach this registry through an alias: proxy/<app>/<alias>/<image>. Give it an alias.`;
}

export function registryPathSegment(registry: Named): PathSegment {
  if (registry.name) return { ok: true, segment: registry.name };
  if (registry.provider === "dockerhub" || isDockerHubHost(registry.endpoint)) return { ok: true, segment: DOCKER_HUB_HOST };
  if (isHostPathComponent(registry.endpoint)) return { ok: true, segment: registry.endpoint.toLowerCase() };
  return { ok: false, problem: aliasRequiredMessage(registry.endpoint) };
}
