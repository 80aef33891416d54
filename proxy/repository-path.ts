import { DIGEST, PATH_COMPONENT as COMPONENT, TAG } from "@/lib/images/reference";

// Parses the registry API paths the proxy serves:
//   /v2/proxy/<app-slug>/<upstream>/<image>/{manifests/<ref>|blobs/<digest>|tags/list|referrers/<digest>}
// into a typed route. Pure: no I/O, so every edge case is unit-tested.

export type RegistryAction = "manifest" | "blob" | "tags" | "referrers";

export type ParsedRoute =
  | {
      ok: true;
      action: RegistryAction;
      repository: string;
      appSlug: string;
      segments: string[];
      reference: string | null;
      /**
       * A manifest or blob reference no registry could hold (a malformed tag,
       * a digest we cannot verify): after the license check it is answered
       * MANIFEST_UNKNOWN / BLOB_UNKNOWN 404, as the distribution spec wants
       * for anything that is not there, without asking the upstream.
       */
      unknownReference?: true;
    }
  | { ok: false; code: "NAME_INVALID" | "NAME_UNKNOWN" | "DIGEST_INVALID" | "NOT_FOUND"; message: string; repository?: string };

// The upstream segment may be a registry host with a port (not a valid OCI
// component, but curl-style clients and aliases-free setups send it).
const HOST_SEGMENT = /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*(?::[0-9]{1,5})?$/;
const SHA256_HEX = /^[a-f0-9]{64}$/;
const SHA512_HEX = /^[a-f0-9]{128}$/;

const MAX_NAME_LENGTH = 255;

/** A digest we can verify: sha256/sha512 with the right hex length. */
export function isValidDigest(digest: string): boolean {
  if (!DIGEST.test(digest)) return false;
  const [alg, hex] = digest.split(":") as [string, string];
  if (alg === "sha256") return SHA256_HEX.test(hex);
  if (alg === "sha512") return SHA512_HEX.test(hex);
  return false;
}

/** A tag, or a digest we can verify. */
function isValidManifestReference(reference: string): boolean {
  return reference.includes(":") ? isValidDigest(reference) : TAG.test(reference);
}

export function parseRegistryPath(pathname: string): ParsedRoute {
  if (!pathname.startsWith("/v2/")) return { ok: false, code: "NOT_FOUND", message: "not a registry API path" };
  const rest = pathname.slice(4);

  let nameEnd: number;
  let action: RegistryAction;
  let reference: string | null = null;

  const tagsIdx = rest.lastIndexOf("/tags/list");
  const markers: Array<[RegistryAction, string]> = [
    ["manifest", "/manifests/"],
    ["blob", "/blobs/"],
    ["referrers", "/referrers/"],
  ];
  let best: { action: RegistryAction; idx: number; marker: string } | null = null;
  for (const [a, marker] of markers) {
    const idx = rest.lastIndexOf(marker);
    if (idx > 0 && (!best || idx > best.idx)) best = { action: a, idx, marker };
  }
  if (tagsIdx > 0 && tagsIdx + "/tags/list".length === rest.length && (!best || tagsIdx > best.idx)) {
    action = "tags";
    nameEnd = tagsIdx;
  } else if (best) {
    action = best.action;
    nameEnd = best.idx;
    reference = rest.slice(best.idx + best.marker.length);
    if (!reference || reference.includes("/")) {
      return { ok: false, code: "NOT_FOUND", message: "unknown registry API path" };
    }
  } else {
    return { ok: false, code: "NOT_FOUND", message: "unknown registry API path" };
  }

  const repository = rest.slice(0, nameEnd);
  const nameCheck = checkRepositoryName(repository);
  if (!nameCheck.ok) return { ok: false, code: nameCheck.code, message: nameCheck.message, repository };
  const { appSlug, segments } = nameCheck;

  // The referrers API is the one place the spec asks for 400 on a malformed digest.
  if (action === "referrers" && !isValidDigest(reference!)) {
    return { ok: false, code: "DIGEST_INVALID", message: `invalid digest "${truncate(reference!)}"`, repository };
  }
  const usable = action === "blob" ? isValidDigest(reference!) : action === "manifest" ? isValidManifestReference(reference!) : true;
  return { ok: true, action, repository, appSlug, segments, reference, ...(usable ? {} : { unknownReference: true as const }) };
}

type NameCheck =
  | { ok: true; appSlug: string; segments: string[] }
  | { ok: false; code: "NAME_INVALID" | "NAME_UNKNOWN"; message: string };

/**
 * Validates `proxy/<app-slug>/<upstream>/<image...>` per the OCI grammar. The
 * segments after the app slug are resolved against the team's registries
 * later (lib/images/upstream-segments.ts): `proxy/app/nginx` is Docker Hub.
 */
export function checkRepositoryName(repository: string): NameCheck {
  if (repository.length > MAX_NAME_LENGTH) {
    return { ok: false, code: "NAME_INVALID", message: `repository name longer than ${MAX_NAME_LENGTH} characters` };
  }
  const parts = repository.split("/");
  if (parts[0] !== "proxy") {
    return { ok: false, code: "NAME_UNKNOWN", message: "repository names start with proxy/<app>/<registry>/<image>" };
  }
  if (parts.length < 3) {
    return { ok: false, code: "NAME_INVALID", message: "repository name must be proxy/<app>/<registry>/<image>" };
  }
  const [, appSlug, upstream, ...imageParts] = parts as [string, string, string, ...string[]];
  if (!COMPONENT.test(appSlug)) return { ok: false, code: "NAME_INVALID", message: `invalid app slug "${truncate(appSlug)}"` };
  if (!HOST_SEGMENT.test(upstream)) return { ok: false, code: "NAME_INVALID", message: `invalid registry "${truncate(upstream)}"` };
  for (const part of imageParts) {
    if (!COMPONENT.test(part)) return { ok: false, code: "NAME_INVALID", message: `invalid repository name component "${truncate(part)}"` };
  }
  return { ok: true, appSlug, segments: [upstream, ...imageParts] };
}

function truncate(s: string): string {
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}
