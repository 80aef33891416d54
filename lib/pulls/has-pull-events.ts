import type { Actor } from "@/lib/auth/actor";
import { prisma } from "@/lib/db/client";

/**
 * Whether any customer of the team ever made a request through the proxy: a
 * raw event, or pulls in the rollups (raw events past the retention are gone).
 */
export async function hasPullEvents(actor: Pick<Actor, "teamId">): Promise<boolean> {
  const [row] = await prisma.$queryRaw<{ any: boolean }[]>`
    SELECT EXISTS (SELECT 1 FROM "PullEvent" e WHERE e."teamId" = ${actor.teamId})
        OR EXISTS (SELECT 1 FROM "PullTeamHourly" t WHERE t."teamId" = ${actor.teamId}) AS "any"`;
  return row?.any === true;
}
