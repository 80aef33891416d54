import { apiHandler } from "@/lib/api/api-handler";
import { listWebhookDeliveries } from "@/lib/webhooks/webhook-deliveries";
import { toWebhookDeliveryDto } from "@/lib/webhooks/webhook-dto";
import { listDeliveriesQuerySchema } from "@/lib/webhooks/schemas";
import { otherMethodsNotAllowed } from "@/lib/api/method-not-allowed";

export const GET = apiHandler({ query: listDeliveriesQuerySchema }, async ({ actor, params, query }) => ({
  deliveries: (await listWebhookDeliveries(actor, params.id!, query.limit ?? 50)).map(toWebhookDeliveryDto),
}));

export const { POST, PUT, PATCH, DELETE } = otherMethodsNotAllowed(["GET"]);
