import type { PullDenialReason } from "@/lib/licenses/decide-pull";
import type { PullEventInput } from "./pull-events";

// Which recorded requests are *pulls*. Every registry request becomes a pull
// event (the raw request log); this decides, once, at insert time, whether the
// event also counts as one pull (`isPull`) and which tag it was of (`tag`), so
// figures, the Pulls page and a later hourly rollup only count rows.
//
// The rule (README "Pull figures"):
// - A pull is a manifest GET, by tag or by digest, of a top-level reference.
//   One client (same customer, address and user agent) counts once per
//   repository and reference within PULL_WINDOW_MS (60 s): retries and
//   "inspect, then copy" are one pull.
// - An image index and its platform manifests are one pull: after a client
//   GETs an index, its GETs of the digests the index lists (for CHILD_WINDOW_MS,
//   1 h) are not pulls. HEAD requests are never pulls; a HEAD or GET by tag
//   tells which tag a following GET by digest belongs to (Docker and containerd
//   HEAD the tag, then GET the digest).
// - A refused or failed manifest request (GET or HEAD) is one failed pull
//   attempt, stored with its reason, once per client, repository, reference
//   and reason within PULL_WINDOW_MS. A token request for a repository that
//   is refused (bad credentials, or a license that may not pull at all) is
//   one too: the client stops there.
// - Blob, tag-list, referrers and other token requests are never pulls.
//
// Memory is per proxy process and bounded. Behind a load balancer the
// requests of one pull normally share one keep-alive connection; if they are
// spread over replicas, a platform manifest fetched through another replica
// than its index counts as a pull of its own.

export const PULL_WINDOW_MS = 60_000;
export const CHILD_WINDOW_MS = 60 * 60_000;
const MAX_ENTRIES = 100_000;
const MAX_CHILDREN = 1_000;

export type CountableRequest = Pick<PullEventInput, "customerId" | "clientIp" | "userAgent" | "action" | "method" | "repository" | "reference" | "status"> & {
  /** The digest served (or the digest asked for). */
  digest: string | null;
  reason: PullDenialReason | null;
  /** Digests an image index (or Docker manifest list) served by this request lists. */
  children?: readonly string[];
  /** ms since epoch. */
  time: number;
};

export type Counted = { isPull: boolean; tag: string | null };

type Entry = { time: number; tag: string | null };

export class PullCounter {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly maxEntries = MAX_ENTRIES) {}

  classify(e: CountableRequest): Counted {
    const client = `${e.customerId ?? "-"}\u0000${e.clientIp ?? "-"}\u0000${e.userAgent ?? "-"}\u0000${e.repository}`;
    if (e.action === "token") {
      if (!e.reason || !e.repository) return { isPull: false, tag: null };
      return { isPull: this.firstWithin(`f\u0000${client}\u0000\u0000${e.reason}`, e.time, null), tag: null };
    }
    if (e.action !== "manifest" || !e.reference) return { isPull: false, tag: null };
    const byDigest = e.reference.includes(":");

    if (e.status >= 400) {
      const tag = byDigest ? null : e.reference;
      if (!e.reason) return { isPull: false, tag };
      return { isPull: this.firstWithin(`f\u0000${client}\u0000${e.reference}\u0000${e.reason}`, e.time, tag), tag };
    }

    const child = byDigest ? this.fresh(`c\u0000${client}\u0000${e.reference}`, e.time, CHILD_WINDOW_MS) : undefined;
    const resolved = byDigest ? this.fresh(`r\u0000${client}\u0000${e.reference}`, e.time, CHILD_WINDOW_MS) : undefined;
    const tag = byDigest ? (child?.tag ?? resolved?.tag ?? null) : e.reference;
    if (!byDigest && e.digest) this.set(`r\u0000${client}\u0000${e.digest}`, { time: e.time, tag });
    if (e.method !== "GET") return { isPull: false, tag };

    for (const digest of (e.children ?? []).slice(0, MAX_CHILDREN)) this.set(`c\u0000${client}\u0000${digest}`, { time: e.time, tag });
    if (child) return { isPull: false, tag };
    return { isPull: this.firstWithin(`p\u0000${client}\u0000${tag ?? e.digest ?? e.reference}`, e.time, tag), tag };
  }

  /** True (and remembered) unless the same key was counted within PULL_WINDOW_MS. */
  private firstWithin(key: string, time: number, tag: string | null): boolean {
    if (this.fresh(key, time, PULL_WINDOW_MS)) return false;
    this.set(key, { time, tag });
    return true;
  }

  private fresh(key: string, time: number, windowMs: number): Entry | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (time - entry.time < windowMs) return entry;
    this.entries.delete(key);
    return undefined;
  }

  private set(key: string, entry: Entry): void {
    // Re-inserting moves the key to the end: the oldest entries are first in line to go.
    this.entries.delete(key);
    this.entries.set(key, entry);
    if (this.entries.size > this.maxEntries) {
      let drop = Math.ceil(this.maxEntries / 10);
      for (const k of this.entries.keys()) {
        this.entries.delete(k);
        if (--drop === 0) break;
      }
    }
  }
}

const INDEX_TYPES = new Set(["application/vnd.oci.image.index.v1+json", "application/vnd.docker.distribution.manifest.list.v2+json"]);

/** The manifest digests an index lists (empty for anything else, or what does not parse). */
export function indexChildren(body: Buffer | undefined, contentType: string | number | string[] | undefined): string[] {
  if (!body || typeof contentType !== "string" || !INDEX_TYPES.has(contentType.split(";")[0]!.trim())) return [];
  try {
    const parsed = JSON.parse(body.toString("utf8")) as { manifests?: unknown };
    if (!Array.isArray(parsed.manifests)) return [];
    return parsed.manifests.flatMap((m: unknown) => {
      const digest = (m as { digest?: unknown } | null)?.digest;
      return typeof digest === "string" ? [digest] : [];
    });
  } catch {
    return [];
  }
}
