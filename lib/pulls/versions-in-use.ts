import type { Actor } from "@/lib/auth/actor";
import { readWithRollupMark } from "@/lib/pulls/rollup-mark";
import { digestSql } from "@/lib/pulls/outcome-sql";

/** The version of an image a customer pulled last: the tag and the digest it resolved to. */
export type VersionInUse = { repository: string; tag: string | null; digest: string | null; lastPulledAt: string; pulls: number };

/**
 * What a customer runs: per image, the tag and digest of its most recent
 * successful pull (by the counting rule: the index's digest, not a platform
 * manifest's), when that was, and how many pulls of the image there were.
 * Reads the hourly rollups (each group keeps its newest pull) plus the raw
 * pulls not rolled up yet, from one snapshot (lib/pulls/rollup-mark.ts).
 */
export async function listVersionsInUse(actor: Pick<Actor, "teamId">, customerId: string): Promise<VersionInUse[]> {
  const rows = await readWithRollupMark((tx, rolledUpToId) => tx.$queryRaw<{ repository: string; tag: string | null; digest: string | null; time: Date; pulls: bigint }[]>`
    WITH pulled AS (
      SELECT h."repository", h."tag", h."lastDigest" AS "digest", h."lastTime" AS "time", h."lastEventId" AS "id", h."pulls"
      FROM "PullEventHourly" h
      WHERE h."teamId" = ${actor.teamId} AND h."customerId" = ${customerId} AND h."outcome" = 'success'
      UNION ALL
      SELECT e."repository", e."tag", ${digestSql("e")}, e."time", e."id", 1
      FROM "PullEvent" e
      WHERE e."teamId" = ${actor.teamId} AND e."customerId" = ${customerId} AND e."isPull" AND e."status" < 400
        AND e."id" > ${rolledUpToId}
    )
    SELECT DISTINCT ON (p."repository") p."repository", p."tag", p."digest", p."time",
           sum(p."pulls") OVER (PARTITION BY p."repository")::bigint AS pulls
    FROM pulled p
    ORDER BY p."repository", p."time" DESC, p."id" DESC`);
  return rows
    .map((r) => ({ repository: r.repository, tag: r.tag, digest: r.digest, lastPulledAt: r.time.toISOString(), pulls: Number(r.pulls) }))
    .sort((a, b) => b.lastPulledAt.localeCompare(a.lastPulledAt));
}
