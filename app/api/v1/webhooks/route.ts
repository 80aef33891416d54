import { apiHandler } from "@/lib/api/api-handler";
import { jsonObjectBody } from "@/lib/api/json-body";
import { jsonResponse } from "@/lib/api/responses";
import { createWebhook, listWebhooks } from "@/lib/webhooks/manage-webhooks";
import { toWebhookDto } from "@/lib/webhooks/webhook-dto";
import type { CreateWebhookInput } from "@/lib/webhooks/schemas";
import { otherMethodsNotAllowed } from "@/lib/api/method-not-allowed";

export const GET = apiHandler({}, async ({ actor }) => ({ webhooks: (await listWebhooks(actor)).map(toWebhookDto) }));

/** The secret is in this answer only; it is stored sealed and never shown again. */
export const POST = apiHandler({ body: jsonObjectBody }, async ({ actor, body }) => {
  const { endpoint, secret } = await createWebhook(actor, body as CreateWebhookInput);
  return jsonResponse({ webhook: toWebhookDto(endpoint), secret }, 201);
});

export const { PUT, PATCH, DELETE } = otherMethodsNotAllowed(["GET", "POST"]);
