// Rewrites an upstream image reference to pull through the proxy, resolved
// against the registries the team linked:
//   acme/api:1.0 (acme = alias of a linked registry)  -> <host>/proxy/<app>/acme/api:1.0
//   registry.example.com/acme/api:1.0                  -> <host>/proxy/<app>/registry.example.com/acme/api:1.0
//   127.0.0.1:5000/acme/api (linked with alias vendor)  -> <host>/proxy/<app>/vendor/acme/api
//   nginx (Docker Hub linked)                          -> <host>/proxy/<app>/docker.io/library/nginx
// An input naming a registry the app cannot use (not linked, linked for other
// apps only, or a host:port without an alias) is refused with a sentence that
// says so, never turned into a reference that will not pull. Pure: the
// install page runs it in the browser.
import { DOCKER_HUB_HOST, ImageReferenceError, isDockerHubHost, looksLikeRegistryHost, parseImageReference } from "@/lib/images/reference";
import { registryPathSegment } from "@/lib/registries/path-segment";

export type RewriteRegistry = {
  provider: string;
  endpoint: string;
  name: string | null;
  /** May this app pull from it (all apps, or this app chosen)? */
  usable: boolean;
};

export type RewriteOptions = { host: string; appSlug: string; registries: readonly RewriteRegistry[] };

function label(r: RewriteRegistry): string {
  return r.name ? `${r.name} (${r.endpoint})` : r.endpoint;
}

function linkedList(registries: readonly RewriteRegistry[]): string {
  const usable = registries.filter((r) => r.usable);
  return usable.length ? ` Registries this app can use: ${usable.map(label).join(", ")}.` : " This app has no linked registry yet.";
}

/** The image reference to use through the proxy host for this app. Throws ImageReferenceError with a plain explanation. */
export function rewriteImage(input: string, options: RewriteOptions): string {
  const image = parseImageReference(input);
  const { registries } = options;
  const name = input.trim().replace(/@.*$/, "");
  const segments = name.replace(/:[^/]*$/, "").split("/");
  const first = segments[0]!.toLowerCase();

  let registry: RewriteRegistry | undefined;
  let path = image.path;
  const alias = segments.length > 1 && !looksLikeRegistryHost(first) ? registries.find((r) => r.name === first) : undefined;
  if (alias) {
    registry = alias;
    path = segments.slice(1).join("/").toLowerCase();
  } else if (image.registry === DOCKER_HUB_HOST) {
    registry = registries.find((r) => r.provider === "dockerhub" || isDockerHubHost(r.endpoint));
    if (!registry) throw new ImageReferenceError(`${input.trim()} is a Docker Hub image, and Docker Hub is not linked by your team.${linkedList(registries)}`);
  } else {
    registry = registries.find((r) => !isDockerHubHost(r.endpoint) && r.endpoint.toLowerCase() === image.registry);
    if (!registry) {
      throw new ImageReferenceError(`${image.registry} is not a registry your team linked, so the proxy cannot pull from it.${linkedList(registries)}`);
    }
  }
  if (!registry.usable) {
    throw new ImageReferenceError(`${label(registry)} is linked for other apps only: allow this app in the registry's settings.${linkedList(registries)}`);
  }
  const segment = registryPathSegment(registry);
  if (!segment.ok) throw new ImageReferenceError(segment.problem);

  let ref = `${options.host}/proxy/${options.appSlug}/${segment.segment}/${path}`;
  if (image.tag) ref += `:${image.tag}`;
  if (image.digest) ref += `@${image.digest}`;
  return ref;
}
