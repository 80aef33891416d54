import type { PrismaClient } from "@/lib/generated/prisma/client";
import { Prisma } from "@/lib/generated/prisma/client";
import { prisma as defaultPrisma } from "@/lib/db/client";
import { digestSql, outcomeSql } from "@/lib/pulls/outcome-sql";

// Rolls pulls (PullEvent rows with isPull) up into PullEventHourly and
// PullTeamHourly, in batches of event ids. Each batch adds its counts and moves
// PullEventRollupState.rolledUpToId in one transaction, so a batch counts once
// or not at all: re-running never double counts. Readers add the raw pulls
// above rolledUpToId (lib/pulls/pull-activity.ts), so figures stay live.
//
// Ids are taken before an insert commits, so an id below a visible one may
// still appear. The job only passes ids that existed `commitLagMs` ago (the
// "horizon"): the proxy's inserts commit within milliseconds.

/** Advisory lock key of the maintenance job (rollup and retention): one process at a time. */
export const PULL_MAINTENANCE_LOCK_KEY = 72707415;

export type RollupOptions = {
  prisma?: PrismaClient;
  /** Event ids per transaction. */
  batchIds?: number;
  /** Batches per call (the next tick goes on). */
  maxBatches?: number;
  /** How long an id must have existed before it is rolled up (0 in tests: everything visible now). */
  commitLagMs?: number;
  now?: Date;
};

/** events: pulls rolled up by this call. */
export type RollupResult = { batches: number; events: number; rolledUpToId: bigint; busy: boolean };

type State = { rolledUpToId: bigint; safeId: bigint; horizonId: bigint; horizonAt: Date };

/** Takes the job's lock for this transaction, or answers false when another process holds it. */
export async function tryMaintenanceLock(tx: Prisma.TransactionClient): Promise<boolean> {
  const [row] = await tx.$queryRaw<{ locked: boolean }[]>`SELECT pg_try_advisory_xact_lock(${PULL_MAINTENANCE_LOCK_KEY}::bigint) AS locked`;
  return row?.locked === true;
}

async function lockState(tx: Prisma.TransactionClient): Promise<State> {
  // The migration inserts the row; this keeps a hand-made database working too.
  await tx.$executeRaw`INSERT INTO "PullEventRollupState" ("id") VALUES (1) ON CONFLICT DO NOTHING`;
  const [state] = await tx.$queryRaw<State[]>`
    SELECT "rolledUpToId", "safeId", "horizonId", "horizonAt" FROM "PullEventRollupState" WHERE "id" = 1 FOR UPDATE`;
  return state!;
}

/** Moves the horizon: ids seen `commitLagMs` ago become safe to roll up. */
async function advanceHorizon(tx: Prisma.TransactionClient, state: State, commitLagMs: number, now: Date): Promise<bigint> {
  const [row] = await tx.$queryRaw<{ maxId: bigint }[]>`SELECT COALESCE(max("id"), 0)::bigint AS "maxId" FROM "PullEvent"`;
  const maxId = row?.maxId ?? 0n;
  if (commitLagMs <= 0) {
    await tx.$executeRaw`UPDATE "PullEventRollupState" SET "safeId" = ${maxId}, "horizonId" = ${maxId}, "horizonAt" = ${now} WHERE "id" = 1`;
    return maxId;
  }
  if (now.getTime() - state.horizonAt.getTime() < commitLagMs) return state.safeId;
  await tx.$executeRaw`UPDATE "PullEventRollupState" SET "safeId" = ${state.horizonId}, "horizonId" = ${maxId}, "horizonAt" = ${now} WHERE "id" = 1`;
  return state.horizonId;
}

