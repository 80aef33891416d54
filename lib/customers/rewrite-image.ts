// Rewrites an image reference to pull through the proxy:
//   ghcr.io/acme/api:1.2.0  ->  <host>/proxy/<app-slug>/ghcr.io/acme/api:1.2.0
//   nginx                   ->  <host>/proxy/<app-slug>/docker.io/library/nginx
// Parsing and Docker Hub normalisation live in lib/images/reference.ts.
import { parseImageReference } from "@/lib/images/reference";

/** The image reference to use through the proxy host for this app. */
export function rewriteImage(input: string, options: { host: string; appSlug: string }): string {
  const image = parseImageReference(input);
  let ref = `${options.host}/proxy/${options.appSlug}/${image.registry}/${image.path}`;
  if (image.tag) ref += `:${image.tag}`;
  if (image.digest) ref += `@${image.digest}`;
  return ref;
}
