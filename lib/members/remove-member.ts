import type { Actor } from "@/lib/auth/actor";
import { prisma } from "@/lib/db/client";
import { recordAuditEvent } from "@/lib/audit/record-audit-event";
import { assertAnotherOwnerRemains, assertCanManageRole, findManageableMembership } from "@/lib/members/member-rules";

/** Removes someone from the team (their account stays); the last owner cannot leave. */
export async function removeMember(actor: Actor, membershipId: string): Promise<void> {
  assertCanManageRole(actor);
  await prisma.$transaction(async (tx) => {
    const membership = await findManageableMembership(tx, actor, membershipId);
    if (membership.role === "owner") await assertAnotherOwnerRemains(tx, actor.teamId, membership.id);
    await tx.membership.delete({ where: { id: membership.id } });
    await recordAuditEvent(tx, {
      actor,
      action: "member.remove",
      targetType: "member",
      targetId: membership.id,
      targetName: membership.user.email,
      before: { email: membership.user.email, role: membership.role },
    });
  });
}
