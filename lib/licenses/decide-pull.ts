import { getLicenseStatus, type LicenseStatus } from "@/lib/licenses/license-status";
import { imageMatchesPatterns } from "@/lib/licenses/image-patterns";
import { isDockerHubHost, looksLikeRegistryHost } from "@/lib/images/reference";
import { splitUpstream } from "@/lib/images/upstream-segments";

// THE decision whether a license may pull a repository path
// (`proxy/<app>/<upstream>/<image>`): the proxy runs it on every request, and
// the portal runs it over an app's image catalog to show what a license "may
// pull" and to preview image patterns, so what the portal lists is exactly
// what the proxy serves. Pure (no I/O, no Node APIs): it runs in the browser
// too. The caller loads the rows; this function only decides.

/** Why a pull was refused or failed; stored on every pull event that did not succeed. */
export const PULL_DENIAL_REASONS = [
  "expired",
  "access_off",
  "archived",
  "not_in_license",
  "wrong_app",
  "not_found",
  "bad_credentials",
  "upstream_error",
] as const;
export type PullDenialReason = (typeof PULL_DENIAL_REASONS)[number];

/** The reasons that are a refusal by the license (or its credential), counted as "denied". */
export const LICENSE_REFUSALS = ["expired", "access_off", "archived", "not_in_license", "wrong_app", "bad_credentials"] as const satisfies readonly PullDenialReason[];

export type PullLicense = {
  teamId: string;
  expiresAt: Date | string | null;
  registryAccess: boolean;
  imagePatterns: readonly string[];
  customer: { appId: string; archivedAt: Date | string | null };
};

export type PullApp = { id: string; teamId: string; slug: string };

export type PullRegistry = {
  id: string;
  provider: string;
  endpoint: string;
  name: string | null;
  allApps: boolean;
  appIds: readonly string[];
};

export type PullDecisionInput<R extends PullRegistry> = {
  license: PullLicense;
  /** The app the path names, or null when no app has that slug (or it is another team's). */
  app: PullApp | null;
  /** The app slug as the path spells it, for the message when `app` is null. */
  appSlug?: string;
  /** The request's host serves this app (a custom domain may serve one team, or one app). Default true. */
  hostServesApp?: boolean;
  /** Every registry the app's team linked (aliases of registries not allowed for the app still count as aliases). */
  registries: readonly R[];
  /** The path after `proxy/<app>/`: `[<upstream>, ...<image path>]`. */
  segments: readonly string[];
  now?: Date;
};

export type PullAllowed<R extends PullRegistry> = {
  ok: true;
  registry: R;
  /** The repository path on the upstream registry, e.g. `acme/api`. */
  upstreamImage: string;
};

export type PullRefused = {
  ok: false;
  /** The OCI error code the proxy answers with. */
  code: "DENIED" | "NAME_UNKNOWN";
  reason: PullDenialReason;
  message: string;
};

// Distribution's wording, then which part of the name is unknown. Only the
// license's own team is ever looked at: another team's app or registry reads
// exactly like one that does not exist.
const NOT_KNOWN = "repository name not known to registry";

const STATUS_REASON: Record<Exclude<LicenseStatus, "active">, PullDenialReason> = {
  expired: "expired",
  disabled: "access_off",
  archived: "archived",
};

/**
 * The part of the rule that needs no path: a license that is expired, has
 * registry access off or belongs to an archived customer may pull nothing.
 * The proxy's login (`GET /v2/`, `/v2/token`) refuses such a license with
 * this message, so `docker login` already says why.
 */
export function licenseRefusal(license: PullLicense, now: Date = new Date()): PullRefused | null {
  const status = getLicenseStatus({ expiresAt: license.expiresAt, registryAccess: license.registryAccess, archivedAt: license.customer.archivedAt }, now);
  if (status.mayPull) return null;
  return { ok: false, code: "DENIED", reason: STATUS_REASON[status.status as Exclude<LicenseStatus, "active">], message: status.reason ?? "this license may not pull" };
}

export function decidePull<R extends PullRegistry>(input: PullDecisionInput<R>): PullAllowed<R> | PullRefused {
  const { license, app } = input;
  // Another team's app, none at all, or one the request's host does not
  // serve: say nothing about it.
  if (!app || app.teamId !== license.teamId || input.hostServesApp === false) {
    return { ok: false, code: "NAME_UNKNOWN", reason: "not_found", message: `${NOT_KNOWN}: unknown app "${input.appSlug ?? app?.slug ?? ""}"` };
  }

  const refusal = licenseRefusal(license, input.now);
  if (refusal) return refusal;

  if (license.customer.appId !== app.id) {
    return { ok: false, code: "DENIED", reason: "wrong_app", message: `this license is not valid for app "${app.slug}"` };
  }

  const aliases = new Set(input.registries.map((r) => r.name).filter((n): n is string => !!n));
  const ref = splitUpstream([...input.segments], (s) => aliases.has(s));
  if (!ref) {
    return { ok: false, code: "NAME_UNKNOWN", reason: "not_found", message: `${NOT_KNOWN}: no image path after registry "${input.segments[0] ?? ""}"` };
  }

  const allowed = input.registries.filter((r) => r.allApps || r.appIds.includes(app.id));
  let registry: R | undefined;
  if (ref.kind === "alias") registry = allowed.find((r) => r.name === ref.alias);
  else if (ref.kind === "dockerhub") registry = allowed.find((r) => r.provider === "dockerhub" || isDockerHubHost(r.endpoint));
  else registry = allowed.find((r) => r.endpoint.toLowerCase() === ref.host);
  if (!registry) {
    // Name the segment as typed: a dot-less one that is no alias was read as a Docker Hub namespace.
    const named = ref.kind === "alias" ? ref.alias : (input.segments[0] ?? "");
    const hub = ref.kind === "dockerhub" && !looksLikeRegistryHost(named) ? " (and Docker Hub is not linked either)" : "";
    return { ok: false, code: "NAME_UNKNOWN", reason: "not_found", message: `${NOT_KNOWN}: no registry "${named}" is linked for app "${app.slug}"${hub}` };
  }

  if (!licenseCoversImage(license.imagePatterns, ref)) {
    return { ok: false, code: "DENIED", reason: "not_in_license", message: "image not included in this license" };
  }
  return { ok: true, registry, upstreamImage: ref.image };
}

/**
 * The image-pattern half of the rule: patterns see the image as
 * `<alias or host>/<path>` (`docker.io/<short name>` also matches official
 * Docker Hub images), with or without the upstream segment.
 */
function licenseCoversImage(patterns: readonly string[], ref: NonNullable<ReturnType<typeof splitUpstream>>): boolean {
  const image = `${ref.kind === "alias" ? ref.alias : ref.host}/${ref.image}`;
  if (imageMatchesPatterns(image, patterns)) return true;
  const hubShort = ref.kind === "dockerhub" && ref.image.startsWith("library/") ? `docker.io/${ref.image.slice(8)}` : null;
  return hubShort !== null && imageMatchesPatterns(hubShort, patterns);
}

/** A license that may pull every image of its app: previews image patterns before they are saved. */
export function draftLicense(teamId: string, appId: string, imagePatterns: readonly string[]): PullLicense {
  return { teamId, expiresAt: null, registryAccess: true, imagePatterns, customer: { appId, archivedAt: null } };
}
