import type { Prisma } from "@/lib/generated/prisma/client";
import { ValidationError } from "@/lib/errors";

/** Every ID must be an app of this team; the message never says whether another team has it. */
export async function assertTeamApps(tx: Prisma.TransactionClient, teamId: string, appIds: string[]): Promise<void> {
  if (appIds.length === 0) return;
  const found = await tx.app.findMany({ where: { teamId, id: { in: appIds } }, select: { id: true } });
  const known = new Set(found.map((app) => app.id));
  const unknown = appIds.filter((id) => !known.has(id));
  if (unknown.length > 0) {
    throw new ValidationError(`Invalid request. appIds: no app of this team has the ID ${unknown.join(", ")}.`, [
      { path: "appIds", message: `No app of this team has the ID ${unknown.join(", ")}.` },
    ]);
  }
}
