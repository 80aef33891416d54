import type { Actor } from "@/lib/auth/actor";
import { prisma } from "@/lib/db/client";
import { ConflictError } from "@/lib/errors";
import { recordAuditEvent } from "@/lib/audit/record-audit-event";
import { newOneTimeToken } from "@/lib/auth/one-time-token";
import { parseOrThrow } from "@/lib/validation/format-zod-issues";
import { assertCanManageRole } from "@/lib/members/member-rules";
import { createInvitationSchema, type CreateInvitationInput } from "@/lib/invitations/schemas";
import { INVITATION_VALID_DAYS, pendingWhere } from "@/lib/invitations/invitation-status";
import { invitationSelect, toInvitationDto, type InvitationDto } from "@/lib/invitations/invitation-dto";
import { invitationMail } from "@/lib/invitations/invitation-mail";
import { sendMail } from "@/lib/mail/send-mail";
import { mailLog } from "@/lib/mail/log";

/** Pending invitations a team may have at once: each one is an email sent on the team's say-so. */
export const MAX_PENDING_INVITATIONS = 50;

/**
 * Invites someone by email with a role. The answer does not depend on whether
 * the email has a Pullgate account (the invitee signs up or signs in from the
 * link). An earlier pending invitation of the same email is replaced (revoked),
 * so one person has one working link. The email is sent after the invitation
 * is saved; if the mail server refuses, the invitation stays pending
 * (emailSent false) and can be revoked and sent again.
 */
export async function createInvitation(actor: Actor, input: CreateInvitationInput, now = new Date()): Promise<{ invitation: InvitationDto; emailSent: boolean }> {
  const data = parseOrThrow(createInvitationSchema, input);
  assertCanManageRole(actor, data.role);
  const { token, tokenHash } = newOneTimeToken();
  const expiresAt = new Date(now.getTime() + INVITATION_VALID_DAYS * 24 * 60 * 60_000);

  const { row, teamName } = await prisma.$transaction(async (tx) => {
    // Serialises invitations of one team, so the pending bound holds under concurrent requests.
    const team = await tx.$queryRaw<{ name: string }[]>`SELECT "name" FROM "Team" WHERE "id" = ${actor.teamId} FOR UPDATE`;
    const member = await tx.membership.findFirst({ where: { teamId: actor.teamId, user: { email: data.email } }, select: { role: true } });
    if (member) throw new ConflictError(`${data.email} is already a member of this team (${member.role}).`);
    const replaced = await tx.invitation.findMany({ where: { teamId: actor.teamId, email: data.email, ...pendingWhere(now) }, select: { id: true, role: true } });
    if (replaced.length) {
      await tx.invitation.updateMany({ where: { id: { in: replaced.map((r) => r.id) } }, data: { revokedAt: now } });
      for (const r of replaced) {
        await recordAuditEvent(tx, { actor, action: "invitation.revoke", targetType: "invitation", targetId: r.id, targetName: data.email, before: { role: r.role, replaced: true } });
      }
    }
    const pending = await tx.invitation.count({ where: { teamId: actor.teamId, ...pendingWhere(now) } });
    if (pending >= MAX_PENDING_INVITATIONS) {
      throw new ConflictError(`This team has ${MAX_PENDING_INVITATIONS} pending invitations: revoke some, or wait until they are answered or expire.`);
    }
    const row = await tx.invitation.create({
      data: { teamId: actor.teamId, email: data.email, role: data.role, tokenHash, invitedById: actor.userId, invitedByLabel: actor.label, expiresAt, createdAt: now },
      select: invitationSelect,
    });
    await recordAuditEvent(tx, { actor, action: "invitation.create", targetType: "invitation", targetId: row.id, targetName: data.email, after: { email: data.email, role: data.role } });
    return { row, teamName: team[0]?.name ?? "" };
  });

  let emailSent = true;
  try {
    await sendMail(invitationMail({ to: data.email, teamName, role: data.role, invitedBy: actor.label, token, expiresAt }));
  } catch (err) {
    emailSent = false;
    mailLog.warn({ invitation: row.id, cause: (err as Error).message }, "invitation saved but its email was not sent");
  }
  return { invitation: toInvitationDto(row, now), emailSent };
}
