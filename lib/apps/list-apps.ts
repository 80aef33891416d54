import type { App } from "@/lib/generated/prisma/client";
import type { Actor } from "@/lib/auth/actor";
import { prisma } from "@/lib/db/client";

export type AppWithCounts = App & { customerCount: number };

/** The team's apps, oldest first, with how many customers each has. */
export async function listApps(actor: Pick<Actor, "teamId">): Promise<AppWithCounts[]> {
  const apps = await prisma.app.findMany({
    where: { teamId: actor.teamId },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    include: { _count: { select: { customers: true } } },
  });
  return apps.map(({ _count, ...app }) => ({ ...app, customerCount: _count.customers }));
}
