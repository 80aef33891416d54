import { assertCanWrite, type Actor } from "@/lib/auth/actor";
import { prisma } from "@/lib/db/client";
import { ConflictError, NotFoundError } from "@/lib/errors";
import { recordAuditEvent } from "@/lib/audit/record-audit-event";
import { encryptSecret } from "@/lib/secrets/crypto";
import { parseOrThrow } from "@/lib/validation/format-zod-issues";
import type { WebhookEndpoint } from "@/lib/generated/prisma/client";
import { checkWebhookUrl } from "@/lib/webhooks/check-webhook-url";
import { generateWebhookSecret } from "@/lib/webhooks/webhook-signature";
import {
  createWebhookSchema,
  MAX_WEBHOOKS_PER_TEAM,
  updateWebhookSchema,
  type CreateWebhookInput,
  type UpdateWebhookInput,
} from "@/lib/webhooks/schemas";

// Endpoints of the actor's team: every query is scoped by teamId, so another
// team's endpoint is "not found".

export async function listWebhooks(actor: Pick<Actor, "teamId">): Promise<WebhookEndpoint[]> {
  return prisma.webhookEndpoint.findMany({ where: { teamId: actor.teamId }, orderBy: { createdAt: "asc" } });
}

export async function getWebhook(actor: Pick<Actor, "teamId">, id: string): Promise<WebhookEndpoint> {
  const endpoint = await prisma.webhookEndpoint.findFirst({ where: { id, teamId: actor.teamId } });
  if (!endpoint) throw new NotFoundError("Webhook");
  return endpoint;
}

/** Creates an endpoint; the plain secret is returned this once and stored sealed. */
export async function createWebhook(actor: Actor, input: CreateWebhookInput): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
  assertCanWrite(actor);
  const data = parseOrThrow(createWebhookSchema, input);
  await checkWebhookUrl(data.url);
  const secret = generateWebhookSecret();
  const sealed = encryptSecret(secret);
  const endpoint = await prisma.$transaction(async (tx) => {
    const count = await tx.webhookEndpoint.count({ where: { teamId: actor.teamId } });
    if (count >= MAX_WEBHOOKS_PER_TEAM) throw new ConflictError(`A team may have at most ${MAX_WEBHOOKS_PER_TEAM} webhook endpoints.`);
    const created = await tx.webhookEndpoint.create({
      data: { teamId: actor.teamId, url: data.url, events: data.events, secretCiphertext: sealed.ciphertext, secretKeyVersion: sealed.keyVersion },
    });
    await recordAuditEvent(tx, {
      actor,
      action: "webhook.create",
      targetType: "webhook",
      targetId: created.id,
      targetName: created.url,
      after: { url: created.url, events: created.events },
    });
    return created;
  });
  return { endpoint, secret };
}

export async function updateWebhook(actor: Actor, id: string, input: UpdateWebhookInput): Promise<WebhookEndpoint> {
  assertCanWrite(actor);
  const data = parseOrThrow(updateWebhookSchema, input);
  // Another team's endpoint is "not found" before its new URL is looked up.
  await getWebhook(actor, id);
  if (data.url !== undefined) await checkWebhookUrl(data.url);
  return prisma.$transaction(async (tx) => {
    const before = await tx.webhookEndpoint.findFirst({ where: { id, teamId: actor.teamId } });
    if (!before) throw new NotFoundError("Webhook");
    const after = await tx.webhookEndpoint.update({
      where: { id: before.id },
      data: { ...(data.url !== undefined ? { url: data.url } : {}), ...(data.events !== undefined ? { events: data.events } : {}) },
    });
    await recordAuditEvent(tx, {
      actor,
      action: "webhook.update",
      targetType: "webhook",
      targetId: after.id,
      targetName: after.url,
      before: { url: before.url, events: before.events },
      after: { url: after.url, events: after.events },
    });
    return after;
  });
}

/** Deletes an endpoint with its delivery log (pending deliveries are dropped). */
export async function deleteWebhook(actor: Actor, id: string): Promise<void> {
  assertCanWrite(actor);
  await prisma.$transaction(async (tx) => {
    const endpoint = await tx.webhookEndpoint.findFirst({ where: { id, teamId: actor.teamId } });
    if (!endpoint) throw new NotFoundError("Webhook");
    await tx.webhookEndpoint.delete({ where: { id: endpoint.id } });
    await recordAuditEvent(tx, {
      actor,
      action: "webhook.delete",
      targetType: "webhook",
      targetId: endpoint.id,
      targetName: endpoint.url,
      before: { url: endpoint.url, events: endpoint.events },
    });
  });
}
