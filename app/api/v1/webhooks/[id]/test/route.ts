import { apiHandler } from "@/lib/api/api-handler";
import { jsonResponse } from "@/lib/api/responses";
import { sendTestEvent } from "@/lib/webhooks/webhook-deliveries";
import { toWebhookDeliveryDto } from "@/lib/webhooks/webhook-dto";
import { otherMethodsNotAllowed } from "@/lib/api/method-not-allowed";

export const POST = apiHandler({}, async ({ actor, params }) => jsonResponse({ delivery: toWebhookDeliveryDto(await sendTestEvent(actor, params.id!)) }, 202));

export const { GET, PUT, PATCH, DELETE } = otherMethodsNotAllowed(["POST"]);
