import { Prisma } from "@/lib/generated/prisma/client";
import type { Actor } from "@/lib/auth/actor";
import { prisma } from "@/lib/db/client";
import { DENIED_REASONS } from "@/lib/pulls/pull-filters";

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
 * empty days filled in. Reads the partial index on ("teamId", "time") WHERE "isPull".
 */
export async function getPullActivity(actor: Pick<Actor, "teamId">, options: { days?: number; customerId?: string; now?: Date } = {}): Promise<PullActivityDay[]> {
  const days = options.days ?? 14;
  const now = options.now ?? new Date();
  const start = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - (days - 1)));
  const denied = Prisma.join(DENIED_REASONS.map((r) => Prisma.sql`${r}::"PullEventReason"`));
  const rows = await prisma.$queryRaw<{ day: Date; pulls: bigint; denied: bigint; notFound: bigint; upstreamErrors: bigint }[]>`
    SELECT date_trunc('day', e."time") AS day,
           COUNT(*) FILTER (WHERE e."status" < 400) AS pulls,
           COUNT(*) FILTER (WHERE e."status" >= 400 AND e."reason" IN (${denied})) AS denied,
           COUNT(*) FILTER (WHERE e."status" >= 400 AND e."reason" = 'not_found') AS "notFound",
           COUNT(*) FILTER (WHERE e."status" >= 400 AND e."reason" = 'upstream_error') AS "upstreamErrors"
    FROM "PullEvent" e
    WHERE e."teamId" = ${actor.teamId} AND e."isPull" AND e."time" >= ${start}
      AND (${options.customerId ?? null}::text IS NULL OR e."customerId" = ${options.customerId ?? null})
    GROUP BY 1 ORDER BY 1`;
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
