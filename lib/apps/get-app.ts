import type { App } from "@/lib/generated/prisma/client";
import type { Actor } from "@/lib/auth/actor";
import { prisma } from "@/lib/db/client";
import { NotFoundError } from "@/lib/errors";

/** An app of the actor's team; another team's app is "not found". */
export async function getApp(actor: Pick<Actor, "teamId">, appId: string): Promise<App> {
  const app = await prisma.app.findFirst({ where: { id: appId, teamId: actor.teamId } });
  if (!app) throw new NotFoundError("App");
  return app;
}
