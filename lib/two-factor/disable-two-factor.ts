import { prisma } from "@/lib/db/client";
import { ConflictError, DomainError, NotFoundError, ValidationError } from "@/lib/errors";
import { beginSignInAttempt, signInSucceeded, throttledMessage } from "@/lib/auth/throttle";
import { recordUserAuditEvent } from "@/lib/auth/user-audit";
import { parseOrThrow } from "@/lib/validation/format-zod-issues";
import { disableTwoFactorSchema, type DisableTwoFactorInput } from "@/lib/two-factor/schemas";
import { useSecondFactor } from "@/lib/two-factor/check-second-factor";
import { twoFactorThrottleKeys } from "@/lib/two-factor/throttle-keys";

export const WRONG_CODE = "That code is not valid: enter the current code from your authenticator app, or an unused recovery code.";

/** Turns two-factor sign-in off after a current code, unless a team of the account requires it. */
export async function disableTwoFactor(userId: string, input: DisableTwoFactorInput, clientAddress: string, now = new Date()): Promise<void> {
  const { code } = parseOrThrow(disableTwoFactorSchema, input);
  const user = await prisma.user.findUnique({
    where: { id: userId },
    select: { id: true, email: true, totpEnabledAt: true, totpSecretCiphertext: true, totpLastStep: true, memberships: { where: { team: { requireTwoFactor: true } }, select: { team: { select: { name: true } } } } },
  });
  if (!user) throw new NotFoundError("User");
  if (!user.totpEnabledAt) throw new ConflictError("Two-factor sign-in is not on.");
  if (user.memberships.length > 0) {
    throw new ConflictError(`${user.memberships.map((m) => m.team.name).join(", ")} requires two-factor sign-in: it cannot be turned off while you are a member.`);
  }
  const keys = twoFactorThrottleKeys(user.id, clientAddress);
  const attempt = await beginSignInAttempt(keys, now);
  if (!attempt.allowed) throw new DomainError(429, "too_many_attempts", throttledMessage(attempt.retryAfterMs));
  await prisma.$transaction(async (tx) => {
    if (!(await useSecondFactor(tx, user, code, now))) throw new ValidationError(WRONG_CODE, [{ path: "code", message: WRONG_CODE }]);
    await tx.user.update({ where: { id: user.id }, data: { totpSecretCiphertext: null, totpPendingCiphertext: null, totpEnabledAt: null, totpLastStep: null } });
    await tx.recoveryCode.deleteMany({ where: { userId: user.id } });
    await recordUserAuditEvent(tx, user, "user.two_factor_disable");
  });
  await signInSucceeded(keys);
}
