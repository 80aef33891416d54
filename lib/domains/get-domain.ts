import type { CustomDomain, Prisma } from "@/lib/generated/prisma/client";
import type { Actor } from "@/lib/auth/actor";
import { prisma } from "@/lib/db/client";
import { NotFoundError } from "@/lib/errors";

type Db = Prisma.TransactionClient | typeof prisma;

/** One of the team's domains; another team's is "not found". Pass `db` to read inside a transaction. */
export async function getDomain(actor: Pick<Actor, "teamId">, domainId: string, db: Db = prisma): Promise<CustomDomain> {
  const domain = await db.customDomain.findFirst({ where: { id: domainId, teamId: actor.teamId } });
  if (!domain) throw new NotFoundError("Domain");
  return domain;
}
