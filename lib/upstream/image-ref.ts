import { normalizeEndpoint } from "@/lib/upstream/endpoint";
import { DIGEST, dockerHubImage, isDockerHubHost, REPOSITORY_NAME as REPOSITORY, TAG } from "@/lib/images/reference";

// "acme/api:1.2", "acme/api@sha256:…", "nginx", or with the registry host in
// front ("ghcr.io/acme/api:1.2"): split into repository and reference for a
// given upstream.

export type ImageReference = { repository: string; reference: string };

export function parseImageReference(input: string, endpoint: string): ImageReference | null {
  let rest = input.trim();
  const host = normalizeEndpoint(endpoint);
  const first = rest.split("/")[0] ?? "";
  if (rest.includes("/") && (first.toLowerCase() === host || (isDockerHubHost(first) && isDockerHubHost(host)))) {
    rest = rest.slice(first.length + 1);
  }
  let reference = "latest";
  const at = rest.indexOf("@");
  if (at >= 0) {
    reference = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(reference)) return null;
  } else {
    const colon = rest.lastIndexOf(":");
    if (colon > rest.lastIndexOf("/")) {
      reference = rest.slice(colon + 1);
      rest = rest.slice(0, colon);
      if (!TAG.test(reference)) return null;
    }
  }
  if (isDockerHubHost(host)) rest = dockerHubImage(rest.split("/"));
  if (!REPOSITORY.test(rest) || rest.length > 255) return null;
  return { repository: rest, reference };
}
