import type { Prisma } from "@/lib/generated/prisma/client";
import { prisma } from "@/lib/db/client";

/**
 * Runs `read` with the rollup mark (PullEventRollupState.rolledUpToId) in one
 * repeatable-read snapshot: the rollups and the raw pulls above the mark are
 * then read as of the same moment (a batch the job commits meanwhile is never
 * counted twice). The mark goes to the query as a value, not a subquery, so
 * the planner sees that only the few newest ids qualify (with a subquery it
 * guessed a third of the table and planned a parallel scan with JIT).
 */
export async function readWithRollupMark<T>(read: (tx: Prisma.TransactionClient, rolledUpToId: bigint) => Promise<T>): Promise<T> {
  return prisma.$transaction(
    async (tx) => {
      const [row] = await tx.$queryRaw<{ id: bigint }[]>`SELECT "rolledUpToId" AS id FROM "PullEventRollupState" WHERE "id" = 1`;
      return read(tx, row?.id ?? 0n);
    },
    { isolationLevel: "RepeatableRead" },
  );
}
