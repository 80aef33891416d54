import type { Actor } from "@/lib/auth/actor";
import { prisma } from "@/lib/db/client";

export type ApiTokenListItem = {
  id: string;
  name: string;
  prefix: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  createdBy: string | null;
};

/** The team's API tokens (never their hashes), active ones first, newest first. */
export async function listApiTokens(actor: Pick<Actor, "teamId">): Promise<ApiTokenListItem[]> {
  const rows = await prisma.apiToken.findMany({
    where: { teamId: actor.teamId },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    select: { id: true, name: true, prefix: true, createdAt: true, lastUsedAt: true, revokedAt: true, createdBy: { select: { email: true } } },
  });
  return rows
    .map(({ createdBy, ...t }) => ({ ...t, createdBy: createdBy?.email ?? null }))
    .sort((a, b) => Number(a.revokedAt !== null) - Number(b.revokedAt !== null));
}
