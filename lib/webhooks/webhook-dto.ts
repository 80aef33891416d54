import type { WebhookDelivery, WebhookEndpoint } from "@/lib/generated/prisma/client";
import type { WebhookDeliveryDto, WebhookDto, WebhookEventType } from "@/lib/webhooks/schemas";

/** What the API and pages show of an endpoint: never its secret. */
export function toWebhookDto(endpoint: WebhookEndpoint): WebhookDto {
  return {
    id: endpoint.id,
    url: endpoint.url,
    events: endpoint.events as WebhookEventType[],
    createdAt: endpoint.createdAt.toISOString(),
    updatedAt: endpoint.updatedAt.toISOString(),
  };
}

export function toWebhookDeliveryDto(delivery: WebhookDelivery & { event: { type: string } }): WebhookDeliveryDto {
  const waiting = delivery.status === "pending";
  return {
    id: delivery.id,
    eventId: delivery.eventId,
    eventType: delivery.event.type,
    status: delivery.status,
    attempts: delivery.attempts,
    responseStatus: delivery.responseStatus,
    lastError: delivery.lastError,
    nextAttemptAt: waiting ? delivery.nextAttemptAt.toISOString() : null,
    lastAttemptAt: delivery.lastAttemptAt?.toISOString() ?? null,
    deliveredAt: delivery.deliveredAt?.toISOString() ?? null,
    createdAt: delivery.createdAt.toISOString(),
  };
}
