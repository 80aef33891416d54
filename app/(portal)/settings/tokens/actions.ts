"use server";

import { revalidatePath } from "next/cache";
import { requireSessionActor } from "@/lib/auth/session";
import { requireId, runAction, type ActionResult } from "@/lib/actions/action-result";
import { createTeamApiToken } from "@/lib/api-tokens/create-team-api-token";
import { revokeApiToken } from "@/lib/api-tokens/revoke-api-token";
import type { CreateApiTokenInput } from "@/lib/api-tokens/schemas";

/** Returns the plain token once; only its hash is stored. */
export async function createApiTokenAction(input: CreateApiTokenInput): Promise<ActionResult<{ token: string; name: string }>> {
  const actor = await requireSessionActor();
  return runAction(async () => {
    const { token, apiToken } = await createTeamApiToken(actor, input);
    revalidatePath("/settings/tokens");
    return { token, name: apiToken.name };
  });
}

export async function revokeApiTokenAction(tokenId: string): Promise<ActionResult> {
  const actor = await requireSessionActor();
  return runAction(async () => {
    await revokeApiToken(actor, requireId(tokenId, "API token"));
    revalidatePath("/settings/tokens");
    return undefined;
  });
}
