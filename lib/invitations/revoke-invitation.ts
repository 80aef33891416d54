import type { Actor } from "@/lib/auth/actor";
import { prisma } from "@/lib/db/client";
import { ConflictError, NotFoundError } from "@/lib/errors";
import { recordAuditEvent } from "@/lib/audit/record-audit-event";
import { assertCanManageRole } from "@/lib/members/member-rules";
import { invitationStatus } from "@/lib/invitations/invitation-status";

/** Revokes a pending invitation of the actor's team: its link stops working at once. */
export async function revokeInvitation(actor: Actor, invitationId: string, now = new Date()): Promise<void> {
  assertCanManageRole(actor);
  await prisma.$transaction(async (tx) => {
    const inv = await tx.invitation.findFirst({ where: { id: invitationId, teamId: actor.teamId } });
    if (!inv) throw new NotFoundError("Invitation");
    assertCanManageRole(actor, inv.role);
    const status = invitationStatus(inv, now);
    if (status !== "pending" && status !== "expired") throw new ConflictError(`This invitation was already ${status}.`);
    const { count } = await tx.invitation.updateMany({ where: { id: inv.id, acceptedAt: null, declinedAt: null, revokedAt: null }, data: { revokedAt: now } });
    if (count === 0) throw new ConflictError("This invitation was answered meanwhile.");
    await recordAuditEvent(tx, { actor, action: "invitation.revoke", targetType: "invitation", targetId: inv.id, targetName: inv.email, before: { role: inv.role } });
  });
}
