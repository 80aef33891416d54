import { apiHandler } from "@/lib/api/api-handler";
import { jsonObjectBody } from "@/lib/api/json-body";
import { jsonResponse } from "@/lib/api/responses";
import { listApiTokens } from "@/lib/api-tokens/list-api-tokens";
import { createTeamApiToken } from "@/lib/api-tokens/create-team-api-token";
import { toApiTokenDto } from "@/lib/api-tokens/api-token-dto";
import type { CreateApiTokenInput } from "@/lib/api-tokens/schemas";
import { otherMethodsNotAllowed } from "@/lib/api/method-not-allowed";

export const GET = apiHandler({}, async ({ actor }) => ({ tokens: (await listApiTokens(actor)).map(toApiTokenDto) }));

// The plain token is in this answer only; the team keeps its hash.
export const POST = apiHandler({ body: jsonObjectBody }, async ({ actor, body }) => {
  const { token, apiToken } = await createTeamApiToken(actor, body as CreateApiTokenInput);
  return jsonResponse({ token, apiToken: toApiTokenDto(apiToken) }, 201);
});

export const { PUT, PATCH, DELETE } = otherMethodsNotAllowed(["GET", "POST"]);
