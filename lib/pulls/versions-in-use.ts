import type { Actor } from "@/lib/auth/actor";
import { prisma } from "@/lib/db/client";

/** The version of an image a customer pulled last: the tag and the digest it resolved to. */
export type VersionInUse = { repository: string; tag: string | null; digest: string | null; lastPulledAt: string; pulls: number };

/**
 * What a customer runs: per image, the tag and digest of its most recent
 * successful pull (by the counting rule: the index's digest, not a platform
 * manifest's), when that was, and how many pulls of the image there were.
 */
export async function listVersionsInUse(actor: Pick<Actor, "teamId">, customerId: string): Promise<VersionInUse[]> {
  const rows = await prisma.$queryRaw<{ repository: string; tag: string | null; digest: string | null; reference: string | null; time: Date; pulls: bigint }[]>`
    SELECT DISTINCT ON (e."repository") e."repository", e."tag", e."digest", e."reference", e."time",
           COUNT(*) OVER (PARTITION BY e."repository") AS pulls
    FROM "PullEvent" e
    WHERE e."teamId" = ${actor.teamId} AND e."customerId" = ${customerId} AND e."isPull" AND e."status" < 400
    ORDER BY e."repository", e."time" DESC, e."id" DESC`;
  return rows
    .map((r) => ({
      repository: r.repository,
      tag: r.tag,
      digest: r.digest ?? (r.reference?.includes(":") ? r.reference : null),
      lastPulledAt: r.time.toISOString(),
      pulls: Number(r.pulls),
    }))
    .sort((a, b) => b.lastPulledAt.localeCompare(a.lastPulledAt));
}
