import type { Actor } from "@/lib/auth/actor";
import { prisma } from "@/lib/db/client";

export type PullActivityDay = { day: string; pulls: number; denied: number; bytes: number };

/**
 * Per-day counts for the last `days` days (UTC), oldest first, with empty days
 * filled in: "pulls" are successful manifest GETs (one per image pulled),
 * "denied" are refused requests of any kind.
 */
export async function getPullActivity(actor: Pick<Actor, "teamId">, options: { days?: number; customerId?: string; now?: Date } = {}): Promise<PullActivityDay[]> {
  const days = options.days ?? 14;
  const now = options.now ?? new Date();
  const start = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - (days - 1)));
  const rows = await prisma.$queryRaw<{ day: Date; pulls: bigint; denied: bigint; bytes: bigint | null }[]>`
    SELECT date_trunc('day', e."time") AS day,
           COUNT(*) FILTER (WHERE e."action" = 'manifest' AND e."method" = 'GET' AND e."status" = 200) AS pulls,
           COUNT(*) FILTER (WHERE e."status" IN (401, 403, 404, 429)) AS denied,
           SUM(e."bytes") AS bytes
    FROM "PullEvent" e
    WHERE e."teamId" = ${actor.teamId} AND e."time" >= ${start}
      AND (${options.customerId ?? null}::text IS NULL OR e."customerId" = ${options.customerId ?? null})
    GROUP BY 1 ORDER BY 1`;
  const byDay = new Map(rows.map((r) => [r.day.toISOString().slice(0, 10), r]));
  const result: PullActivityDay[] = [];
  for (let i = 0; i < days; i++) {
    const d = new Date(start.getTime() + i * 86_400_000).toISOString().slice(0, 10);
    const r = byDay.get(d);
    result.push({ day: d, pulls: Number(r?.pulls ?? 0), denied: Number(r?.denied ?? 0), bytes: Number(r?.bytes ?? 0) });
  }
  return result;
}
