import type { Actor } from "@/lib/auth/actor";
import { prisma } from "@/lib/db/client";
import { ConflictError } from "@/lib/errors";
import { recordAuditEvent } from "@/lib/audit/record-audit-event";
import { parseOrThrow } from "@/lib/validation/format-zod-issues";
import { addMemberSchema, type AddMemberInput } from "@/lib/members/schemas";
import { assertCanManageRole } from "@/lib/members/member-rules";
import type { TeamMember } from "@/lib/members/list-members";

/**
 * Adds an existing Pullgate user (found by email) to the actor's team with a
 * role. Null when no account uses the email: callers must answer the person
 * adding exactly as they do for an added member (ADD_MEMBER_RESULT_MESSAGE), so
 * the form cannot be used to find out who has an account.
 */
export async function addMember(actor: Actor, input: AddMemberInput): Promise<TeamMember | null> {
  const data = parseOrThrow(addMemberSchema, input);
  assertCanManageRole(actor, data.role);
  return prisma.$transaction(async (tx) => {
    const user = await tx.user.findUnique({ where: { email: data.email }, select: { id: true, email: true, name: true } });
    if (!user) return null;
    const existing = await tx.membership.findUnique({ where: { userId_teamId: { userId: user.id, teamId: actor.teamId } } });
    if (existing) throw new ConflictError(`${user.email} is already a member of this team (${existing.role}).`);
    const membership = await tx.membership.create({ data: { userId: user.id, teamId: actor.teamId, role: data.role } });
    await recordAuditEvent(tx, {
      actor,
      action: "member.add",
      targetType: "member",
      targetId: membership.id,
      targetName: user.email,
      after: { email: user.email, role: membership.role },
    });
    return { membershipId: membership.id, userId: user.id, email: user.email, name: user.name, role: membership.role, joinedAt: membership.createdAt };
  });
}

/** What the person adding a member is told, whether or not the email has an account. */
export function addMemberResultMessage(email: string, role: string): string {
  return `If ${email} has a Pullgate account, they are now a ${role} of this team. If they do not appear in the list, ask them to sign up with this email first, then add them again.`;
}
