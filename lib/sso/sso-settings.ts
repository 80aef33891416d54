import type { Actor } from "@/lib/auth/actor";
import { prisma } from "@/lib/db/client";
import { ForbiddenError, ValidationError } from "@/lib/errors";
import { encryptSecret } from "@/lib/secrets/crypto";
import { recordAuditEvent } from "@/lib/audit/record-audit-event";
import { parseOrThrow } from "@/lib/validation/format-zod-issues";
import { ssoSettingsSchema, type SsoSettingsInput } from "@/lib/sso/schemas";

/** What pages show of a team's single sign-on: never the client secret. */
export type SsoSettingsDto = { issuer: string; clientId: string; allowedDomain: string; defaultRole: "admin" | "member"; ssoOnly: boolean; hasSecret: boolean };

export async function getSsoSettings(actor: Pick<Actor, "teamId">): Promise<SsoSettingsDto | null> {
  const row = await prisma.teamSso.findUnique({ where: { teamId: actor.teamId } });
  if (!row) return null;
  return { issuer: row.issuer, clientId: row.clientId, allowedDomain: row.allowedDomain, defaultRole: row.defaultRole === "admin" ? "admin" : "member", ssoOnly: row.ssoOnly, hasSecret: true };
}

/** Owners set the team's OIDC provider; the client secret is encrypted like registry secrets (lib/secrets). */
export async function saveSsoSettings(actor: Actor, input: SsoSettingsInput): Promise<void> {
  const data = parseOrThrow(ssoSettingsSchema, input);
  if (actor.role !== "owner") throw new ForbiddenError("Only an owner can change the team's single sign-on.");
  await prisma.$transaction(async (tx) => {
    const existing = await tx.teamSso.findUnique({ where: { teamId: actor.teamId } });
    const secret = data.clientSecret?.trim();
    if (!secret && (!existing || existing.issuer !== data.issuer || existing.clientId !== data.clientId)) {
      // A stored secret is only ever sent to the issuer and client it was saved for.
      throw new ValidationError("Enter the client secret.", [{ path: "clientSecret", message: "Enter the client secret (needed for a new issuer or client ID)." }]);
    }
    const fields = {
      issuer: data.issuer,
      clientId: data.clientId,
      allowedDomain: data.allowedDomain,
      defaultRole: data.defaultRole,
      ssoOnly: data.ssoOnly,
      ...(secret ? { clientSecretCiphertext: encryptSecret(secret).ciphertext } : {}),
    };
    if (existing) await tx.teamSso.update({ where: { teamId: actor.teamId }, data: fields });
    else await tx.teamSso.create({ data: { teamId: actor.teamId, ...fields, clientSecretCiphertext: fields.clientSecretCiphertext! } });
    const summary = { issuer: data.issuer, clientId: data.clientId, allowedDomain: data.allowedDomain, defaultRole: data.defaultRole, ssoOnly: data.ssoOnly };
    await recordAuditEvent(tx, {
      actor,
      action: existing ? "team.sso_update" : "team.sso_create",
      targetType: "team",
      targetId: actor.teamId,
      before: existing ? { issuer: existing.issuer, clientId: existing.clientId, allowedDomain: existing.allowedDomain, defaultRole: existing.defaultRole, ssoOnly: existing.ssoOnly } : null,
      after: { ...summary, secretChanged: !!secret },
    });
  });
}
