import type { Actor } from "@/lib/auth/actor";
import { prisma } from "@/lib/db/client";
import { invitationSelect, toInvitationDto, type InvitationDto } from "@/lib/invitations/invitation-dto";

/**
 * The team's open invitations, newest first: pending ones and those that
 * expired unanswered in the last 30 days (so the team sees who never answered).
 */
export async function listInvitations(actor: Pick<Actor, "teamId">, now = new Date()): Promise<InvitationDto[]> {
  const rows = await prisma.invitation.findMany({
    where: { teamId: actor.teamId, acceptedAt: null, declinedAt: null, revokedAt: null, expiresAt: { gt: new Date(now.getTime() - 30 * 24 * 60 * 60_000) } },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: 200,
    select: invitationSelect,
  });
  return rows.map((r) => toInvitationDto(r, now));
}
