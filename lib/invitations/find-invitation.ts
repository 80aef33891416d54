import { prisma } from "@/lib/db/client";
import type { TeamRole } from "@/lib/auth/actor";
import { lookupHash } from "@/lib/auth/one-time-token";
import { invitationStatus, type InvitationStatus } from "@/lib/invitations/invitation-status";

export type InvitationForInvitee = {
  id: string;
  teamId: string;
  teamName: string;
  email: string;
  role: TeamRole;
  invitedBy: string;
  expiresAt: Date;
  status: InvitationStatus;
};

/** The invitation behind an emailed link, as its holder may see it; null for an unknown or malformed token. */
export async function findInvitationByToken(token: unknown, now = new Date()): Promise<InvitationForInvitee | null> {
  const tokenHash = lookupHash(token);
  if (!tokenHash) return null;
  const inv = await prisma.invitation.findUnique({ where: { tokenHash }, include: { team: { select: { name: true } } } });
  if (!inv) return null;
  return {
    id: inv.id,
    teamId: inv.teamId,
    teamName: inv.team.name,
    email: inv.email,
    role: inv.role,
    invitedBy: inv.invitedByLabel,
    expiresAt: inv.expiresAt,
    status: invitationStatus(inv, now),
  };
}
