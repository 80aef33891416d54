import type { Actor } from "@/lib/auth/actor";
import { prisma } from "@/lib/db/client";

/** Whether any customer of the team ever made a request through the proxy. */
export async function hasPullEvents(actor: Pick<Actor, "teamId">): Promise<boolean> {
  return (await prisma.pullEvent.findFirst({ where: { teamId: actor.teamId }, select: { id: true } })) !== null;
}
