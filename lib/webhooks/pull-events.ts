import type { PrismaClient } from "@/lib/generated/prisma/client";
import { emitWebhookEvents, type WebhookEventInput } from "@/lib/webhooks/emit-events";

// Webhook events from the proxy's pull log: customer.first_pull (once per
// customer, ever) and pull.denied (a refused pull, at most one per customer
// per PULL_DENIED_WINDOW_MS: a client retrying in a loop must not flood the
// vendor's endpoint). Both are once-only through their dedupe keys, so
// several proxy replicas agree.

export const PULL_DENIED_WINDOW_MS = 10 * 60_000;

/** The refusals that are the license's doing (not missing images or upstream failures). */
const DENIAL_REASONS = new Set(["expired", "access_off", "archived", "not_in_license", "wrong_app"]);

export type PullWebhookInput = {
  customerId: string | null;
  isPull?: boolean;
  status: number;
  reason?: string | null;
  repository: string;
  tag?: string | null;
  reference?: string | null;
  time?: Date;
};

type CustomerRow = { id: string; teamId: string; name: string; customId: string | null; type: string; slug: string; lastPullAt: Date | null };

/**
 * Call before the batch moves lastPullAt (a customer whose lastPullAt is
 * still null is pulling for the first time). Reads only customers of teams
 * with an endpoint for these events.
 */
export async function emitPullWebhooks(db: PrismaClient, batch: PullWebhookInput[], now = new Date()): Promise<number> {
  const firstPulls = new Map<string, PullWebhookInput>();
  const denials = new Map<string, PullWebhookInput>();
  for (const e of batch) {
    if (!e.isPull || !e.customerId) continue;
    if (e.status < 400 && !firstPulls.has(e.customerId)) firstPulls.set(e.customerId, e);
    if (e.reason && DENIAL_REASONS.has(e.reason) && !denials.has(e.customerId)) denials.set(e.customerId, e);
  }
  const ids = [...new Set([...firstPulls.keys(), ...denials.keys()])];
  if (ids.length === 0) return 0;
  const customers = await db.$queryRawUnsafe<CustomerRow[]>(
    `SELECT c."id", c."teamId", c."name", c."customId", c."type"::text AS "type", a."slug", c."lastPullAt"
     FROM "Customer" c JOIN "App" a ON a."id" = c."appId"
     WHERE c."id" = ANY($1::text[])
       AND EXISTS (SELECT 1 FROM "WebhookEndpoint" e WHERE e."teamId" = c."teamId" AND e."events" && ARRAY['customer.first_pull', 'pull.denied'])`,
    ids,
  );
  const events: WebhookEventInput[] = [];
  for (const c of customers) {
    const customer = { id: c.id, name: c.name, customId: c.customId, type: c.type };
    const first = firstPulls.get(c.id);
    if (first && c.lastPullAt === null) {
      events.push({
        teamId: c.teamId,
        type: "customer.first_pull",
        dedupeKey: `customer.first_pull:${c.id}`,
        data: { customer, appSlug: c.slug, repository: first.repository, tag: first.tag ?? null, time: (first.time ?? now).toISOString() },
      });
    }
    const denied = denials.get(c.id);
    if (denied) {
      const time = denied.time ?? now;
      events.push({
        teamId: c.teamId,
        type: "pull.denied",
        dedupeKey: `pull.denied:${c.id}:${Math.floor(time.getTime() / PULL_DENIED_WINDOW_MS)}`,
        data: { customer, appSlug: c.slug, repository: denied.repository, reference: denied.reference ?? null, reason: denied.reason, time: time.toISOString() },
      });
    }
  }
  return emitWebhookEvents(db, events, now);
}
