import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import { prisma } from "@/lib/db/client";
import { createVendor } from "@/lib/teams/create-vendor";
import { verifyPassword } from "@/lib/auth/password";
import { hashOneTimeToken } from "@/lib/auth/one-time-token";
import { isSessionActive, startSession } from "@/lib/auth/sessions";
import { requestPasswordReset, RESET_REQUESTED_MESSAGE } from "@/lib/auth/request-password-reset";
import { RESET_LINK_INVALID, resetPassword } from "@/lib/auth/reset-password";
import { authorizeCredentials } from "@/lib/auth/authorize-credentials";
import { listAuditEvents } from "@/lib/audit/list-audit-events";
import { DomainError, ValidationError } from "@/lib/errors";
import { firstLink, startSmtpCapture, type SmtpCapture } from "../helpers/smtp-capture";

let smtp: SmtpCapture;
let octet = 0;
const uniqueIp = () => `198.51.100.${++octet % 250}`;
const uniqueEmail = () => `reset-${randomUUID().slice(0, 8)}@example.com`;
const saved = { smtp: process.env.PULLGATE_SMTP_URL, url: process.env.PULLGATE_PORTAL_URL };

beforeAll(async () => {
  smtp = await startSmtpCapture();
  process.env.PULLGATE_SMTP_URL = smtp.url;
  process.env.PULLGATE_PORTAL_URL = "http://portal.e2e.test";
});
afterAll(async () => {
  process.env.PULLGATE_SMTP_URL = saved.smtp;
  process.env.PULLGATE_PORTAL_URL = saved.url;
  await smtp.close();
});

async function vendor() {
  const email = uniqueEmail();
  const { user, team } = await createVendor({ email, password: "old-password-123", teamName: "Reset" });
  return { user, team, email };
}

async function mailedToken(email: string): Promise<string> {
  const link = firstLink(await smtp.waitFor(email, /new Pullgate password/));
  expect(link).toMatch(/^http:\/\/portal\.e2e\.test\/reset-password\/[A-Za-z0-9_-]{43}$/);
  return link.split("/").pop()!;
}

describe("password reset", () => {
  it("the emailed link sets a new password once, ends every session, and is audited", async () => {
    const v = await vendor();
    const sessions = [await startSession(v.user.id), await startSession(v.user.id)];
    const { message, delivery } = await requestPasswordReset({ email: v.email.toUpperCase() }, uniqueIp());
    expect(message).toBe(RESET_REQUESTED_MESSAGE);
    await delivery;
    const token = await mailedToken(v.email);
    const row = await prisma.passwordReset.findFirstOrThrow({ where: { userId: v.user.id } });
    expect(row.tokenHash).toBe(hashOneTimeToken(token));
    expect(row.expiresAt.getTime() - row.createdAt.getTime()).toBe(60 * 60_000);

    await expect(resetPassword({ token, newPassword: "new-password-456", confirmPassword: "other" })).rejects.toBeInstanceOf(ValidationError);
    expect(await resetPassword({ token, newPassword: "new-password-456", confirmPassword: "new-password-456" })).toEqual({ endedSessions: 2 });
    for (const sid of sessions) expect(await isSessionActive(sid, v.user.id)).toBe(false);
    const user = await prisma.user.findUniqueOrThrow({ where: { id: v.user.id } });
    expect(await verifyPassword(user.passwordHash, "new-password-456")).toBe(true);
    await expect(authorizeCredentials({ email: v.email, password: "new-password-456" }, uniqueIp())).resolves.toMatchObject({ id: v.user.id });

    // Single use.
    const again = await resetPassword({ token, newPassword: "third-password-789", confirmPassword: "third-password-789" }).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(DomainError);
    expect((again as DomainError).message).toBe(RESET_LINK_INVALID);

    const actor = { teamId: v.team.id, userId: v.user.id, tokenId: null, role: "owner" as const, label: v.email };
    const { events } = await listAuditEvents(actor, { targetType: "user" });
    expect(events.map((e) => e.action)).toEqual(["user.password_reset", "user.password_reset_request"]);
    expect(JSON.stringify(events)).not.toContain(token);
  });

  it("expires after an hour; a newer link replaces an older one", async () => {
    const v = await vendor();
    const start = new Date();
    await (await requestPasswordReset({ email: v.email }, uniqueIp(), start)).delivery;
    const first = await mailedToken(v.email);
    await expect(resetPassword({ token: first, newPassword: "new-password-456", confirmPassword: "new-password-456" }, new Date(start.getTime() + 60 * 60_000 + 1))).rejects.toThrow(
      RESET_LINK_INVALID,
    );
    smtp.messages.length = 0;
    await (await requestPasswordReset({ email: v.email }, uniqueIp(), start)).delivery;
    const second = await mailedToken(v.email);
    expect(second).not.toBe(first);
    await expect(resetPassword({ token: first, newPassword: "new-password-456", confirmPassword: "new-password-456" }, start)).rejects.toThrow(RESET_LINK_INVALID);
    await expect(resetPassword({ token: "x".repeat(43), newPassword: "new-password-456", confirmPassword: "new-password-456" })).rejects.toThrow(RESET_LINK_INVALID);
  });

  it("answers the same for an unknown email and sends nothing", async () => {
    const unknown = uniqueEmail();
    const before = smtp.messages.length;
    const { message, delivery } = await requestPasswordReset({ email: unknown }, uniqueIp());
    expect(message).toBe(RESET_REQUESTED_MESSAGE);
    await delivery;
    await new Promise((r) => setTimeout(r, 200));
    expect(smtp.messages.length).toBe(before);
  });

  it("requests are rate-limited per address and email, whether or not the account exists", async () => {
    for (const email of [(await vendor()).email, uniqueEmail()]) {
      const ip = uniqueIp();
      for (let i = 0; i < 3; i++) await (await requestPasswordReset({ email }, ip)).delivery;
      const refused = await requestPasswordReset({ email }, ip).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(DomainError);
      expect((refused as DomainError).status).toBe(429);
      expect((refused as DomainError).message).toMatch(/Too many reset requests/);
    }
  });

  it("an email alone cannot be flooded with links from many addresses", async () => {
    const v = await vendor();
    let refused: unknown;
    for (let i = 0; i < 10 && !refused; i++) refused = await requestPasswordReset({ email: v.email }, uniqueIp()).then((r) => r.delivery.then(() => undefined), (e: unknown) => e);
    expect(refused).toBeInstanceOf(DomainError);
    expect(await prisma.passwordReset.count({ where: { userId: v.user.id } })).toBe(5);
  });
});
