import { randomBytes } from "node:crypto";
import type { Prisma, PrismaClient } from "@/lib/generated/prisma/client";

// Recording events: one statement stores the events a team has an endpoint
// for and queues one delivery per subscribed endpoint. Called with the
// transaction client of the change itself, so an event exists exactly when
// its change does (and a rolled-back change sends nothing). Events no
// endpoint wants are not stored. A dedupeKey makes an event once-only: a
// second one with the same key is dropped (ON CONFLICT DO NOTHING).

export type WebhookEventInput = {
  teamId: string;
  type: string;
  data: Record<string, unknown>;
  dedupeKey?: string | null;
};

type Db = Prisma.TransactionClient | PrismaClient;

export function newEventId(): string {
  return `msg_${randomBytes(16).toString("hex")}`;
}

export function newDeliveryId(): string {
  return `whd_${randomBytes(16).toString("hex")}`;
}

/** The body every endpoint receives for an event (the Standard Webhooks payload shape). */
export function eventPayload(type: string, data: Record<string, unknown>, now: Date): Record<string, unknown> {
  return { type, timestamp: now.toISOString(), data };
}

const pgTime = (d: Date) => d.toISOString().replace("T", " ").replace("Z", "");

/** Stores the events some endpoint subscribes to and queues their deliveries; returns how many events were stored. */
export async function emitWebhookEvents(db: Db, events: WebhookEventInput[], now = new Date()): Promise<number> {
  if (events.length === 0) return 0;
  const stored = await db.$queryRawUnsafe<{ id: string }[]>(
    `WITH input AS (
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::jsonb[], $5::text[]) AS i("id", "teamId", "type", "payload", "dedupeKey")
     ), wanted AS (
       SELECT i.* FROM input i
       WHERE EXISTS (SELECT 1 FROM "WebhookEndpoint" e WHERE e."teamId" = i."teamId" AND i."type" = ANY(e."events"))
     ), stored AS (
       INSERT INTO "WebhookEvent" ("id", "teamId", "type", "payload", "dedupeKey", "createdAt")
       SELECT "id", "teamId", "type", "payload", "dedupeKey", $6::timestamp(3) FROM wanted
       ON CONFLICT ("dedupeKey") DO NOTHING
       RETURNING "id", "teamId", "type"
     ), queued AS (
       INSERT INTO "WebhookDelivery" ("id", "teamId", "endpointId", "eventId", "nextAttemptAt", "createdAt")
       SELECT 'whd_' || md5(random()::text || clock_timestamp()::text || e."id" || s."id"), s."teamId", e."id", s."id", $6::timestamp(3), $6::timestamp(3)
       FROM stored s JOIN "WebhookEndpoint" e ON e."teamId" = s."teamId" AND s."type" = ANY(e."events")
       RETURNING 1
     )
     SELECT "id" FROM stored`,
    events.map(() => newEventId()),
    events.map((e) => e.teamId),
    events.map((e) => e.type),
    events.map((e) => JSON.stringify(eventPayload(e.type, e.data, now))),
    events.map((e) => e.dedupeKey ?? null),
    pgTime(now),
  );
  return stored.length;
}
