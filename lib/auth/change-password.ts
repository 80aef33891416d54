import { prisma } from "@/lib/db/client";
import { DomainError, NotFoundError, ValidationError } from "@/lib/errors";
import { hashPassword, verifyPassword } from "@/lib/auth/password";
import { assertPasswordNotCommon } from "@/lib/auth/password-policy";
import { changePasswordSchema, type ChangePasswordInput } from "@/lib/auth/schemas";
import { beginSignInAttempt, signInSucceeded, signInThrottleKeys, throttledMessage } from "@/lib/auth/throttle";
import { parseOrThrow } from "@/lib/validation/format-zod-issues";

export const WRONG_CURRENT_PASSWORD = "That is not your current password.";

/**
 * Changes a signed-in user's password after checking the current one (throttled
 * like a sign-in: a borrowed session must not become a password oracle), then
 * ends every session of the user, this one included.
 */
export async function changePassword(userId: string, input: ChangePasswordInput, clientAddress: string): Promise<{ endedSessions: number }> {
  const data = parseOrThrow(changePasswordSchema, input);
  assertPasswordNotCommon(data.newPassword, "newPassword");
  const user = await prisma.user.findUnique({ where: { id: userId }, select: { email: true, passwordHash: true } });
  if (!user) throw new NotFoundError("User");

  const keys = signInThrottleKeys(user.email, clientAddress);
  const attempt = await beginSignInAttempt(keys);
  if (!attempt.allowed) throw new DomainError(429, "too_many_attempts", throttledMessage(attempt.retryAfterMs));
  if (!(await verifyPassword(user.passwordHash, data.currentPassword))) {
    throw new ValidationError(WRONG_CURRENT_PASSWORD, [{ path: "currentPassword", message: WRONG_CURRENT_PASSWORD }]);
  }
  await signInSucceeded(keys);

  const passwordHash = await hashPassword(data.newPassword);
  const [, ended] = await prisma.$transaction([
    prisma.user.update({ where: { id: userId }, data: { passwordHash } }),
    prisma.session.deleteMany({ where: { userId } }),
  ]);
  return { endedSessions: ended.count };
}
