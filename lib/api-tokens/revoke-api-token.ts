import { assertCanWrite, type Actor } from "@/lib/auth/actor";
import { prisma } from "@/lib/db/client";
import { NotFoundError } from "@/lib/errors";
import { recordAuditEvent } from "@/lib/audit/record-audit-event";
import type { PublicApiToken } from "@/lib/api-tokens/create-api-token";

/** Revokes a token of the actor's team; revoking twice keeps the first time. */
export async function revokeApiToken(actor: Actor, tokenId: string): Promise<PublicApiToken> {
  assertCanWrite(actor);
  return prisma.$transaction(async (tx) => {
    const existing = await tx.apiToken.findFirst({
      where: { id: tokenId, teamId: actor.teamId },
      omit: { tokenHash: true },
    });
    if (!existing) throw new NotFoundError("API token");
    if (existing.revokedAt) return existing;
    const revoked = await tx.apiToken.update({
      where: { id: existing.id },
      data: { revokedAt: new Date() },
      omit: { tokenHash: true },
    });
    await recordAuditEvent(tx, {
      actor,
      action: "api_token.revoke",
      targetType: "api_token",
      targetId: revoked.id,
      targetName: revoked.name,
      before: { revokedAt: null },
      after: { revokedAt: revoked.revokedAt },
    });
    return revoked;
  });
}
