import type { Prisma } from "@/lib/generated/prisma/client";
import type { Actor } from "@/lib/auth/actor";
import { prisma } from "@/lib/db/client";
import { DomainError, ForbiddenError, NotFoundError } from "@/lib/errors";
import { recordAuditEvent } from "@/lib/audit/record-audit-event";
import { lookupHash } from "@/lib/auth/one-time-token";
import { invitationStatus, type InvitationStatus } from "@/lib/invitations/invitation-status";

export type Invitee = { id: string; email: string };

const GONE: Record<Exclude<InvitationStatus, "pending">, string> = {
  accepted: "This invitation was already accepted: the link works once.",
  declined: "This invitation was declined: the link works once. Ask for a new invitation.",
  revoked: "This invitation was revoked. Ask the team for a new one.",
  expired: "This invitation has expired (links work for 7 days). Ask the team for a new one.",
};

/** 410: the link was real but can no longer be used. */
export class InvitationGoneError extends DomainError {
  constructor(status: Exclude<InvitationStatus, "pending">) {
    super(410, "invitation_gone", GONE[status]);
  }
}

type Row = Prisma.InvitationGetPayload<object>;

/**
 * Finds and claims a pending invitation in one step (a conditional update), so
 * a link is used once even when accepted twice at the same moment. The signed-in
 * account must have the invited email address.
 */
async function claim(tx: Prisma.TransactionClient, invitee: Invitee, token: unknown, answer: "acceptedAt" | "declinedAt", now: Date): Promise<Row> {
  const tokenHash = lookupHash(token);
  const inv = tokenHash ? await tx.invitation.findUnique({ where: { tokenHash } }) : null;
  if (!inv) throw new NotFoundError("Invitation");
  if (inv.email !== invitee.email.toLowerCase()) {
    throw new ForbiddenError(`This invitation is for ${inv.email}: sign in with that email address to answer it.`);
  }
  const status = invitationStatus(inv, now);
  if (status !== "pending") throw new InvitationGoneError(status);
  const { count } = await tx.invitation.updateMany({
    where: { id: inv.id, acceptedAt: null, declinedAt: null, revokedAt: null, expiresAt: { gt: now } },
    data: { [answer]: now },
  });
  if (count === 0) throw new InvitationGoneError("accepted");
  return inv;
}

function inviteeActor(inv: Row, invitee: Invitee): Actor {
  return { teamId: inv.teamId, userId: invitee.id, tokenId: null, role: inv.role, label: invitee.email };
}

/** Joins the team with the invited role; returns the team's id. */
export async function acceptInvitation(invitee: Invitee, token: unknown, now = new Date()): Promise<{ teamId: string }> {
  return prisma.$transaction(async (tx) => {
    const inv = await claim(tx, invitee, token, "acceptedAt", now);
    const existing = await tx.membership.findUnique({ where: { userId_teamId: { userId: invitee.id, teamId: inv.teamId } } });
    // Already a member (joined through another route meanwhile): the invitation is used up, the role stays.
    const membership = existing ?? (await tx.membership.create({ data: { userId: invitee.id, teamId: inv.teamId, role: inv.role, createdAt: now } }));
    await recordAuditEvent(tx, {
      actor: inviteeActor(inv, invitee),
      action: "invitation.accept",
      targetType: "member",
      targetId: membership.id,
      targetName: invitee.email,
      after: { email: invitee.email, role: membership.role, invitedBy: inv.invitedByLabel },
    });
    return { teamId: inv.teamId };
  });
}

export async function declineInvitation(invitee: Invitee, token: unknown, now = new Date()): Promise<void> {
  await prisma.$transaction(async (tx) => {
    const inv = await claim(tx, invitee, token, "declinedAt", now);
    await recordAuditEvent(tx, {
      actor: { ...inviteeActor(inv, invitee), role: "member" },
      action: "invitation.decline",
      targetType: "invitation",
      targetId: inv.id,
      targetName: invitee.email,
      before: { role: inv.role },
    });
  });
}
