import { prisma } from "@/lib/db/client";
import { DomainError } from "@/lib/errors";
import { hashPassword } from "@/lib/auth/password";
import { assertPasswordNotCommon } from "@/lib/auth/password-policy";
import { lookupHash } from "@/lib/auth/one-time-token";
import { resetPasswordSchema, type ResetPasswordInput } from "@/lib/auth/schemas";
import { recordUserAuditEvent } from "@/lib/auth/user-audit";
import { parseOrThrow } from "@/lib/validation/format-zod-issues";

export const RESET_LINK_INVALID = "This reset link is not valid any more: links work once, within an hour. Ask for a new one.";

/**
 * Sets a new password from an emailed reset link: the link is used up (even
 * under concurrent use: a conditional update), and every session of the account
 * ends, so a stolen session cookie stops working too.
 */
export async function resetPassword(input: ResetPasswordInput, now = new Date()): Promise<{ endedSessions: number }> {
  const data = parseOrThrow(resetPasswordSchema, input);
  assertPasswordNotCommon(data.newPassword, "newPassword");
  const tokenHash = lookupHash(data.token);
  const reset = tokenHash ? await prisma.passwordReset.findUnique({ where: { tokenHash }, include: { user: { select: { id: true, email: true } } } }) : null;
  if (!reset || reset.usedAt || reset.expiresAt.getTime() <= now.getTime()) throw new DomainError(410, "reset_link_invalid", RESET_LINK_INVALID);
  const passwordHash = await hashPassword(data.newPassword);
  return prisma.$transaction(async (tx) => {
    const { count } = await tx.passwordReset.updateMany({ where: { id: reset.id, usedAt: null, expiresAt: { gt: now } }, data: { usedAt: now } });
    if (count === 0) throw new DomainError(410, "reset_link_invalid", RESET_LINK_INVALID);
    await tx.user.update({ where: { id: reset.userId }, data: { passwordHash } });
    const ended = await tx.session.deleteMany({ where: { userId: reset.userId } });
    await recordUserAuditEvent(tx, reset.user, "user.password_reset", { endedSessions: ended.count });
    return { endedSessions: ended.count };
  });
}
