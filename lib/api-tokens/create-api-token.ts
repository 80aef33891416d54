import type { ApiToken } from "@/lib/generated/prisma/client";
import { prisma } from "@/lib/db/client";
import { ValidationError } from "@/lib/errors";
import { generateApiToken } from "@/lib/api-tokens/token-format";

export type PublicApiToken = Omit<ApiToken, "tokenHash">;

/**
 * Creates an API token for a team. The plain token is returned once, here;
 * only its hash is stored. The token acts with its creator's role in the team.
 */
export async function createApiToken(input: {
  teamId: string;
  createdById: string | null;
  name: string;
}): Promise<{ token: string; apiToken: PublicApiToken }> {
  const name = input.name.trim();
  if (!name) throw new ValidationError("Token name is required.", [{ path: "name", message: "Token name is required." }]);
  if (name.length > 100) throw new ValidationError("Token name is too long.", [{ path: "name", message: "At most 100 characters." }]);

  const { token, prefix, tokenHash } = generateApiToken();
  const apiToken = await prisma.apiToken.create({
    data: { teamId: input.teamId, createdById: input.createdById, name, prefix, tokenHash },
    omit: { tokenHash: true },
  });
  return { token, apiToken };
}
