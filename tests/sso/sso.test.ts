import { afterEach, describe, expect, it } from "vitest";
import { randomBytes, randomUUID } from "node:crypto";
import { prisma } from "@/lib/db/client";
import { createVendor } from "@/lib/teams/create-vendor";
import { loadSessionContext } from "@/lib/auth/load-session-context";
import { provisionSsoUser } from "@/lib/sso/provision-sso-user";
import { getSsoSettings, saveSsoSettings } from "@/lib/sso/sso-settings";
import { startSsoLogin } from "@/lib/sso/sso-login";
import { SsoUnavailableError } from "@/lib/sso/oidc-configuration";
import { listAuditEvents } from "@/lib/audit/list-audit-events";
import { ForbiddenError, ValidationError } from "@/lib/errors";
import { inviteAndAccept, withTemporaryMailbox } from "../helpers/invite";
import type { Actor } from "@/lib/auth/actor";

process.env.PULLGATE_SECRET_KEY ??= randomBytes(32).toString("base64");
withTemporaryMailbox();
const savedCidrs = process.env.PULLGATE_UPSTREAM_ALLOW_CIDRS;
afterEach(() => {
  process.env.PULLGATE_UPSTREAM_ALLOW_CIDRS = savedCidrs;
});

const SECRET = "client-secret-Xy7";
async function team(domain = "acme.test", extra: Partial<{ ssoOnly: boolean; defaultRole: "admin" | "member" }> = {}) {
  const email = `owner-${randomUUID().slice(0, 8)}@${domain}`;
  const { user, team } = await createVendor({ email, password: "correct-horse-battery", teamName: `SSO ${domain}` });
  const actor: Actor = { teamId: team.id, userId: user.id, tokenId: null, role: "owner", label: email };
  await saveSsoSettings(actor, { issuer: "https://idp.acme.test", clientId: "pullgate", clientSecret: SECRET, allowedDomain: `@${domain.toUpperCase()}`, defaultRole: extra.defaultRole ?? "admin", ssoOnly: extra.ssoOnly ?? false });
  return { user, team, actor, email };
}
const claims = (email: string, subject: string = randomUUID()) => ({ subject, email, emailVerified: true, name: "Ann Example" });

describe("team SSO settings", () => {
  it("only owners save them; the secret is stored encrypted and never shown; a new issuer needs the secret again", async () => {
    const t = await team();
    const row = await prisma.teamSso.findUniqueOrThrow({ where: { teamId: t.team.id } });
    expect(row.clientSecretCiphertext).not.toContain(SECRET);
    expect(row.allowedDomain).toBe("acme.test");
    const dto = await getSsoSettings(t.actor);
    expect(JSON.stringify(dto)).not.toContain(SECRET);
    expect(JSON.stringify(dto)).not.toContain(row.clientSecretCiphertext);
    const same = { issuer: "https://idp.acme.test", clientId: "pullgate", allowedDomain: "acme.test", defaultRole: "member" as const, ssoOnly: true };
    await saveSsoSettings(t.actor, same);
    expect((await prisma.teamSso.findUniqueOrThrow({ where: { teamId: t.team.id } })).clientSecretCiphertext).toBe(row.clientSecretCiphertext);
    await expect(saveSsoSettings(t.actor, { ...same, issuer: "https://evil.example" })).rejects.toBeInstanceOf(ValidationError);
    await expect(saveSsoSettings(t.actor, { ...same, issuer: "http://idp.acme.test", clientSecret: "x" })).rejects.toBeInstanceOf(ValidationError);
    await expect(saveSsoSettings(t.actor, { ...same, defaultRole: "owner" as never })).rejects.toBeInstanceOf(ValidationError);
    await expect(saveSsoSettings({ ...t.actor, role: "admin" }, same)).rejects.toBeInstanceOf(ForbiddenError);
    const { events } = await listAuditEvents(t.actor, { targetType: "team" });
    expect(events.map((e) => e.action)).toEqual(["team.sso_update", "team.sso_create"]);
    expect(JSON.stringify(events)).not.toContain(SECRET);
  });

  it("the issuer is tenant input: discovery goes through the outbound policy", async () => {
    const t = await team("outbound.test");
    process.env.PULLGATE_UPSTREAM_ALLOW_CIDRS = "";
    await saveSsoSettings(t.actor, { issuer: "https://127.0.0.1:8443/", clientId: "c", clientSecret: "s", allowedDomain: "outbound.test", defaultRole: "member", ssoOnly: false });
    const error = await startSsoLogin(t.team.id).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SsoUnavailableError);
    expect((error as Error).message).toMatch(/loopback|private|PULLGATE_UPSTREAM_ALLOW_CIDRS/i);
  });
});

