import type { PrismaClient } from "@/lib/generated/prisma/client";
import type { Logger } from "pino";

// Every registry request is recorded as a PullEvent, but never on the request
// path: events go into a bounded in-memory queue that a background loop
// writes in batches. When the database is slow the queue fills and further
// events are dropped (and counted) rather than slowing pulls down.

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
  time?: Date;
};

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
  private readonly maxQueue: number;
  private readonly batchSize: number;
  private readonly flushIntervalMs: number;

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
    if (this.queue.length >= this.batchSize) void this.flush();
    else if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = null;
        void this.flush();
      }, this.flushIntervalMs);
      this.timer.unref();
    }
  }

  get pending(): number {
    return this.queue.length;
  }

  /** Writes everything queued so far (also used on shutdown and by tests). */
  async flush(): Promise<void> {
    if (this.flushing) {
      await this.flushing;
      if (this.queue.length === 0) return;
    }
    this.flushing = this.drain().finally(() => (this.flushing = null));
    await this.flushing;
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.batchSize);
      try {
        await this.options.prisma.pullEvent.createMany({
          data: batch.map((e) => ({
            time: e.time!,
            teamId: e.teamId,
            appId: e.appId,
            customerId: e.customerId,
            licenseId: e.licenseId,
            action: e.action,
            method: e.method,
            repository: e.repository.slice(0, 512),
            reference: e.reference?.slice(0, 256) ?? null,
            digest: e.digest,
            status: e.status,
            bytes: BigInt(Math.max(0, Math.round(e.bytes))),
            cacheHit: e.cacheHit,
            clientIp: e.clientIp,
            userAgent: e.userAgent?.slice(0, 512) ?? null,
            durationMs: Math.max(0, Math.round(e.durationMs)),
          })),
        });
        this.options.onWritten?.(batch.length);
      } catch (err) {
        // A failed batch is dropped, not retried forever: pulls must not wait on it.
        this.options.logger.error({ err: (err as Error).message, count: batch.length }, "could not write pull events");
        this.options.onDrop?.(batch.length);
      }
    }
  }
}
