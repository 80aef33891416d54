import { prisma } from "@/lib/db/client";
import { hashPassword, verifyPassword } from "@/lib/auth/password";
import { signInSchema } from "@/lib/auth/schemas";
import { IncorrectCredentials, SecondFactorRequired, TooManySignInAttempts } from "@/lib/auth/sign-in-errors";
import { startSignInChallenge } from "@/lib/two-factor/sign-in-challenge";
import { beginSignInAttempt, signInSucceeded, signInThrottleKeys } from "@/lib/auth/throttle";
import { hasUnstorableText } from "@/lib/validation/storable-text";

export type AuthorizedUser = { id: string; email: string; name: string };

let dummyHash: Promise<string> | undefined;

/** Verifying against a throwaway hash keeps the timing of "no such email" equal to "wrong password". */
function timingDummyHash(): Promise<string> {
  dummyHash ??= hashPassword("pullgate-timing-equaliser");
  return dummyHash;
}

/**
 * The Credentials provider's check for a sign-in from `clientAddress` (the
 * address the portal server resolved): the attempt is cleared with the
 * throttle first (lib/auth/throttle.ts), then the password is verified.
 * With two-factor sign-in on, throws SecondFactorRequired carrying the
 * challenge for the second step (lib/two-factor/sign-in-challenge.ts).
 * Throws IncorrectCredentials / TooManySignInAttempts, which the sign-in form
 * maps to its messages; returns the user on success.
 */
export async function authorizeCredentials(credentials: unknown, clientAddress: string): Promise<AuthorizedUser> {
  const parsed = signInSchema.safeParse(credentials);
  if (!parsed.success || hasUnstorableText(parsed.data)) throw new IncorrectCredentials();
  const { email, password } = parsed.data;
  const keys = signInThrottleKeys(email, clientAddress);

  const attempt = await beginSignInAttempt(keys);
  if (!attempt.allowed) throw new TooManySignInAttempts(attempt.retryAfterMs);

  const user = await prisma.user.findUnique({ where: { email }, select: { id: true, email: true, name: true, passwordHash: true, totpEnabledAt: true } });
  const ok = user ? await verifyPassword(user.passwordHash, password) : (await verifyPassword(await timingDummyHash(), password)) && false;
  if (!user || !ok) throw new IncorrectCredentials();
  await signInSucceeded(keys);
  // Two-factor sign-in: the password alone issues no session, only a challenge for the second step.
  if (user.totpEnabledAt) throw new SecondFactorRequired(await startSignInChallenge(user.id));
  return { id: user.id, email: user.email, name: user.name };
}
