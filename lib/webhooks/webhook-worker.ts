import type { PrismaClient } from "@/lib/generated/prisma/client";
import { decryptSecret } from "@/lib/secrets/crypto";
import { claimDeliveries, DEFAULT_RETRY_POLICY, recordAttempt, type ClaimedDelivery, type RetryPolicy } from "@/lib/webhooks/delivery-queue";
import { emitExpiryEvents } from "@/lib/webhooks/expiry-events";
import { sendWebhook } from "@/lib/webhooks/send-webhook";

// The background loop that empties the delivery queue (the proxy process
// runs it; replicas share the queue through SKIP LOCKED). Every pollMs it
// claims due deliveries and sends them, a few at a time; every
// expiryScanMs it looks for licenses reaching their expiry warnings; once an
// hour it forgets events older than the retention.

export type WebhookWorkerLog = { info(obj: object, msg: string): void; warn(obj: object, msg: string): void };

export type WebhookWorkerOptions = {
  prisma: PrismaClient;
  log: WebhookWorkerLog;
  pollMs?: number;
  /** Deliveries sent at once. */
  batchSize?: number;
  /** One attempt's time limit (the claim lasts a little longer). */
  attemptTimeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  expiryScanMs?: number;
  retentionDays?: number;
};

const HOUR_MS = 3600_000;

export function startWebhookWorker(options: WebhookWorkerOptions): { stop(): Promise<void> } {
  const db = options.prisma;
  const pollMs = options.pollMs ?? 1_000;
  const batchSize = options.batchSize ?? 8;
  const timeoutMs = options.attemptTimeoutMs ?? 15_000;
  const retry: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
  const expiryScanMs = options.expiryScanMs ?? 60_000;
  const retentionMs = (options.retentionDays ?? 30) * 24 * HOUR_MS;
  let stopped = false;
  let lastExpiryScan = 0;
  let lastPrune = 0;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> = Promise.resolve();

  async function deliver(claimed: ClaimedDelivery): Promise<void> {
    let secret: string;
    try {
      secret = decryptSecret(claimed.secretCiphertext);
    } catch {
      await recordAttempt(db, claimed, { ok: false, status: null, error: "the endpoint's secret cannot be decrypted (PULLGATE_SECRET_KEY changed?)" }, retry);
      return;
    }
    const outcome = await sendWebhook(claimed.url, secret, claimed.eventId, JSON.stringify(claimed.payload), timeoutMs);
    await recordAttempt(db, claimed, outcome, retry);
  }

  async function tick(): Promise<void> {
    const now = Date.now();
    if (now - lastExpiryScan >= expiryScanMs) {
      lastExpiryScan = now;
      const emitted = await emitExpiryEvents(db);
      if (emitted > 0) options.log.info({ emitted }, "webhooks: license expiry events recorded");
    }
    if (now - lastPrune >= HOUR_MS) {
      lastPrune = now;
      await db.webhookEvent.deleteMany({ where: { createdAt: { lt: new Date(now - retentionMs) } } });
    }
    for (;;) {
      if (stopped) return;
      const claimed = await claimDeliveries(db, batchSize, timeoutMs + 30_000);
      if (claimed.length === 0) return;
      await Promise.all(claimed.map((c) => deliver(c)));
      if (claimed.length < batchSize) return;
    }
  }

  function schedule(): void {
    if (stopped) return;
    timer = setTimeout(() => {
      running = tick()
        .catch((err: unknown) => options.log.warn({ err: (err as Error).message }, "webhooks: delivery round failed; will retry"))
        .finally(schedule);
    }, pollMs);
    timer.unref();
  }
  schedule();

  return {
    /** Stops claiming; waits for the round in progress (its attempts are recorded). */
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
