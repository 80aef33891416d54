import QRCode from "qrcode";
import { prisma } from "@/lib/db/client";
import { ConflictError, DomainError, NotFoundError, ValidationError } from "@/lib/errors";
import { decryptSecret, encryptSecret } from "@/lib/secrets/crypto";
import { beginSignInAttempt, signInSucceeded, throttledMessage } from "@/lib/auth/throttle";
import { recordUserAuditEvent } from "@/lib/auth/user-audit";
import { parseOrThrow } from "@/lib/validation/format-zod-issues";
import { confirmTwoFactorSchema, type ConfirmTwoFactorInput } from "@/lib/two-factor/schemas";
import { newTotpSecret, totpFor, verifyTotpCode } from "@/lib/two-factor/totp";
import { hashRecoveryCode, newRecoveryCodes } from "@/lib/two-factor/recovery-codes";
import { twoFactorThrottleKeys } from "@/lib/two-factor/throttle-keys";

export const WRONG_ENROLMENT_CODE = "That code does not match: check the time on your phone and enter the current code.";

/**
 * First step of enrolment: a new secret, kept encrypted (lib/secrets) as
 * pending until a code from it is confirmed, and the otpauth:// URI as text and
 * as a QR code for the authenticator app.
 */
export async function startTwoFactorEnrolment(userId: string): Promise<{ secret: string; otpauthUri: string; qrDataUrl: string }> {
  const user = await prisma.user.findUnique({ where: { id: userId }, select: { email: true, totpEnabledAt: true } });
  if (!user) throw new NotFoundError("User");
  if (user.totpEnabledAt) throw new ConflictError("Two-factor sign-in is already on for your account.");
  const secret = newTotpSecret();
  await prisma.user.update({ where: { id: userId }, data: { totpPendingCiphertext: encryptSecret(secret).ciphertext } });
  const otpauthUri = totpFor(secret, user.email).toString();
  return { secret, otpauthUri, qrDataUrl: await QRCode.toDataURL(otpauthUri, { errorCorrectionLevel: "M", margin: 1, width: 220 }) };
}

/** Second step: a code from the app turns two-factor sign-in on; the recovery codes are returned once, stored hashed. */
export async function confirmTwoFactorEnrolment(userId: string, input: ConfirmTwoFactorInput, clientAddress: string, now = new Date()): Promise<{ recoveryCodes: string[] }> {
  const { code } = parseOrThrow(confirmTwoFactorSchema, input);
  const user = await prisma.user.findUnique({ where: { id: userId }, select: { id: true, email: true, totpPendingCiphertext: true, totpEnabledAt: true } });
  if (!user) throw new NotFoundError("User");
  if (user.totpEnabledAt) throw new ConflictError("Two-factor sign-in is already on for your account.");
  if (!user.totpPendingCiphertext) throw new ConflictError("Start the setup again: no QR code is waiting for a code.");

  const keys = twoFactorThrottleKeys(user.id, clientAddress);
  const attempt = await beginSignInAttempt(keys, now);
  if (!attempt.allowed) throw new DomainError(429, "too_many_attempts", throttledMessage(attempt.retryAfterMs));
  const step = verifyTotpCode(decryptSecret(user.totpPendingCiphertext), code, null, now.getTime());
  if (step === null) throw new ValidationError(WRONG_ENROLMENT_CODE, [{ path: "code", message: WRONG_ENROLMENT_CODE }]);
  await signInSucceeded(keys);

  const recoveryCodes = newRecoveryCodes();
  await prisma.$transaction(async (tx) => {
    const { count } = await tx.user.updateMany({
      where: { id: user.id, totpEnabledAt: null, totpPendingCiphertext: user.totpPendingCiphertext },
      data: { totpSecretCiphertext: user.totpPendingCiphertext, totpPendingCiphertext: null, totpEnabledAt: now, totpLastStep: step },
    });
    if (count === 0) throw new ConflictError("The setup changed meanwhile: start again.");
    await tx.recoveryCode.deleteMany({ where: { userId: user.id } });
    await tx.recoveryCode.createMany({ data: recoveryCodes.map((c) => ({ userId: user.id, codeHash: hashRecoveryCode(c), createdAt: now })) });
    await recordUserAuditEvent(tx, user, "user.two_factor_enable");
  });
  return { recoveryCodes };
}
