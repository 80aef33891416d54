import { prisma } from "@/lib/db/client";
import type { Actor } from "@/lib/auth/actor";

export type TeamOverview = { apps: number; registries: number; customers: number; activeCustomers: number };

/** Counts for the dashboard, all scoped to the actor's team. */
export async function getTeamOverview(actor: Pick<Actor, "teamId">): Promise<TeamOverview> {
  const teamId = actor.teamId;
  const [apps, registries, customers, activeCustomers] = await Promise.all([
    prisma.app.count({ where: { teamId } }),
    prisma.registryCredential.count({ where: { teamId } }),
    prisma.customer.count({ where: { teamId } }),
    prisma.customer.count({ where: { teamId, archivedAt: null } }),
  ]);
  return { apps, registries, customers, activeCustomers };
}
