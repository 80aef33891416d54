import { apiHandler } from "@/lib/api/api-handler";
import { jsonResponse } from "@/lib/api/responses";
import { redeliverWebhook } from "@/lib/webhooks/webhook-deliveries";
import { toWebhookDeliveryDto } from "@/lib/webhooks/webhook-dto";
import { otherMethodsNotAllowed } from "@/lib/api/method-not-allowed";

export const POST = apiHandler({}, async ({ actor, params }) =>
  jsonResponse({ delivery: toWebhookDeliveryDto(await redeliverWebhook(actor, params.id!, params.deliveryId!)) }, 202),
);

export const { GET, PUT, PATCH, DELETE } = otherMethodsNotAllowed(["POST"]);
