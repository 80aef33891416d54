import type { PrismaClient } from "@/lib/generated/prisma/client";
import { emitWebhookEvents, type WebhookEventInput } from "@/lib/webhooks/emit-events";

// license.expiring (14 and 3 days before) and license.expired, found by a
// periodic scan. Each fires once per license and expiry date (the dedupe key
// names both, so an extended license warns again before its new date). Only
// licenses of teams with an endpoint for the event are read, and only those
// whose moment is recent: subscribing never replays years of old expiries.

const DAY_MS = 86_400_000;
const MAX_PER_SCAN = 1000;

type Row = {
  id: string;
  teamId: string;
  expiresAt: Date;
  customerId: string;
  name: string;
  customId: string | null;
  type: string;
  slug: string;
};

const pgTime = (d: Date) => d.toISOString().replace("T", " ").replace("Z", "");

async function licensesBetween(db: PrismaClient, eventType: string, from: Date, to: Date, keyPrefix: string): Promise<Row[]> {
  return db.$queryRawUnsafe<Row[]>(
    `SELECT l."id", l."teamId", l."expiresAt", c."id" AS "customerId", c."name", c."customId", c."type"::text AS "type", a."slug"
     FROM "License" l JOIN "Customer" c ON c."id" = l."customerId" JOIN "App" a ON a."id" = c."appId"
     WHERE l."expiresAt" > $1::timestamp(3) AND l."expiresAt" <= $2::timestamp(3) AND c."archivedAt" IS NULL
       AND EXISTS (SELECT 1 FROM "WebhookEndpoint" e WHERE e."teamId" = l."teamId" AND $3 = ANY(e."events"))
       AND NOT EXISTS (SELECT 1 FROM "WebhookEvent" ev WHERE ev."dedupeKey" = $4 || l."id" || ':' || (extract(epoch FROM l."expiresAt") * 1000)::bigint)
     ORDER BY l."expiresAt"
     LIMIT ${MAX_PER_SCAN}`,
    pgTime(from),
    pgTime(to),
    eventType,
    keyPrefix,
  );
}

function toEvent(row: Row, type: string, keyPrefix: string, extra: Record<string, unknown>): WebhookEventInput {
  return {
    teamId: row.teamId,
    type,
    dedupeKey: `${keyPrefix}${row.id}:${row.expiresAt.getTime()}`,
    data: {
      customer: { id: row.customerId, name: row.name, customId: row.customId, type: row.type },
      appSlug: row.slug,
      expiresAt: row.expiresAt.toISOString(),
      ...extra,
    },
  };
}

/** Emits the expiry events due now; returns how many were stored. */
export async function emitExpiryEvents(db: PrismaClient, now = new Date()): Promise<number> {
  const events: WebhookEventInput[] = [];
  // 14 days: expiring in (3, 14] days; 3 days: in (0, 3] days.
  const windows = [
    { days: 14, from: now.getTime() + 3 * DAY_MS, to: now.getTime() + 14 * DAY_MS },
    { days: 3, from: now.getTime(), to: now.getTime() + 3 * DAY_MS },
  ];
  for (const w of windows) {
    const prefix = `license.expiring:${w.days}:`;
    const rows = await licensesBetween(db, "license.expiring", new Date(w.from), new Date(w.to), prefix);
    events.push(...rows.map((r) => toEvent(r, "license.expiring", prefix, { daysBefore: w.days })));
  }
  // Expired within the last day (the scan runs every minute; a day covers outages).
  const expired = await licensesBetween(db, "license.expired", new Date(now.getTime() - DAY_MS), now, "license.expired:");
  events.push(...expired.map((r) => toEvent(r, "license.expired", "license.expired:", {})));
  return emitWebhookEvents(db, events, now);
}
