import { prisma } from "@/lib/db/client";
import { lookupHash, newOneTimeToken } from "@/lib/auth/one-time-token";
import { beginSignInAttempt, signInSucceeded } from "@/lib/auth/throttle";
import { IncorrectSecondFactor, SignInChallengeExpired, TooManySignInAttempts } from "@/lib/auth/sign-in-errors";
import { secondFactorCodeSchema } from "@/lib/two-factor/schemas";
import { useSecondFactor } from "@/lib/two-factor/check-second-factor";
import { twoFactorThrottleKeys } from "@/lib/two-factor/throttle-keys";

// The sign-in's second step. The right password alone issues no session: it
// starts a challenge (a random token in an httpOnly cookie, stored hashed,
// valid 5 minutes, at most 5 wrong codes), and only the challenge plus a
// valid code signs in.

export const CHALLENGE_TTL_MS = 5 * 60_000;
export const MAX_CHALLENGE_FAILURES = 5;

export async function startSignInChallenge(userId: string, now = new Date()): Promise<string> {
  const { token, tokenHash } = newOneTimeToken();
  await prisma.signInChallenge.deleteMany({ where: { userId, expiresAt: { lte: now } } });
  await prisma.signInChallenge.create({ data: { userId, tokenHash, expiresAt: new Date(now.getTime() + CHALLENGE_TTL_MS), createdAt: now } });
  return token;
}

/** The user the challenge was for, once the code checks out; throws a CredentialsSignin subclass otherwise. */
export async function completeSignInChallenge(challenge: unknown, rawCode: unknown, clientAddress: string, now = new Date()) {
  const tokenHash = lookupHash(challenge);
  const row = tokenHash ? await prisma.signInChallenge.findUnique({ where: { tokenHash } }) : null;
  if (!row || row.expiresAt.getTime() <= now.getTime()) throw new SignInChallengeExpired();
  const parsed = secondFactorCodeSchema.safeParse(typeof rawCode === "string" ? rawCode : "");
  const keys = twoFactorThrottleKeys(row.userId, clientAddress);
  const attempt = await beginSignInAttempt(keys, now);
  if (!attempt.allowed) throw new TooManySignInAttempts(attempt.retryAfterMs);

  const user = await prisma.$transaction(async (tx) => {
    const user = await tx.user.findUniqueOrThrow({
      where: { id: row.userId },
      select: { id: true, email: true, name: true, totpSecretCiphertext: true, totpLastStep: true },
    });
    if (parsed.success && (await useSecondFactor(tx, user, parsed.data, now))) {
      await tx.signInChallenge.delete({ where: { id: row.id } });
      return user;
    }
    return null;
  });
  if (!user) {
    const updated = await prisma.signInChallenge.update({ where: { id: row.id }, data: { failures: { increment: 1 } } });
    if (updated.failures >= MAX_CHALLENGE_FAILURES) {
      await prisma.signInChallenge.delete({ where: { id: row.id } });
      throw new SignInChallengeExpired();
    }
    throw new IncorrectSecondFactor();
  }
  await signInSucceeded(keys);
  return { id: user.id, email: user.email, name: user.name };
}
