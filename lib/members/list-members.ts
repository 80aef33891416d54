import type { Actor, TeamRole } from "@/lib/auth/actor";
import { prisma } from "@/lib/db/client";

export type TeamMember = { membershipId: string; userId: string; email: string; name: string; role: TeamRole; joinedAt: Date };

/** The team's members, owners first, then by when they joined. */
export async function listMembers(actor: Pick<Actor, "teamId">): Promise<TeamMember[]> {
  const rows = await prisma.membership.findMany({
    where: { teamId: actor.teamId },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    select: { id: true, role: true, createdAt: true, user: { select: { id: true, email: true, name: true } } },
  });
  const rank: Record<TeamRole, number> = { owner: 0, admin: 1, member: 2 };
  return rows
    .map((m) => ({ membershipId: m.id, userId: m.user.id, email: m.user.email, name: m.user.name, role: m.role, joinedAt: m.createdAt }))
    .sort((a, b) => rank[a.role] - rank[b.role]);
}
