import { emitPullWebhooks } from "@/lib/webhooks/pull-events";
import type { PrismaClient } from "@/lib/generated/prisma/client";
import type { PullDenialReason } from "@/lib/licenses/decide-pull";
import type { Logger } from "pino";
import { isDatabaseUnavailable } from "@/lib/db/unavailable";

// Every registry request is recorded as a PullEvent, but never on the request
// path: events go into a bounded in-memory queue that a background loop
// writes in batches. When the database is slow the queue fills and further
// events are dropped (and counted) rather than slowing pulls down. When the
// database is unreachable (restarting), batches stay queued and are retried
// every few seconds, up to the queue's bound, so a short outage loses nothing.
// Each batch also moves the pulling customers' "lastPullAt" forward (sampled:
// a customer's row is written at most once a minute by a process).

export type PullEventInput = {
  teamId: string;
  appId: string | null;
  customerId: string | null;
  licenseId: string | null;
  action: "token" | "manifest" | "blob" | "tags" | "referrers";
  method: string;
  repository: string;
  reference: string | null;
  digest: string | null;
  status: number;
  bytes: number;
  cacheHit: boolean;
  clientIp: string | null;
  userAgent: string | null;
  durationMs: number;
  /** Host and cause of an upstream failure (the customer was told only that the registry is unreachable). */
  upstreamError?: string | null;
  /** One pull (or failed attempt) by the rule of pull-counting.ts. */
  isPull?: boolean;
  /** The tag this pull was of. */
  tag?: string | null;
  /** Why the request was refused or failed; null when it succeeded. */
  reason?: PullDenialReason | null;
  time?: Date;
};

/** A customer's lastPullAt is rewritten at most this often (per process). */
const LAST_PULL_SAMPLE_MS = 60_000;

export type PullEventQueueOptions = {
  prisma: PrismaClient;
  logger: Logger;
  maxQueue?: number;
  batchSize?: number;
  flushIntervalMs?: number;
  onDrop?: (count: number) => void;
  onWritten?: (count: number) => void;
};

export class PullEventQueue {
  private queue: PullEventInput[] = [];
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private retryDelayMs = 0;
  private readonly maxQueue: number;
  private readonly batchSize: number;
  private readonly flushIntervalMs: number;
  private readonly lastPullWritten = new Map<string, number>();

  constructor(private readonly options: PullEventQueueOptions) {
    this.maxQueue = options.maxQueue ?? 10_000;
    this.batchSize = options.batchSize ?? 500;
    this.flushIntervalMs = options.flushIntervalMs ?? 250;
  }

