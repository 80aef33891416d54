import type { CustomDomain } from "@/lib/generated/prisma/client";
import type { Actor } from "@/lib/auth/actor";
import { prisma } from "@/lib/db/client";
import { NotFoundError } from "@/lib/errors";

/** One of the team's domains; another team's is "not found". */
export async function getDomain(actor: Pick<Actor, "teamId">, domainId: string): Promise<CustomDomain> {
  const domain = await prisma.customDomain.findFirst({ where: { id: domainId, teamId: actor.teamId } });
  if (!domain) throw new NotFoundError("Domain");
  return domain;
}
