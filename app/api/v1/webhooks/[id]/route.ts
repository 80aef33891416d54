import { apiHandler } from "@/lib/api/api-handler";
import { jsonObjectBody } from "@/lib/api/json-body";
import { noContent } from "@/lib/api/responses";
import { deleteWebhook, getWebhook, updateWebhook } from "@/lib/webhooks/manage-webhooks";
import { toWebhookDto } from "@/lib/webhooks/webhook-dto";
import type { UpdateWebhookInput } from "@/lib/webhooks/schemas";
import { otherMethodsNotAllowed } from "@/lib/api/method-not-allowed";

export const GET = apiHandler({}, async ({ actor, params }) => ({ webhook: toWebhookDto(await getWebhook(actor, params.id!)) }));

export const PATCH = apiHandler({ body: jsonObjectBody }, async ({ actor, params, body }) => ({
  webhook: toWebhookDto(await updateWebhook(actor, params.id!, body as UpdateWebhookInput)),
}));

export const DELETE = apiHandler({}, async ({ actor, params }) => {
  await deleteWebhook(actor, params.id!);
  return noContent();
});

export const { POST, PUT } = otherMethodsNotAllowed(["GET", "PATCH", "DELETE"]);
