import { assertCanWrite, type Actor } from "@/lib/auth/actor";
import { prisma } from "@/lib/db/client";
import { recordAuditEvent } from "@/lib/audit/record-audit-event";
import { parseOrThrow } from "@/lib/validation/format-zod-issues";
import { generateApiToken } from "@/lib/api-tokens/token-format";
import { createApiTokenSchema, type CreateApiTokenInput } from "@/lib/api-tokens/schemas";
import type { PublicApiToken } from "@/lib/api-tokens/create-api-token";

/**
 * Creates an API token from the portal: owners/admins only, audited in the
 * same transaction. The plain token is returned once; only its hash is stored.
 */
export async function createTeamApiToken(actor: Actor, input: CreateApiTokenInput): Promise<{ token: string; apiToken: PublicApiToken }> {
  assertCanWrite(actor);
  const data = parseOrThrow(createApiTokenSchema, input);
  const { token, prefix, tokenHash } = generateApiToken();
  return prisma.$transaction(async (tx) => {
    const apiToken = await tx.apiToken.create({
      data: { teamId: actor.teamId, createdById: actor.userId, name: data.name, prefix, tokenHash },
      omit: { tokenHash: true },
    });
    await recordAuditEvent(tx, {
      actor,
      action: "api_token.create",
      targetType: "api_token",
      targetId: apiToken.id,
      targetName: apiToken.name,
      after: { name: apiToken.name, prefix: apiToken.prefix },
    });
    return { token, apiToken };
  });
}
