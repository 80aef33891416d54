import { imageMatchesPatterns } from "@/lib/licenses/image-patterns";
import { isDockerHubHost, looksLikeRegistryHost } from "@/lib/images/reference";
import { splitUpstream } from "@/lib/images/upstream-segments";
import type { AuthorizationData, AppRecord, LicenseRecord, RegistryRecord } from "./authorization-data";
import { pullRefusal } from "./customer-auth";
import { DEFAULT_HOST, hostServesApp, type HostScope } from "./request-host";

// Decides, for one request, whether a license may pull from a repository
// path. Runs on every request (not only at token time) so revocations apply
// to tokens already issued. The license rule itself lives in lib/licenses.

// Distribution's wording, then which part of the name is unknown. Only the
// license's own team is ever looked at: another team's app or registry reads
// exactly like one that does not exist.
const NAME_UNKNOWN = "repository name not known to registry";

export type Authorized = {
  ok: true;
  license: LicenseRecord;
  app: AppRecord;
  registry: RegistryRecord;
  /** The repository path on the upstream registry, e.g. `acme/api`. */
  upstreamImage: string;
};

export type Denied = {
  ok: false;
  code: "DENIED" | "NAME_UNKNOWN";
  message: string;
  /** Known even when denied, for pull events. */
  license: LicenseRecord;
  app: AppRecord | null;
};

export async function checkLicenseAccess(
  data: AuthorizationData,
  license: LicenseRecord,
  appSlug: string,
  segments: string[],
  hostScope: HostScope = DEFAULT_HOST,
  now = new Date(),
): Promise<Authorized | Denied> {
  const app = await data.app(appSlug);
  // Another team's app, none at all, or one the request's host (a custom
  // domain of another team, or limited to another app) does not serve: say
  // nothing about it.
  if (!app || app.teamId !== license.teamId || !hostServesApp(hostScope, app)) {
    return { ok: false, code: "NAME_UNKNOWN", message: `${NAME_UNKNOWN}: unknown app "${appSlug}"`, license, app: null };
  }

  const refusal = pullRefusal(license, now);
  if (refusal) return { ok: false, code: "DENIED", message: refusal, license, app };

  if (license.customer.appId !== app.id) {
    return { ok: false, code: "DENIED", message: `this license is not valid for app "${app.slug}"`, license, app };
  }

  const registries = await data.registries(app.teamId);
  const allowed = registries.filter((r) => r.allApps || r.appIds.includes(app.id));
  const aliases = new Set(registries.map((r) => r.name).filter((n): n is string => !!n));
  const ref = splitUpstream(segments, (s) => aliases.has(s));
  if (!ref) {
    return { ok: false, code: "NAME_UNKNOWN", message: `${NAME_UNKNOWN}: no image path after registry "${segments[0]}"`, license, app };
  }

  let registry: RegistryRecord | undefined;
  if (ref.kind === "alias") registry = allowed.find((r) => r.name === ref.alias);
  else if (ref.kind === "dockerhub") registry = allowed.find((r) => r.provider === "dockerhub" || isDockerHubHost(r.endpoint));
  else registry = allowed.find((r) => r.endpoint.toLowerCase() === ref.host);
  if (!registry) {
    // Name the segment as typed: a dot-less one that is no alias was read as a Docker Hub namespace.
    const named = ref.kind === "alias" ? ref.alias : (segments[0] ?? "");
    const hub = ref.kind === "dockerhub" && !looksLikeRegistryHost(named) ? " (and Docker Hub is not linked either)" : "";
    return { ok: false, code: "NAME_UNKNOWN", message: `${NAME_UNKNOWN}: no registry "${named}" is linked for app "${app.slug}"${hub}`, license, app };
  }

  const imageForPatterns = `${ref.kind === "alias" ? ref.alias : ref.host}/${ref.image}`;
  const hubShort = ref.kind === "dockerhub" && ref.image.startsWith("library/") ? `docker.io/${ref.image.slice(8)}` : null;
  if (!imageMatchesPatterns(imageForPatterns, license.imagePatterns) && !(hubShort && imageMatchesPatterns(hubShort, license.imagePatterns))) {
    return { ok: false, code: "DENIED", message: "image not included in this license", license, app };
  }

  return { ok: true, license, app, registry, upstreamImage: ref.image };
}
