import type { CustomDomain } from "@/lib/generated/prisma/client";
import type { Actor } from "@/lib/auth/actor";
import { prisma } from "@/lib/db/client";

/** The team's custom domains, default first, then oldest first. */
export async function listDomains(actor: Pick<Actor, "teamId">): Promise<CustomDomain[]> {
  return prisma.customDomain.findMany({ where: { teamId: actor.teamId }, orderBy: [{ isDefault: "desc" }, { createdAt: "asc" }] });
}
