import { z } from "zod";
import { component, defineOperation } from "@/lib/api/define-operation";
import { createApiTokenSchema } from "@/lib/api-tokens/schemas";
import type { ApiTokenDto } from "@/lib/api-tokens/api-token-dto";

const apiTokenSchema = component(
  "ApiToken",
  z
    .object({
      id: z.string(),
      name: z.string(),
      prefix: z.string().describe("The token's readable start, pgt_<id>, to recognise it."),
      createdAt: z.iso.datetime(),
      lastUsedAt: z.iso.datetime().nullable(),
      revokedAt: z.iso.datetime().nullable(),
    })
    .describe("An API token; the token itself is shown once, when created.") satisfies z.ZodType<ApiTokenDto>,
);

component("CreateApiToken", createApiTokenSchema);

export const tokenOperations = [
  defineOperation({
    method: "get",
    path: "/api/v1/tokens",
    summary: "List the team's API tokens (active first)",
    response: { description: "Tokens", schema: z.object({ tokens: z.array(apiTokenSchema) }) },
    errors: [401],
  }),
  defineOperation({
    method: "post",
    path: "/api/v1/tokens",
    summary: "Create an API token acting with the caller's role",
    body: createApiTokenSchema,
    response: {
      status: 201,
      description: "Created; `token` is shown only in this answer",
      schema: z.object({ token: z.string().describe("pgt_<id>_<secret>: send as Authorization: Bearer <token>."), apiToken: apiTokenSchema }),
    },
    errors: [400, 401, 403],
  }),
  defineOperation({
    method: "delete",
    path: "/api/v1/tokens/{id}",
    summary: "Revoke an API token (revoking twice keeps the first time)",
    response: { description: "Revoked", schema: z.object({ apiToken: apiTokenSchema }) },
    errors: [401, 403, 404],
  }),
];
