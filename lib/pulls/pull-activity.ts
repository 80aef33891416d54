import { Prisma } from "@/lib/generated/prisma/client";
import type { Actor } from "@/lib/auth/actor";
import { readWithRollupMark } from "@/lib/pulls/rollup-mark";
import { outcomeSql } from "@/lib/pulls/outcome-sql";

/**
 * One day of pulls by outcome: `pulls` succeeded, `denied` were refused by
 * the license or its credential, `notFound` asked for what is not there (a
 * typo in a tag, say), `upstreamErrors` failed at the vendor's registry.
 */
export type PullActivityDay = { day: string; pulls: number; denied: number; notFound: number; upstreamErrors: number };
export type PullTotals = Omit<PullActivityDay, "day">;

/**
 * Per-day counts of pulls (the rows the proxy marked isPull, see
 * proxy/pull-counting.ts) for the last `days` days (UTC), oldest first, with
 * empty days filled in. Reads the hourly rollups (PullTeamHourly for the team,
 * PullEventHourly for one customer) plus the raw pulls not rolled up yet (ids
 * above rolledUpToId, on the partial index ("teamId", "id") WHERE "isPull"),
 * both from one snapshot (lib/pulls/rollup-mark.ts).
 */
export async function getPullActivity(actor: Pick<Actor, "teamId">, options: { days?: number; customerId?: string; now?: Date } = {}): Promise<PullActivityDay[]> {
  const days = options.days ?? 14;
  const now = options.now ?? new Date();
  const start = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - (days - 1)));
  const customerId = options.customerId ?? null;
  const rolledUp = customerId
    ? Prisma.sql`SELECT h."hour", h."outcome", h."pulls" FROM "PullEventHourly" h
        WHERE h."teamId" = ${actor.teamId} AND h."customerId" = ${customerId} AND h."hour" >= ${start}`
    : Prisma.sql`SELECT h."hour", h."outcome", h."pulls" FROM "PullTeamHourly" h
        WHERE h."teamId" = ${actor.teamId} AND h."hour" >= ${start}`;
  const rows = await readWithRollupMark((tx, rolledUpToId) => tx.$queryRaw<{ day: Date; pulls: bigint; denied: bigint; notFound: bigint; upstreamErrors: bigint }[]>`
    WITH counted AS (
      ${rolledUp}
      UNION ALL
      SELECT e."time", ${outcomeSql("e")}, 1 FROM "PullEvent" e
      WHERE e."teamId" = ${actor.teamId} AND e."isPull" AND e."time" >= ${start}
        AND e."id" > ${rolledUpToId}
        AND (${customerId}::text IS NULL OR e."customerId" = ${customerId})
    )
    SELECT date_trunc('day', c."hour") AS day,
           COALESCE(sum(c."pulls") FILTER (WHERE c."outcome" = 'success'), 0)::bigint AS pulls,
           COALESCE(sum(c."pulls") FILTER (WHERE c."outcome" = 'denied'), 0)::bigint AS denied,
           COALESCE(sum(c."pulls") FILTER (WHERE c."outcome" = 'not_found'), 0)::bigint AS "notFound",
           COALESCE(sum(c."pulls") FILTER (WHERE c."outcome" = 'upstream_error'), 0)::bigint AS "upstreamErrors"
    FROM counted c
    GROUP BY 1 ORDER BY 1`);
  const byDay = new Map(rows.map((r) => [r.day.toISOString().slice(0, 10), r]));
  const result: PullActivityDay[] = [];
  for (let i = 0; i < days; i++) {
    const d = new Date(start.getTime() + i * 86_400_000).toISOString().slice(0, 10);
    const r = byDay.get(d);
    result.push({ day: d, pulls: Number(r?.pulls ?? 0), denied: Number(r?.denied ?? 0), notFound: Number(r?.notFound ?? 0), upstreamErrors: Number(r?.upstreamErrors ?? 0) });
  }
  return result;
}

export function totalActivity(days: readonly PullActivityDay[]): PullTotals {
  return days.reduce(
    (t, d) => ({ pulls: t.pulls + d.pulls, denied: t.denied + d.denied, notFound: t.notFound + d.notFound, upstreamErrors: t.upstreamErrors + d.upstreamErrors }),
    { pulls: 0, denied: 0, notFound: 0, upstreamErrors: 0 },
  );
}
