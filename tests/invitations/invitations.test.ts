import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import { prisma } from "@/lib/db/client";
import { createVendor } from "@/lib/teams/create-vendor";
import { hashOneTimeToken } from "@/lib/auth/one-time-token";
import { acceptInvitation, declineInvitation, InvitationGoneError } from "@/lib/invitations/answer-invitation";
import { createInvitation } from "@/lib/invitations/create-invitation";
import { signUpInvited } from "@/lib/invitations/sign-up-invited";
import { listAuditEvents } from "@/lib/audit/list-audit-events";
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from "@/lib/errors";
import * as invitationsRoute from "@/app/api/v1/invitations/route";
import * as invitationRoute from "@/app/api/v1/invitations/[id]/route";
import * as membersRoute from "@/app/api/v1/members/route";
import { call, makeMember, makeTeam, type TeamFixture } from "../api/fixtures";
import { startSmtpCapture, firstLink, type SmtpCapture } from "../helpers/smtp-capture";

let smtp: SmtpCapture;
let team: TeamFixture;
let other: TeamFixture;
const savedSmtp = process.env.PULLGATE_SMTP_URL;

const email = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}@example.com`;
async function account(prefix: string) {
  const address = email(prefix);
  const { user } = await createVendor({ email: address, password: "correct-horse-battery", teamName: `${prefix} own` });
  return { id: user.id, email: address };
}

/** POSTs an invitation through the API and returns the token from the mail the SMTP peer received. */
async function invite(fixture: TeamFixture, to: string, role = "member") {
  const res = await call(invitationsRoute.POST, "POST", { token: fixture.token, body: { email: to, role } });
  expect(res.status, res.text).toBe(201);
  const mail = await smtp.waitFor(to, /invited/);
  const link = firstLink(mail);
  expect(link).toMatch(/^http:\/\/portal\.e2e\.test\/invite\/[A-Za-z0-9_-]{43}$/);
  return { id: res.json.invitation.id as string, token: link.split("/").pop()!, response: res };
}

beforeAll(async () => {
  smtp = await startSmtpCapture();
  process.env.PULLGATE_SMTP_URL = smtp.url;
  process.env.PULLGATE_PORTAL_URL = "http://portal.e2e.test";
  team = await makeTeam("Inviting Team");
  other = await makeTeam("Other Team");
});
afterAll(async () => {
  process.env.PULLGATE_SMTP_URL = savedSmtp;
  await smtp.close();
});

describe("invitations", () => {
  it("the link arrives by email, only its hash is stored, and the invitee is not a member until they accept", async () => {
    const invitee = await account("invitee");
    const { id, token, response } = await invite(team, invitee.email, "admin");
    expect(response.json).toMatchObject({ emailSent: true, invitation: { id, email: invitee.email, role: "admin", status: "pending", invitedBy: "API token tests" } });
    const mail = await smtp.waitFor(invitee.email);
    expect(mail.subject).toBe("You are invited to join Inviting Team on Pullgate");
    expect(mail.text).toContain("as admin");

    const row = await prisma.invitation.findUniqueOrThrow({ where: { id } });
    expect(row.tokenHash).toBe(hashOneTimeToken(token));
    expect(JSON.stringify(row)).not.toContain(token);
    expect(row.expiresAt.getTime() - row.createdAt.getTime()).toBe(7 * 24 * 60 * 60_000);
    expect(JSON.stringify((await call(invitationsRoute.GET, "GET", { token: team.token })).json)).not.toContain(token);

    const members = (await call(membersRoute.GET, "GET", { token: team.token })).json.members as { email: string }[];
    expect(members.map((m) => m.email)).toEqual([team.email]);

    // Only the invited address can answer.
    const stranger = await account("stranger");
    await expect(acceptInvitation(stranger, token)).rejects.toBeInstanceOf(ForbiddenError);

    expect(await acceptInvitation(invitee, token)).toEqual({ teamId: team.teamId });
    const after = (await call(membersRoute.GET, "GET", { token: team.token })).json.members as { email: string; role: string }[];
    expect(after).toContainEqual(expect.objectContaining({ email: invitee.email, role: "admin" }));
    // Single use.
    await expect(acceptInvitation(invitee, token)).rejects.toBeInstanceOf(InvitationGoneError);
    await expect(declineInvitation(invitee, token)).rejects.toBeInstanceOf(InvitationGoneError);

    const { events } = await listAuditEvents(team.actor, {});
    expect(events.map((e) => e.action).slice(0, 2)).toEqual(["invitation.accept", "invitation.create"]);
    expect(events[0]).toMatchObject({ actor: { id: invitee.id, label: invitee.email }, after: { email: invitee.email, role: "admin" } });
  });

  it("answers the same whether or not the email has an account", async () => {
    const existing = await account("has-account");
    const a = await invite(team, existing.email);
    const b = await invite(team, email("no-account"));
    const shape = (r: typeof a.response) => ({ status: r.status, keys: Object.keys(r.json), invitation: Object.keys(r.json.invitation), emailSent: r.json.emailSent });
    expect(shape(a.response)).toEqual(shape(b.response));
  });

  it("declining leaves the team unchanged and uses the link up", async () => {
    const invitee = await account("decliner");
    const { token } = await invite(team, invitee.email);
    await declineInvitation(invitee, token);
    expect(await prisma.membership.count({ where: { userId: invitee.id, teamId: team.teamId } })).toBe(0);
    await expect(acceptInvitation(invitee, token)).rejects.toBeInstanceOf(InvitationGoneError);
    expect((await listAuditEvents(team.actor, { action: "invitation.decline" })).events[0]).toMatchObject({ targetName: invitee.email });
  });

  it("expires after 7 days", async () => {
    const invitee = await account("late");
    const { token } = await invite(team, invitee.email);
    const later = new Date(Date.now() + 7 * 24 * 60 * 60_000 + 1000);
    await expect(acceptInvitation(invitee, token, later)).rejects.toThrow(/expired/);
    expect(await prisma.membership.count({ where: { userId: invitee.id, teamId: team.teamId } })).toBe(0);
    const listed = (await call(invitationsRoute.GET, "GET", { token: team.token })).json.invitations as { email: string }[];
    expect(listed.some((i) => i.email === invitee.email)).toBe(true);
  });

  it("a revoked link fails; other teams can neither see nor revoke an invitation", async () => {
    const invitee = await account("revoked");
    const { id, token } = await invite(team, invitee.email);
    expect((await call(invitationsRoute.GET, "GET", { token: other.token })).json.invitations).toEqual([]);
    expect((await call(invitationRoute.DELETE, "DELETE", { token: other.token, params: { id } })).status).toBe(404);
    expect((await call(invitationRoute.DELETE, "DELETE", { token: team.token, params: { id } })).status).toBe(204);
    await expect(acceptInvitation(invitee, token)).rejects.toThrow(/revoked/);
    expect((await call(invitationRoute.DELETE, "DELETE", { token: team.token, params: { id } })).status).toBe(409);
    await expect(acceptInvitation(invitee, "not-a-token")).rejects.toBeInstanceOf(NotFoundError);
  });

  it("a new invitation of the same email replaces the pending one", async () => {
    const invitee = await account("twice");
    const first = await invite(team, invitee.email, "member");
    smtp.messages.length = 0;
    const second = await invite(team, invitee.email, "admin");
    await expect(acceptInvitation(invitee, first.token)).rejects.toThrow(/revoked/);
    await acceptInvitation(invitee, second.token);
    expect((await prisma.membership.findFirstOrThrow({ where: { userId: invitee.id, teamId: team.teamId } })).role).toBe("admin");
    // Now a member: inviting again is a conflict (the inviter sees the member list anyway).
    await expect(createInvitation(team.actor, { email: invitee.email, role: "member" })).rejects.toBeInstanceOf(ConflictError);
  });

  it("members cannot invite; admins cannot invite owners; bad input is a 400", async () => {
    const member = await makeMember(team.teamId);
    expect((await call(invitationsRoute.POST, "POST", { token: member.token, body: { email: email("x"), role: "member" } })).status).toBe(403);
    const bad = await call(invitationsRoute.POST, "POST", { token: team.token, body: { email: "not an email", role: "boss", extra: 1 } });
    expect(bad.status).toBe(400);
    expect(bad.json.error.issues.map((i: { path: string }) => i.path).sort()).toEqual(["email", "extra", "role"]);
    const adminActor = { ...team.actor, role: "admin" as const };
    await expect(createInvitation(adminActor, { email: email("y"), role: "owner" })).rejects.toBeInstanceOf(ForbiddenError);
  });

  it("signing up from an invitation creates an account of the invited address, in no team until it accepts", async () => {
    const address = email("newcomer");
    const { token } = await invite(team, address, "member");
    await expect(signUpInvited({ email: email("someone-else"), password: "correct-horse-battery", invitation: token })).rejects.toBeInstanceOf(ValidationError);
    await signUpInvited({ email: address.toUpperCase(), password: "correct-horse-battery", invitation: token });
    const user = await prisma.user.findUniqueOrThrow({ where: { email: address }, include: { memberships: true } });
    expect(user.memberships).toEqual([]);
    // Signing up again with the same address is the "existing account" conflict the form hides.
    await expect(signUpInvited({ email: address, password: "correct-horse-battery", invitation: token })).rejects.toBeInstanceOf(ConflictError);
    await acceptInvitation({ id: user.id, email: address }, token);
    expect(await prisma.membership.count({ where: { userId: user.id, teamId: team.teamId, role: "member" } })).toBe(1);
  });
});