/** Adds the pulls with ids in (from, to] to both rollup tables; answers how many pulls that was. */
async function rollUpRange(tx: Prisma.TransactionClient, from: bigint, to: bigint): Promise<number> {
  const batch = Prisma.sql`
    SELECT e."id", e."time", e."teamId", e."appId", e."customerId", e."repository", e."tag", e."bytes",
           ${digestSql("e")} AS "digest", ${outcomeSql("e")} AS "outcome"
    FROM "PullEvent" e WHERE e."id" > ${from} AND e."id" <= ${to} AND e."isPull"`;
  await tx.$executeRaw`
    INSERT INTO "PullEventHourly" AS h ("hour", "teamId", "appId", "customerId", "repository", "tag", "outcome", "pulls", "bytes", "lastTime", "lastEventId", "lastDigest")
    SELECT date_trunc('hour', b."time"), b."teamId", b."appId", b."customerId", b."repository", b."tag", b."outcome",
           count(*), sum(b."bytes"), max(b."time"),
           (array_agg(b."id" ORDER BY b."time" DESC, b."id" DESC))[1],
           (array_agg(b."digest" ORDER BY b."time" DESC, b."id" DESC))[1]
    FROM (${batch}) b
    GROUP BY 1, 2, 3, 4, 5, 6, 7
    ON CONFLICT ("teamId", "hour", "appId", "customerId", "repository", "tag", "outcome") DO UPDATE SET
      "pulls" = h."pulls" + EXCLUDED."pulls",
      "bytes" = h."bytes" + EXCLUDED."bytes",
      "lastDigest" = CASE WHEN (EXCLUDED."lastTime", EXCLUDED."lastEventId") > (h."lastTime", h."lastEventId") THEN EXCLUDED."lastDigest" ELSE h."lastDigest" END,
      "lastEventId" = CASE WHEN (EXCLUDED."lastTime", EXCLUDED."lastEventId") > (h."lastTime", h."lastEventId") THEN EXCLUDED."lastEventId" ELSE h."lastEventId" END,
      "lastTime" = GREATEST(h."lastTime", EXCLUDED."lastTime")`;
  await tx.$executeRaw`
    INSERT INTO "PullTeamHourly" AS t ("teamId", "hour", "outcome", "pulls")
    SELECT b."teamId", date_trunc('hour', b."time"), b."outcome", count(*) FROM (${batch}) b GROUP BY 1, 2, 3
    ON CONFLICT ("teamId", "hour", "outcome") DO UPDATE SET "pulls" = t."pulls" + EXCLUDED."pulls"`;
  await tx.$executeRaw`UPDATE "PullEventRollupState" SET "rolledUpToId" = ${to} WHERE "id" = 1`;
  const [counted] = await tx.$queryRaw<{ n: bigint }[]>`SELECT count(*)::bigint AS n FROM (${batch}) b`;
  return Number(counted?.n ?? 0);
}

/**
 * Rolls up to `maxBatches` batches of new pulls. Answers busy when another
 * process holds the job's lock (it is doing the same work).
 */
export async function rollUpPullEvents(options: RollupOptions = {}): Promise<RollupResult> {
  const db = options.prisma ?? defaultPrisma;
  const batchIds = BigInt(options.batchIds ?? 10_000);
  const maxBatches = options.maxBatches ?? 100;
  // Half the job's 60 s interval, so each tick passes what the previous one saw.
  const commitLagMs = options.commitLagMs ?? 30_000;
  let batches = 0;
  let events = 0;
  let rolledUpToId = 0n;
  let horizonMoved = false;
  for (;;) {
    const step = await db.$transaction(
      async (tx) => {
        if (!(await tryMaintenanceLock(tx))) return null;
        const state = await lockState(tx);
        const safeId = horizonMoved ? state.safeId : await advanceHorizon(tx, state, commitLagMs, options.now ?? new Date());
        if (state.rolledUpToId >= safeId) return { to: state.rolledUpToId, events: 0, done: true, processed: false };
        const to = state.rolledUpToId + batchIds < safeId ? state.rolledUpToId + batchIds : safeId;
        const n = await rollUpRange(tx, state.rolledUpToId, to);
        return { to, events: n, done: to >= safeId, processed: true };
      },
      { timeout: 120_000, maxWait: 30_000 },
    );
    if (!step) return { batches, events, rolledUpToId, busy: true };
    horizonMoved = true;
    rolledUpToId = step.to;
    if (step.processed) batches++;
    events += step.events;
    if (step.done || batches >= maxBatches) return { batches, events, rolledUpToId, busy: false };
  }
}
