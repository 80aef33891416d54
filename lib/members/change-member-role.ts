import type { Actor } from "@/lib/auth/actor";
import { prisma } from "@/lib/db/client";
import { recordAuditEvent } from "@/lib/audit/record-audit-event";
import { parseOrThrow } from "@/lib/validation/format-zod-issues";
import { changeMemberRoleSchema, type ChangeMemberRoleInput } from "@/lib/members/schemas";
import { assertAnotherOwnerRemains, assertCanManageRole, findManageableMembership } from "@/lib/members/member-rules";

/** Changes a member's role; the last owner cannot be demoted. */
export async function changeMemberRole(actor: Actor, membershipId: string, input: ChangeMemberRoleInput): Promise<void> {
  const data = parseOrThrow(changeMemberRoleSchema, input);
  assertCanManageRole(actor, data.role);
  await prisma.$transaction(async (tx) => {
    const membership = await findManageableMembership(tx, actor, membershipId);
    if (membership.role === data.role) return;
    if (membership.role === "owner") await assertAnotherOwnerRemains(tx, actor.teamId, membership.id);
    await tx.membership.update({ where: { id: membership.id }, data: { role: data.role } });
    await recordAuditEvent(tx, {
      actor,
      action: "member.change_role",
      targetType: "member",
      targetId: membership.id,
      targetName: membership.user.email,
      before: { role: membership.role },
      after: { role: data.role },
    });
  });
}
