import { z } from "zod";

// Shared by the Settings → Webhooks form, its server actions and the REST API.

export const webhookEventTypes = [
  "license.created",
  "license.updated",
  "license.expiring",
  "license.expired",
  "customer.first_pull",
  "pull.denied",
] as const;
export type WebhookEventType = (typeof webhookEventTypes)[number];

/** Sent only by "Send test event", to the one endpoint asked. */
export const TEST_EVENT_TYPE = "webhook.test";

export const MAX_WEBHOOK_URL_LENGTH = 2000;
export const MAX_WEBHOOKS_PER_TEAM = 20;

export const webhookUrlSchema = z
  .string({ error: "Must be a string." })
  .trim()
  .min(1, "URL is required.")
  .max(MAX_WEBHOOK_URL_LENGTH, `URL must be at most ${MAX_WEBHOOK_URL_LENGTH} characters.`)
  .superRefine((value, ctx) => {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      ctx.addIssue({ code: "custom", message: "Must be an absolute http:// or https:// URL." });
      return;
    }
    if (url.protocol !== "https:" && url.protocol !== "http:") ctx.addIssue({ code: "custom", message: "Must be an http:// or https:// URL." });
    else if (url.username || url.password) ctx.addIssue({ code: "custom", message: "Must not contain a user name or password." });
  })
  .describe("Where events are POSTed (https:// recommended). Private and loopback addresses are refused unless PULLGATE_UPSTREAM_ALLOW_CIDRS allows them.");

export const webhookEventsSchema = z
  .array(z.enum(webhookEventTypes, { error: `Must be one of: ${webhookEventTypes.join(", ")}.` }), { error: "Must be an array of event types." })
  .min(1, "Choose at least one event type.")
  .max(webhookEventTypes.length)
  .transform((events) => [...new Set(events)]);

export const createWebhookSchema = z.strictObject({ url: webhookUrlSchema, events: webhookEventsSchema });
export const updateWebhookSchema = z.strictObject({ url: webhookUrlSchema.optional(), events: webhookEventsSchema.optional() });

export type CreateWebhookInput = z.input<typeof createWebhookSchema>;
export type UpdateWebhookInput = z.input<typeof updateWebhookSchema>;

export const listDeliveriesQuerySchema = z.strictObject({
  limit: z.coerce.number({ error: "Must be a number." }).int("Must be a whole number.").min(1, "At least 1.").max(200, "At most 200.").optional(),
});

// Response shapes (for the API document).

export const webhookDtoSchema = z.object({
  id: z.string(),
  url: z.string(),
  events: z.array(z.enum(webhookEventTypes)),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type WebhookDto = z.infer<typeof webhookDtoSchema>;

export const webhookDeliveryDtoSchema = z.object({
  id: z.string(),
  eventId: z.string().describe("The webhook-id header: the same on every attempt and redelivery of one event."),
  eventType: z.string(),
  status: z.enum(["pending", "delivering", "succeeded", "failed"]),
  attempts: z.number().int(),
  responseStatus: z.number().int().nullable().describe("HTTP status of the last attempt (null: no answer)."),
  lastError: z.string().nullable(),
  nextAttemptAt: z.iso.datetime().nullable(),
  lastAttemptAt: z.iso.datetime().nullable(),
  deliveredAt: z.iso.datetime().nullable(),
  createdAt: z.iso.datetime(),
});
export type WebhookDeliveryDto = z.infer<typeof webhookDeliveryDtoSchema>;
