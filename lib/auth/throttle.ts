import { prisma } from "@/lib/db/client";

/**
 * Sign-in throttling, shared by every portal replica through the AuthThrottle
 * table. Failures are counted per key ("email:<addr>", "ip:<addr>") within a
 * sliding 15-minute window; past a threshold each further attempt is slowed
 * (progressive delay, capped) and past a limit the key is refused for 15 min.
 * An IP gets looser limits than an email: many people can share one address.
 */
export type ThrottlePolicy = { delayAfter: number; lockAfter: number };

export const THROTTLE_WINDOW_MS = 15 * 60_000;
export const THROTTLE_LOCK_MS = 15 * 60_000;
export const EMAIL_POLICY: ThrottlePolicy = { delayAfter: 3, lockAfter: 10 };
export const IP_POLICY: ThrottlePolicy = { delayAfter: 20, lockAfter: 50 };
const BASE_DELAY_MS = 200;
const MAX_DELAY_MS = 3_000;

export type ThrottleKey = { key: string; policy: ThrottlePolicy };

export function emailThrottleKey(email: string): ThrottleKey {
  return { key: `email:${email.trim().toLowerCase()}`, policy: EMAIL_POLICY };
}

export function ipThrottleKey(ip: string): ThrottleKey {
  return { key: `ip:${ip}`, policy: IP_POLICY };
}

export type ThrottleState =
  | { locked: false; delayMs: number }
  | { locked: true; retryAfterMs: number; retryAfterMinutes: number };

/** Delay for the next attempt after `failures` recent failures: doubles per failure, capped. */
export function delayForFailures(failures: number, policy: ThrottlePolicy): number {
  if (failures < policy.delayAfter) return 0;
  return Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** (failures - policy.delayAfter));
}

export function lockedMessage(retryAfterMinutes: number): string {
  return `Too many failed sign-in attempts. Try again in ${retryAfterMinutes} minute${retryAfterMinutes === 1 ? "" : "s"}.`;
}

/** Whether these keys may attempt a sign-in now, and how long to slow the attempt. */
export async function checkThrottle(keys: ThrottleKey[], now = new Date()): Promise<ThrottleState> {
  const rows = await prisma.authThrottle.findMany({ where: { key: { in: keys.map((k) => k.key) } } });
  let delayMs = 0;
  let lockedUntil = 0;
  for (const row of rows) {
    const policy = keys.find((k) => k.key === row.key)?.policy;
    if (!policy) continue;
    if (row.lockedUntil && row.lockedUntil.getTime() > now.getTime()) {
      lockedUntil = Math.max(lockedUntil, row.lockedUntil.getTime());
    }
    const inWindow = row.windowStart.getTime() > now.getTime() - THROTTLE_WINDOW_MS;
    if (inWindow) delayMs = Math.max(delayMs, delayForFailures(row.failures, policy));
  }
  if (lockedUntil > 0) {
    const retryAfterMs = lockedUntil - now.getTime();
    return { locked: true, retryAfterMs, retryAfterMinutes: Math.max(1, Math.ceil(retryAfterMs / 60_000)) };
  }
  return { locked: false, delayMs };
}

/**
 * Counts one failed attempt for each key, atomically (concurrent failures on
 * several replicas all count), and locks a key that reaches its limit.
 * Returns the resulting state as checkThrottle would report it.
 */
export async function recordFailure(keys: ThrottleKey[], now = new Date()): Promise<ThrottleState> {
  const windowFloor = new Date(now.getTime() - THROTTLE_WINDOW_MS);
  const lockUntil = new Date(now.getTime() + THROTTLE_LOCK_MS);
  for (const { key, policy } of keys) {
    await prisma.$executeRaw`
      INSERT INTO "AuthThrottle" ("key", "failures", "windowStart", "lockedUntil", "updatedAt")
      VALUES (${key}, 1, ${now}, ${policy.lockAfter <= 1 ? lockUntil : null}, ${now})
      ON CONFLICT ("key") DO UPDATE SET
        "failures" = CASE WHEN "AuthThrottle"."windowStart" <= ${windowFloor} THEN 1 ELSE "AuthThrottle"."failures" + 1 END,
        "windowStart" = CASE WHEN "AuthThrottle"."windowStart" <= ${windowFloor} THEN ${now} ELSE "AuthThrottle"."windowStart" END,
        "lockedUntil" = CASE
          WHEN "AuthThrottle"."lockedUntil" IS NOT NULL AND "AuthThrottle"."lockedUntil" > ${now} THEN "AuthThrottle"."lockedUntil"
          WHEN (CASE WHEN "AuthThrottle"."windowStart" <= ${windowFloor} THEN 1 ELSE "AuthThrottle"."failures" + 1 END) >= ${policy.lockAfter} THEN ${lockUntil}
          ELSE NULL END,
        "updatedAt" = ${now}`;
  }
  return checkThrottle(keys, now);
}

/** A successful sign-in clears the email's counter (the IP's keeps counting down with its window). */
export async function recordSuccess(key: ThrottleKey): Promise<void> {
  await prisma.authThrottle.deleteMany({ where: { key: key.key } });
}
