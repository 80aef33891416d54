import { MANIFEST_ACCEPT } from "@/lib/upstream/client";

// Which manifest media types a client accepts, as one canonical string: the
// Accept sent upstream and the tag cache's key. Clients differ only in order
// and decoration (Docker lists its types in a different order from one
// request to the next, with q-values here and there), and a registry's answer
// depends only on the set, so the set is what counts.

// Manifest types are all under vnd.oci / vnd.docker; `*/*` and
// `application/json` say nothing about which manifest a registry should pick.
const MANIFEST_MEDIA_TYPE = /^application\/vnd\.(?:oci|docker)\.[a-z0-9][a-z0-9.+_-]{0,120}$/;
const NOT_ACCEPTABLE = /^\s*q\s*=\s*0(?:\.0{0,3})?\s*$/i;
const MAX_TYPES = 32;

function normalise(header: string): string[] {
  const types = new Set<string>();
  for (const part of header.split(",", 256)) {
    const [type = "", ...params] = part.split(";");
    const mediaType = type.trim().toLowerCase();
    if (!MANIFEST_MEDIA_TYPE.test(mediaType) || params.some((p) => NOT_ACCEPTABLE.test(p))) continue;
    types.add(mediaType);
    if (types.size >= MAX_TYPES) break;
  }
  return [...types].sort();
}

const DEFAULT_ACCEPT = normalise(MANIFEST_ACCEPT).join(", ");

/**
 * The sorted, de-duplicated manifest media types of a client's Accept; every
 * type we pass through when it names none (curl's `*\/*`, or no header: a
 * registry would then refuse OCI manifests).
 */
export function manifestAccept(accept: string | string[] | undefined): string {
  const header = Array.isArray(accept) ? accept.join(",") : (accept ?? "");
  const types = normalise(header);
  return types.length ? types.join(", ") : DEFAULT_ACCEPT;
}
