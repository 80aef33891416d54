import { assertCanWrite, type Actor } from "@/lib/auth/actor";
import { prisma } from "@/lib/db/client";
import { NotFoundError } from "@/lib/errors";
import type { PublicApiToken } from "@/lib/api-tokens/create-api-token";

/** Revokes a token of the actor's team; revoking twice keeps the first time. */
export async function revokeApiToken(actor: Actor, tokenId: string): Promise<PublicApiToken> {
  assertCanWrite(actor);
  const existing = await prisma.apiToken.findFirst({
    where: { id: tokenId, teamId: actor.teamId },
    omit: { tokenHash: true },
  });
  if (!existing) throw new NotFoundError("API token");
  if (existing.revokedAt) return existing;
  return prisma.apiToken.update({
    where: { id: existing.id },
    data: { revokedAt: new Date() },
    omit: { tokenHash: true },
  });
}
