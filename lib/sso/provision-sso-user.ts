import { randomBytes } from "node:crypto";
import { prisma } from "@/lib/db/client";
import { recordAuditEvent } from "@/lib/audit/record-audit-event";
import { emailSchema } from "@/lib/teams/schemas";

export type SsoIdentityClaims = { subject: string; email: string; emailVerified: boolean; name: string | null };
export type SsoOutcome = "ok" | "domain_refused" | "email_unverified" | "account_not_member" | "no_sso";

/**
 * Who an identity from a team's IdP is. A team's IdP is run by that team, so it
 * is trusted for that team only:
 * - an identity it asserted before signs in as the account it was linked to;
 * - the email must be verified by the IdP and in the team's allowed domain;
 * - a new email gets a new account (no password) that joins with the default role;
 * - an existing account is linked only if it is already a member of the team
 *   (it joined by accepting an invitation): the IdP must not be able to take
 *   over an account that belongs elsewhere;
 * and the session it gives is scoped to this team (lib/auth/load-session-context.ts).
 */
export async function provisionSsoUser(teamId: string, claims: SsoIdentityClaims, now = new Date()): Promise<{ result: "ok"; userId: string } | { result: Exclude<SsoOutcome, "ok"> }> {
  return prisma.$transaction(async (tx) => {
    const sso = await tx.teamSso.findUnique({ where: { teamId } });
    if (!sso) return { result: "no_sso" as const };
    const linked = await tx.ssoIdentity.findUnique({ where: { teamId_issuer_subject: { teamId, issuer: sso.issuer, subject: claims.subject } } });
    const email = emailSchema.safeParse(claims.email);
    if (!email.success || email.data.split("@")[1] !== sso.allowedDomain) return { result: "domain_refused" as const };
    if (!claims.emailVerified) return { result: "email_unverified" as const };
    if (linked) {
      const member = await tx.membership.findUnique({ where: { userId_teamId: { userId: linked.userId, teamId } } });
      if (!member) await tx.membership.create({ data: { userId: linked.userId, teamId, role: sso.defaultRole, createdAt: now } });
      return { result: "ok" as const, userId: linked.userId };
    }
    const existing = await tx.user.findUnique({ where: { email: email.data }, select: { id: true, email: true } });
    if (existing) {
      const member = await tx.membership.findUnique({ where: { userId_teamId: { userId: existing.id, teamId } } });
      if (!member) return { result: "account_not_member" as const };
      await tx.ssoIdentity.create({ data: { teamId, issuer: sso.issuer, subject: claims.subject, userId: existing.id, createdAt: now } });
      return { result: "ok" as const, userId: existing.id };
    }
    // No password: "!" is no argon2 hash, so password sign-in can never succeed (a reset can set one).
    const user = await tx.user.create({
      data: { email: email.data, name: claims.name?.trim().slice(0, 200) || email.data.split("@")[0]!, passwordHash: `!sso-${randomBytes(8).toString("hex")}`, createdAt: now },
    });
    await tx.ssoIdentity.create({ data: { teamId, issuer: sso.issuer, subject: claims.subject, userId: user.id, createdAt: now } });
    const membership = await tx.membership.create({ data: { userId: user.id, teamId, role: sso.defaultRole, createdAt: now } });
    await recordAuditEvent(tx, {
      actor: { teamId, userId: user.id, tokenId: null, role: sso.defaultRole, label: user.email },
      action: "member.join_sso",
      targetType: "member",
      targetId: membership.id,
      targetName: user.email,
      after: { email: user.email, role: sso.defaultRole, issuer: sso.issuer },
    });
    return { result: "ok" as const, userId: user.id };
  });
}
