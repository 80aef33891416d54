import type { PrismaClient } from "@/lib/generated/prisma/client";
import { deleteExpiredPullEvents } from "@/lib/pulls/delete-expired-pull-events";
import { rollUpPullEvents } from "@/lib/pulls/roll-up-pull-events";

export type MaintenanceLog = {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
};

/**
 * Every `intervalMs`, rolls new pulls up into the hourly tables, then deletes
 * raw events older than the retention (the proxy process runs it, off the
 * request path). Runs never overlap within a process; across processes the
 * advisory lock lets one work while the others skip. The timer does not keep
 * the process alive.
 */
export function startPullEventMaintenance(options: { prisma: PrismaClient; retentionDays: number; intervalMs?: number; log: MaintenanceLog }): { stop(): void; tick(): Promise<void> } {
  const intervalMs = options.intervalMs ?? 60_000;
  let running: Promise<void> | null = null;
  let stopped = false;
  const run = async () => {
    try {
      const rollup = await rollUpPullEvents({ prisma: options.prisma });
      if (rollup.events > 0) options.log.info({ events: rollup.events, batches: rollup.batches, rolledUpToId: rollup.rolledUpToId.toString() }, "pull events rolled up");
      if (rollup.busy || stopped) return;
      const retention = await deleteExpiredPullEvents({ prisma: options.prisma, retentionDays: options.retentionDays });
      if (retention.deleted > 0) options.log.info({ deleted: retention.deleted, retentionDays: options.retentionDays }, "expired pull events deleted");
    } catch (err) {
      options.log.warn({ err: (err as Error).message }, "pull event rollup or retention failed; will retry");
    }
  };
  const tick = () => (running ??= run().finally(() => (running = null)));
  const timer = setInterval(() => void tick(), intervalMs);
  timer.unref();
  const first = setTimeout(() => void tick(), Math.min(10_000, intervalMs));
  first.unref();
  return {
    stop() {
      stopped = true;
      clearInterval(timer);
      clearTimeout(first);
    },
    tick,
  };
}