  record(event: PullEventInput): void {
    if (this.queue.length >= this.maxQueue) {
      this.options.onDrop?.(1);
      return;
    }
    this.queue.push({ ...event, time: event.time ?? new Date() });
    // While the database is away, the retry timer writes (or keeps) everything.
    if (this.retryTimer) return;
    if (this.queue.length >= this.batchSize) void this.flush(true);
    else if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = null;
        void this.flush(true);
      }, this.flushIntervalMs);
      this.timer.unref();
    }
  }

  get pending(): number {
    return this.queue.length;
  }

  /**
   * Writes everything queued so far (also used on shutdown and by tests). In
   * the background (`keepOnOutage`), batches the unreachable database did not
   * take stay queued for a retry; an explicit flush drops them, counted.
   */
  async flush(keepOnOutage = false): Promise<void> {
    if (this.flushing) {
      await this.flushing;
      if (this.queue.length === 0) return;
    }
    this.flushing = this.drain(keepOnOutage).finally(() => (this.flushing = null));
    await this.flushing;
  }

  private async drain(keepOnOutage: boolean): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.batchSize);
      try {
        await this.insert(batch);
        this.options.onWritten?.(batch.length);
        if (this.retryDelayMs) this.options.logger.info({ pending: this.queue.length }, "pull events: database reachable again, writing what was kept");
        this.retryDelayMs = 0;
      } catch (err) {
        if (keepOnOutage && isDatabaseUnavailable(err)) {
          this.keepForRetry(batch);
          return;
        }
        // A failed batch is dropped, not retried forever: pulls must not wait on it.
        this.options.logger.error({ err: (err as Error).message, count: batch.length }, "could not write pull events");
        this.options.onDrop?.(batch.length);
      }
    }
  }

  /** Puts a batch back at the head of the queue (what fits the bound) and tries again in a moment. */
  private keepForRetry(batch: PullEventInput[]): void {
    const room = Math.max(0, this.maxQueue - this.queue.length);
    if (batch.length > room) this.options.onDrop?.(batch.length - room);
    this.queue.unshift(...batch.slice(0, room));
    if (!this.retryDelayMs) this.options.logger.warn({ pending: this.queue.length }, "pull events: database unreachable, keeping them to write when it is back");
    this.retryDelayMs = Math.min(5_000, Math.max(500, this.retryDelayMs * 2));
    this.retryTimer ??= setTimeout(() => {
      this.retryTimer = null;
      void this.flush(true);
    }, this.retryDelayMs);
    this.retryTimer.unref();
  }

  // One INSERT … SELECT FROM unnest(arrays) per batch, one parameter per
  // column: Prisma's createMany compiles and serializes every row, which
  // under a rollout costs the proxy more CPU than serving the manifests.
  private async insert(batch: PullEventInput[]): Promise<void> {
    const column = <T>(pick: (e: PullEventInput) => T) => batch.map(pick);
    await this.options.prisma.$executeRawUnsafe(
      `INSERT INTO "PullEvent" ("time", "teamId", "appId", "customerId", "licenseId", "action", "method", "repository", "reference", "digest", "status", "bytes", "cacheHit", "clientIp", "userAgent", "durationMs", "upstreamError", "isPull", "tag", "reason")
       SELECT * FROM unnest($1::timestamp(3)[], $2::text[], $3::text[], $4::text[], $5::text[], $6::"PullAction"[], $7::text[], $8::text[], $9::text[], $10::text[], $11::int[], $12::bigint[], $13::boolean[], $14::text[], $15::text[], $16::int[], $17::text[], $18::boolean[], $19::text[], $20::"PullEventReason"[])`,
      // TIMESTAMP(3) holds UTC, as Prisma writes it.
      column((e) => e.time!.toISOString().replace("T", " ").replace("Z", "")),
      column((e) => e.teamId),
      column((e) => e.appId),
      column((e) => e.customerId),
      column((e) => e.licenseId),
      column((e) => e.action),
      column((e) => e.method),
      column((e) => e.repository.slice(0, 512)),
      column((e) => e.reference?.slice(0, 256) ?? null),
      column((e) => e.digest),
      column((e) => e.status),
      column((e) => String(Math.max(0, Math.round(e.bytes)))),
      column((e) => e.cacheHit),
      column((e) => e.clientIp),
      column((e) => e.userAgent?.slice(0, 512) ?? null),
      column((e) => Math.max(0, Math.round(e.durationMs))),
      column((e) => e.upstreamError?.slice(0, 500) ?? null),
      column((e) => e.isPull ?? false),
      column((e) => e.tag?.slice(0, 128) ?? null),
      column((e) => e.reason ?? null),
    );
    // Webhooks read lastPullAt before the batch moves it (a first pull is one whose customer has none yet).
    await emitPullWebhooks(this.options.prisma, batch).catch((err: unknown) =>
      this.options.logger.warn({ err: (err as Error).message }, "could not record pull webhook events"),
    );
    // The events are written; a failed lastPullAt update is only logged (the next pull moves it).
    await this.advanceLastPull(batch).catch((err: unknown) =>
      this.options.logger.warn({ err: (err as Error).message }, "could not update customers' last pull time"),
    );
  }

  /** Customers who pulled in this batch, newest time each, skipping those written within the sample interval. */
  private async advanceLastPull(batch: PullEventInput[]): Promise<void> {
    const latest = new Map<string, Date>();
    for (const e of batch) {
      if (!e.isPull || e.status >= 400 || !e.customerId) continue;
      const seen = latest.get(e.customerId);
      if (!seen || seen < e.time!) latest.set(e.customerId, e.time!);
    }
    const due = [...latest].filter(([id, time]) => time.getTime() - (this.lastPullWritten.get(id) ?? 0) >= LAST_PULL_SAMPLE_MS);
    if (due.length === 0) return;
    if (this.lastPullWritten.size > 100_000) this.lastPullWritten.clear();
    for (const [id, time] of due) this.lastPullWritten.set(id, time.getTime());
    // Only lastPullAt changes: the customer trigger ignores it (no cache flush on every proxy).
    await this.options.prisma.$executeRawUnsafe(
      `UPDATE "Customer" AS c SET "lastPullAt" = v."time"
       FROM unnest($1::text[], $2::timestamp(3)[]) AS v("id", "time")
       WHERE c."id" = v."id" AND (c."lastPullAt" IS NULL OR c."lastPullAt" < v."time")`,
      due.map(([id]) => id),
      due.map(([, time]) => time.toISOString().replace("T", " ").replace("Z", "")),
    );
  }
}
