import { prisma } from "@/lib/db/client";
import { config } from "@/lib/config";
import { DomainError } from "@/lib/errors";
import { newOneTimeToken } from "@/lib/auth/one-time-token";
import { requestPasswordResetSchema, type RequestPasswordResetInput } from "@/lib/auth/schemas";
import { beginSignInAttempt, type ThrottleKey, type ThrottlePolicy } from "@/lib/auth/throttle";
import { addressGroup } from "@/lib/http/client-address";
import { recordUserAuditEvent } from "@/lib/auth/user-audit";
import { sendMail } from "@/lib/mail/send-mail";
import { mailLog } from "@/lib/mail/log";
import { parseOrThrow } from "@/lib/validation/format-zod-issues";

export const PASSWORD_RESET_VALID_MS = 60 * 60_000;

/** What every reset request is told, whether or not the email has an account. */
export const RESET_REQUESTED_MESSAGE =
  "If an account uses this email, a link to choose a new password is on its way. It works once, within an hour.";

// Reset requests send mail, so they are bounded in the AuthThrottle table like
// sign-ins: per (email, address) and per address, and per email alone with a
// looser bound that stops anyone from flooding one mailbox. The per-email key
// can only delay reset mails to that address, never a sign-in.
const ACCOUNT_ADDRESS: ThrottlePolicy = { freeFailures: 3, baseDelayMs: 60_000, maxDelayMs: 60 * 60_000 };
const ADDRESS: ThrottlePolicy = { freeFailures: 20, baseDelayMs: 60_000, maxDelayMs: 60 * 60_000 };
const ACCOUNT: ThrottlePolicy = { freeFailures: 5, baseDelayMs: 5 * 60_000, maxDelayMs: 60 * 60_000 };

export function resetThrottleKeys(email: string, address: string): ThrottleKey[] {
  const group = addressGroup(address);
  return [
    { key: `reset-acct-addr:${email}|${group}`, policy: ACCOUNT_ADDRESS },
    { key: `reset-addr:${group}`, policy: ADDRESS },
    { key: `reset-acct:${email}`, policy: ACCOUNT },
  ];
}

export function resetThrottledMessage(retryAfterMs: number): string {
  const minutes = Math.max(1, Math.ceil(retryAfterMs / 60_000));
  return `Too many reset requests. Try again in ${minutes} minute${minutes === 1 ? "" : "s"}.`;
}

/**
 * Asks for a reset link. The answer (RESET_REQUESTED_MESSAGE) and its timing do
 * not depend on whether the email has an account: the lookup, the token and the
 * mail happen after the answer, in `delivery` (awaited by tests only).
 */
export async function requestPasswordReset(input: RequestPasswordResetInput, clientAddress: string, now = new Date()): Promise<{ message: string; delivery: Promise<void> }> {
  const { email } = parseOrThrow(requestPasswordResetSchema, input);
  const attempt = await beginSignInAttempt(resetThrottleKeys(email, clientAddress), now);
  if (!attempt.allowed) throw new DomainError(429, "too_many_attempts", resetThrottledMessage(attempt.retryAfterMs));
  const delivery = deliverResetLink(email, now).catch((err: unknown) => {
    mailLog.error({ cause: (err as Error).message }, "password reset link not delivered");
  });
  return { message: RESET_REQUESTED_MESSAGE, delivery };
}

async function deliverResetLink(email: string, now: Date): Promise<void> {
  const user = await prisma.user.findUnique({ where: { email }, select: { id: true, email: true } });
  if (!user) return;
  const { token, tokenHash } = newOneTimeToken();
  const expiresAt = new Date(now.getTime() + PASSWORD_RESET_VALID_MS);
  await prisma.$transaction(async (tx) => {
    // One working link at a time: an earlier unused one stops working.
    await tx.passwordReset.updateMany({ where: { userId: user.id, usedAt: null }, data: { usedAt: now } });
    await tx.passwordReset.create({ data: { userId: user.id, tokenHash, expiresAt, createdAt: now } });
    await recordUserAuditEvent(tx, user, "user.password_reset_request");
  });
  await sendMail({
    to: user.email,
    subject: "Choose a new Pullgate password",
    text: [
      "Someone (hopefully you) asked to reset the password of your Pullgate account.",
      "",
      "Choose a new password here:",
      `${config.portalUrl.replace(/\/+$/, "")}/reset-password/${token}`,
      "",
      "The link works once, within an hour. Resetting signs out every browser signed in to your account.",
      "If you did not ask for this, ignore this email: your password stays as it is.",
    ].join("\n"),
  });
}
