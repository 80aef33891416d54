import { assertCanWrite, type Actor } from "@/lib/auth/actor";
import { prisma } from "@/lib/db/client";
import { NotFoundError } from "@/lib/errors";
import type { WebhookDelivery } from "@/lib/generated/prisma/client";
import { getWebhook } from "@/lib/webhooks/manage-webhooks";
import { eventPayload, newDeliveryId, newEventId } from "@/lib/webhooks/emit-events";
import { TEST_EVENT_TYPE } from "@/lib/webhooks/schemas";

type DeliveryWithEvent = WebhookDelivery & { event: { type: string } };

/** An endpoint's delivery log, newest first. */
export async function listWebhookDeliveries(actor: Pick<Actor, "teamId">, endpointId: string, limit = 50): Promise<DeliveryWithEvent[]> {
  const endpoint = await getWebhook(actor, endpointId);
  return prisma.webhookDelivery.findMany({
    where: { endpointId: endpoint.id, teamId: actor.teamId },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: limit,
    include: { event: { select: { type: true } } },
  });
}

/** "Send test event": a webhook.test message queued for this endpoint only. */
export async function sendTestEvent(actor: Actor, endpointId: string, now = new Date()): Promise<DeliveryWithEvent> {
  assertCanWrite(actor);
  const endpoint = await getWebhook(actor, endpointId);
  return prisma.$transaction(async (tx) => {
    const event = await tx.webhookEvent.create({
      data: {
        id: newEventId(),
        teamId: actor.teamId,
        type: TEST_EVENT_TYPE,
        payload: eventPayload(TEST_EVENT_TYPE, { endpointId: endpoint.id, message: "Test event sent from Pullgate." }, now) as object,
        createdAt: now,
      },
    });
    return tx.webhookDelivery.create({
      data: { id: newDeliveryId(), teamId: actor.teamId, endpointId: endpoint.id, eventId: event.id, nextAttemptAt: now, createdAt: now },
      include: { event: { select: { type: true } } },
    });
  });
}

/**
 * "Redeliver": the same message (same webhook-id and body) queued again for
 * this endpoint as a new delivery with its own attempts and 24 hours.
 */
export async function redeliverWebhook(actor: Actor, endpointId: string, deliveryId: string, now = new Date()): Promise<DeliveryWithEvent> {
  assertCanWrite(actor);
  const endpoint = await getWebhook(actor, endpointId);
  const original = await prisma.webhookDelivery.findFirst({ where: { id: deliveryId, endpointId: endpoint.id, teamId: actor.teamId } });
  if (!original) throw new NotFoundError("Delivery");
  return prisma.webhookDelivery.create({
    data: { id: newDeliveryId(), teamId: actor.teamId, endpointId: endpoint.id, eventId: original.eventId, nextAttemptAt: now, createdAt: now },
    include: { event: { select: { type: true } } },
  });
}
