import { describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import { prisma } from "@/lib/db/client";
import { createVendor } from "@/lib/teams/create-vendor";
import { verifyPassword } from "@/lib/auth/password";
import { COMMON_PASSWORD_MESSAGE } from "@/lib/auth/password-policy";
import { changePassword, WRONG_CURRENT_PASSWORD } from "@/lib/auth/change-password";
import { countActiveSessions, endAllSessions, endSession, isSessionActive, SESSION_MAX_AGE_SECONDS, startSession } from "@/lib/auth/sessions";
import { ACCOUNT_ADDRESS_POLICY } from "@/lib/auth/throttle";
import { DomainError, ValidationError } from "@/lib/errors";

const uniqueEmail = () => `sessions-${randomUUID().slice(0, 8)}@example.com`;
let octet = 0;
const uniqueIp = () => `192.0.2.${++octet % 250}`;

async function user(password = "first-password-1") {
  const { user } = await createVendor({ email: uniqueEmail(), password, teamName: "Sessions" });
  return user;
}

describe("server-side sessions", () => {
  it("a session stands until it is ended, expires, or is presented for another user", async () => {
    const u = await user();
    const other = await user();
    const now = new Date();
    const sid = await startSession(u.id, { userAgent: "test", ipAddress: "192.0.2.1" }, now);
    expect(await isSessionActive(sid, u.id, now)).toBe(true);
    expect(await isSessionActive(sid, other.id, now)).toBe(false);
    expect(await isSessionActive(undefined, u.id, now)).toBe(false);
    expect(await isSessionActive(sid, u.id, new Date(now.getTime() + SESSION_MAX_AGE_SECONDS * 1000))).toBe(false);
    await endSession(sid);
    expect(await isSessionActive(sid, u.id, now)).toBe(false);
  });

  it("signing out one session leaves the others; 'sign out everywhere' ends all of the user's and nobody else's", async () => {
    const u = await user();
    const other = await user();
    const [a, b, c] = [await startSession(u.id), await startSession(u.id), await startSession(u.id)];
    const theirs = await startSession(other.id);
    await endSession(a);
    expect([await isSessionActive(a, u.id), await isSessionActive(b, u.id), await isSessionActive(c, u.id)]).toEqual([false, true, true]);
    expect(await countActiveSessions(u.id)).toBe(2);
    expect(await endAllSessions(u.id)).toBe(2);
    expect([await isSessionActive(b, u.id), await isSessionActive(c, u.id)]).toEqual([false, false]);
    expect(await isSessionActive(theirs, other.id)).toBe(true);
  });
});

describe("changePassword", () => {
  it("checks the current password, stores the new one and ends every session of the user", async () => {
    const u = await user("first-password-1");
    const sessions = [await startSession(u.id), await startSession(u.id)];
    const result = await changePassword(u.id, { currentPassword: "first-password-1", newPassword: "second-password-2", confirmPassword: "second-password-2" }, uniqueIp());
    expect(result).toEqual({ endedSessions: 2 });
    for (const sid of sessions) expect(await isSessionActive(sid, u.id)).toBe(false);
    const stored = await prisma.user.findUniqueOrThrow({ where: { id: u.id } });
    expect(await verifyPassword(stored.passwordHash, "second-password-2")).toBe(true);
  });

  it("refuses a wrong current password, a common or mismatched new one, and changes nothing", async () => {
    const u = await user("first-password-1");
    const sid = await startSession(u.id);
    const attempts: [Record<string, string>, string, string][] = [
      [{ currentPassword: "not-it-at-all", newPassword: "second-password-2", confirmPassword: "second-password-2" }, "currentPassword", WRONG_CURRENT_PASSWORD],
      [{ currentPassword: "first-password-1", newPassword: "1234567890", confirmPassword: "1234567890" }, "newPassword", COMMON_PASSWORD_MESSAGE],
      [{ currentPassword: "first-password-1", newPassword: "second-password-2", confirmPassword: "second-password-3" }, "confirmPassword", "The new passwords do not match."],
      [{ currentPassword: "first-password-1", newPassword: "short", confirmPassword: "short" }, "newPassword", "Password must be at least 10 characters."],
    ];
    for (const [input, field, message] of attempts) {
      const error = await changePassword(u.id, input as never, uniqueIp()).catch((e: unknown) => e);
      expect(error, field).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).issues.find((i) => i.path === field)?.message).toBe(message);
    }
    expect(await isSessionActive(sid, u.id)).toBe(true);
    const stored = await prisma.user.findUniqueOrThrow({ where: { id: u.id } });
    expect(await verifyPassword(stored.passwordHash, "first-password-1")).toBe(true);
  });

  it("is throttled like a sign-in: a borrowed session cannot guess the current password at speed", async () => {
    const u = await user("first-password-1");
    const ip = uniqueIp();
    const input = (i: number) => ({ currentPassword: `guess-number-${i}`, newPassword: "second-password-2", confirmPassword: "second-password-2" });
    for (let i = 0; i < ACCOUNT_ADDRESS_POLICY.freeFailures; i++) {
      await expect(changePassword(u.id, input(i), ip)).rejects.toBeInstanceOf(ValidationError);
    }
    const throttled = await changePassword(u.id, input(99), ip).catch((e: unknown) => e);
    expect(throttled).toBeInstanceOf(DomainError);
    expect(throttled).toMatchObject({ status: 429, code: "too_many_attempts" });
  });
});
