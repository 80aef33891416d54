import { prisma } from "@/lib/db/client";
import { addressGroup } from "@/lib/http/client-address";

/**
 * Sign-in throttling, shared by every portal process through the AuthThrottle
 * table. The rule:
 * - Failures are counted per client address (an IPv6 address by its /64) and
 *   per (account, address). Never per account alone: a stranger elsewhere must
 *   not be able to slow down or lock out the owner signing in from their own
 *   address.
 * - Past a key's free failures, its next attempt must wait a delay that
 *   doubles with each further failure (1 s, 2 s, 4 s, … capped). An attempt
 *   before then is refused unchecked, with how long to wait; there is no lock
 *   beyond that delay.
 * - Every attempt is counted before the password is checked, so parallel
 *   guesses cannot slip through together; a success takes its own count back
 *   from the address (so signing in to one's own account cannot wipe a
 *   guessing record) and clears the (account, address) key.
 * - Failures are forgotten an hour after the last one.
 * An address gets far more free failures than an (account, address) pair:
 * offices and carrier NAT put many people behind one address.
 */
export type ThrottlePolicy = { freeFailures: number; baseDelayMs: number; maxDelayMs: number };

export const ACCOUNT_ADDRESS_POLICY: ThrottlePolicy = { freeFailures: 5, baseDelayMs: 1_000, maxDelayMs: 15 * 60_000 };
export const ADDRESS_POLICY: ThrottlePolicy = { freeFailures: 30, baseDelayMs: 1_000, maxDelayMs: 15 * 60_000 };
export const FORGET_AFTER_MS = 60 * 60_000;

export type ThrottleKey = { key: string; policy: ThrottlePolicy };

export function addressThrottleKey(address: string): ThrottleKey {
  return { key: `addr:${addressGroup(address)}`, policy: ADDRESS_POLICY };
}

export function accountAddressThrottleKey(email: string, address: string): ThrottleKey {
  return { key: `acct-addr:${email.trim().toLowerCase()}|${addressGroup(address)}`, policy: ACCOUNT_ADDRESS_POLICY };
}

/** The keys one sign-in attempt counts against. */
export function signInThrottleKeys(email: string, address: string): ThrottleKey[] {
  return [accountAddressThrottleKey(email, address), addressThrottleKey(address)];
}

/** How long a key must wait after its `failures`-th failure: none while free, then doubling, capped. */
export function delayAfterFailures(failures: number, policy: ThrottlePolicy): number {
  if (failures < policy.freeFailures) return 0;
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (failures - policy.freeFailures));
}

export type AttemptDecision = { allowed: true } | { allowed: false; retryAfterMs: number };

type Row = { key: string; failures: number; lastFailureAt: Date; nextAttemptAt: Date | null };

/**
 * Asks to make one sign-in attempt now. Refused while any key is waiting out
 * its delay (nothing is counted then); otherwise the attempt is counted as a
 * failure on every key up front, to be taken back by attemptSucceeded.
 */
export async function beginSignInAttempt(keys: ThrottleKey[], now = new Date()): Promise<AttemptDecision> {
  const names = [...new Set(keys.map((k) => k.key))].sort();
  return prisma.$transaction(async (tx) => {
    for (const key of names) {
      await tx.$executeRaw`
        INSERT INTO "AuthThrottle" ("key", "failures", "lastFailureAt", "updatedAt") VALUES (${key}, 0, ${now}, ${now})
        ON CONFLICT ("key") DO NOTHING`;
    }
    // Locked in key order: concurrent attempts on the same keys queue here instead of deadlocking.
    const rows = await tx.$queryRaw<Row[]>`
      SELECT "key", "failures", "lastFailureAt", "nextAttemptAt" FROM "AuthThrottle"
      WHERE "key" = ANY(${names}) ORDER BY "key" FOR UPDATE`;
    let waitUntil = 0;
    for (const row of rows) {
      const current = forgetStale(row, now);
      if (current.nextAttemptAt && current.nextAttemptAt.getTime() > now.getTime()) {
        waitUntil = Math.max(waitUntil, current.nextAttemptAt.getTime());
      }
    }
    if (waitUntil > 0) return { allowed: false, retryAfterMs: waitUntil - now.getTime() };
    for (const row of rows) {
      const policy = keys.find((k) => k.key === row.key)!.policy;
      const failures = forgetStale(row, now).failures + 1;
      const delay = delayAfterFailures(failures, policy);
      await tx.authThrottle.update({
        where: { key: row.key },
        data: { failures, lastFailureAt: now, nextAttemptAt: delay > 0 ? new Date(now.getTime() + delay) : null },
      });
    }
    return { allowed: true };
  });
}

/** The right password: the (account, address) key starts over and the address gets this attempt back. */
export async function signInSucceeded(keys: ThrottleKey[]): Promise<void> {
  const [accountAddress, ...addresses] = keys;
  if (accountAddress) await prisma.authThrottle.deleteMany({ where: { key: accountAddress.key } });
  for (const { key, policy } of addresses) {
    await prisma.$transaction(async (tx) => {
      const row = await tx.authThrottle.findUnique({ where: { key } });
      if (!row || row.failures === 0) return;
      const failures = row.failures - 1;
      const delay = delayAfterFailures(failures, policy);
      await tx.authThrottle.update({
        where: { key },
        data: { failures, nextAttemptAt: delay > 0 ? new Date(row.lastFailureAt.getTime() + delay) : null },
      });
    });
  }
}

function forgetStale(row: Row, now: Date): Row {
  if (now.getTime() - row.lastFailureAt.getTime() < FORGET_AFTER_MS) return row;
  return { ...row, failures: 0, nextAttemptAt: null };
}

/** "Try again in 8 seconds." / "… in 3 minutes." */
export function throttledMessage(retryAfterMs: number): string {
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  const [n, unit] = seconds < 60 ? [seconds, "second"] : [Math.ceil(seconds / 60), "minute"];
  return `Too many failed sign-in attempts. Try again in ${n} ${unit}${n === 1 ? "" : "s"}.`;
}
