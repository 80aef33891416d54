import type { PrismaClient } from "@/lib/generated/prisma/client";
import { prisma as defaultPrisma } from "@/lib/db/client";
import { tryMaintenanceLock } from "@/lib/pulls/roll-up-pull-events";

export type RetentionOptions = {
  prisma?: PrismaClient;
  retentionDays: number;
  /** Rows per DELETE (one short transaction each, so the proxy's inserts never wait long). */
  batchSize?: number;
  /** Batches per call (the next tick goes on). */
  maxBatches?: number;
  now?: Date;
};

export type RetentionResult = { batches: number; deleted: number; busy: boolean };

/**
 * Deletes raw pull events older than `retentionDays`, in batches, and only
 * those already counted in the rollups (id ≤ rolledUpToId), so the charts
 * never lose a pull. Walks each team's ("teamId", "time") index, so finding
 * nothing to delete costs one index probe per team.
 */
export async function deleteExpiredPullEvents(options: RetentionOptions): Promise<RetentionResult> {
  const db = options.prisma ?? defaultPrisma;
  const batchSize = options.batchSize ?? 5_000;
  const maxBatches = options.maxBatches ?? 100;
  const cutoff = new Date((options.now ?? new Date()).getTime() - options.retentionDays * 86_400_000);
  let batches = 0;
  let deleted = 0;
  while (batches < maxBatches) {
    const n = await db.$transaction(
      async (tx) => {
        if (!(await tryMaintenanceLock(tx))) return null;
        return tx.$executeRaw`
          DELETE FROM "PullEvent" WHERE "id" IN (
            SELECT old."id" FROM "Team" t
            CROSS JOIN LATERAL (
              SELECT e."id" FROM "PullEvent" e
              WHERE e."teamId" = t."id" AND e."time" < ${cutoff}
                AND e."id" <= (SELECT "rolledUpToId" FROM "PullEventRollupState" WHERE "id" = 1)
              ORDER BY e."time" LIMIT ${batchSize}
            ) old
            LIMIT ${batchSize})`;
      },
      { timeout: 120_000, maxWait: 30_000 },
    );
    if (n === null) return { batches, deleted, busy: true };
    if (n === 0) break;
    batches++;
    deleted += n;
    if (n < batchSize) break;
  }
  return { batches, deleted, busy: false };
}
