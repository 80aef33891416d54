import { z } from "zod";
import { component, defineOperation } from "@/lib/api/define-operation";
import { createWebhookSchema, listDeliveriesQuerySchema, updateWebhookSchema, webhookDeliveryDtoSchema, webhookDtoSchema, webhookEventTypes } from "@/lib/webhooks/schemas";

const webhookSchema = component("Webhook", webhookDtoSchema);
const deliverySchema = component("WebhookDelivery", webhookDeliveryDtoSchema);
component("CreateWebhook", createWebhookSchema);
component("UpdateWebhook", updateWebhookSchema);

export const webhookOperations = [
  defineOperation({
    method: "get",
    path: "/api/v1/webhooks",
    summary: "List webhook endpoints",
    response: { description: "Endpoints", schema: z.object({ webhooks: z.array(webhookSchema) }) },
    errors: [401],
  }),
  defineOperation({
    method: "post",
    path: "/api/v1/webhooks",
    summary: "Add a webhook endpoint",
    description:
      `Events: ${webhookEventTypes.join(", ")}. Deliveries carry the Standard Webhooks headers webhook-id, webhook-timestamp and ` +
      "webhook-signature (v1, HMAC-SHA256 with the secret). The `whsec_…` secret is in this answer only. " +
      "A URL whose host is or resolves to a private or loopback address is refused unless PULLGATE_UPSTREAM_ALLOW_CIDRS allows it.",
    body: createWebhookSchema,
    response: { status: 201, description: "Added", schema: z.object({ webhook: webhookSchema, secret: z.string().describe("whsec_…, shown once") }) },
    errors: [400, 401, 403, 409],
  }),
  defineOperation({
    method: "get",
    path: "/api/v1/webhooks/{id}",
    summary: "A webhook endpoint",
    response: { description: "Endpoint", schema: z.object({ webhook: webhookSchema }) },
    errors: [401, 404],
  }),
  defineOperation({
    method: "patch",
    path: "/api/v1/webhooks/{id}",
    summary: "Change a webhook endpoint's URL or events",
    body: updateWebhookSchema,
    response: { description: "Changed", schema: z.object({ webhook: webhookSchema }) },
    errors: [400, 401, 403, 404],
  }),
  defineOperation({
    method: "delete",
    path: "/api/v1/webhooks/{id}",
    summary: "Delete a webhook endpoint and its delivery log",
    response: { status: 204, description: "Deleted" },
    errors: [401, 403, 404],
  }),
  defineOperation({
    method: "post",
    path: "/api/v1/webhooks/{id}/test",
    summary: "Send a test event (webhook.test) to this endpoint",
    response: { status: 202, description: "Queued", schema: z.object({ delivery: deliverySchema }) },
    errors: [401, 403, 404],
  }),
  defineOperation({
    method: "get",
    path: "/api/v1/webhooks/{id}/deliveries",
    summary: "The endpoint's delivery log, newest first (status, attempts, last response code)",
    query: listDeliveriesQuerySchema,
    response: { description: "Deliveries", schema: z.object({ deliveries: z.array(deliverySchema) }) },
    errors: [400, 401, 404],
  }),
  defineOperation({
    method: "post",
    path: "/api/v1/webhooks/{id}/deliveries/{deliveryId}/redeliver",
    summary: "Queue the same message (same webhook-id and body) again for this endpoint",
    response: { status: 202, description: "Queued", schema: z.object({ delivery: deliverySchema }) },
    errors: [401, 403, 404],
  }),
];
