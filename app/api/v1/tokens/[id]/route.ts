import { apiHandler } from "@/lib/api/api-handler";
import { revokeApiToken } from "@/lib/api-tokens/revoke-api-token";
import { toApiTokenDto } from "@/lib/api-tokens/api-token-dto";
import { otherMethodsNotAllowed } from "@/lib/api/method-not-allowed";

// Revoking keeps the row (the audit log and the token list still name it).
export const DELETE = apiHandler({}, async ({ actor, params }) => ({ apiToken: toApiTokenDto(await revokeApiToken(actor, params.id!)) }));

export const { GET, POST, PUT, PATCH } = otherMethodsNotAllowed(["DELETE"]);
