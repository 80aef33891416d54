// Where an upstream registry's API lives. Vendors type a host[:port]; Docker
// Hub's names (docker.io, index.docker.io, registry-1.docker.io) all mean one
// API host.

import { DOCKER_HUB_API_HOST, isDockerHubHost } from "@/lib/images/reference";

export const DOCKER_HUB_ENDPOINT = "index.docker.io";

/** Lower-cases and strips a scheme, path and trailing slash a vendor may paste. */
export function normalizeEndpoint(input: string): string {
  let value = input.trim();
  value = value.replace(/^[a-z][a-z0-9+.-]*:\/\//i, "");
  value = value.replace(/\/.*$/, "");
  return value.toLowerCase();
}

/** The host[:port] the registry API is served from. */
export function apiHost(endpoint: string): string {
  const host = normalizeEndpoint(endpoint);
  return isDockerHubHost(host) ? DOCKER_HUB_API_HOST : host;
}

/** Host name without port; IPv6 literals keep no brackets. */
export function hostname(hostPort: string): string {
  if (hostPort.startsWith("[")) return hostPort.slice(1, hostPort.indexOf("]"));
  const colon = hostPort.lastIndexOf(":");
  return colon > 0 && hostPort.indexOf(":") === colon ? hostPort.slice(0, colon) : hostPort;
}
