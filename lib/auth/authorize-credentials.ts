import { prisma } from "@/lib/db/client";
import { hashPassword, verifyPassword } from "@/lib/auth/password";
import { signInSchema } from "@/lib/auth/schemas";
import { IncorrectCredentials, TooManySignInAttempts } from "@/lib/auth/sign-in-errors";
import { checkThrottle, emailThrottleKey, ipThrottleKey, recordFailure, recordSuccess } from "@/lib/auth/throttle";

export type AuthorizedUser = { id: string; email: string; name: string };

let dummyHash: Promise<string> | undefined;

/** Verifying against a throwaway hash keeps the timing of "no such email" equal to "wrong password". */
function timingDummyHash(): Promise<string> {
  dummyHash ??= hashPassword("pullgate-timing-equaliser");
  return dummyHash;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** First address of X-Forwarded-For (set by Next from the socket when absent), else X-Real-IP. */
export function clientIp(headers: Headers): string {
  const forwarded = headers.get("x-forwarded-for")?.split(",")[0]?.trim();
  return forwarded || headers.get("x-real-ip")?.trim() || "unknown";
}

/**
 * The Credentials provider's check: throttle first (refuse when locked, slow
 * down after a few failures), then verify the password. Throws
 * IncorrectCredentials / TooManySignInAttempts, which the sign-in form maps to
 * its messages; returns the user on success and clears the email's counter.
 */
export async function authorizeCredentials(credentials: unknown, headers: Headers): Promise<AuthorizedUser> {
  const parsed = signInSchema.safeParse(credentials);
  if (!parsed.success) throw new IncorrectCredentials();
  const { email, password } = parsed.data;
  const emailKey = emailThrottleKey(email);
  const keys = [emailKey, ipThrottleKey(clientIp(headers))];

  const state = await checkThrottle(keys);
  if (state.locked) throw new TooManySignInAttempts(state.retryAfterMinutes);
  if (state.delayMs > 0) await sleep(state.delayMs);

  const user = await prisma.user.findUnique({ where: { email }, select: { id: true, email: true, name: true, passwordHash: true } });
  const ok = user ? await verifyPassword(user.passwordHash, password) : (await verifyPassword(await timingDummyHash(), password)) && false;
  if (!user || !ok) {
    const after = await recordFailure(keys);
    if (after.locked) throw new TooManySignInAttempts(after.retryAfterMinutes);
    throw new IncorrectCredentials();
  }
  await recordSuccess(emailKey);
  return { id: user.id, email: user.email, name: user.name };
}
