import type { Actor } from "@/lib/auth/actor";
import { prisma } from "@/lib/db/client";

export type VersionInUse = { repository: string; reference: string | null; digest: string | null; lastPulledAt: string; pulls: number };

/**
 * What a customer runs: per image, the tag or digest it pulled a manifest of
 * most recently (successful pulls only), with how often that image was pulled.
 */
export async function listVersionsInUse(actor: Pick<Actor, "teamId">, customerId: string): Promise<VersionInUse[]> {
  const rows = await prisma.$queryRaw<{ repository: string; reference: string | null; digest: string | null; time: Date; pulls: bigint }[]>`
    SELECT DISTINCT ON (e."repository") e."repository", e."reference", e."digest", e."time",
           COUNT(*) OVER (PARTITION BY e."repository") AS pulls
    FROM "PullEvent" e
    WHERE e."teamId" = ${actor.teamId} AND e."customerId" = ${customerId}
      AND e."action" = 'manifest' AND e."status" = 200 AND e."method" = 'GET'
    ORDER BY e."repository", e."time" DESC, e."id" DESC`;
  return rows
    .map((r) => ({ repository: r.repository, reference: r.reference, digest: r.digest, lastPulledAt: r.time.toISOString(), pulls: Number(r.pulls) }))
    .sort((a, b) => b.lastPulledAt.localeCompare(a.lastPulledAt));
}
