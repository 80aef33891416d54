import type { Prisma } from "@/lib/generated/prisma/client";
import { decryptSecret } from "@/lib/secrets/crypto";
import { verifyTotpCode } from "@/lib/two-factor/totp";
import { hashRecoveryCode } from "@/lib/two-factor/recovery-codes";

export type SecondFactorUser = { id: string; totpSecretCiphertext: string | null; totpLastStep: number | null };

/**
 * Checks and uses up a code: an authenticator code (its time step is recorded,
 * so it cannot be replayed) or a recovery code (marked used). Both are
 * conditional updates, so two requests racing with one code cannot both pass.
 */
export async function useSecondFactor(tx: Prisma.TransactionClient, user: SecondFactorUser, code: string, now = new Date()): Promise<"totp" | "recovery" | null> {
  if (!user.totpSecretCiphertext) return null;
  if (/^\d{6}$/.test(code)) {
    const step = verifyTotpCode(decryptSecret(user.totpSecretCiphertext), code, user.totpLastStep, now.getTime());
    if (step === null) return null;
    const { count } = await tx.user.updateMany({
      where: { id: user.id, OR: [{ totpLastStep: null }, { totpLastStep: { lt: step } }] },
      data: { totpLastStep: step },
    });
    return count === 1 ? "totp" : null;
  }
  const { count } = await tx.recoveryCode.updateMany({ where: { userId: user.id, codeHash: hashRecoveryCode(code), usedAt: null }, data: { usedAt: now } });
  return count === 1 ? "recovery" : null;
}
