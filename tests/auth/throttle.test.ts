import { describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import { prisma } from "@/lib/db/client";
import { createVendor } from "@/lib/teams/create-vendor";
import { authorizeCredentials } from "@/lib/auth/authorize-credentials";
import { IncorrectCredentials, TooManySignInAttempts, signInErrorMessage } from "@/lib/auth/sign-in-errors";
import {
  EMAIL_POLICY,
  THROTTLE_WINDOW_MS,
  checkThrottle,
  delayForFailures,
  emailThrottleKey,
  ipThrottleKey,
  recordFailure,
  recordSuccess,
} from "@/lib/auth/throttle";

const uniqueEmail = () => `throttle-${randomUUID().slice(0, 8)}@example.com`;
const uniqueIp = () => `10.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`;
const headersFrom = (ip: string) => new Headers({ "x-forwarded-for": `${ip}, 127.0.0.1` });
const minutes = (n: number) => n * 60_000;

describe("sign-in throttle", () => {
  it("slows after a few failures, progressively and capped", () => {
    expect(delayForFailures(0, EMAIL_POLICY)).toBe(0);
    expect(delayForFailures(EMAIL_POLICY.delayAfter - 1, EMAIL_POLICY)).toBe(0);
    const delays = [3, 4, 5, 6, 7, 8, 9, 20].map((n) => delayForFailures(n, EMAIL_POLICY));
    expect(delays[0]).toBeGreaterThan(0);
    for (let i = 1; i < delays.length; i++) expect(delays[i]).toBeGreaterThanOrEqual(delays[i - 1]!);
    expect(delays.at(-1)).toBeLessThanOrEqual(3_000);
  });

  it("locks an email after 10 failures within 15 minutes, for 15 minutes", async () => {
    const key = emailThrottleKey(uniqueEmail());
    const start = new Date();
    for (let i = 0; i < 9; i++) {
      const state = await recordFailure([key], new Date(start.getTime() + i * 1000));
      expect(state.locked).toBe(false);
    }
    const nine = await checkThrottle([key], new Date(start.getTime() + 9_000));
    expect(nine).toMatchObject({ locked: false });
    expect(nine.locked === false && nine.delayMs).toBeGreaterThan(0);

    const tenth = await recordFailure([key], new Date(start.getTime() + 10_000));
    expect(tenth).toMatchObject({ locked: true, retryAfterMinutes: 15 });

    const later = await checkThrottle([key], new Date(start.getTime() + 10_000 + minutes(6)));
    expect(later).toMatchObject({ locked: true, retryAfterMinutes: 9 });

    // After the lock expires, the key may try again (and a stale window starts over).
    const after = await checkThrottle([key], new Date(start.getTime() + 10_000 + minutes(15) + 1));
    expect(after).toEqual({ locked: false, delayMs: 0 });
    const fresh = await recordFailure([key], new Date(start.getTime() + 10_000 + minutes(16)));
    expect(fresh).toEqual({ locked: false, delayMs: 0 });
    const row = await prisma.authThrottle.findUniqueOrThrow({ where: { key: key.key } });
    expect(row.failures).toBe(1);
  });

  it("forgets failures older than the window", async () => {
    const key = emailThrottleKey(uniqueEmail());
    const start = new Date();
    for (let i = 0; i < 9; i++) await recordFailure([key], start);
    const state = await recordFailure([key], new Date(start.getTime() + THROTTLE_WINDOW_MS + 1));
    expect(state).toEqual({ locked: false, delayMs: 0 });
  });

  it("counts concurrent failures without losing any", async () => {
    const key = emailThrottleKey(uniqueEmail());
    await Promise.all(Array.from({ length: 6 }, () => recordFailure([key])));
    const row = await prisma.authThrottle.findUniqueOrThrow({ where: { key: key.key } });
    expect(row.failures).toBe(6);
  });

  it("gives an IP more room than an email before locking", async () => {
    const ip = ipThrottleKey(uniqueIp());
    for (let i = 0; i < 10; i++) await recordFailure([ip]);
    expect(await checkThrottle([ip])).toEqual({ locked: false, delayMs: 0 });
  });

  it("a success resets the email counter", async () => {
    const key = emailThrottleKey(uniqueEmail());
    for (let i = 0; i < 5; i++) await recordFailure([key]);
    await recordSuccess(key);
    expect(await checkThrottle([key])).toEqual({ locked: false, delayMs: 0 });
  });
});

describe("authorizeCredentials", () => {
  it("accepts the right password and never says whether an email exists", async () => {
    const email = uniqueEmail();
    const ip = uniqueIp();
    const { user } = await createVendor({ email, password: "right-password", teamName: "Throttle Co" });

    await expect(authorizeCredentials({ email, password: "right-password" }, headersFrom(ip))).resolves.toEqual({
      id: user.id,
      email,
      name: user.name,
    });

    const wrong = await authorizeCredentials({ email, password: "wrong-password" }, headersFrom(ip)).catch((e: unknown) => e);
    const unknown = await authorizeCredentials({ email: uniqueEmail(), password: "whatever" }, headersFrom(ip)).catch((e: unknown) => e);
    expect(wrong).toBeInstanceOf(IncorrectCredentials);
    expect(unknown).toBeInstanceOf(IncorrectCredentials);
    expect(signInErrorMessage(wrong)).toBe("Incorrect email or password.");
    expect(signInErrorMessage(unknown)).toBe("Incorrect email or password.");

    // Failures were counted for the email and the IP; the success before them reset nothing later.
    expect((await prisma.authThrottle.findUniqueOrThrow({ where: { key: `email:${email}` } })).failures).toBe(1);
    expect((await prisma.authThrottle.findUniqueOrThrow({ where: { key: `ip:${ip}` } })).failures).toBe(2);

    // A success clears the email's counter.
    await authorizeCredentials({ email: email.toUpperCase(), password: "right-password" }, headersFrom(ip));
    expect(await prisma.authThrottle.findUnique({ where: { key: `email:${email}` } })).toBeNull();
  });

  it("refuses a locked email, even with the right password, with a clear message", async () => {
    const email = uniqueEmail();
    await createVendor({ email, password: "right-password", teamName: "Locked Co" });
    const key = emailThrottleKey(email);
    for (let i = 0; i < EMAIL_POLICY.lockAfter; i++) await recordFailure([key]);

    const error = await authorizeCredentials({ email, password: "right-password" }, headersFrom(uniqueIp())).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TooManySignInAttempts);
    expect(signInErrorMessage(error)).toBe("Too many failed sign-in attempts. Try again in 15 minutes.");
  });

  it("the failure that reaches the limit is already refused as throttled", async () => {
    const email = uniqueEmail();
    const key = emailThrottleKey(email);
    for (let i = 0; i < EMAIL_POLICY.lockAfter - 1; i++) await recordFailure([key]);
    // This attempt is slowed (capped delay) and then refused as throttled.
    const started = Date.now();
    const error = await authorizeCredentials({ email, password: "nope" }, headersFrom(uniqueIp())).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TooManySignInAttempts);
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