describe("signing in through a team's provider", () => {
  it("a new email of the allowed domain becomes a member with the default role; its session reaches that team only", async () => {
    const t = await team("joiners.test");
    const outcome = await provisionSsoUser(t.team.id, claims("Ann@Joiners.test"));
    expect(outcome.result).toBe("ok");
    const userId = (outcome as { userId: string }).userId;
    const membership = await prisma.membership.findFirstOrThrow({ where: { userId, teamId: t.team.id } });
    expect(membership.role).toBe("admin");
    const context = await loadSessionContext(userId, undefined, t.team.id);
    expect(context!.actor).toMatchObject({ teamId: t.team.id, role: "admin" });
    expect((await listAuditEvents(t.actor, { action: "member.join_sso" })).events[0]).toMatchObject({ targetName: "ann@joiners.test" });
    // The same identity again: the same account.
    const sub = (await prisma.ssoIdentity.findFirstOrThrow({ where: { userId } })).subject;
    expect(await provisionSsoUser(t.team.id, claims("ann@joiners.test", sub))).toEqual({ result: "ok", userId });
  });

  it("refuses emails outside the allowed domain and unverified emails", async () => {
    const t = await team("strict.test");
    expect(await provisionSsoUser(t.team.id, claims("mallory@other.test"))).toEqual({ result: "domain_refused" });
    expect(await provisionSsoUser(t.team.id, claims("mallory@evil-strict.test"))).toEqual({ result: "domain_refused" });
    expect(await provisionSsoUser(t.team.id, { ...claims("bob@strict.test"), emailVerified: false })).toEqual({ result: "email_unverified" });
    expect(await prisma.user.count({ where: { email: { in: ["mallory@other.test", "bob@strict.test"] } } })).toBe(0);
  });

  it("a team's provider cannot take over an account that is not a member of the team", async () => {
    const victim = await team("victim.test");
    const attacker = await team("attacker.test");
    // The attacker's team claims the victim's domain for its own provider.
    await saveSsoSettings(attacker.actor, { issuer: "https://idp.acme.test", clientId: "pullgate", clientSecret: SECRET, allowedDomain: "victim.test", defaultRole: "admin", ssoOnly: false });
    expect(await provisionSsoUser(attacker.team.id, claims(victim.email))).toEqual({ result: "account_not_member" });
    expect(await prisma.membership.count({ where: { userId: victim.user.id, teamId: attacker.team.id } })).toBe(0);

    // A member who joined by invitation is linked; the SSO session still reaches only the SSO team.
    await inviteAndAccept(attacker.actor, { id: victim.user.id, email: victim.email }, "member");
    const linked = await provisionSsoUser(attacker.team.id, claims(victim.email));
    expect(linked).toEqual({ result: "ok", userId: victim.user.id });
    const scoped = await loadSessionContext(victim.user.id, victim.team.id, attacker.team.id);
    expect(scoped!.teams.map((x) => x.id)).toEqual([attacker.team.id]);
    expect(scoped!.actor.teamId).toBe(attacker.team.id);
  });

  it("an SSO-only team is out of reach of password sessions", async () => {
    const t = await team("only.test", { ssoOnly: true });
    expect(await loadSessionContext(t.user.id, t.team.id, null)).toBeNull();
    expect((await loadSessionContext(t.user.id, t.team.id, t.team.id))!.actor.teamId).toBe(t.team.id);
  });
});
