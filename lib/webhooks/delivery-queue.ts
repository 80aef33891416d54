import type { PrismaClient } from "@/lib/generated/prisma/client";

// The delivery queue lives in Postgres (WebhookDelivery), so it survives
// restarts and any number of workers can share it: a worker claims due rows
// with FOR UPDATE SKIP LOCKED, marking them `delivering` until lockedUntil.
// A worker that dies mid-delivery leaves its rows to be claimed again once
// that lock time has passed (the receiver may then see the message twice,
// with the same webhook-id, which Standard Webhooks receivers dedupe on).

export type ClaimedDelivery = {
  id: string;
  eventId: string;
  attempts: number;
  /** When this delivery was queued: retries stop 24 h after it. */
  queuedAt: Date;
  url: string;
  secretCiphertext: string;
  payload: unknown;
};

export type RetryPolicy = {
  /** First retry after this long; each later one waits twice as long... */
  baseDelayMs: number;
  /** ...up to this... */
  maxDelayMs: number;
  /** ...and none is scheduled later than this after the delivery was queued (24 h). */
  giveUpAfterMs: number;
};

export const DEFAULT_RETRY_POLICY: RetryPolicy = { baseDelayMs: 30_000, maxDelayMs: 3600_000, giveUpAfterMs: 24 * 3600_000 };

const pgTime = (d: Date) => d.toISOString().replace("T", " ").replace("Z", "");

export async function claimDeliveries(db: PrismaClient, limit: number, lockMs: number, now = new Date()): Promise<ClaimedDelivery[]> {
  const rows = await db.$queryRawUnsafe<
    ClaimedDelivery[]
  >(
    `WITH due AS (
       SELECT d."id" FROM "WebhookDelivery" d
       WHERE (d."status" = 'pending' AND d."nextAttemptAt" <= $1::timestamp(3))
          OR (d."status" = 'delivering' AND d."lockedUntil" < $1::timestamp(3))
       ORDER BY d."nextAttemptAt"
       LIMIT $2
       FOR UPDATE SKIP LOCKED
     )
     UPDATE "WebhookDelivery" d SET "status" = 'delivering', "lockedUntil" = $3::timestamp(3), "attempts" = d."attempts" + 1, "lastAttemptAt" = $1::timestamp(3)
     FROM due, "WebhookEvent" ev, "WebhookEndpoint" e
     WHERE d."id" = due."id" AND ev."id" = d."eventId" AND e."id" = d."endpointId"
     RETURNING d."id", d."eventId", d."attempts", d."createdAt" AS "queuedAt", e."url", e."secretCiphertext", ev."payload"`,
    pgTime(now),
    limit,
    pgTime(new Date(now.getTime() + lockMs)),
  );
  return rows;
}

export type AttemptOutcome = { ok: true; status: number } | { ok: false; status: number | null; error: string };

/** The wait before the next attempt, or null when the 24 hours are used up. */
export function nextAttemptDelay(attempts: number, queuedAt: Date, now: Date, policy: RetryPolicy): number | null {
  const delay = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempts - 1));
  if (now.getTime() + delay > queuedAt.getTime() + policy.giveUpAfterMs) return null;
  return delay;
}

/** Records an attempt's outcome: delivered, scheduled again with back-off, or failed for good. */
export async function recordAttempt(db: PrismaClient, claimed: ClaimedDelivery, outcome: AttemptOutcome, policy: RetryPolicy, now = new Date()): Promise<void> {
  if (outcome.ok) {
    await db.webhookDelivery.updateMany({
      where: { id: claimed.id, status: "delivering" },
      data: { status: "succeeded", responseStatus: outcome.status, lastError: null, deliveredAt: now, lockedUntil: null },
    });
    return;
  }
  const delay = nextAttemptDelay(claimed.attempts, claimed.queuedAt, now, policy);
  await db.webhookDelivery.updateMany({
    where: { id: claimed.id, status: "delivering" },
    data: {
      status: delay === null ? "failed" : "pending",
      responseStatus: outcome.status,
      lastError: outcome.error.slice(0, 300),
      lockedUntil: null,
      ...(delay === null ? {} : { nextAttemptAt: new Date(now.getTime() + delay) }),
    },
  });
}
