import type { App, Prisma } from "@/lib/generated/prisma/client";
import type { Actor } from "@/lib/auth/actor";
import { prisma } from "@/lib/db/client";
import { NotFoundError } from "@/lib/errors";

type Db = Prisma.TransactionClient | typeof prisma;

/** An app of the actor's team; another team's app is "not found". Pass `db` to read inside a transaction. */
export async function getApp(actor: Pick<Actor, "teamId">, appId: string, db: Db = prisma): Promise<App> {
  const app = await db.app.findFirst({ where: { id: appId, teamId: actor.teamId } });
  if (!app) throw new NotFoundError("App");
  return app;
}
