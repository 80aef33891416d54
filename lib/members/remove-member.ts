import type { Actor } from "@/lib/auth/actor";
import { prisma } from "@/lib/db/client";
import { NotFoundError } from "@/lib/errors";
import { recordAuditEvent } from "@/lib/audit/record-audit-event";
import { assertAnotherOwnerRemains, assertCanManageRole } from "@/lib/members/member-rules";

/** Removes someone from the team (their account stays); the last owner cannot leave. */
export async function removeMember(actor: Actor, membershipId: string): Promise<void> {
  assertCanManageRole(actor);
  await prisma.$transaction(async (tx) => {
    const membership = await tx.membership.findFirst({
      where: { id: membershipId, teamId: actor.teamId },
      include: { user: { select: { email: true } } },
    });
    if (!membership) throw new NotFoundError("Member");
    assertCanManageRole(actor, membership.role);
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
