"use server";

import { revalidatePath } from "next/cache";
import { requireSessionActor } from "@/lib/auth/session";
import { requireId, runAction, type ActionResult } from "@/lib/actions/action-result";
import { createWebhook, deleteWebhook, updateWebhook } from "@/lib/webhooks/manage-webhooks";
import { redeliverWebhook, sendTestEvent } from "@/lib/webhooks/webhook-deliveries";
import type { CreateWebhookInput, UpdateWebhookInput } from "@/lib/webhooks/schemas";

/** Returns the whsec_ secret once; it is stored sealed. */
export async function createWebhookAction(input: CreateWebhookInput): Promise<ActionResult<{ id: string; secret: string }>> {
  const actor = await requireSessionActor();
  return runAction(async () => {
    const { endpoint, secret } = await createWebhook(actor, input);
    revalidatePath("/settings/webhooks");
    return { id: endpoint.id, secret };
  });
}

export async function updateWebhookAction(id: string, input: UpdateWebhookInput): Promise<ActionResult> {
  const actor = await requireSessionActor();
  return runAction(async () => {
    await updateWebhook(actor, requireId(id, "Webhook"), input);
    revalidatePath("/settings/webhooks");
    return undefined;
  });
}

export async function deleteWebhookAction(id: string): Promise<ActionResult> {
  const actor = await requireSessionActor();
  return runAction(async () => {
    await deleteWebhook(actor, requireId(id, "Webhook"));
    revalidatePath("/settings/webhooks");
    return undefined;
  });
}

export async function sendTestEventAction(id: string): Promise<ActionResult> {
  const actor = await requireSessionActor();
  return runAction(async () => {
    await sendTestEvent(actor, requireId(id, "Webhook"));
    revalidatePath(`/settings/webhooks/${id}`);
    return undefined;
  });
}

export async function redeliverAction(id: string, deliveryId: string): Promise<ActionResult> {
  const actor = await requireSessionActor();
  return runAction(async () => {
    await redeliverWebhook(actor, requireId(id, "Webhook"), requireId(deliveryId, "Delivery"));
    revalidatePath(`/settings/webhooks/${id}`);
    return undefined;
  });
}
